"""Shards shared between versions: storage grows with what changed.

A previous version's shard is reused as it is when every row it holds comes
out of the new build unchanged (same id, same published values, same split);
only the other rows are written to new shards. A row's identity is a digest
of its published values, kept per shard in ``OUT/.cache/shards/`` (and
recomputed from the shard itself when that cache is gone).
"""
from __future__ import annotations

import os

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import xxhash

from .incremental import CACHE_DIR


def row_digest(row: dict, columns: list[str]) -> str:
    """Digest of a published row's values, in the given column order (missing columns are null)."""
    blob = repr([(c, row.get(c)) for c in columns])
    return xxhash.xxh3_128_hexdigest(blob.encode("utf-8", "surrogatepass"))


def index_path(out: str, shard_sha: str) -> str:
    return os.path.join(out, CACHE_DIR, "shards", f"{shard_sha}.arrow")


def write_index(out: str, shard_sha: str, ids: pa.Array, digests: pa.Array) -> None:
    path = index_path(out, shard_sha)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    table = pa.table({"id": ids, "digest": digests})
    tmp = path + ".tmp"
    with pa.ipc.new_file(tmp, table.schema) as w:
        w.write_table(table)
    os.replace(tmp, path)


def read_index(out: str, shard: dict) -> pa.Table:
    path = index_path(out, shard["sha256"])
    if os.path.isfile(path):
        return pa.ipc.open_file(pa.memory_map(path, "r")).read_all()
    table = pq.read_table(os.path.join(out, shard["path"]))
    rows = table.to_pylist()
    return pa.table({"id": pa.array([r["id"] for r in rows], pa.string()),
                     "digest": pa.array([row_digest(r, table.schema.names) for r in rows], pa.string())})


def reusable_shards(out: str, previous: dict | None, new_rows: pa.Table) -> tuple[dict[str, list[dict]], pa.Array]:
    """Previous shards that the new build leaves intact, per split, and the positions
    (in ``new_rows``: columns id, digest, split, pos) of the rows they already hold."""
    reused: dict[str, list[dict]] = {}
    placed: list[pa.Array] = []
    if previous is None or new_rows.num_rows == 0:
        return reused, pa.array([], pa.int64())
    for split, info in previous["splits"].items():
        for shard in info["files"]:
            old = read_index(out, shard)
            if old.num_rows == 0:
                continue
            j = old.join(new_rows, keys="id", join_type="left outer", right_suffix="_new")
            digest_new = j.column("digest_new")
            if digest_new.null_count:
                continue  # a row was removed
            same = pc.all(pc.and_(pc.equal(j.column("digest"), digest_new),
                                  pc.equal(j.column("split"), pa.scalar(split)))).as_py()
            if same:
                reused.setdefault(split, []).append(shard)
                placed.append(j.column("pos").combine_chunks())
    return reused, (pa.concat_arrays(placed) if placed else pa.array([], pa.int64()))
