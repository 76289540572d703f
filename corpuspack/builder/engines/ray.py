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

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

try:
    import ray
    import ray.data
except ImportError as e:  # the engine is an extra
    raise ValueError('the Ray engine needs Ray: pip install "corpuspack[ray]"') from e

from .base import DocumentBatch, Engine
from .local import Known, process_batch
from ..corpus import plan as corpus
from ..corpus.repeated_lines import doc_counts, doc_threshold
from ..corpus.stage import STAGE_SCHEMA, read_batches, shared_reader
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
        # groupby as sort-based shuffle tasks: no aggregator actors to start (on a small cluster,
        # as on 2 cores, they cost more than the counts they sum: ~12 s against ~27 s measured)
        context.shuffle_strategy = ray.data.context.ShuffleStrategy.SORT_SHUFFLE_PULL_BASED
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
        """Pass 2 with the repeated lines counted on Ray Data (see :func:`repeated_lines`); the
        other decisions are made here, as the local engine makes them (the published texts'
        fingerprints and the near-duplicate checks as Ray tasks, through :meth:`map`)."""
        return corpus.plan(stage_path, options, self.map, repeated_lines=repeated_lines, edits=edits)

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


def repeated_lines(stage_path: str, drop: np.ndarray, options: BuildOptions) -> tuple[int, ...]:
    """The hashes of lines repeated across the kept documents, sorted, counted on Ray Data: each
    stage batch's (line hash, documents) counts in a task, summed by a ``groupby`` over the
    hashes, the lines under the threshold filtered out in the tasks. The driver receives
    the repeated hashes only (the drop mask goes out as one bit per row)."""
    sizes = [b.num_rows for b in read_batches(stage_path, ["id"])]
    if not sizes:
        return ()
    starts = np.cumsum([0, *sizes])
    width = max(1, int(ray.cluster_resources().get("CPU", 1)))
    # a few tasks per CPU, each counting a run of stage batches: the shuffle's cost grows with
    # blocks x partitions (79 blocks of one batch each: ~170 s on 2 loaded cores for 20,000 documents)
    per_task = -(-len(sizes) // (2 * width))
    items = [{"first": i, "last": min(i + per_task, len(sizes)),
              "exclude": np.packbits(drop[starts[i]:starts[min(i + per_task, len(sizes))]]).tobytes(),
              "rows": int(starts[min(i + per_task, len(sizes))] - starts[i])}
             for i in range(0, len(sizes), per_task)]
    threshold = doc_threshold(int(np.count_nonzero(~drop)), options.repeated_line_min_docs,
                              options.repeated_line_min_fraction)
    counts = (ray.data.from_items(items, override_num_blocks=len(items))
              .map_batches(_line_counts, fn_args=(stage_path,), batch_size=1, batch_format="pyarrow")
              .groupby("hash", num_partitions=width).sum("docs"))
    kept = counts.map_batches(_at_least, fn_args=(threshold,), batch_format="pyarrow")
    parts = [b.column("hash").to_numpy() for b in kept.iter_batches(batch_size=None, batch_format="pyarrow")]
    return tuple(np.sort(np.concatenate(parts).view(np.uint64)).tolist()) if parts else ()


def _line_counts(item: pa.Table, stage_path: str) -> pa.Table:
    """(line hash, documents holding it) of a run of stage batches, excluded rows left out (a
    document counts once per batch that holds it, so the per-batch counts add up). The hashes
    go as int64 (the same 64 bits): Ray Data's sort-based groupby sorts a uint64 column as
    Python objects otherwise, and fails."""
    first, last, rows = (item.column(c)[0].as_py() for c in ("first", "last", "rows"))
    exclude = np.unpackbits(np.frombuffer(item.column("exclude")[0].as_py(), np.uint8), count=rows).astype(bool)
    reader = shared_reader(stage_path, ("_line_hashes",))
    values, docs, at = [], [], 0
    for index in range(first, last):
        hashes = reader.get_batch(index).column(0)
        v, d = doc_counts(hashes, exclude[at:at + len(hashes)])
        values.append(v)
        docs.append(d)
        at += len(hashes)
    return pa.table({"hash": pa.array(np.concatenate(values).view(np.int64)),
                     "docs": pa.array(np.concatenate(docs), pa.int64())})


def _at_least(counts: pa.Table, threshold: int) -> pa.Table:
    docs = counts.column(counts.column_names[1])
    return counts.filter(pc.greater_equal(docs, threshold)).select(["hash"])


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
