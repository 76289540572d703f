"""Pass 2, corpus-level decisions, made over Arrow columns of the staging file
(read batch by batch):

* documents whose id another (earlier) file already has: rejected, both named;
* lines repeated across many documents: removed from the text in pass 3;
* exact duplicates of the text as published (after that removal): dropped, each naming
  the id it duplicates;
* near duplicates of the text as published: annotated with their cluster (or dropped,
  with --near-dedup drop).

:meth:`Plan.decisions` hands a slice of them to pass 3 (:mod:`.finish`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..document.fingerprint import shingle_similarity
from ..options import BuildOptions
from .dedup import band_hashes, choose_bands, clusters, exact_duplicates, exact_key_matrix, signature_matrix
from .published import EditCache, PublishedContext, edit_ids, edited_fingerprints, shingle_task
from .repeated_lines import find_repeated_lines
from .stage import read_batches


def _first_of_each_id(ids: pa.ChunkedArray) -> np.ndarray:
    """Row index of the first row carrying each row's id (itself when first)."""
    n = len(ids)
    if n == 0:
        return np.empty(0, np.int64)
    idx = pc.array_sort_indices(ids, order="ascending").to_numpy()  # stable: ties keep row order
    sorted_ids = ids.take(idx)
    same = pc.equal(sorted_ids.slice(1), sorted_ids.slice(0, n - 1)).to_numpy(zero_copy_only=False)
    starts = np.concatenate([[True], ~same])
    run_first = idx[np.flatnonzero(starts)][np.cumsum(starts) - 1]
    first = np.empty(n, np.int64)
    first[idx] = run_first
    return first


def _array(a) -> pa.Array:
    return a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a


@dataclass
class Plan:
    """Corpus-level decisions for every staged row, as Arrow/numpy columns."""
    file_names: pa.Array
    id_first: np.ndarray
    exact_of: pa.Array  # id this row exactly duplicates, or null
    cluster: pa.Array
    cluster_size: pa.Array
    representative: np.ndarray
    repeated: tuple[int, ...]  # hashes of lines repeated across the corpus, sorted
    controls: dict  # control characters cleaning removed: documents with any, characters in all

    def decisions(self, offset: int, n: int, placed: np.ndarray | None = None, keys: pa.Array | None = None,
                  splits: pa.Array | None = None) -> pa.RecordBatch:
        """The decisions for rows ``offset .. offset + n``: what a finishing task needs.
        ``placed``/``keys``/``splits``: whether each row is held by a reused shard, its finish
        key and its split (all from the finish-key pass)."""
        first = self.id_first[offset:offset + n]
        own = first == np.arange(offset, offset + n)
        owner = pa.nulls(n, pa.string())
        if not own.all():  # name the file that holds the id first (rare: only then a take)
            owner = pc.replace_with_mask(owner, pa.array(~own), self.file_names.take(pa.array(first[~own])))
        return pa.record_batch({
            "id_owner": owner,
            "exact_of": self.exact_of.slice(offset, n),
            "cluster": self.cluster.slice(offset, n),
            "cluster_size": self.cluster_size.slice(offset, n),
            "representative": pa.array(self.representative[offset:offset + n]),
            "placed": pa.array(placed[offset:offset + n] if placed is not None else np.zeros(n, bool)),
            "key": keys.slice(offset, n) if keys is not None else pa.nulls(n, pa.string()),
            "split": splits.slice(offset, n) if splits is not None else pa.nulls(n, pa.string()),
        })


def repeated_here(stage_path: str, drop: np.ndarray, options: BuildOptions) -> tuple[int, ...]:
    """The hashes of lines repeated across the kept documents (not ``drop``), sorted: counted
    here, over the ``_line_hashes`` column read batch by batch."""
    repeated = find_repeated_lines((b.column(0) for b in read_batches(stage_path, ["_line_hashes"])),
                                   int(np.count_nonzero(~drop)), exclude_mask=drop,
                                   min_docs=options.repeated_line_min_docs,
                                   min_fraction=options.repeated_line_min_fraction)
    return tuple(sorted(repeated.hashes))


def plan(stage_path: str, options: BuildOptions, map_tasks=None, *, repeated_lines=repeated_here,
         edits: EditCache | None = None) -> Plan:
    """Decide, for every staged row, what pass 3 does with it. Duplicates are decided on the
    text as published: lines repeated across the corpus are found first (over the texts that
    are not exact copies as staged, so that a copy does not make its own lines "repeated"),
    then the rows that lose a line get the exact key of their published text
    (:func:`.published.edited_fingerprints`, over those rows only) and exact duplicates are
    decided on those keys; near-duplicate candidates come from LSH over the staged MinHash
    signatures, each pair verified on the shingles of the two published texts
    (:func:`.published.shingle_task`).

    ``map_tasks(fn, tasks, ctx)`` runs tasks and yields ``(task, result)`` in order (the
    build's process pool, ``Workers.map``); by default, in this process. Reads of the stage
    file: ids and keys, line hashes, MinHash signatures, and the texts of the rows that lose a
    line or are near-duplicate candidates; what is kept is a few small columns (ids, keys) and
    the LSH band hashes (``bands`` x 8 bytes per document). ``repeated_lines``: how the
    repeated lines are counted (:func:`repeated_here`, or an engine's own way). ``edits``: the
    published keys the last build computed (:class:`.published.EditCache`), which rows unchanged
    since, with the same repeated lines, take instead of computing them; it records this build's."""
    if map_tasks is None:
        map_tasks = _map_here
    parts = list(read_batches(stage_path, ["id", "file_name", "_exact_key", "_controls"]))
    ids = pa.chunked_array([b.column(0) for b in parts], pa.string())
    names = pa.chunked_array([b.column(1) for b in parts], pa.string())
    keys = pa.chunked_array([b.column(2) for b in parts], pa.binary())
    controls = pa.chunked_array([b.column(3) for b in parts], pa.int32()).to_numpy()
    sizes = [b.num_rows for b in parts]
    del parts
    n = len(ids)
    id_first = _first_of_each_id(ids)
    keep_id = id_first == np.arange(n)
    # copies as staged are copies as published: their lines are not counted twice
    staged_copy = exact_duplicates(keys, ids).is_valid().to_numpy(zero_copy_only=False)
    hashes = repeated_lines(stage_path, ~keep_id | staged_copy, options)
    bands, rows = choose_bands(options.near_dup_candidate_threshold, options.num_perm)
    ctx = PublishedContext(stage_path, hashes)
    band_hash, present = _band_matrix(stage_path, n, bands, rows)
    key_matrix = np.array(exact_key_matrix(keys))  # a copy: the rows of edited texts are replaced
    del keys
    empty = np.zeros(n, bool)
    edits = edits if edits is not None else EditCache()
    pending: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # batch -> edit ids of the rows sent to workers

    def to_compute():
        """The rows that lose a repeated line and whose published key the last build did not know."""
        for i, offset, rows, k1, k2 in _edited_tasks(stage_path, sizes, hashes, keep_id):
            found, known_keys, known_empty = edits.lookup(k1, k2)
            key_matrix[offset + rows[found]] = known_keys
            empty[offset + rows[found]] = known_empty
            edits.record(k1[found], k2[found], known_keys, known_empty)
            if not found.all():
                pending[i] = (k1[~found], k2[~found])
                yield i, offset, rows[~found].tolist()

    for task, res in map_tasks(edited_fingerprints, to_compute(), ctx):
        r = res.column("row").to_numpy()
        new_keys = np.array(exact_key_matrix(res.column("exact_key")))
        new_empty = res.column("empty").to_numpy(zero_copy_only=False)
        key_matrix[r], empty[r] = new_keys, new_empty
        edits.record(*pending.pop(task[0]), new_keys, new_empty)
    takes_part = keep_id & ~empty  # rejected for its id, or empty once published: no part in duplicates
    exact_of = exact_duplicates(key_matrix, ids)
    exact_of = pc.if_else(pa.array(takes_part), exact_of, pa.nulls(n, pa.string()))
    drop = ~takes_part | exact_of.is_valid().to_numpy(zero_copy_only=False)
    cluster, cluster_size, representative = clusters(
        band_hash, present & ~drop, ids, _verifier(stage_path, sizes, ctx, map_tasks), options.near_dup_threshold, drop)
    del band_hash
    return Plan(names.combine_chunks(), id_first, _array(exact_of), _array(cluster), _array(cluster_size),
                np.asarray(representative), hashes,
                {"documents": int(np.count_nonzero(controls)), "characters": int(controls.sum())})


def _map_here(fn, tasks, ctx):
    for task in tasks:
        yield task, fn(task, ctx)


def _band_matrix(stage_path: str, n: int, bands: int, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """(n, bands) LSH band hashes of the staged MinHash signatures, and which rows have one."""
    band_hash = np.zeros((n, bands), np.uint64)
    present = np.zeros(n, bool)
    row = 0
    for b in read_batches(stage_path, ["_minhash"]):
        sig, pres, _ = signature_matrix(b.column(0), None)
        m = len(pres)
        present[row:row + m] = pres
        if sig.shape[1]:
            band_hash[row:row + m] = band_hashes(sig, bands, rows)
        row += m
    return band_hash, present


def _edited_tasks(stage_path: str, sizes: list[int], repeated: tuple[int, ...], keep: np.ndarray):
    """(batch index, its first row, rows within it that lose a repeated line, and their
    :func:`.published.edit_ids`) per batch that has any."""
    if not repeated:
        return
    wanted = np.fromiter(repeated, np.uint64, len(repeated))
    offset = 0
    for i, b in enumerate(read_batches(stage_path, ["_line_hashes", "_doc_digest"])):
        lh = b.column(0)
        flat = lh.flatten().to_numpy(zero_copy_only=False)
        hit = np.isin(flat, wanted)
        if hit.any():
            parents = pc.list_parent_indices(lh).to_numpy(zero_copy_only=False)[hit]
            rows = np.unique(parents)
            rows = rows[keep[offset + rows]]
            if len(rows):
                at = np.minimum(np.searchsorted(rows, parents), len(rows) - 1)
                of_kept = rows[at] == parents
                digests = b.column(1).take(pa.array(rows)).to_pylist()
                yield (i, offset, rows, *edit_ids(digests, flat[hit][of_kept], at[of_kept]))
        offset += sizes[i]


def _verifier(stage_path: str, sizes: list[int], ctx: PublishedContext, map_tasks):
    """``verify(u, v)``: the similarity of the published texts of rows ``u`` and ``v``
    (:func:`.fingerprint.shingle_similarity` of their shingle sets), the shingles computed in
    the workers, once per row, for the rows of one block of candidate pairs."""
    starts = np.cumsum([0, *sizes])

    def verify(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        need = np.unique(np.concatenate([u, v]))
        batch_of = np.searchsorted(starts, need, side="right") - 1
        tasks = [(int(i), int(starts[i]), (need[batch_of == i] - starts[i]).tolist()) for i in np.unique(batch_of)]
        shingles: dict[int, np.ndarray] = {}
        for _, (rows, sets) in map_tasks(shingle_task, tasks, ctx):
            shingles.update(zip(rows, sets))
        return np.array([shingle_similarity(shingles[a], shingles[b]) for a, b in zip(u.tolist(), v.tolist())])

    return verify
