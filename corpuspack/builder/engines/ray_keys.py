"""Pass 3a on Ray, the finish keys kept in tasks (round 28): the build's process holds counts and
digests, not the keys.

* each key task (:func:`_key_part`) takes its batch's keys from the last build's kept keys
  (:meth:`..corpus.kept_keys.KeptKeys.settled`, in the task) or computes them
  (:func:`..corpus.finish.key_task`) and writes them to ``WORK/keys/BATCH.arrow`` (through a
  temporary file renamed when whole, :func:`..corpus.stage.write_part`); it sends back the batch's
  digest (what the kept keys are filed under) and its rows;
* one task writes the keys kept for the next build from those files (:func:`_write_kept`);
* the previous version's shards are matched in ``parts`` tasks partitioned by the id's CRC-32
  (:func:`_match_part`: :func:`..release.reuse.old_rows` and :func:`..release.reuse.match` over
  its partition of the old and the new rows). Each sends back, per previous shard, whether it may
  be reused, its rows that lost their key or split, and its rows that kept them; and writes those
  rows (shard, pos, id, digest), by pos, to ``WORK/reuse/PART.arrow``. A shard is reused when no
  partition broke it (:func:`..release.reuse.reused_of`, here);
* each finishing task (:class:`FromFiles`) reads its batch's ``key`` and ``split`` from its key
  file and its ``placed`` rows from the match files before finishing the batch as the local
  engine does (:func:`..corpus.finish.settled`, else the finishing function).

The key and finishing tasks make their batch's decisions themselves
(:meth:`..corpus.plan.Plan.decisions`) from their batch's part of pass 2's Plan, a file a task
wrote (:mod:`.ray_plan`, round 32; before, the whole Plan was put in the object store once): a task
is sent its batch's number, first row and rows, not per-row columns.
"""
from __future__ import annotations

import os
import zlib
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import ray

from ..corpus import finish
from ..corpus.kept_keys import KeptKeys
from ..corpus.plan import slices
from ..corpus.stage import write_part
from ..release import reuse
from .keys import all_placed
from .ray_plan import decisions as plan_decisions

MATCH_SCHEMA = pa.schema([("shard", pa.int64()), ("pos", pa.int64()), ("id", pa.string()), ("digest", pa.string())])


def id_partition(ids: pa.Array | pa.ChunkedArray, parts: int) -> np.ndarray:
    """Each id's partition: its UTF-8 bytes' CRC-32 modulo ``parts``."""
    values = ids.cast(pa.binary()).to_pylist()
    return np.fromiter((zlib.crc32(v) for v in values), np.uint32, len(values)) % parts


def _key_part(task: tuple, ctx, kept_path: str | None, folder: str, plan: tuple) -> tuple[str, int, str | None]:
    """Pass 3a for one stage batch in a task (``task``: (batch, (first row, rows)), its decisions
    made here from its part of the Plan, ``plan``: the parts' files, :func:`.ray_plan.decisions`):
    (the digest of its key task's inputs, its rows, the file its keys were written to, None without rows)."""
    index, (offset, n) = task
    task = index, plan_decisions(plan, index, offset, n)
    kept = KeptKeys(kept_path, finish.KEY_SCHEMA)
    keys = kept.settled(task, ctx)
    if keys is None:
        keys = finish.key_task(task, ctx)
    return kept.digests[index], keys.num_rows, write_part(os.path.join(folder, f"{index}.arrow"), keys,
                                                          finish.KEY_SCHEMA)


def _read(path: str | None, schema: pa.Schema) -> pa.Table:
    if path is None:
        return schema.empty_table()
    return pa.ipc.open_file(pa.memory_map(path, "r")).read_all()


def _write_kept(into: str, digests: list[str], files: list[str | None]) -> None:
    """The keys kept for the next build, written from the key files (the file the local engine's
    :meth:`..corpus.kept_keys.KeptKeys.write` writes from the same keys)."""
    kept = KeptKeys(None, finish.KEY_SCHEMA)
    kept.digests = dict(enumerate(digests))
    parts = []
    for f in files:
        table = _read(f, finish.KEY_SCHEMA)
        parts.append(table.combine_chunks().to_batches()[0] if table.num_rows
                     else pa.RecordBatch.from_pylist([], schema=finish.KEY_SCHEMA))
    kept.write(into, parts)


def _match_part(part: int, parts: int, out: str, shards: list, files: list, offsets: list[int],
                folder: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One partition (by id) of the match of the previous version's shards with this build's keys:
    per shard, (may be reused, rows that lost their key or split, rows that kept them); the rows
    that kept them written to ``folder/PART.arrow`` by pos."""
    def mine(ids):
        return pa.array(id_partition(ids, parts) == part)

    candidate, olds = reuse.old_rows(out, shards, mine)
    n = len(shards)
    if not olds:
        return candidate, np.zeros(n, np.int64), np.zeros(n, np.int64)
    news = []
    for f, offset in zip(files, offsets):
        keys = _read(f, finish.KEY_SCHEMA)
        keys = keys.append_column("pos", pa.array(np.arange(offset, offset + keys.num_rows), pa.int64()))
        news.append(keys.filter(mine(keys.column("id"))))
    j, same, broken = reuse.match(olds, pa.concat_tables(news), n)
    kept = j.filter(pa.array(same)).select(["shard", "pos", "id", "digest"]).sort_by("pos")
    write_part(os.path.join(folder, f"{part}.arrow"), kept.cast(MATCH_SCHEMA), MATCH_SCHEMA)
    return candidate, broken, np.bincount(kept.column("shard").to_numpy(), minlength=n)


def _with(decisions: pa.RecordBatch, **columns: pa.Array) -> pa.RecordBatch:
    """``decisions`` with ``columns`` in place of theirs."""
    return pa.RecordBatch.from_arrays([columns.get(name, decisions.column(name)) for name in decisions.schema.names],
                                      schema=decisions.schema)


def _held(path: str, reused: np.ndarray, rows: tuple[int, int] | None = None) -> np.ndarray:
    """The rows (pos) a match file holds in a ``reused`` shard (``rows``: only those from the
    first to before the end given; the file is sorted by pos)."""
    table = _read(path, MATCH_SCHEMA)
    pos, shard = table.column("pos").to_numpy(), table.column("shard").to_numpy()
    if rows is not None:
        a, b = np.searchsorted(pos, rows)
        pos, shard = pos[a:b], shard[a:b]
    return pos[np.isin(shard, reused)]


def placed_rows(matched: tuple, reused: tuple) -> pa.Table:
    """(id, digest) of the rows the ``reused`` shards hold, read from the match files ``matched``."""
    tables = [t.filter(pc.is_in(t.column("shard"), pa.array(reused, pa.int64())))
              for t in (_read(f, MATCH_SCHEMA) for f in matched)]
    if not tables:
        return pa.table({"id": pa.array([], pa.string()), "digest": pa.array([], pa.string())})
    return pa.concat_tables(tables).select(["id", "digest"])


def _placed_per_batch(path: str, reused: np.ndarray, offsets: list[int]) -> np.ndarray:
    """The rows of each stage batch (``offsets``: their first rows) that a match file holds in a
    reused shard."""
    pos = _held(path, reused)
    return np.bincount(np.searchsorted(offsets, pos, side="right") - 1, minlength=len(offsets))


class TaskKeys:
    """Pass 3a's keys in files the tasks wrote (see the module): what :class:`.keys.DriverKeys`
    answers from the keys it holds, answered from counts, digests and those files."""

    def __init__(self, engine, batch_rows: list[int], plan, ctx, kept_keys: KeptKeys, out: str,
                 previous: dict | None, tmp: str):
        folder = os.path.abspath(os.path.join(tmp, "keys"))
        os.makedirs(folder, exist_ok=True)
        self._plan, self._ctx, self._tasks = plan, ctx, slices(batch_rows)
        digests, rows, self._files = [], [], []
        for _, (digest, n, f) in engine.map(_key_part, self._tasks, ctx, kept_keys.path, folder, plan.files):
            digests.append(digest)
            rows.append(n)
            self._files.append(f)
        self._offsets = [int(o) for o in np.cumsum([0, *rows])[:-1]]
        self._kept = os.path.join(tmp, "keys-kept.arrow")
        writing = ray.remote(_write_kept).remote(self._kept, digests, self._files)
        self.reused, self.placed_rows = {}, 0
        self.damaged: list[str] = []  # the previous shards whose files are not the ones written (reuse.intact)
        self._placed = np.zeros(len(rows), np.int64)  # rows of each batch held by reused shards
        self._matched, self._reused_shards = [], np.empty(0, np.int64)
        try:
            if previous is not None and sum(rows):
                self._match(engine, out, reuse.previous_shards(previous), tmp)
            ray.get(writing)
        except BaseException:
            from .ray import _stop  # (the engine's module imports this one)

            _stop([writing])
            raise

    def _match(self, engine, out: str, shards: list, tmp: str) -> None:
        folder = os.path.abspath(os.path.join(tmp, "reuse"))
        os.makedirs(folder, exist_ok=True)
        parts = engine.cpus()
        candidate, broken, kept = np.ones(len(shards), bool), np.zeros(len(shards), np.int64), 0
        for _, (c, b, k) in engine.map(_match_part, range(parts), parts, out, shards, self._files, self._offsets,
                                       folder):
            candidate &= c
            broken += b
            kept = kept + k
        sound, self.damaged = reuse.intact(out, shards)
        self.reused, self._reused_shards = reuse.reused_of(shards, candidate & sound, broken)
        self.placed_rows = int(np.sum(np.asarray(kept)[self._reused_shards])) if len(self._reused_shards) else 0
        self._matched = [f for f in (os.path.join(folder, f"{p}.arrow") for p in range(parts)) if os.path.exists(f)]
        if len(self._reused_shards):  # a batch whose rows are all held by reused shards or dropped: settled here
            for _, counts in engine.map(_placed_per_batch, self._matched, self._reused_shards, self._offsets):
                self._placed += counts

    def finishing(self, fn, local) -> tuple:
        """Pass 3b's tasks ((batch, (first row, rows)): no decisions), and ``fn`` making its batch's
        decisions from the Plan and the files (:class:`FromFiles`, sent once to the workers as the
        engine's common argument); ``local`` is run in the task too. A batch whose rows are all held
        by reused shards is settled here (what :func:`..corpus.finish.settled` gives it: the rows
        counted, :func:`.keys.all_placed`); one with rows dropped too by its task, which names them
        (its decisions are not made here, round 32)."""
        placed = self._placed

        def here(task):
            index, (_, n) = task
            return all_placed(n) if placed[index] == n else None

        return self._tasks, FromFiles(fn, tuple(self._files), tuple(self._matched),
                                      tuple(int(s) for s in self._reused_shards), self._plan.files), here

    @property
    def matched(self) -> tuple:
        """The match files (for :func:`placed_rows`)."""
        return tuple(self._matched)

    @property
    def reused_shards(self) -> tuple:
        """The reused shards' numbers (for :func:`placed_rows`)."""
        return tuple(int(s) for s in self._reused_shards)

    def placed(self) -> pa.Table:
        """(id, digest) of the rows the reused shards hold, read from the match files."""
        return placed_rows(self.matched, self.reused_shards)

    def write(self, path: str) -> None:
        """The keys kept for the next build: the file a task wrote, put in place."""
        os.replace(self._kept, path)


@dataclass(frozen=True)
class FromFiles:
    """A finishing task's function that first fills its batch's ``placed``, ``key`` and ``split``
    decisions from the files of pass 3a, then settles the batch (:func:`..corpus.finish.settled`)
    or finishes it (``fn``)."""
    fn: object
    files: tuple  # the key file of each stage batch (None: no rows)
    matched: tuple  # the match files (shard, pos, id, digest), by pos
    reused: tuple  # the reused shards' numbers
    plan: tuple  # the file of each stage batch's part of pass 2's Plan (:mod:`.ray_plan`)

    def __call__(self, task: tuple, ctx):
        index, (offset, n) = task
        decisions = plan_decisions(self.plan, index, offset, n)
        keys = _read(self.files[index], finish.KEY_SCHEMA)
        placed = np.zeros(n, bool)
        reused = np.asarray(self.reused, np.int64)
        for f in self.matched if len(reused) else ():
            placed[_held(f, reused, (offset, offset + n)) - offset] = True
        filled = (index, _with(decisions, placed=pa.array(placed), key=keys.column("key").combine_chunks(),
                               split=keys.column("split").combine_chunks()))
        done = finish.settled(filled, ctx)
        return done if done is not None else self.fn(filled, ctx)
