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
from .ray_pass2 import Partitioned, repeated_lines
from ..corpus import plan as corpus
from ..corpus.stage import STAGE_SCHEMA, read_batches
from ..document.inputs import Payload
from ..document.storage import Reader, Storage
from ..options import BuildOptions, DocOptions

#: the listing pass 1 reads: one row per entry (a file's path, or the Payload the input stream
#: read: bytes, given id, refusal, place in the dump's order), what the cache knows of it beside it
LISTING_SCHEMA = pa.schema([
    ("rel", pa.string()), ("path", pa.binary()),  # path as bytes: a local name need not be UTF-8
    ("data", pa.binary()), ("doc_id", pa.string()), ("refused", pa.string()), ("order", pa.string()),
    ("sha256", pa.string()), ("size", pa.int64()), ("mtime_ns", pa.int64()), ("trust_stat", pa.bool_()),
])
#: pass 1's result for one batch, as one row (``order``: each item's place in the dump's order, as
#: JSON, for the entries read by the input stream; the pipeline reorders an archive's rows by it)
RESULT_SCHEMA = pa.schema([("rel", pa.list_(pa.string())), ("order", pa.list_(pa.string())),
                           ("records", pa.binary()), ("rejections", pa.string()), ("outcomes", pa.list_(pa.string()))])
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
        # the workers import the per-document code (and build its tables) while the files are listed
        warm = ray.remote(_warm_up)
        self._warming = [warm.remote() for _ in range(self._width())]
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

    def plan(self, stage_path: str, options: BuildOptions, edits=None) -> corpus.Plan:
        """Pass 2 with the repeated lines counted in Ray tasks (:func:`.ray_pass2.repeated_lines`) and,
        from ``options.ray_shuffle_min_docs`` staged documents on, the exact and near-duplicate
        groupings as Ray tasks partitioned by key hash and the near-duplicate clusters' connected
        components as Ray tasks partitioned by row (:class:`.ray_pass2.Partitioned`: two
        partitions and two map tasks per CPU; the last build's verified pairs looked up there);
        below, as the local engine makes them (the
        published texts' fingerprints and shingles as Ray tasks, through :meth:`map`)."""
        rows = sum(b.num_rows for b in read_batches(stage_path, ["_controls"]))
        width = 2 * self._width()
        duplicates = Partitioned(width, width, edits.pairs if edits is not None else None) if rows and rows >= options.ray_shuffle_min_docs else None
        return corpus.plan(stage_path, options, self.map, repeated_lines=repeated_lines, duplicates=duplicates,
                           edits=edits)

    def documents(self, items: Iterable, opts: DocOptions, *, batch_size: int,
                  storage: Storage) -> Iterator[DocumentBatch]:
        """Pass 1 on Ray Data: the listing (entries: paths, or the bytes the input stream read)
        put in the object store as Arrow tables, mapped in batches by the per-document function,
        results read back in order."""
        parts = _listing(items, batch_size * _BATCHES_PER_PART)
        if not parts:
            return
        ds = ray.data.from_arrow_refs(parts)
        ds = ds.map_batches(_process, fn_args=(opts, storage.reader()), batch_size=batch_size,
                            batch_format="pyarrow", zero_copy_batch=True)
        for block in ds.iter_batches(batch_size=None, batch_format="pyarrow"):
            for row in block.to_pylist():
                records = pa.ipc.open_stream(row["records"]).read_next_batch()
                items = [(rel, None if order is None else Payload(None, order=_pair(order)), None)
                         for rel, order in zip(row["rel"], row["order"])]
                yield items, records, json.loads(row["rejections"]), row["outcomes"]


def _warm_up() -> None:
    from . import warm  # noqa: F401 - the per-document code and its tables (see .forkserver)


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
        sources = [source for _, source, _ in chunk]
        payloads = [s if isinstance(s, Payload) else None for s in sources]
        parts.append(ray.put(pa.table([
            pa.array([rel for rel, _, _ in chunk], pa.string()),
            pa.array([None if p else os.fsencode(s) for s, p in zip(sources, payloads)], pa.binary()),
            pa.array([p and p.data for p in payloads], pa.binary()),
            pa.array([p and p.doc_id for p in payloads], pa.string()),
            pa.array([p and p.refused and json.dumps(p.refused) for p in payloads], pa.string()),
            pa.array([p and p.order and json.dumps(p.order) for p in payloads], pa.string()),
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
    sources = [os.fsdecode(path) if path is not None
               else Payload(data, doc_id, _pair(refused), _pair(order))
               for path, data, doc_id, refused, order
               in zip(cols["path"], cols["data"], cols["doc_id"], cols["refused"], cols["order"])]
    items = [(rel, source, None if sha is None else Known(sha, size, mtime, trust))
             for rel, source, sha, size, mtime, trust
             in zip(cols["rel"], sources, cols["sha256"], cols["size"], cols["mtime_ns"], cols["trust_stat"])]
    records, rejections, outcomes = process_batch(items, opts, reader)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, STAGE_SCHEMA) as writer:
        writer.write_batch(records)
    return pa.table([[cols["rel"]], [cols["order"]], [sink.getvalue().to_pybytes()], [json.dumps(rejections)], [outcomes]],
                    schema=RESULT_SCHEMA)


def _pair(text: str | None) -> tuple | None:
    """A Payload's (reason, detail) or (member path, line), from the listing's JSON."""
    return None if text is None else tuple(json.loads(text))
