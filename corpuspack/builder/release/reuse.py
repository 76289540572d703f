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

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..document.digest import row_digest
from . import by_id
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


def intact(out: str, shards: list[tuple[str, dict]]) -> tuple[np.ndarray, list[str]]:
    """Whether each previous shard's file is still the one its version wrote, so that it may be reused
    (a shard reused as it is is linked into the new version, bytes unread), and the paths of those that
    are not. A file missing, or of another size than the manifest's, is not. One not modified since
    its index was written (in ``.cache/shards/``, just after the file: its time is not later than
    the index's) is, by a stat. One modified since (written into, touched, copied without its times)
    is read and hashed: the manifest's SHA-256, it is, and its index is touched, so that the next
    build does not read it again. A shard that is not is left to be written again from the stage
    (the new version gets a sound file; the earlier versions keep theirs, which ``verify`` reports)."""
    from .write import file_sha256  # (write imports this module)

    ok = np.zeros(len(shards), bool)
    damaged: list[str] = []
    for n, (_, shard) in enumerate(shards):
        path = os.path.join(out, shard["path"])
        try:
            st = os.stat(path)
        except OSError:
            damaged.append(shard["path"])
            continue
        if st.st_size != shard.get("num_bytes", st.st_size):
            damaged.append(shard["path"])
            continue
        index = index_path(out, shard["sha256"])
        try:
            indexed = os.stat(index).st_mtime_ns
        except OSError:
            continue  # no index: not reused anyway (its keys are unknown), see read_index
        if st.st_mtime_ns <= indexed:
            ok[n] = True
        elif file_sha256(path) == shard["sha256"]:
            ok[n] = True
            os.utime(index)  # now, after the file's time
        else:
            damaged.append(shard["path"])
    return ok, damaged


def read_index(out: str, shard: dict) -> pa.Table:
    """The shard's (id, digest, key) from its index in the cache; from the shard itself (keys
    unknown: not reused) when the index is missing, does not read, or holds other than its rows."""
    path = index_path(out, shard["sha256"])
    if os.path.isfile(path):
        try:
            index = pa.ipc.open_file(pa.memory_map(path, "r")).read_all()
            if index.num_rows == shard.get("num_rows", index.num_rows) and index.column_names == ["id", "digest", "key"]:
                return index
        except (pa.ArrowException, OSError):  # damaged (a cache: rebuilt from the shard, as the others are)
            pass
    table = pq.read_table(os.path.join(out, shard["path"]))
    rows = table.to_pylist()
    return pa.table({"id": pa.array([r["id"] for r in rows], pa.string()),
                     "digest": pa.array([row_digest(r, table.schema.names) for r in rows], pa.string()),
                     "key": pa.nulls(len(rows), pa.string())})  # unknown: the shard will not be reused


def reusable_shards(out: str, previous: dict | None, new_rows: pa.Table
                    ) -> tuple[dict[str, list[dict]], pa.Table, list[str]]:
    """Previous shards whose every row has the same finish key (and split) in the new
    build (``new_rows``: columns id, key, split, pos) and whose file is :func:`intact`, per split,
    (pos, id, digest) of the rows they hold, and the paths of the shards not intact. One join of
    all the previous rows with the new ones (a join per shard would cost shards x rows)."""
    none = pa.table({"pos": pa.array([], pa.int64()), "id": pa.array([], pa.string()),
                     "digest": pa.array([], pa.string())})
    if previous is None or not new_rows.num_rows:
        return {}, none, []
    shards = previous_shards(previous)
    candidate, olds = old_rows(out, shards)
    if not olds:
        return {}, none, []
    sound, damaged = intact(out, shards)
    j, same, broken = match(olds, new_rows, len(shards))
    reused, keep = reused_of(shards, candidate & sound, broken)
    placed = j.filter(pc.is_in(j.column("shard"), pa.array(keep, pa.int64()))).select(["pos", "id", "digest"])
    return reused, placed, damaged


def previous_shards(previous: dict) -> list[tuple[str, dict]]:
    """(split, shard) of every shard of the previous version, in its order."""
    return [(split, shard) for split, info in previous["splits"].items() for shard in info["files"]]


def old_rows(out: str, shards: list[tuple[str, dict]], mine=None) -> tuple[np.ndarray, list[pa.Table]]:
    """Which ``shards`` may be reused (their index lists keys: not empty, and kept by the cache), and
    (id, digest, key, shard, expected_split) of their rows (``mine(ids)``, if given: a mask of the
    rows to take, e.g. one partition of the ids)."""
    candidate = np.zeros(len(shards), bool)
    olds: list[pa.Table] = []
    for n, (split, shard) in enumerate(shards):
        old = read_index(out, shard)
        if old.num_rows == 0 or old.column("key").null_count:
            continue  # empty, or its keys are unknown (no cache): not reused
        candidate[n] = True
        if mine is not None:
            old = old.filter(mine(old.column("id")))
        olds.append(pa.table({"id": old.column("id"), "digest": old.column("digest"), "key": old.column("key"),
                              "shard": pa.array(np.full(old.num_rows, n, np.int64)),
                              "expected_split": pa.array([split] * old.num_rows, pa.string())}))
    return candidate, olds


def match(olds: list[pa.Table], new_rows: pa.Table, shards: int) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    """The previous rows joined with the new ones by id, whether each keeps its key and split,
    and the rows of each shard that do not (a shard is reused when none)."""
    j = by_id.left_join(pa.concat_tables(olds), new_rows)
    same = pc.fill_null(pc.and_(pc.equal(j.column("key"), j.column("key_new")),
                                pc.equal(j.column("split"), j.column("expected_split"))), False)
    same = same.to_numpy(zero_copy_only=False)
    shard_of_row = j.column("shard").to_numpy()
    return j, same, np.bincount(shard_of_row[~same], minlength=shards)


def reused_of(shards: list[tuple[str, dict]], candidate: np.ndarray, broken: np.ndarray
              ) -> tuple[dict[str, list[dict]], np.ndarray]:
    """The ``candidate`` shards none of whose rows is ``broken`` (counts per shard), per split in
    the previous version's order, and their numbers."""
    keep = np.flatnonzero(candidate & (broken == 0))
    reused: dict[str, list[dict]] = {}
    for n in keep.tolist():
        split, shard = shards[n]
        reused.setdefault(split, []).append(shard)
    return reused, keep
