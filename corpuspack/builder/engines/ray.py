"""The Ray engine: pass 1 as Ray Data tasks over the same per-document function the local
engine runs (:func:`.local.process_batch`), and the build's other tasks (folder listings,
finish keys, finished rows, shards) as Ray tasks, results handed back in input order.

``ray.init`` joins the cluster at ``address`` (``auto``: the one ``ray start`` made on this
machine) or, without one, starts Ray here; a Ray already started in this process is used as
it is. The build's work folder (inside OUT) holds the stage files the tasks read and the
listing pass 1 reads: on a cluster of several machines, OUT must be a folder every node
reads and writes (a shared file system), and the dump a path every node reads or a URI.

Pass 1's tasks write their stage rows themselves, one file per batch (``WORK/parts/ROW.arrow``,
ROW the batch's first place in the listing, :func:`..corpus.stage.write_part`), and send back
only the rows' names, digests and outcomes: the stage is a layout over those files
(:meth:`..corpus.stage.StageWriter.refer`). While passes 2 and 3 run, one task copies them into
the stage's own file (:func:`..corpus.stage.gather`), the file the local engine writes, which
the build keeps as the next version's cache (:meth:`RayEngine.settle_stage`). An archive's rows
are put in the unpacked folder's order by a task too (:meth:`RayEngine.reorder`), and pass 3's
finishing tasks write their finished rows to files of their own (``WORK/finished/BATCH.arrow``),
which the shard-writing tasks read through a layout (:meth:`RayEngine.finish_rows`): the driver
writes no rows.
"""
from __future__ import annotations

import json
import os
from collections import deque
from functools import partial
from collections.abc import Iterable, Iterator

import pyarrow as pa

try:
    import ray
    import ray.data
except ImportError as e:  # the engine is an extra
    raise ValueError('the Ray engine needs Ray: pip install "corpuspack[ray]"') from e

from .base import DocumentBatch, Engine, reorder_in_place
from .local import Known, process_batch
from . import finished_parts, ray_changes
from .ray_keys import TaskKeys
from . import ray_decisions
from .ray_pass2 import repeated_lines
from .ray_plan import TaskPlan, task_plan
from ..corpus import plan as corpus
from ..corpus.stage import STAGE_SCHEMA, Part, batch_sizes, drop_layout, gather, read_layout, write_layout, write_part
from ..document.inputs import Payload
from ..document.storage import Reader, Storage
from ..options import BuildOptions, DocOptions
from ..release.incremental import CachedRows

#: the listing pass 1 reads: one row per entry (a file's path, or the Payload the input stream
#: read: bytes, given id, refusal, place in the dump's order), what the cache knows of it beside it
LISTING_SCHEMA = pa.schema([
    ("rel", pa.string()), ("path", pa.binary()),  # path as bytes: a local name need not be UTF-8
    ("data", pa.binary()), ("doc_id", pa.string()), ("refused", pa.string()), ("order", pa.string()),
    ("sha256", pa.string()), ("size", pa.int64()), ("mtime_ns", pa.int64()), ("trust_stat", pa.bool_()),
    ("row", pa.int64()),  # the entry's place in the listing (a batch's first one names its stage file)
    ("cached_row", pa.int64()),  # the row of the last build's stage the cache holds for the entry
])
#: pass 1's result for one batch, as one row (``order``: each item's place in the dump's order, as
#: JSON, for the entries read by the input stream; the pipeline reorders an archive's rows by it)
#: ``part``: the file the task wrote the batch's stage rows to (none without rows), ``rows`` their
#: number, ``file_name`` and ``sha256`` theirs (the input digest's); ``complete``: the cached rows
#: merged in (see :class:`..corpus.stage.Part`)
RESULT_SCHEMA = pa.schema([("rel", pa.list_(pa.string())), ("order", pa.list_(pa.string())),
                           ("part", pa.string()), ("rows", pa.int64()),
                           ("file_name", pa.list_(pa.string())), ("sha256", pa.list_(pa.string())),
                           ("rejections", pa.string()), ("outcomes", pa.list_(pa.string())),
                           ("complete", pa.bool_()), ("cached_row", pa.list_(pa.int64()))])
_BATCHES_PER_PART = 4  # listing files of this many batches: the blocks Ray Data reads and schedules


class RayEngine(Engine):
    def __init__(self, jobs: int, address: str | None, tmp: str):
        self.jobs, self.address, self.tmp = jobs, address, tmp
        self._started = False
        self._parts = os.path.abspath(os.path.join(tmp, "parts"))  # pass 1's stage files
        self._gathering = None  # the task copying them into the stage's own file, where, its stop mark
        self._stops = 0  # stop marks named so far (:meth:`_stop_mark`)

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
        self._warming = [warm.remote() for _ in range(self.cpus())]
        return self

    def __exit__(self, *exc) -> None:
        if self._gathering is not None:  # a failed build: the copy stops before the work folder goes
            ref, _, stop = self._gathering
            _stop([ref], stop)
            self._gathering = None
        if self._started:
            ray.shutdown()

    def cpus(self) -> int:
        return max(1, int(ray.cluster_resources().get("CPU", 1)))

    def map(self, fn, tasks: Iterable, *common, local=None) -> Iterator[tuple]:
        """Each task as a Ray task, at most twice as many in flight as the cluster has CPUs. Left
        before its end (a task or the build failed), it stops the tasks in flight (:func:`_stop`:
        one not yet begun does nothing, one running ends) and waits for them, so none still writes
        into the work folder while it is removed. The common arguments are put once and handed to
        each task inside a tuple (:func:`_call` gets them), not as arguments of their own."""
        remote = ray.remote(_call)
        shared = tuple(ray.put(c) for c in common)
        stop = self._stop_mark()
        window: deque = deque()
        width = 2 * self.cpus()
        try:
            for task in tasks:
                known = local(task) if local is not None else None
                window.append((task, known, None if known is not None else remote.remote(fn, task, shared, stop)))
                if len(window) >= width:
                    yield _settle(window.popleft())
            while window:
                yield _settle(window.popleft())
        except BaseException:
            _stop([ref for _, _, ref in window if ref is not None], stop)
            raise

    def _stop_mark(self) -> str:
        """A new file name for :func:`_stop` to create when the tasks of one call must stop
        (``WORK/stop/N``: a folder every node reads, as the work folder is)."""
        self._stops += 1
        return os.path.join(os.path.abspath(self.tmp), "stop", str(self._stops))

    def finish_keys(self, batch_rows: list[int], plan: TaskPlan, ctx, kept_keys, out: str, previous: dict | None):
        """Pass 3a with the finish keys kept in tasks (:class:`.ray_keys.TaskKeys`): written to files
        by the key tasks, the previous version's shards matched by tasks partitioned by id, and the
        finishing tasks reading their batch's keys from the files; this process holds counts and digests."""
        return TaskKeys(self, batch_rows, plan, ctx, kept_keys, out, previous, self.tmp)

    def changes(self, out: str, previous: dict | None, keys, final_path: str) -> dict | None:
        """The version's changes counted by tasks partitioned by id (:func:`.ray_changes.changes`):
        this process receives counts, not the two versions' (id, digest) of every row. Keys held
        here (the engines' default :meth:`.base.Engine.finish_keys`): counted here too."""
        if not isinstance(keys, TaskKeys):
            return super().changes(out, previous, keys, final_path)
        return ray_changes.changes(self, out, previous, keys, final_path)

    def reorder(self, stage_path: str, order, batch_rows: int) -> None:
        """An archive's stage put in the folder's order by a Ray task (:func:`.base.reorder_in_place`:
        it reads pass 1's files and writes the stage's own file), not by this process."""
        ref = ray.remote(reorder_in_place).options(max_retries=0).remote(stage_path, order, batch_rows)
        try:
            ray.get(ref)
        except BaseException:
            _stop([ref])
            raise

    def finish_rows(self, fn, tasks: Iterable, ctx, path: str, schema: pa.Schema, local=None) -> Iterator:
        """Pass 3b with each task writing its finished rows to a file of its own
        (``WORK/finished/BATCH.arrow``, :func:`..corpus.stage.write_part`: a temporary file renamed
        when whole) and sending back the rest of its result and the file's name: ``path`` is then
        an empty file of ``schema`` whose layout lists those files in order, so the shard writers
        read the rows the local engine's file holds, and this process writes none of them."""
        return finished_parts.finish_rows(self.map, fn, tasks, ctx, path, schema, os.path.join(self.tmp, "finished"),
                                          local=local)

    def plan(self, stage_path: str, options: BuildOptions, edits=None) -> TaskPlan:
        """Pass 2 in Ray tasks (:func:`.ray_decisions.plan`, round 37): the repeated lines counted, the
        exact and near-duplicate groupings made by tasks partitioned by key hash, the clusters' connected
        components by tasks partitioned by row (:class:`.ray_pass2.Partitioned`'s tasks: two partitions
        and two map tasks per CPU), and their decisions kept in Ray's object store, one object per run of
        stage batches, until a task per run names them and writes each batch's part of the Plan: this
        process holds references, counts and the parts' file names. Below
        ``options.ray_shuffle_min_docs`` staged documents (0 by default), the groupings as the local
        engine makes them (:func:`..corpus.plan.plan_rows`, its texts' fingerprints and shingles as Ray
        tasks through :meth:`map`), the Plan's rows then named and written by a task per range of
        batches (:func:`.ray_plan.task_plan`)."""
        if self._gathering is None and any(os.path.dirname(os.path.abspath(f)) == self._parts
                                           for f, _ in read_layout(stage_path) or ()):
            whole = stage_path + ".whole"
            stop = self._stop_mark()
            self._gathering = (ray.remote(gather).remote(stage_path, whole, self._parts, stop), whole, stop)
        rows = sum(batch_sizes(stage_path))
        started: list = []  # pass 2's own tasks (the driver's groupings run through map, which stops its own)
        try:
            if rows and rows >= options.ray_shuffle_min_docs:  # decisions kept in tasks (round 37)
                return ray_decisions.plan(os.path.abspath(stage_path), options, edits, started,
                                          os.path.abspath(self.tmp), self.cpus())
            rows = corpus.plan_rows(stage_path, options, self.map,
                                    repeated_lines=partial(repeated_lines, started=started), edits=edits)
        except BaseException:
            _stop(started)  # none goes on reading the stage after the build failed
            raise
        return task_plan(self, rows, stage_path, self.tmp)

    def settle_stage(self, stage_path: str) -> None:
        """The stage as the local engine writes it: its own file made of pass 1's files (copied by
        the task :meth:`plan` started), its layout referring only to the last build's cache."""
        if self._gathering is None:
            return
        ref, whole, _ = self._gathering
        layout = ray.get(ref)
        self._gathering = None
        os.replace(whole, stage_path)
        if layout is None:
            drop_layout(stage_path)
        else:
            write_layout(stage_path, layout)

    def documents(self, items: Iterable, opts: DocOptions, *, batch_size: int,
                  storage: Storage, cache=None) -> Iterator[DocumentBatch]:
        """Pass 1 on Ray Data: the listing (entries: paths, or the bytes the input stream read)
        put in the object store as Arrow tables, mapped in batches by the per-document function,
        results read back in order: each batch's stage rows as the :class:`..corpus.stage.Part`
        file its task wrote (with ``cache``, a :class:`..release.incremental.StageCache`, the
        batch's cached rows merged in by the task)."""
        parts = _listing(items, batch_size * _BATCHES_PER_PART, cache)
        cached = cache.rows_source() if cache is not None else None
        if not parts:
            return
        ds = ray.data.from_arrow_refs(parts)
        os.makedirs(self._parts, exist_ok=True)
        ds = ds.map_batches(_process, fn_args=(opts, storage.reader(), self._parts, cached), batch_size=batch_size,
                            batch_format="pyarrow", zero_copy_batch=True)
        for block in ds.iter_batches(batch_size=None, batch_format="pyarrow"):
            for i, row in enumerate(block.select(["rel", "order", "part", "rows", "rejections", "outcomes",
                                                  "complete", "cached_row"]).to_pylist()):
                records = Part(row["part"], row["rows"], block.column("file_name")[i].values,
                               block.column("sha256")[i].values, row["complete"], row["cached_row"])
                items = [(rel, None if order is None else Payload(None, order=_pair(order)), None)
                         for rel, order in zip(row["rel"], row["order"])]
                yield items, records, json.loads(row["rejections"]), row["outcomes"]


def _warm_up() -> None:
    from . import warm  # noqa: F401 - the per-document code and its tables (see .forkserver)


def _call(fn, task, shared: tuple, stop: str):
    """``fn(task, *common)``, the common arguments got here from their references (``shared``: a
    tuple Ray passes by value, its references left for the task to get, see :meth:`RayEngine.map`);
    nothing (None) if the map was stopped before the task began (the file ``stop`` exists)."""
    if os.path.exists(stop):
        return None
    return fn(task, *ray.get(list(shared)))


def _stop(refs: list, mark: str | None = None) -> None:
    """Wait until every task of ``refs`` has ended, first creating the file ``mark`` (when given),
    which tells the tasks of a map (:func:`_call`) and the stage's copy (:func:`..corpus.stage.gather`)
    to stop: a task not yet begun does nothing, the copy stops at its next batch, a task running
    any other step runs to its end. No task is cancelled with ``ray.cancel``: in Ray 2.60 it can abort
    this process when it meets a task's completion (``task_manager.cc``: "Tried to complete task
    that was not pending", the race of ray-project/ray#54798) or the resolution of a task's
    argument (its reference counter's check, ray-project/ray#56123), both seen in this project's tests."""
    if mark is not None:
        os.makedirs(os.path.dirname(mark), exist_ok=True)
        with open(mark, "wb"):
            pass
    refs = list(dict.fromkeys(refs))
    if refs:
        ray.wait(refs, num_returns=len(refs), timeout=None)


def _settle(entry) -> tuple:
    task, known, ref = entry
    return task, known if known is not None else ray.get(ref)


def _listing(items: Iterable, rows_per_part: int, cache=None) -> list:
    """The items as Arrow tables of ``rows_per_part`` rows, in order, put in Ray's object store
    as they come (the driver holds their references); with ``cache``, each known item's cached row."""
    parts, chunk = [], []
    done = 0  # entries in the parts so far

    def flush() -> None:
        nonlocal done
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
            pa.array(range(done, done + len(chunk)), pa.int64()),
            pa.array([k and cache.take_row(rel) for (rel, _, k) in chunk] if cache is not None else [None] * len(chunk),
                     pa.int64()),
        ], schema=LISTING_SCHEMA)))
        done += len(chunk)
        chunk.clear()

    for item in items:
        chunk.append(item)
        if len(chunk) == rows_per_part:
            flush()
    if chunk:
        flush()
    return parts


def _process(listing: pa.Table, opts: DocOptions, reader: Reader, folder: str, cached: CachedRows | None) -> pa.Table:
    """Pass 1 for one batch of the listing (the same function the local engine runs): its stage
    rows (with ``cached``, its cached ones merged in) written to a file in ``folder``, the rest as one row."""
    cols = listing.to_pydict()
    sources = [os.fsdecode(path) if path is not None
               else Payload(data, doc_id, _pair(refused), _pair(order))
               for path, data, doc_id, refused, order
               in zip(cols["path"], cols["data"], cols["doc_id"], cols["refused"], cols["order"])]
    items = [(rel, source, None if sha is None else Known(sha, size, mtime, trust))
             for rel, source, sha, size, mtime, trust
             in zip(cols["rel"], sources, cols["sha256"], cols["size"], cols["mtime_ns"], cols["trust_stat"])]
    records, rejections, outcomes = process_batch(items, opts, reader)
    rows = (pa.Table.from_batches([records], schema=STAGE_SCHEMA) if cached is None
            else cached.merge(cols["cached_row"], records, outcomes))
    if rows is None:  # exactly one batch of the cache: the stage refers to it
        rows = STAGE_SCHEMA.empty_table()
    part = write_part(os.path.join(folder, f"{cols['row'][0]}.arrow"), rows)
    return pa.table([[cols["rel"]], [cols["order"]], [part], [rows.num_rows],
                     *(pa.ListArray.from_arrays([0, rows.num_rows], rows.column(c).combine_chunks())
                       for c in ("file_name", "sha256")),
                     [json.dumps(rejections)], [outcomes], [cached is not None], [cols["cached_row"]]],
                    schema=RESULT_SCHEMA)


def _pair(text: str | None) -> tuple | None:
    """A Payload's (reason, detail) or (member path, line), from the listing's JSON."""
    return None if text is None else tuple(json.loads(text))
