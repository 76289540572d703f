"""What changed between two versions, by document id (an Arrow join, not Python sets)."""
from __future__ import annotations

import os

import pyarrow as pa
import xxhash
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import versions


def _ids(root: str, manifest: dict) -> pa.Table:
    """(id, digest of input bytes and published text) per document, read shard by shard."""
    ids: list[pa.Array] = []
    digests: list[pa.Array] = []
    for info in manifest["splits"].values():
        for f in info["files"]:
            t = pq.read_table(os.path.join(root, f["path"]), columns=["id", "sha256", "text"])
            texts = t.column("text").to_pylist()
            ids.append(t.column("id").combine_chunks())
            digests.append(pa.array([f"{s}:{xxhash.xxh3_64_hexdigest(x)}" for s, x in
                                     zip(t.column("sha256").to_pylist(), texts)], pa.string()))
    return pa.table({"id": pa.chunked_array(ids, pa.string()), "digest": pa.chunked_array(digests, pa.string())})


def diff_tables(old: pa.Table, new: pa.Table) -> dict[str, list[str]]:
    joined = old.join(new, "id", join_type="full outer", left_suffix="_old", right_suffix="_new")
    ids = joined.column("id")
    old_d, new_d = joined.column("digest_old"), joined.column("digest_new")
    added = pc.filter(ids, pc.is_null(old_d))
    removed = pc.filter(ids, pc.is_null(new_d))
    both = pc.and_(pc.is_valid(old_d), pc.is_valid(new_d))
    changed = pc.filter(ids, pc.and_(both, pc.not_equal(old_d, new_d)))
    return {k: sorted(v.to_pylist()) for k, v in (("added", added), ("removed", removed), ("changed", changed))}


def diff(root: str, old_version: str, new_version: str) -> dict[str, list[str]]:
    old = _ids(root, versions.read_manifest(root, old_version))
    new = _ids(root, versions.read_manifest(root, new_version))
    return diff_tables(old, new)
