"""Pass 3, finish: turn staged rows into published rows, applying the corpus-level
decisions (drop duplicates, remove repeated lines), joining the sidecar manifest,
assigning splits and computing row digests.

:func:`finish_task` is a pure function of one staged record batch (read from the
stage file by index), its decisions and a small context, so it runs
in the build's process pool or on a distributed engine.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import xxhash

from ..document.process import text_stats
from .published import published_text
from .repeated_lines import RemovalStats
from ..document.digest import DOC_SET, combine_digest, row_digest
from .sidecar import Layered, Manifest, apply_manifest, layered, load_manifests, open_saved
from .split import assign_split
from .stage import INTERNAL, STAGE_SCHEMA, shared_reader

_INTERNAL_NAMES = tuple(f.name for f in INTERNAL)
_EDIT_NAMES = [*(f.name for f in STAGE_SCHEMA if f.name not in _INTERNAL_NAMES), "_line_index", "_line_hashes"]


@dataclass(frozen=True)
class FinishContext:
    """What every finishing task shares (small and picklable)."""
    stage_path: str
    repeated: tuple[int, ...]
    near_drop: bool
    drop_quality: frozenset
    splits: tuple[tuple[str, float], ...]
    manifest_paths: tuple[str, ...]  # the sidecar manifests, later ones winning (see sidecar.layered)
    schema: pa.Schema  # the published schema (with manifest columns)
    fingerprint: str  # options and code (see BuildOptions.fingerprint)
    manifest_saved: tuple[str, ...] = ()  # the manifests as read and checked (``Manifest.save``), in the work folder


@dataclass
class Finished:
    """A finished batch: final rows (published columns + ``_digest`` + ``_split``) and
    what the ledger and report must hear about, in row order."""
    batch: pa.RecordBatch | None
    # ("included", name) | ("reject", name, reason, detail) | ("duplicate", name, id, of, kind) |
    # ("included_rows", how many): rows held by reused shards, counted, not named (:func:`settled`)
    events: list[tuple]
    removal: RemovalStats
    without_manifest_row: int


def final_schema(schema: pa.Schema) -> pa.Schema:
    return (schema.append(pa.field("_digest", pa.string())).append(pa.field("_split", pa.string()))
            .append(pa.field("_key", pa.string())))


KEY_SCHEMA = pa.schema([("id", pa.string()), ("key", pa.string()), ("split", pa.string())])


def key_task(task: tuple[int, pa.RecordBatch], ctx: FinishContext) -> pa.RecordBatch:
    """(id, finish key, split) of every row of one staged batch: the key is a digest of
    everything the row's published values depend on (see :mod:`.reuse`), computed
    without finishing the row."""
    index, decisions = task
    batch = shared_reader(ctx.stage_path, _KEY_COLUMNS).get_batch(index)
    manifest = manifest_of(ctx)
    _, repeated_array = hash_set(ctx.repeated)
    hits = _repeated_hits(batch.column("_line_hashes"), repeated_array)
    base = f"{ctx.fingerprint}|{ctx.schema}|{sorted(ctx.drop_quality)}|{ctx.near_drop}|"
    ids = batch.column("id").to_pylist()
    names = batch.column("file_name").to_pylist()
    shas = batch.column("sha256").to_pylist()
    owner, exact, cluster, size, representative = (
        decisions.column(c).to_pylist() for c in ("id_owner", "exact_of", "cluster", "cluster_size", "representative"))
    if len(ctx.splits) == 1:  # every document in the one split
        splits = [ctx.splits[0][0]] * len(ids)
    else:
        splits = [assign_split(doc_id, ctx.splits) for doc_id in ids]
    hit_text = {k: repr(v) for k, v in hits.items()}
    matches = list(map(repr, manifest.rows_for(names, ids))) if manifest is not None else ["None"] * len(ids)
    digest = xxhash.xxh3_128_hexdigest  # text fields as repr: quoted, so no two rows' fields run together
    keys = [digest(f"{base}{sha}|{name!r}|{o!r}|{e!r}|{c!r}|{n}|{r}|{hit_text.get(k, '()')}|{m}|{sp!r}"
                   .encode("utf-8", "surrogatepass"))
            for k, (sha, name, o, e, c, n, r, m, sp)
            in enumerate(zip(shas, names, owner, exact, cluster, size, representative, matches, splits))]
    return pa.record_batch([pa.array(ids, pa.string()), pa.array(keys, pa.string()), pa.array(splits, pa.string())],
                           schema=KEY_SCHEMA)


_KEY_COLUMNS = ("id", "file_name", "sha256", "_line_hashes")


def manifest_of(ctx: FinishContext) -> Manifest | Layered | None:
    """The build's manifests: those it saved, memory-mapped (every worker shares their pages), else
    read from their files (once per process while unchanged); None without one."""
    if ctx.manifest_saved:
        return _saved(ctx.manifest_saved)
    return _manifest(ctx.manifest_paths, _stamps(ctx.manifest_paths)) if ctx.manifest_paths else None


@lru_cache(maxsize=1)
def _saved(paths: tuple[str, ...]) -> Manifest | Layered:
    return layered(*map(open_saved, paths))


def forget_saved() -> None:
    """Close this process's map of the saved manifests (their work folder is about to be removed)."""
    _saved.cache_clear()


@lru_cache(maxsize=4)
def _manifest(paths: tuple[str, ...], stamps: tuple) -> Manifest | Layered:
    """The manifests, read once per process while their files are unchanged (``stamps``: see
    :func:`_stamps`; a manifest edited between two builds in one process is read again)."""
    return load_manifests(paths)


def _stamps(paths: tuple[str, ...]) -> tuple:
    return tuple((st.st_size, st.st_mtime_ns, st.st_ino) for st in map(os.stat, paths))


@lru_cache(maxsize=4)
def hash_set(hashes: tuple[int, ...]) -> tuple[frozenset, np.ndarray]:
    """The corpus's repeated line hashes as a set and as an array (once per process and set)."""
    return frozenset(hashes), np.fromiter(hashes, dtype=np.uint64, count=len(hashes))


def finish_task(task: tuple[int, pa.RecordBatch], ctx: FinishContext) -> Finished:
    """Pass 3 for one staged record batch (by its index in the stage file): a pure
    function of the staged rows, their decisions and the context, so it runs in any
    worker. Only rows that pass 3 edits (a repeated line removed, a manifest row joined)
    are converted to Python; the others are taken as Arrow columns, and their digest
    comes from the staged digest of their document columns."""
    index, decisions = task
    listed = shared_reader(ctx.stage_path, ("id", "file_name")).get_batch(index)
    names, ids = listed.column("file_name").to_pylist(), listed.column("id").to_pylist()
    events = _decided(decisions, names, ids, ctx.near_drop)  # None: a row to finish, decided below in its place
    survivors = [k for k, e in enumerate(events) if e is None]
    if not survivors:  # every row published already or dropped: the batch's texts are not read
        return Finished(None, events, RemovalStats(), 0)
    batch = shared_reader(ctx.stage_path).get_batch(index)
    manifest = manifest_of(ctx)
    repeated, repeated_array = hash_set(ctx.repeated)
    cluster = decisions.column("cluster").to_pylist()
    edit = _repeated_hits(batch.column("_line_hashes"), repeated_array)
    edited = [k for k in survivors if manifest is not None or k in edit]
    rows = dict(zip(edited, _python_rows(batch, edited)))
    matches = dict(zip(edited, manifest.rows_for([names[k] for k in edited], [ids[k] for k in edited]))) \
        if manifest is not None else {}
    warnings = batch.column("quality_warnings").to_pylist() if ctx.drop_quality else None
    size = decisions.column("cluster_size").to_pylist()
    removal, no_row, kept = RemovalStats(), 0, []  # kept: row index k, or a finished dict
    for k in survivors:
        name, row = names[k], rows.get(k)
        staged_keys = (row.pop("_line_index"), row.pop("_line_hashes")) if row is not None else None
        if row is not None and k in edit and not _remove_repeated(row, staged_keys, repeated, removal):
            events[k] = ("reject", name, "empty", "nothing is left after removing lines repeated across the corpus")
            continue
        flagged = ctx.drop_quality.intersection(row["quality_warnings"] if row is not None else warnings[k]) \
            if ctx.drop_quality else ()
        if flagged:
            events[k] = ("reject", name, "quality", f"quality warnings {', '.join(sorted(flagged))} (--drop-quality)")
            continue
        if row is not None:
            row["near_dup_cluster"], row["near_dup_cluster_size"] = cluster[k], size[k]
            if manifest is not None:
                match = matches[k]
                no_row += match is None
                row = apply_manifest(row, match)
        events[k] = ("included", name)
        kept.append((k, row))
    if not kept:
        return Finished(None, events, removal, no_row)
    published = _published(batch, kept, cluster, size, ctx.schema)
    key, split = decisions.column("key").to_pylist(), decisions.column("split").to_pylist()
    return Finished(pa.RecordBatch.from_arrays(
        [*published.columns, pa.array([split[k] for k, _ in kept], pa.string()),
         pa.array([key[k] for k, _ in kept], pa.string())], schema=final_schema(ctx.schema)),
        events, removal, no_row)


def settled(task: tuple[int, pa.RecordBatch], ctx: FinishContext) -> Finished | None:
    """:func:`finish_task`'s result, here and at once, for a batch none of whose rows is to be
    finished (each held by a reused shard or dropped as a duplicate); None for any other batch."""
    index, decisions = task
    done = pc.or_(decisions.column("placed"), dropped(decisions, ctx.near_drop))
    if not pc.all(done).as_py() and decisions.num_rows:
        return None
    rest = np.flatnonzero(~decisions.column("placed").to_numpy(zero_copy_only=False))
    events: list[tuple] = [("included_rows", decisions.num_rows - len(rest))]  # held by reused shards: counted
    if len(rest):  # the duplicates: named one by one (the rows' names and ids read for them only)
        take = pa.array(rest)
        listed = shared_reader(ctx.stage_path, ("id", "file_name")).get_batch(index)
        events += _decided(decisions.take(take), listed.column("file_name").take(take).to_pylist(),
                           listed.column("id").take(take).to_pylist(), ctx.near_drop)
    return Finished(None, events, RemovalStats(), 0)


def dropped(decisions: pa.RecordBatch, near_drop: bool) -> pa.Array:
    """Whether each row of a batch is left out by its decisions: a duplicate id, an exact or
    (``near_drop``) a near duplicate that is not its cluster's representative."""
    owner, exact, cluster, representative = (decisions.column(c) for c in (
        "id_owner", "exact_of", "cluster", "representative"))
    done = pc.or_(pc.is_valid(owner), pc.is_valid(exact))
    if near_drop:
        done = pc.or_(done, pc.and_(pc.is_valid(cluster), pc.invert(representative)))
    return done


def _decided(decisions: pa.RecordBatch, names: list[str], ids: list[str], near_drop: bool) -> list[tuple | None]:
    """The ledger event of each row of a batch that its decisions settle: held by a reused shard
    (published already), a duplicate id, an exact or (``near_drop``) a near duplicate; None for
    a row to finish. Only the rows not held by a reused shard are looked at one by one."""
    placed = decisions.column("placed").to_numpy(zero_copy_only=False)
    events: list[tuple | None] = [("included", name) for name in names]
    rest = np.flatnonzero(~placed)
    if not len(rest):
        return events
    take = pa.array(rest)
    owner, exact, cluster, representative = (decisions.column(c).take(take).to_pylist() for c in (
        "id_owner", "exact_of", "cluster", "representative"))
    for k, o, e, c, r in zip(rest.tolist(), owner, exact, cluster, representative):
        name = names[k]
        if o is not None:
            events[k] = ("reject", name, "duplicate_id", _id_taken(ids[k], name, o))
        elif e is not None:
            events[k] = ("duplicate", name, ids[k], e, "exact")
        elif near_drop and c is not None and not r:
            events[k] = ("duplicate", name, ids[k], c, "near")
        else:
            events[k] = None
    return events


def _id_taken(doc_id: str, name: str, owner: str) -> str:
    """The detail of a duplicate id: the first row with it kept. Two rows of one name are a line of a
    JSON Lines file (kept: in name order it comes first) and a file named so that a tar lists before
    the line's file (in a folder, or after it, the file is refused as it is listed, ``name_collision``)."""
    head, _, number = owner.rpartition(":")
    if owner == name and number.isdigit():
        return (f"id {doc_id} is also the id of line {number} of {head}, named {owner} too (kept): this file "
                "is named as that line (rename it)")
    return f"id {doc_id} is also the id of {owner} (kept)"


def _python_rows(batch: pa.RecordBatch, ks: list[int]) -> list[dict]:
    """The published stage columns of rows ``ks`` as dicts (for the rows pass 3 edits), with
    their staged line keys (``_line_index``, ``_line_hashes``)."""
    if not ks:
        return []
    return batch.select(_EDIT_NAMES).take(pa.array(ks, pa.int64())).to_pylist()


def _published(batch: pa.RecordBatch, kept: list[tuple[int, dict | None]], cluster: list, size: list,
               schema: pa.Schema) -> pa.RecordBatch:
    """The kept rows, in order, in the published schema plus ``_digest``. ``kept`` holds
    (row index, None) for a row taken as it is staged (plus its cluster columns) and
    (row index, dict) for a row finished in Python."""
    names = schema.names
    with_digest = schema.append(pa.field("_digest", pa.string()))
    as_is = [k for k, row in kept if row is None]
    edited = [row for _, row in kept if row is not None]
    parts = []
    if as_is:
        take = pa.array(as_is, pa.int64())
        computed = {"near_dup_cluster": [cluster[k] for k in as_is], "near_dup_cluster_size": [size[k] for k in as_is]}
        columns = [pa.array(computed[f.name], f.type) if f.name in computed
                   else batch.column(f.name).take(take) if f.name in batch.schema.names
                   else pa.nulls(len(as_is), f.type) for f in schema]
        doc = batch.column("_doc_digest").to_pylist()
        rest = [c for c in names if c not in DOC_SET]
        digests = [combine_digest(doc[k], [(c, (computed[c][i] if c in computed else None)) for c in rest])
                   for i, k in enumerate(as_is)]
        parts.append(pa.RecordBatch.from_arrays([*columns, pa.array(digests, pa.string())], schema=with_digest))
    if edited:
        # float columns hold float32-exact values (document._f32), so the rows are the stored values
        rows = pa.RecordBatch.from_pylist(edited, schema=schema)
        digests = pa.array([row_digest(r, names) for r in edited], pa.string())
        parts.append(pa.RecordBatch.from_arrays([*rows.columns, digests], schema=with_digest))
    if len(parts) == 1:
        return parts[0]
    order, i_as_is, i_edited = [], 0, len(as_is)  # back to the input order
    for _, row in kept:
        if row is None:
            order.append(i_as_is)
            i_as_is += 1
        else:
            order.append(i_edited)
            i_edited += 1
    return pa.Table.from_batches(parts).combine_chunks().take(pa.array(order, pa.int64())).to_batches()[0]


def repeated_line_hits(line_hashes: pa.ListArray, repeated: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row, line hash) of every line of a batch that is repeated across the corpus, in order."""
    if not repeated.size:
        return np.empty(0, np.int64), np.empty(0, np.uint64)
    flat = line_hashes.flatten().to_numpy(zero_copy_only=False)
    parents = pc.list_parent_indices(line_hashes).to_numpy(zero_copy_only=False)
    hit = np.isin(flat, repeated)
    return parents[hit].astype(np.int64), flat[hit]


def _repeated_hits(line_hashes: pa.ListArray, repeated: np.ndarray) -> dict[int, tuple[int, ...]]:
    """Row -> the hashes of its lines that are repeated across the corpus (rows with any)."""
    hits: dict[int, list[int]] = {}
    rows, hashes = repeated_line_hits(line_hashes, repeated)
    for row, h in zip(rows.tolist(), hashes.tolist()):
        hits.setdefault(row, []).append(h)
    return {row: tuple(hs) for row, hs in hits.items()}


def _remove_repeated(row: dict, keys: tuple[list[int], list[int]], repeated: frozenset, stats: RemovalStats) -> bool:
    """Drop the repeated lines from ``row``'s text, found by its staged line keys; False if
    nothing is left."""
    text, removal = published_text(row["text"], keys, repeated)
    if not removal.removed_count:
        return True
    if not text:
        return False
    stats.add(removal)
    row["text"] = text
    row["removed_lines"] += removal.removed_count
    row.update(text_stats(text))
    return True
