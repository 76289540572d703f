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
from .discover import Found
from .document import process_document, sha256_hex
from .options import DocOptions
from .stage import STAGE_SCHEMA


def read_bytes(path: str) -> bytes:
    """The file's bytes; OSError for anything that is not a readable regular file."""
    if not stat.S_ISREG(os.stat(path).st_mode):  # follows links; a broken link raises here
        raise OSError(errno.EINVAL, "not a regular file")
    with open(path, "rb") as fh:
        return fh.read()


def process_batch(items: list[tuple[str, str]], opts: DocOptions) -> tuple[pa.RecordBatch, list[dict]]:
    """(relative path, path) pairs -> (stage records, rejections). Never raises for one bad file."""
    records, rejections = [], []
    for rel, path in items:
        try:
            data = read_bytes(path)
        except OSError as e:
            rejections.append({"file_name": rel, "reason": "unreadable", "detail": f"{type(e).__name__}: {e.strerror or e}"})
            continue
        try:
            records.append(process_document(rel, data, opts))
        except Rejected as e:
            rejections.append({"file_name": rel, "reason": e.reason, "detail": e.detail, "sha256": sha256_hex(data)})
        except Exception as e:  # a defect met on one document must not abort the build
            rejections.append({"file_name": rel, "reason": "error", "detail": f"{type(e).__name__}: {e}", "sha256": sha256_hex(data)})
    return pa.RecordBatch.from_pylist(records, schema=STAGE_SCHEMA), rejections


def _batches(found: Iterable[Found], size: int) -> Iterator[list[tuple[str, str]]]:
    it = iter(found)
    while chunk := list(itertools.islice(it, size)):
        yield [(f.rel_path, f.path) for f in chunk]


def run(found: Iterable[Found], opts: DocOptions, *, jobs: int, batch_size: int,
        ) -> Iterator[tuple[list[tuple[str, str]], pa.RecordBatch, list[dict]]]:
    """Yield (batch items, records, rejections) per batch, in input order."""
    batches = _batches(found, batch_size)
    if jobs <= 1:
        for items in batches:
            yield (items, *process_batch(items, opts))
        return
    ctx = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        window: deque = deque()
        for items in batches:
            window.append((items, pool.submit(process_batch, items, opts)))
            if len(window) >= 2 * jobs:
                done_items, fut = window.popleft()
                yield (done_items, *fut.result())
        while window:
            done_items, fut = window.popleft()
            yield (done_items, *fut.result())
