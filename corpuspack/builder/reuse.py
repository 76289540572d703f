"""Shards shared between versions: storage and work grow with what changed.

Each row has a *finish key*: a digest of everything its published values are a
function of (the input bytes and path, the options and code, the corpus-level
decisions about it, the repeated lines it holds, its manifest row, its split).
A previous version's shard is reused as it is when every row it holds has the
same finish key in the new build; those rows are not finished again, and only
the other rows are written to new shards. Each row also has a *digest* of its
published values, which ``diff`` compares. Both are kept per shard in
``OUT/.cache/shards/``; without that cache a shard is simply not reused.
"""
from __future__ import annotations

import os

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .digest import row_digest
from .incremental import CACHE_DIR


def index_path(out: str, shard_sha: str) -> str:
    return os.path.join(out, CACHE_DIR, "shards", f"{shard_sha}.arrow")


def write_index(out: str, shard_sha: str, ids: pa.Array, digests: pa.Array, keys: pa.Array) -> None:
    path = index_path(out, shard_sha)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    table = pa.table({"id": ids, "digest": digests, "key": keys})
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
                     "digest": pa.array([row_digest(r, table.schema.names) for r in rows], pa.string()),
                     "key": pa.nulls(len(rows), pa.string())})  # unknown: the shard will not be reused


def reusable_shards(out: str, previous: dict | None, new_rows: pa.Table) -> tuple[dict[str, list[dict]], pa.Table]:
    """Previous shards whose every row has the same finish key (and split) in the new
    build (``new_rows``: columns id, key, split, pos), per split, and (pos, id, digest)
    of the rows they hold."""
    reused: dict[str, list[dict]] = {}
    placed: list[pa.Table] = []
    if previous is not None and new_rows.num_rows:
        for split, info in previous["splits"].items():
            for shard in info["files"]:
                old = read_index(out, shard)
                if old.num_rows == 0 or old.column("key").null_count:
                    continue
                j = old.join(new_rows, keys="id", join_type="left outer", right_suffix="_new")
                key_new = j.column("key_new")
                if key_new.null_count:
                    continue  # a row was removed, or is no longer published
                same = pc.all(pc.and_(pc.equal(j.column("key"), key_new),
                                      pc.equal(j.column("split"), pa.scalar(split)))).as_py()
                if same:
                    reused.setdefault(split, []).append(shard)
                    placed.append(j.select(["pos", "id", "digest"]))
    if not placed:
        return reused, pa.table({"pos": pa.array([], pa.int64()), "id": pa.array([], pa.string()),
                                 "digest": pa.array([], pa.string())})
    return reused, pa.concat_tables(placed)
