"""Pass 3a, the finish keys, as the build's process holds them (the local engine's way, and the
default of :meth:`.base.Engine.finish_keys`): every stage batch's (id, key, split) comes back from
:func:`..corpus.finish.key_task` (or the last build's kept keys, :class:`..corpus.kept_keys.KeptKeys`),
the previous version's reusable shards are matched here over all of them
(:func:`..release.reuse.reusable_shards`), and the finishing tasks get each row's ``placed``,
``key`` and ``split`` as columns of their decisions.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..corpus import finish
from ..corpus.plan import slices as plan_slices
from ..corpus.repeated_lines import RemovalStats
from ..release import reuse


class DriverKeys:
    """The finish keys of every row, held here; what pass 3 asks of them (see :class:`.ray_keys.TaskKeys`,
    the same questions answered from files the tasks wrote)."""

    def __init__(self, parts: list[pa.RecordBatch], kept_keys, out: str, previous: dict | None,
                 batch_rows: list[int], plan):
        self._parts, self._kept, self._batch_rows, self._plan = parts, kept_keys, batch_rows, plan
        keys = pa.Table.from_batches(parts, schema=finish.KEY_SCHEMA) if parts else finish.KEY_SCHEMA.empty_table()
        keys = keys.append_column("pos", pa.array(np.arange(keys.num_rows), pa.int64()))
        #: the previous version's shards reused as they are, per split
        self.reused, self._placed, self.damaged = reuse.reusable_shards(out, previous, keys)
        self.placed_rows = self._placed.num_rows  # the rows they hold
        is_placed = np.zeros(keys.num_rows, dtype=bool)
        is_placed[self._placed.column("pos").to_numpy()] = True
        self._columns = (is_placed, keys.column("key").combine_chunks(), keys.column("split").combine_chunks())

    def finishing(self, fn, local) -> tuple:
        """Pass 3b's tasks (each stage batch and its decisions, with each row's ``placed``, ``key`` and
        ``split``), the finishing task function and its ``local`` check (see :meth:`.base.Engine.map`).
        A batch whose every row a reused shard holds (most of a next version's) is the task
        ``(batch, None)``, settled at once (:func:`all_placed`): its decisions are not made."""
        is_placed = self._columns[0]

        def tasks():
            for i, (offset, n) in plan_slices(self._batch_rows):
                if n and is_placed[offset:offset + n].all():
                    yield i, None
                else:
                    yield i, self._plan.decisions(offset, n, *self._columns)

        sizes = self._batch_rows
        return tasks(), fn, lambda task: all_placed(sizes[task[0]]) if task[1] is None else local(task)

    def placed(self) -> pa.Table:
        """(id, digest) of the rows the reused shards hold."""
        return self._placed.select(["id", "digest"])

    def write(self, path: str) -> None:
        """The keys kept for the next build (:meth:`..corpus.kept_keys.KeptKeys.write`)."""
        self._kept.write(path, self._parts)


def all_placed(n: int) -> finish.Finished:
    """:func:`..corpus.finish.settled`'s result for a batch of ``n`` rows (1 or more) all held by
    reused shards: counted, not named, nothing finished."""
    return finish.Finished(None, [("included_rows", n)], RemovalStats(), 0)
