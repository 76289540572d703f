"""Run the per-document function over a stream of files: in-process or in a
process pool, in batches, with a bounded number of batches in flight, and
results handed back in input order (so the output does not depend on --jobs).

A distributed engine only needs :func:`process_batch`, which is pure apart from
reading the files it is given.
"""
from __future__ import annotations

import errno
import itertools
import os
import stat
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor

import pyarrow as pa

from .decode import Rejected
from .document import process_document, sha256_hex
from .options import DocOptions
from .stage import STAGE_SCHEMA


def read_bytes(path: str) -> bytes:
    """The file's bytes; OSError for anything that is not a readable regular file."""
    if not stat.S_ISREG(os.stat(path).st_mode):  # follows links; a broken link raises here
        raise OSError(errno.EINVAL, "not a regular file")
    with open(path, "rb") as fh:
        return fh.read()


Item = tuple[str, str, "str | None"]  # (relative path, path, SHA-256 of a cached result or None)


def process_batch(items: list[Item], opts: DocOptions) -> tuple[pa.RecordBatch, list[dict], list[str]]:
    """Process a batch of files. Never raises for one bad file.

    Returns (stage records of the processed files, rejections, outcome per item):
    an outcome is ``new`` (a row of the records, in order), ``cached`` (the bytes
    still have the SHA-256 the item carries: the cached row stands) or ``rejected``.
    """
    records, rejections, outcomes = [], [], []
    for rel, path, known_sha in items:
        try:
            data = read_bytes(path)
        except OSError as e:
            rejections.append({"file_name": rel, "reason": "unreadable", "detail": f"{type(e).__name__}: {e.strerror or e}"})
            outcomes.append("rejected")
            continue
        digest = sha256_hex(data)
        if known_sha is not None and digest == known_sha:
            outcomes.append("cached")
            continue
        try:
            records.append(process_document(rel, data, opts, sha256=digest))
            outcomes.append("new")
            continue
        except Rejected as e:
            reason, detail = e.reason, e.detail
        except Exception as e:  # a defect met on one document must not abort the build
            reason, detail = "error", f"{type(e).__name__}: {e}"
        rejections.append({"file_name": rel, "reason": reason, "detail": detail, "sha256": digest})
        outcomes.append("rejected")
    return pa.RecordBatch.from_pylist(records, schema=STAGE_SCHEMA), rejections, outcomes


def run(items: Iterable[Item], opts: DocOptions, *, jobs: int, batch_size: int,
        ) -> Iterator[tuple[list[Item], pa.RecordBatch, list[dict], list[str]]]:
    """Yield (batch items, records, rejections, outcomes) per batch, in input order."""
    it = iter(items)
    batches = iter(lambda: list(itertools.islice(it, batch_size)), [])
    if jobs <= 1:
        for batch in batches:
            yield (batch, *process_batch(batch, opts))
        return
    ctx = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        window: deque = deque()
        for batch in batches:
            window.append((batch, pool.submit(process_batch, batch, opts)))
            if len(window) >= 2 * jobs:
                done, fut = window.popleft()
                yield (done, *fut.result())
        while window:
            done, fut = window.popleft()
            yield (done, *fut.result())
