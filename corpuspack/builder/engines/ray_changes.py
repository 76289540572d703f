"""The version's changes on Ray (round 29): the documents added, removed and changed since the
previous version counted by tasks partitioned by id, the driver receiving three counts per task.

Each task (:func:`_count_part`) takes its partition of the ids (their UTF-8 bytes' CRC-32 modulo
the tasks, :func:`.ray_keys.id_partition`) of the previous version's (id, digest) (its shards'
indexes, :func:`..release.reuse.read_index`, as :func:`..release.compare.digests_of_version` reads
them) and of this version's (the rows the reused shards hold, from pass 3a's match files, and the
finished rows, ``final.arrow`` through its layout), joins them (:func:`..release.compare.diff_tables`,
the local engine's join) and counts. A document's rows are all in one partition, so the sums are
the join's counts over all rows.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..corpus.stage import read_batches
from ..release import compare, reuse
from .ray_keys import id_partition, placed_rows

_DIGESTS = pa.schema([("id", pa.string()), ("digest", pa.string())])
_KINDS = ("added", "removed", "changed")  # compare.diff_tables' order


def changes(engine, out: str, previous: dict | None, keys, final_path: str) -> dict | None:
    """:meth:`.base.Engine.changes` by one task per CPU (see the module); ``keys``: pass 3a's
    :class:`.ray_keys.TaskKeys`."""
    if previous is None:
        return None
    parts = engine._width()
    shards = [shard for _, shard in reuse.previous_shards(previous)]
    total = np.zeros(len(_KINDS), np.int64)
    for _, counts in engine.map(_count_part, range(parts), parts, out, shards, keys.matched, keys.reused_shards,
                                final_path):
        total += counts
    return {k: int(n) for k, n in zip(_KINDS, total)}


def _count_part(part: int, parts: int, out: str, shards: list[dict], matched: tuple, reused: tuple,
                final_path: str) -> np.ndarray:
    """(added, removed, changed) over partition ``part`` of the ids."""
    def mine(table: pa.Table) -> pa.Table:
        return table.filter(pa.array(id_partition(table.column("id"), parts) == part)).select(["id", "digest"])

    old = [mine(reuse.read_index(out, shard)) for shard in shards]
    new = [mine(placed_rows(matched, reused))]
    new += [mine(pa.Table.from_batches([b.rename_columns(["id", "digest"])]))
            for b in read_batches(final_path, ["id", "_digest"])]
    diff = compare.diff_tables(pa.concat_tables([_DIGESTS.empty_table(), *(t.cast(_DIGESTS) for t in old)]),
                               pa.concat_tables([_DIGESTS.empty_table(), *(t.cast(_DIGESTS) for t in new)]))
    return np.array([len(diff[k]) for k in _KINDS], np.int64)
