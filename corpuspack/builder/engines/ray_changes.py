"""The version's changes on Ray (round 29): the documents added, removed and changed since the
previous version counted by tasks partitioned by id, the driver receiving three counts per task.

The (id, digest) rows of the previous version (its shards' indexes, :func:`..release.reuse.read_index`,
as :func:`..release.compare.digests_of_version` reads them) and of this version (the rows the reused
shards hold, from pass 3a's match files, and the finished rows, ``final.arrow`` through its layout)
are read once each, by map tasks (:func:`_split_rows`, round 31: until then every count task read
every index and every finished row and kept its partition), each of which splits what it read into
partitions of the ids (their UTF-8 bytes' CRC-32 modulo the count tasks,
:func:`.ray_keys.id_partition`); one count task per partition (:func:`_count_part`) joins its rows of
both versions (:func:`..release.compare.diff_tables`, the local engine's join) and counts. A
document's rows are all in one partition, so the sums are the join's counts over all rows. The
partitions travel from the map tasks to the count tasks through Ray's object store.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import ray

from ..corpus.stage import StageReader
from ..release import compare, reuse
from .ray_keys import id_partition, placed_rows

_DIGESTS = pa.schema([("id", pa.string()), ("digest", pa.string())])
_KINDS = ("added", "removed", "changed")  # compare.diff_tables' order


def changes(engine, out: str, previous: dict | None, keys, final_path: str) -> dict | None:
    """:meth:`.base.Engine.changes` by one task per CPU (see the module); ``keys``: pass 3a's
    :class:`.ray_keys.TaskKeys`."""
    if previous is None:
        return None
    parts = engine.cpus()
    shards = [shard for _, shard in reuse.previous_shards(previous)]
    with StageReader(final_path, ["id"]) as reader:
        finished = reader.num_record_batches
    sources = [("old", shard) for shard in shards] + [("placed", keys.matched, keys.reused_shards)]
    sources += [("final", final_path, i) for i in range(finished)]
    split = ray.remote(_split_rows).options(num_returns=parts)
    maps = [split.remote(out, parts, sources[i::2 * parts]) for i in range(min(len(sources), 2 * parts))]
    maps = [m if isinstance(m, list) else [m] for m in maps]  # (one return: one reference, not a list)
    total = np.zeros(len(_KINDS), np.int64)
    try:
        for _, counts in engine.map(_count_part, range(parts), parts, maps):
            total += counts
    except BaseException:
        from .ray import _stop  # (the engine's module imports this one)

        _stop([m[0] for m in maps])
        raise
    return {k: int(n) for k, n in zip(_KINDS, total)}


def _split_rows(out: str, parts: int, sources: list[tuple]):
    """The (id, digest) rows of ``sources`` (``("old", shard)``: a previous shard's index; ``("placed",
    match files, reused shards)``: the rows the reused shards hold; ``("final", path, batch)``: one batch
    of the finished rows), each read once, in ``parts`` partitions of the ids: per partition, (the
    previous version's rows, this version's)."""
    old, new = [_DIGESTS.empty_table()], [_DIGESTS.empty_table()]
    finished = [source for source in sources if source[0] == "final"]
    for source in sources:
        if source[0] == "old":
            old.append(reuse.read_index(out, source[1]).select(["id", "digest"]).cast(_DIGESTS))
        elif source[0] == "placed":
            new.append(placed_rows(source[1], source[2]).cast(_DIGESTS))
    if finished:
        with StageReader(finished[0][1], ["id", "_digest"]) as reader:
            for _, _, i in finished:
                batch = reader.get_batch(i).select(["id", "_digest"]).rename_columns(["id", "digest"])
                new.append(pa.Table.from_batches([batch]).cast(_DIGESTS))
    old, new = pa.concat_tables(old), pa.concat_tables(new)
    at_old, at_new = id_partition(old.column("id"), parts), id_partition(new.column("id"), parts)
    out_parts = [(old.filter(pa.array(at_old == p)), new.filter(pa.array(at_new == p))) for p in range(parts)]
    return out_parts[0] if parts == 1 else tuple(out_parts)


def _count_part(part: int, parts: int, maps: list[list]) -> np.ndarray:
    """(added, removed, changed) over partition ``part`` of the ids (``maps``: per map task, the
    references of its partitions)."""
    tables = ray.get([m[part] for m in maps])
    diff = compare.diff_tables(pa.concat_tables([_DIGESTS.empty_table(), *(old for old, _ in tables)]),
                               pa.concat_tables([_DIGESTS.empty_table(), *(new for _, new in tables)]))
    return np.array([len(diff[k]) for k in _KINDS], np.int64)
