"""What changed between two versions, by document id: a document is changed
when any of its published values differ (an Arrow join, not Python sets)."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from . import by_id, versions
from .reuse import read_index


def digests_of_version(root: str, manifest: dict) -> pa.Table:
    """(id, row digest) of every document of a version, from the shards' row indexes."""
    parts = [read_index(root, f) for info in manifest["splits"].values() for f in info["files"]]
    parts = [p for p in parts if p.num_rows]
    if not parts:
        return pa.table({"id": pa.array([], pa.string()), "digest": pa.array([], pa.string())})
    return pa.concat_tables(parts)


def diff_tables(old: pa.Table, new: pa.Table) -> dict[str, list[str]]:
    """The ids added, removed and changed (another digest) from ``old`` to ``new`` (id, digest)."""
    if not (by_id.unique(old) and by_id.unique(new)):  # (never for a version's rows)
        return _diff_joined(old, new)
    old_ids, new_ids = old.column("id"), new.column("id")
    in_new = pc.index_in(old_ids, value_set=new_ids)
    kept = pc.is_valid(in_new)
    added = pc.filter(new_ids, pc.invert(pc.is_in(new_ids, value_set=old_ids)))
    removed = pc.filter(old_ids, pc.invert(kept))
    changed = pc.filter(old_ids, pc.and_(kept, pc.fill_null(pc.not_equal(
        old.column("digest"), new.column("digest").take(in_new)), False)))
    return _sorted_ids(added, removed, changed)


def _diff_joined(old: pa.Table, new: pa.Table) -> dict[str, list[str]]:
    joined = old.join(new, "id", join_type="full outer", left_suffix="_old", right_suffix="_new")
    ids = joined.column("id")
    old_d, new_d = joined.column("digest_old"), joined.column("digest_new")
    added = pc.filter(ids, pc.is_null(old_d))
    removed = pc.filter(ids, pc.is_null(new_d))
    both = pc.and_(pc.is_valid(old_d), pc.is_valid(new_d))
    changed = pc.filter(ids, pc.and_(both, pc.not_equal(old_d, new_d)))
    return _sorted_ids(added, removed, changed)


def _sorted_ids(added: pa.Array, removed: pa.Array, changed: pa.Array) -> dict[str, list[str]]:
    return {k: sorted(v.to_pylist()) for k, v in (("added", added), ("removed", removed), ("changed", changed))}


def diff(root: str, old_version: str, new_version: str) -> dict[str, list[str]]:
    old = digests_of_version(root, versions.read_manifest(root, old_version))
    new = digests_of_version(root, versions.read_manifest(root, new_version))
    return diff_tables(old, new)
