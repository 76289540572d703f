"""What the pipeline needs from an engine (see :mod:`..pipeline` for the passes in order).

An engine runs three kinds of work, each handing results back in input order so that the
output does not depend on the engine or its number of workers:

* :meth:`Engine.entries`: the input's entries (:mod:`..document.inputs`: a local path or a
  :class:`..document.inputs.Payload` each), in the unpacked dump's order, from the
  :class:`..document.storage.Storage` (a remote folder listed where the engine lists);
* :meth:`Engine.documents`: pass 1, the per-document function (:func:`.local.process_batch`, its work in :mod:`.batch`)
  over batches of files;
* :meth:`Engine.map`: any pure task function over a stream of tasks (pass 3: finish keys,
  finished rows, shards);
* :meth:`Engine.plan`: pass 2, the corpus-level decisions over the staged columns.

The local engine (:class:`.local.Workers`) is a process pool; the Ray engine
(:class:`.ray.RayEngine`) runs the same functions as Ray tasks.
"""
from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Iterator

import pyarrow as pa

from ..corpus import finish, plan as corpus
from ..corpus.reorder import reorder_stage
from ..corpus.stage import drop_layout, read_batches
from ..document.inputs import Entry, InputOptions, Tally
from ..document.storage import Storage
from ..options import BuildOptions, DocOptions

#: pass 1's result for one batch: (batch items, stage records, rejections, outcome per item)
DocumentBatch = tuple[list, pa.RecordBatch, list[dict], list[str]]
#: the most documents of one pass-1 task of :meth:`Engine.documents`: a batch (``batch_size``, the
#: rows of a record batch of the stage, which passes 2 and 3 work on a batch at a time) is cut into
#: tasks of this many, each sent to a worker, and their results joined again in order (a worker, and
#: the results in flight, hold this many documents at once whatever the batch)
TASK_DOCS = 256


def joined(results: list[DocumentBatch]) -> DocumentBatch:
    """The pass-1 results of consecutive tasks as one batch's, in order."""
    if len(results) == 1:
        return results[0]
    records = [r[1] for r in results if r[1].num_rows]
    return ([item for r in results for item in r[0]],
            pa.concat_batches(records) if len(records) > 1 else records[0] if records else results[0][1],
            [x for r in results for x in r[2]], [x for r in results for x in r[3]])


class Engine:
    """The default steps, written against :meth:`map`; an engine overrides what it runs its own way."""

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc) -> None:
        pass

    def map(self, fn, tasks: Iterable, *common, local=None) -> Iterator[tuple]:
        """``(task, fn(task, *common))`` for each task, in order. ``local(task)``, if given, may
        return the result at once (not None), for a task not worth sending to a worker."""
        raise NotImplementedError

    def finish_rows(self, fn, tasks: Iterable, ctx, path: str, schema: pa.Schema, local=None) -> Iterator:
        """Pass 3b: ``fn(task, ctx)`` (a :class:`..corpus.finish.Finished`) for each task, in order,
        its rows (``batch``) in the Arrow IPC file ``path`` of ``schema``, which the shard writers
        read through :mod:`..corpus.stage`'s readers; yields the results (``local``: see :meth:`map`).
        Here the rows are written by this process, as they come."""
        with pa.ipc.new_file(path, schema) as out:
            for _, done in self.map(fn, tasks, ctx, local=local):
                if done.batch is not None:
                    out.write_batch(done.batch)
                yield done

    def finish_keys(self, batch_rows: list[int], plan: corpus.Plan, ctx, kept_keys, out: str, previous: dict | None):
        """Pass 3a: the finish keys of every stage batch (``batch_rows``: the rows of each; their
        decisions from ``plan``, see :func:`..corpus.finish.key_task`; ``kept_keys``: the last build's,
        :class:`..corpus.kept_keys.KeptKeys`) and the previous version's shards they let reuse
        (:mod:`..release.reuse`). Here the keys come back to this process (:class:`.keys.DriverKeys`)."""
        from .keys import DriverKeys

        parts = [b for _, b in self.map(finish.key_task, plan.batches(batch_rows), ctx,
                                        local=lambda task: kept_keys.settled(task, ctx))]
        return DriverKeys(parts, kept_keys, out, previous, batch_rows, plan)

    def changes(self, out: str, previous: dict | None, keys, final_path: str) -> dict | None:
        """The counts of documents added, removed and changed since the ``previous`` version (None
        for a first version): the previous version's (id, digest) (its shards' indexes) joined with
        this one's, the rows the reused shards hold (``keys.placed()``, see :meth:`finish_keys`) and
        the finished rows (``final_path``, :meth:`finish_rows`). Here in this process."""
        from ..release import compare  # (it imports the incremental cache, which imports the engines)

        if previous is None:
            return None
        finished = [b.rename_columns(["id", "digest"]) for b in read_batches(final_path, ["id", "_digest"])]
        new = pa.concat_tables([keys.placed(), *(pa.Table.from_batches([b]) for b in finished)])
        old = compare.digests_of_version(out, previous)
        return {k: len(v) for k, v in compare.diff_tables(old, new).items()}

    def reorder(self, stage_path: str, order, batch_rows: int) -> None:
        """After pass 1: the stage's rows put in ``order`` (an archive's rows in the unpacked
        folder's order, :func:`..corpus.reorder.reorder_stage`), the stage then holding every row
        itself. Here in this process."""
        reorder_in_place(stage_path, order, batch_rows)

    def entries(self, storage: Storage, opts: InputOptions, tally: Tally, *, skip: str | None,
                follow_symlinks: bool, rejected: list[dict]) -> Iterator[Entry]:
        """The input's ``(relative path, path | Payload)`` entries, in the unpacked dump's order
        (see :meth:`..document.storage.Storage.entries`; a remote folder's folders, and a folder on
        S3 in key ranges, listed by :meth:`map`)."""
        return storage.entries(opts, tally, skip=skip, follow_symlinks=follow_symlinks, rejected=rejected,
                               map_=self.map, cpus=self.cpus())

    def cpus(self) -> int:
        """How many tasks :meth:`map` runs at once (here: one; the local engine: ``jobs``; the Ray
        engine: the cluster's CPUs)."""
        return 1

    def documents(self, items: Iterable, opts: DocOptions, *, batch_size: int,
                  storage: Storage, cache=None) -> Iterator[DocumentBatch]:
        """Pass 1: (batch items, records, rejections, outcomes) per batch of ``batch_size``
        items, in input order (``cache``: the build's :class:`..release.incremental.StageCache`,
        for an engine whose tasks merge the cached rows). A batch of files all unchanged since the last build is settled
        here, not sent to a worker."""
        from .local import process_batch

        it = iter(items)
        cuts: deque[int] = deque()  # the tasks each batch is cut into, the oldest batch first

        def tasks() -> Iterator[list]:
            while batch := list(itertools.islice(it, batch_size)):
                cuts.append(-(-len(batch) // TASK_DOCS))
                yield from (batch[i:i + TASK_DOCS] for i in range(0, len(batch), TASK_DOCS))

        reader = storage.reader()
        tasks_, settle = self.settling(tasks(), reader)
        done: list[tuple] = []
        for task, result in self.map(process_batch, tasks_, opts, reader, local=settle):
            done.append((task, *result))
            if len(done) == cuts[0]:
                cuts.popleft()
                yield joined(done)
                done = []

    def settling(self, batches: Iterator[list], reader) -> tuple[Iterator[list], object]:
        """Pass 1's batches, and the ``local`` check (see :meth:`map`) that settles a batch of files
        all unchanged since the last build without a worker: here :func:`.local.unchanged`, the
        files' status taken in this process as each batch comes."""
        from .local import unchanged

        return batches, lambda b: unchanged(b, reader)

    def settle_stage(self, stage_path: str) -> None:
        """After pass 3: the stage file as the build keeps it (an engine whose tasks wrote the
        stage's rows to files of their own gathers them here; the local engine has nothing to do)."""

    def plan(self, stage_path: str, options: BuildOptions, edits=None) -> corpus.Plan:
        """Pass 2: the corpus-level decisions (in the build's process; the published texts'
        fingerprints and the near-duplicate checks as :meth:`map` tasks). ``edits``: see
        :func:`..corpus.plan.plan`."""
        return corpus.plan(stage_path, options, self.map, edits=edits)


def open_engine(options: BuildOptions, tmp: str) -> Engine:
    """The engine ``options.engine`` names, ready to enter (``tmp``: the build's work folder)."""
    if options.engine == "local":
        from .local import Workers

        return Workers(options.jobs, tmp)
    if options.engine == "ray":
        from .ray import RayEngine  # fails at once, saying what to install, without Ray

        return RayEngine(options.jobs, options.address, tmp)
    raise ValueError(f"unknown engine {options.engine!r} (local or ray)")


def check_engine(name: str) -> None:
    """Fail at once, before any work, if the engine cannot run here."""
    if name == "ray":
        from . import ray  # noqa: F401 - raises with the install command when Ray is absent
    elif name != "local":
        raise ValueError(f"unknown engine {name!r} (local or ray)")


def reorder_in_place(stage_path: str, order, batch_rows: int, **how) -> None:
    """:func:`..corpus.reorder.reorder_stage` (``how``: its ``map_`` and ``parts``), the stage's
    layout (now void) dropped."""
    reorder_stage(stage_path, order, batch_rows, **how)
    drop_layout(stage_path)  # the reordered stage holds every row itself
