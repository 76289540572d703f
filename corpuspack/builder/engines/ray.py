"""The Ray engine: pass 1 as Ray Data tasks over the same per-document function the local
engine runs (:func:`.local.process_batch`), and the build's other tasks (folder listings,
finish keys, finished rows, shards) as Ray tasks, results handed back in input order.

``ray.init`` joins the cluster at ``address`` (``auto``: the one ``ray start`` made on this
machine) or, without one, starts Ray here; a Ray already started in this process is used as
it is. The build's work folder (inside OUT) holds the stage files the tasks read and the
listing pass 1 reads: on a cluster of several machines, OUT must be a folder every node
reads and writes (a shared file system), and the dump a path every node reads or a URI.
"""
from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Iterable, Iterator

import pyarrow as pa

try:
    import ray
    import ray.data
except ImportError as e:  # the engine is an extra
    raise ValueError('the Ray engine needs Ray: pip install "corpuspack[ray]"') from e

from .base import DocumentBatch, Engine
from .local import Known, process_batch
from ..corpus.stage import STAGE_SCHEMA
from ..document.storage import Reader, Storage
from ..options import DocOptions

#: the listing pass 1 reads: one row per file, what the cache knows of it beside it
LISTING_SCHEMA = pa.schema([
    ("rel", pa.string()), ("path", pa.binary()),  # path as bytes: a local name need not be UTF-8
    ("sha256", pa.string()), ("size", pa.int64()), ("mtime_ns", pa.int64()), ("trust_stat", pa.bool_()),
])
#: pass 1's result for one batch, as one row
RESULT_SCHEMA = pa.schema([("rel", pa.list_(pa.string())), ("records", pa.binary()),
                           ("rejections", pa.string()), ("outcomes", pa.list_(pa.string()))])
_BATCHES_PER_PART = 4  # listing files of this many batches: the blocks Ray Data reads and schedules


class RayEngine(Engine):
    def __init__(self, jobs: int, address: str | None, tmp: str):
        self.jobs, self.address, self.tmp = jobs, address, tmp
        self._started = False

    def __enter__(self) -> "RayEngine":
        if not ray.is_initialized():
            kwargs = {} if self.address else {"num_cpus": self.jobs}
            ray.init(address=self.address, include_dashboard=False, log_to_driver=False,
                     logging_level="WARNING", **kwargs)
            self._started = True
        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True  # results in input order
        context.enable_progress_bars = False
        return self

    def __exit__(self, *exc) -> None:
        if self._started:
            ray.shutdown()

    def _width(self) -> int:
        return max(1, int(ray.cluster_resources().get("CPU", 1)))

    def map(self, fn, tasks: Iterable, *common, local=None) -> Iterator[tuple]:
        """Each task as a Ray task, at most twice as many in flight as the cluster has CPUs."""
        remote = ray.remote(_call)
        shared = [ray.put(c) for c in common]
        window: deque = deque()
        width = 2 * self._width()
        for task in tasks:
            known = local(task) if local is not None else None
            window.append((task, known, None if known is not None else remote.remote(fn, task, *shared)))
            if len(window) >= width:
                yield _settle(window.popleft())
        while window:
            yield _settle(window.popleft())

    def documents(self, items: Iterable, opts: DocOptions, *, batch_size: int,
                  storage: Storage) -> Iterator[DocumentBatch]:
        """Pass 1 on Ray Data: the listing written to the work folder as Parquet parts, read by
        Ray Data, mapped in batches by the per-document function, results read back in order."""
        parts = _listing(items, batch_size * _BATCHES_PER_PART)
        if not parts:
            return
        ds = ray.data.from_arrow_refs(parts)
        ds = ds.map_batches(_process, fn_args=(opts, storage.reader()), batch_size=batch_size,
                            batch_format="pyarrow", zero_copy_batch=True)
        for block in ds.iter_batches(batch_size=None, batch_format="pyarrow"):
            for row in block.to_pylist():
                records = pa.ipc.open_stream(row["records"]).read_next_batch()
                yield [(rel, None, None) for rel in row["rel"]], records, json.loads(row["rejections"]), row["outcomes"]


def _call(fn, task, *common):
    return fn(task, *common)


def _settle(entry) -> tuple:
    task, known, ref = entry
    return task, known if known is not None else ray.get(ref)


def _listing(items: Iterable, rows_per_part: int) -> list:
    """The items as Arrow tables of ``rows_per_part`` rows, in order, put in Ray's object store
    as they come (the driver holds their references)."""
    parts, chunk = [], []

    def flush() -> None:
        known = [k for _, _, k in chunk]
        parts.append(ray.put(pa.table([
            pa.array([rel for rel, _, _ in chunk], pa.string()),
            pa.array([os.fsencode(path) for _, path, _ in chunk], pa.binary()),
            pa.array([k and k.sha256 for k in known], pa.string()),
            pa.array([k and k.size for k in known], pa.int64()),
            pa.array([k and k.mtime_ns for k in known], pa.int64()),
            pa.array([k and k.trust_stat for k in known], pa.bool_()),
        ], schema=LISTING_SCHEMA)))
        chunk.clear()

    for item in items:
        chunk.append(item)
        if len(chunk) == rows_per_part:
            flush()
    if chunk:
        flush()
    return parts


def _process(listing: pa.Table, opts: DocOptions, reader: Reader) -> pa.Table:
    """Pass 1 for one batch of the listing, as one row (the same function the local engine runs)."""
    cols = listing.to_pydict()
    items = [(rel, os.fsdecode(path), None if sha is None else Known(sha, size, mtime, trust))
             for rel, path, sha, size, mtime, trust
             in zip(cols["rel"], cols["path"], cols["sha256"], cols["size"], cols["mtime_ns"], cols["trust_stat"])]
    records, rejections, outcomes = process_batch(items, opts, reader)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, STAGE_SCHEMA) as writer:
        writer.write_batch(records)
    return pa.table([[cols["rel"]], [sink.getvalue().to_pybytes()], [json.dumps(rejections)], [outcomes]],
                    schema=RESULT_SCHEMA)
