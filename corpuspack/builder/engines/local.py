"""The local engine: the per-document function and the build's other tasks run in-process or
in a process pool, with a bounded number of tasks in flight, and results handed back in
input order (so the output does not depend on --jobs).

A distributed engine only needs :func:`process_batch`, which is pure apart from
reading the files it is given (through a :class:`..document.storage.Reader`).
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.reduction import ForkingPickler
from typing import NamedTuple

import pyarrow as pa

from . import forkserver
from .base import Engine
from ..document.decode import Rejected
from ..document.process import process_documents, sha256_hex
from ..options import DocOptions
from ..corpus.stage import STAGE_SCHEMA
from ..document.storage import Reader, read_file, stat_regular  # noqa: F401 - read_file: this module's name for it

_LOCAL = Reader()


class Known(NamedTuple):
    """What the previous build saw of a file whose staged row is cached."""
    sha256: str
    size: int
    mtime_ns: int
    trust_stat: bool  # False: re-read and hash the file even if size and mtime are unchanged

    def stands(self, st) -> bool:
        """The cached row stands without reading the file: same size and modification time."""
        return self.trust_stat and (st.st_size, st.st_mtime_ns) == (self.size, self.mtime_ns)


Item = tuple[str, str, "Known | None"]  # (relative path, path, what the cache knows of it)


def process_batch(items: list[Item], opts: DocOptions, reader: Reader = _LOCAL,
                  ) -> tuple[pa.RecordBatch, list[dict], list[str]]:
    """Process a batch of files (read through ``reader``). Never raises for one bad file.

    Returns (stage records of the processed files, rejections, outcome per item):
    an outcome is ``new`` (a row of the records, in order), ``cached`` (the file
    still has the size and modification time, or else the SHA-256, the cache knows:
    the cached row stands) or ``rejected``.
    """
    # read what must be processed (in item order, so the outcomes, records and rejections
    # keep it), then process those documents together (see process_documents)
    outcomes: list = []  # per item: "cached", a rejection (dict), or (index in todo, status)
    todo: list[tuple[str, bytes, str]] = []
    for rel, path, known in items:
        try:
            st = reader.stat(path)
            if known is not None and known.stands(st):
                outcomes.append("cached")
                continue
            data = reader.read(path, st.st_size)
        except OSError as e:
            outcomes.append({"file_name": rel, "reason": "unreadable", "detail": f"{type(e).__name__}: {e.strerror or e}"})
            continue
        digest = sha256_hex(data)
        if known is not None and digest == known.sha256:
            outcomes.append("cached")
            continue
        outcomes.append((len(todo), st))
        todo.append((rel, data, digest))
    done = process_documents(todo, opts)
    records, rejections, kinds = [], [], []
    for outcome in outcomes:
        if isinstance(outcome, tuple):
            at, st = outcome
            rel, _, digest = todo[at]
            result = done[at]
            if not isinstance(result, Exception):
                result["_size"], result["_mtime_ns"] = st.st_size, st.st_mtime_ns
                records.append(result)
                kinds.append("new")
                continue
            if isinstance(result, Rejected):
                reason, detail = result.reason, result.detail
            else:  # a defect met on one document must not abort the build
                reason, detail = "error", f"{type(result).__name__}: {result}"
            outcome = {"file_name": rel, "reason": reason, "detail": detail, "sha256": digest}
        if isinstance(outcome, dict):
            rejections.append(outcome)
            kinds.append("rejected")
        else:
            kinds.append(outcome)
    return pa.RecordBatch.from_pylist(records, schema=STAGE_SCHEMA), rejections, kinds


def _batch_from_ipc(data: bytes) -> pa.RecordBatch:
    return pa.ipc.open_stream(data).read_next_batch()


def _batch_to_ipc(batch: pa.RecordBatch):
    """Record batches cross process boundaries as IPC streams: ~5 us per row (both ends) where
    pyarrow's own pickling costs ~17 (6 kB rows)."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
    return _batch_from_ipc, (sink.getvalue().to_pybytes(),)


# registered at import, so in the build's process and in every worker (they import this module)
ForkingPickler.register(pa.RecordBatch, _batch_to_ipc)


class Workers(Engine):
    """The local engine: a process pool for the whole build (or none, for ``jobs <= 1``), mapping a pure
    function over a stream of tasks with a bounded number in flight, results in order."""

    def __init__(self, jobs: int):
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> "Workers":
        if self.jobs > 1:
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=forkserver.context())
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def map(self, fn, tasks: Iterable, *common, local=None) -> Iterator[tuple]:
        """``(task, fn(task, *common))`` for each task, in order. ``local(task)``, if given, may
        return the result at once (not None), for a task not worth sending to a worker."""
        if self._pool is None:
            for task in tasks:
                known = local(task) if local is not None else None
                yield task, known if known is not None else fn(task, *common)
            return
        window: deque = deque()
        for task in tasks:
            known = local(task) if local is not None else None
            window.append((task, _Done(known) if known is not None else self._pool.submit(fn, task, *common)))
            if len(window) >= 2 * self.jobs:
                task, fut = window.popleft()
                yield task, fut.result()
        while window:
            task, fut = window.popleft()
            yield task, fut.result()


class _Done:
    """A result known without a worker, in the window of results in flight."""

    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


def unchanged(items: list[Item], reader: Reader = _LOCAL):
    """The result of :func:`process_batch` for a batch whose every file has the size and
    modification time its cached row was made from (checked here, without a worker), or None."""
    for _, path, known in items:
        if known is None or not known.trust_stat:
            return None
        try:
            if not known.stands(reader.stat(path)):
                return None
        except OSError:
            return None
    return _EMPTY, [], ["cached"] * len(items)


_EMPTY = pa.RecordBatch.from_pylist([], schema=STAGE_SCHEMA)
