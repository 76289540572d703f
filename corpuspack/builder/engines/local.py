"""The local engine: the per-document function and the build's other tasks run in-process or
in a process pool, with a bounded number of tasks in flight, and results handed back in
input order (so the output does not depend on --jobs).

A distributed engine only needs :func:`process_batch`, which is pure apart from
reading the files it is given (through a :class:`..document.storage.Reader`). Its work is in
:mod:`.batch`, which this module does not import: the build's process, handing batches to a pool,
never loads the per-document code.
"""
from __future__ import annotations

import functools
import multiprocessing
import os
import threading
import weakref
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.reduction import ForkingPickler
from typing import NamedTuple

import pyarrow as pa

from . import finished_parts, forkserver
from .deferred import sigint_deferred
from .base import DocumentBatch, Engine, reorder_in_place
from ..document.inputs import Entry, InputOptions, Payload, Tally
from ..document.inputs.spool import Spool
from ..options import DocOptions
from ..corpus.stage import STAGE_SCHEMA
from ..document.storage import Reader, Storage, read_file, stat_regular  # noqa: F401 - read_file: this module's name for it

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


# (relative path, a local file's path or the document's bytes as the input stream read them, what
# the cache knows of it); see document.inputs
Item = tuple[str, "str | Payload", "Known | None"]


def process_batch(items: list[Item], opts: DocOptions, reader: Reader = _LOCAL,
                  ) -> tuple[pa.RecordBatch, list[dict], list[str]]:
    """Process a batch of files (read through ``reader``); see :func:`.batch.process_batch`.

    The function a build hands its workers: the per-document code is imported where it runs
    (a worker forked from the preloaded fork server has it already), not in the build's process."""
    from .batch import process_batch as run

    return run(items, opts, reader)


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


def _pool_processes(pool: ProcessPoolExecutor) -> list:
    """The pool's worker processes: those it recorded, and any this process started with the pool's
    process class that it did not record. A Ctrl-C that falls between a worker's start and the pool
    recording it (``p.start()``, then ``self._processes[p.pid] = p``, inside ``submit``) leaves a worker
    the pool's ending neither kills nor sends its end to, and that multiprocessing joins when the
    build's process exits: it waits on the task queue forever, so the build never ended (seen once as
    test_interrupt's 'did not end within 300 s of SIGINT', under load)."""
    recorded = list((getattr(pool, "_processes", None) or {}).values())
    kind = getattr(getattr(pool, "_mp_context", None), "Process", None)
    started = [p for p in multiprocessing.active_children() if kind is not None and isinstance(p, kind)]
    return recorded + [p for p in started if all(p is not q for q in recorded)]


def _close_result_writer(pool: ProcessPoolExecutor) -> None:
    """Close this process's copy of the write end of the pool's result pipe (it only reads from it).
    A worker killed while it writes a result leaves part of a message in the pipe; the pool's thread,
    reading it, waited for the rest forever, since this process still held a write end, so the
    pipe never ended: a build stopping on an error (a full disk, seen 2 in 30 runs under load)
    never ended. With this end closed, the killed workers' ends are the last ones: the read ends
    (EOF), and the pool ends as broken."""
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
    if writer is not None:
        writer.close()


#: the manager threads of pools stopped on an error (see :func:`_quiet_stopped_manager`)
_STOPPED_MANAGERS: "weakref.WeakSet[threading.Thread]" = weakref.WeakSet()
_hook_before = None


def _quiet_stopped_manager(args) -> None:
    """``threading.excepthook``: an exception in the manager thread of a pool this process stopped on
    an error (its workers killed, its result pipe's write end closed by :func:`_close_result_writer`)
    comes of that stop, which the build's own error message says; seen once in CI as a traceback from
    "Thread-1" after a killed worker. Any other thread's goes to the hook there was before."""
    if args.thread is not None and args.thread in _STOPPED_MANAGERS:
        return
    (_hook_before or threading.__excepthook__)(args)


def _quiet_manager_of(pool: ProcessPoolExecutor) -> None:
    """Have :func:`_quiet_stopped_manager` take the exceptions of ``pool``'s manager thread from now on."""
    global _hook_before
    thread = getattr(pool, "_executor_manager_thread", None)
    if thread is None:
        return
    _STOPPED_MANAGERS.add(thread)
    if threading.excepthook is not _quiet_stopped_manager:
        _hook_before, threading.excepthook = threading.excepthook, _quiet_stopped_manager


class Workers(Engine):
    """The local engine: a process pool for the whole build (or none, for ``jobs <= 1``), mapping a pure
    function over a stream of tasks with a bounded number in flight, results in order."""

    def __init__(self, jobs: int, tmp: str | None = None):
        self.jobs = jobs
        self.tmp = tmp  # the build's work folder (where a local archive's documents are spooled)
        self._pool: ProcessPoolExecutor | None = None
        self._spool: Spool | None = None

    def cpus(self) -> int:
        return max(1, self.jobs)

    def __enter__(self) -> "Workers":
        self.ready = threading.Event()  # set once the pool's first worker runs (see _start_workers)
        if self.jobs > 1:
            with sigint_deferred():  # its semaphores registered and finalized whole (see .deferred)
                self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=forkserver.context(),
                                                 initializer=forkserver.end_with, initargs=(os.getpid(),))
            threading.Thread(target=_start_workers, args=(self._pool, self.jobs, self.ready),
                             name="corpuspack-workers-start", daemon=True).start()
        else:
            self.ready.set()
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self._spool is not None:  # its reader ended, its files removed (done already after pass 1)
                self._spool.close()
        finally:
            self._stop_pool(exc)

    def _stop_pool(self, exc) -> None:
        if self._pool is None:
            return
        if exc[0] is not None or getattr(self._pool, "_broken", False):
            # stopping on an error (a worker died, Ctrl-C, ...): the workers hold nothing to keep, and
            # the pool's own ending waits for each of them, which was seen to wait forever for one
            # that a SIGTERM had not ended (a worker started as the pool broke): they are killed
            _quiet_manager_of(self._pool)
            _close_result_writer(self._pool)  # a worker killed mid-result must not leave the pool waiting
            for process in _pool_processes(self._pool):
                try:
                    process.kill()
                except (OSError, ValueError, AttributeError):  # gone already, or never started
                    pass
        self._pool.shutdown(cancel_futures=True)

    def changes(self, out: str, previous: dict | None, keys, final_path: str) -> dict | None:
        """:meth:`.base.Engine.changes` in this process, the workers ended first (the pipeline's
        last use of the engine): the join of both versions' (id, digest) grows with the corpus, and
        run beside the idle workers it added their memory to the build's peak (a +1% version of
        1,000,000 documents: this process at ~1,000 MiB; all processes 1,599 MiB, 1,341 after them)."""
        if previous is not None:
            self._stop_pool((None, None, None))
            self._pool = None
        return super().changes(out, previous, keys, final_path)

    def entries(self, storage: Storage, opts: InputOptions, tally: Tally, **kw) -> Iterator[Entry]:
        """The input's entries (:meth:`.base.Engine.entries`); a local archive, with workers, is
        read by a process of its own that spools the documents to the work folder, where the
        workers read them (:mod:`..document.inputs.spool`): their bytes never pass through the
        build's process."""
        path = storage.local_archive()
        if self._pool is None or path is None or self.tmp is None:
            return super().entries(storage, opts, tally, **kw)
        self._spool = Spool(path, opts, os.path.join(self.tmp, "spool"), forkserver.context(),
                            at_start=(forkserver.end_with, os.getpid()))
        return self._spool.entries(tally)

    def documents(self, items: Iterable, opts: DocOptions, *, batch_size: int,
                  storage: Storage, cache=None) -> Iterator[DocumentBatch]:
        """Pass 1 (:meth:`.base.Engine.documents`); the spooled documents of each batch done are
        removed, and the spool with its reader once the last batch is done."""
        for done in super().documents(items, opts, batch_size=batch_size, storage=storage, cache=cache):
            yield done
            if self._spool is not None:
                self._spool.release(done[0])
        if self._spool is not None:
            self._spool.close()

    def settling(self, batches: Iterator[list], reader) -> tuple[Iterator[list], object]:
        """Pass 1's batches and their ``local`` check (:meth:`.base.Engine.settling`), the status of
        the files the cache knows taken in the workers, ``STAT_AHEAD`` files a task, a task ahead
        of the batches the build's process hands on (:class:`_StatAhead`): in a next version, the
        workers, idle but for the new files, take the ~4 us system call of each unchanged file while
        the build's process walks and looks up the next ones."""
        if self._pool is None or type(reader) is not Reader:
            return super().settling(batches, reader)
        ahead = _StatAhead(self._pool, reader, self.ready)
        return ahead.batches(batches), ahead.unchanged

    def finish_keys(self, batch_rows: list[int], plan, ctx, kept_keys, out: str, previous: dict | None):
        """Pass 3a (:meth:`.base.Engine.finish_keys`); with workers, the stage's part of each batch's
        digest (:func:`..corpus.kept_keys.stage_part`: its ids, names, SHA-256 and repeated lines read
        and hashed) computed by them, a range of batches a task, all handed over as the pass starts,
        while this process makes the batches' decisions and looks the digests up: when the last
        build's keys are kept (a next version, whose key tasks are few)."""
        if self._pool is None or kept_keys.path is None:  # no kept keys (a first version): the workers
            return super().finish_keys(batch_rows, plan, ctx, kept_keys, out, previous)  # have every key task
        from ..corpus import finish
        from ..corpus.duplicates import scan_ranges
        from ..corpus.kept_keys import stage_parts_task
        from .keys import DriverKeys

        ranges = scan_ranges(batch_rows)
        futures = [self._pool.submit(stage_parts_task, r, ctx.stage_path, ctx.repeated) for r in ranges]
        where = {i: (k, i - first) for k, (first, end, _, _) in enumerate(ranges) for i in range(first, end)}

        def part(index: int) -> bytes:
            k, at = where[index]
            try:
                return futures[k].result()[at]
            except BrokenProcessPool:
                raise self._died(stage_parts_task, [(ranges[k], futures[k])]) from None

        parts = [b for _, b in self.map(finish.key_task, plan.batches(batch_rows), ctx,
                                        local=lambda task: kept_keys.settled(task, ctx, part(task[0])))]
        return DriverKeys(parts, kept_keys, out, previous, batch_rows, plan)

    def finish_rows(self, fn, tasks: Iterable, ctx, path: str, schema: pa.Schema, local=None) -> Iterator:
        """Pass 3b (:meth:`.base.Engine.finish_rows`); with workers, each writes the rows it finished to
        a file of its own (:mod:`.finished_parts`), which ``path``'s layout lists: this process
        receives no rows and writes none."""
        if self._pool is None or self.tmp is None:
            return super().finish_rows(fn, tasks, ctx, path, schema, local=local)
        return finished_parts.finish_rows(self.map, fn, tasks, ctx, path, schema,
                                          os.path.join(self.tmp, "finished"), local=local)

    def reorder(self, stage_path: str, order, batch_rows: int) -> None:
        """After pass 1 (:meth:`.base.Engine.reorder`): with workers, the restaging runs in them
        (its first step split ``jobs`` ways), so the build's process never reads the rows and its
        heap does not keep what their sort took."""
        if self._pool is None:
            return super().reorder(stage_path, order, batch_rows)
        reorder_in_place(stage_path, order, batch_rows, map_=self.map, parts=self.jobs)

    def map(self, fn, tasks: Iterable, *common, local=None) -> Iterator[tuple]:
        """``(task, fn(task, *common))`` for each task, in order. ``local(task)``, if given, may
        return the result at once (not None), for a task not worth sending to a worker."""
        if self._pool is None:
            for task in tasks:
                known = local(task) if local is not None else None
                yield task, known if known is not None else fn(task, *common)
            return
        window: deque = deque()
        try:
            for task in tasks:
                known = local(task) if local is not None else None
                window.append((task, _Done(known) if known is not None else _Unsent()))
                if known is None:  # (a task whose hand-over fails is named among those lost)
                    window[-1] = (task, self._pool.submit(fn, task, *common))
                if len(window) >= 2 * self.jobs:
                    task, fut = window[0]
                    yield task, fut.result()
                    window.popleft()
            while window:
                task, fut = window[0]
                yield task, fut.result()
                window.popleft()
        except BrokenProcessPool:
            raise self._died(fn, window) from None
        except WorkerDied:  # said already (an OSError too), naming its tasks
            raise
        except (OSError, ValueError):  # handing a task to a pool as it breaks: its pipes are being closed
            if not getattr(self._pool, "_broken", False):
                raise
            raise self._died(fn, window) from None

    @staticmethod
    def _died(fn, window) -> "WorkerDied":
        """The error of a build whose pool broke: the tasks in flight that got no result."""
        lost = [task for task, fut in window if not isinstance(fut, _Done)
                and (not fut.done() or fut.cancelled() or fut.exception() is not None)]
        return WorkerDied(f"a worker process ended abruptly (killed, or out of memory?) during "
                          f"{fn.__name__}, on one of: {'; '.join(map(describe_task, lost))}. Nothing was written: "
                          "run the same command again (with --max-file-size or --jobs 1 if memory ran out)")


def _start_workers(pool: ProcessPoolExecutor, workers: int, ready: threading.Event) -> None:
    """Start the pool's ``workers`` workers (a task of nothing each), then set ``ready``. Run by a thread: a
    worker's start waits for the fork server to have imported the workers' code (~0.3-0.6 s after
    the build starts), which the build's process need not wait for (pass 1's status tasks are
    handed over only once ``ready``, :class:`_StatAhead`). Its errors are left to the tasks that
    follow (a pool that broke says so to the next ``submit``)."""
    try:
        for future in [pool.submit(os.getpid) for _ in range(workers)]:
            future.result()
    except BaseException:  # noqa: BLE001 - see above
        pass
    finally:
        ready.set()


class WorkerDied(ChildProcessError):
    """A worker process ended without a result (killed, out of memory): the build stops."""


def describe_task(task) -> str:
    """A task in words, for an error: the files of a batch, else the task itself."""
    if isinstance(task, list) and task and isinstance(task[0], tuple) and isinstance(task[0][0], str):
        names = [item[0] for item in task]
        return f"the batch of {len(names)} file(s) {names[0]}" + (f" ... {names[-1]}" if len(names) > 1 else "")
    text = repr(task)
    return text if len(text) <= 120 else text[:117] + "..."


class _Unsent:
    """A task not yet handed to the pool, in the window of results in flight (lost if the hand-over fails)."""

    def done(self) -> bool:
        return False


class _Done:
    """A result known without a worker, in the window of results in flight."""

    def __init__(self, value):
        self.value = value

    def result(self):
        return self.value


def unchanged(items: list[Item], reader: Reader = _LOCAL):
    """The result of :func:`process_batch` for a batch whose every file has the size and
    modification time its cached row was made from (checked here, without a worker), or None."""
    stat = reader.stat
    try:
        for _, path, known in items:  # Known.stands, inlined: ~0.4 us a file of 100,000 unchanged ones
            if known is None or not known.trust_stat or not isinstance(path, str):
                return None
            st = stat(path)
            if st.st_mtime_ns != known.mtime_ns or st.st_size != known.size:
                return None
    except OSError:
        return None
    return _all_cached(len(items))


def _all_cached(n: int):
    """:func:`process_batch`'s result for a batch of ``n`` files all settled by their cached rows."""
    return _empty(), [], ["cached"] * n


#: files whose status one task of :class:`_StatAhead` takes (~15 ms of system calls)
STAT_AHEAD = 4096


class _StatAhead:
    """Pass 1's batches handed on a group at a time (whole batches of ``STAT_AHEAD`` files or more),
    the status of the group's files that the cache knows (and trusts their status) taken by a
    worker (:func:`stat_task`) submitted when the group before it is handed on; :meth:`unchanged`
    is :func:`unchanged` with that task's answers (a batch whose group had no task: stat here)."""

    def __init__(self, pool: ProcessPoolExecutor, reader: Reader, ready: threading.Event | None = None):
        self.pool, self.reader = pool, reader
        self.ready = ready  # not set yet: the workers are starting, a group's status is taken here
        self._answers: dict[int, tuple] = {}  # id(batch) -> (future, first file in its group, files)
        self._groups_in_flight: list[tuple[list[list], object]] = []  # the last two groups and their tasks

    def batches(self, batches: Iterator[list]) -> Iterator[list]:
        groups = self._groups(batches)
        nxt = next(groups, None)
        while nxt is not None:
            group, nxt = nxt, next(groups, None)  # the next group's task submitted before this one's batches go
            yield from group

    def _groups(self, batches: Iterator[list]) -> Iterator[list[list]]:
        group: list[list] = []
        files = 0
        for batch in batches:
            group.append(batch)
            files += len(batch)
            if files >= STAT_AHEAD:
                yield self._submitted(group)
                group, files = [], 0
        if group:
            yield self._submitted(group)

    def _submitted(self, group: list[list]) -> list[list]:
        if self.ready is not None and not self.ready.is_set():  # no task: unchanged() stats here
            return group
        paths, sizes, times = [], [], []
        for _, path, known in (item for batch in group for item in batch):
            if known is not None and known.trust_stat and isinstance(path, str):
                paths.append(path)
                sizes.append(known.size)
                times.append(known.mtime_ns)
            else:
                paths.append(None)
                sizes.append(0)
                times.append(0)
        try:
            future = self.pool.submit(stat_task, paths, sizes, times, self.reader)
        except (BrokenProcessPool, OSError, ValueError):  # as Workers.map: a worker ended abruptly
            if not getattr(self.pool, "_broken", False):
                raise
            raise Workers._died(process_batch, [(batch, f) for g, f in self._groups_in_flight for batch in g]
                                + [(batch, _Unsent()) for batch in group]) from None
        self._groups_in_flight = [*self._groups_in_flight[-1:], (group, future)]
        first = 0
        for batch in group:
            self._answers[id(batch)] = (future, first, len(batch))
            first += len(batch)
        return group

    def unchanged(self, items: list[Item]):
        answer = self._answers.pop(id(items), None)
        if answer is None:
            return unchanged(items, self.reader)
        future, first, n = answer
        try:
            same = future.result()
        except BrokenProcessPool:  # a worker ended abruptly: the build stops, naming this batch's files
            raise Workers._died(process_batch, [(items, future)]) from None
        if not all(same[first:first + n]):
            return None
        return _all_cached(n)


def stat_task(paths: list[str | None], sizes: list[int], times: list[int], reader: Reader = _LOCAL) -> list[bool]:
    """For each file, whether it is a regular file with that size and modification time (None: not
    asked, False): :func:`unchanged`'s test of one file, in a worker."""
    stat = reader.stat
    out = []
    for path, size, mtime in zip(paths, sizes, times):
        if path is None:
            out.append(False)
            continue
        try:
            st = stat(path)
        except OSError:
            out.append(False)
            continue
        out.append(st.st_mtime_ns == mtime and st.st_size == size)
    return out


@functools.cache
def _empty() -> pa.RecordBatch:
    """No stage records (made on first use: a conversion of Python values, which makes pyarrow look
    for pandas, is not done at import; see :mod:`.nopandas`)."""
    return pa.RecordBatch.from_pylist([], schema=STAGE_SCHEMA)
