"""Pass 2's duplicate groupings, made in the build's process (:class:`Here`): which rows repeat
an earlier row's exact key, as staged and as published, and which near-duplicate candidate pairs
hold. :mod:`..engines.ray_pass2` makes the same groupings in Ray tasks, partitioned by key hash,
from the functions here (:func:`lost_rows`, :func:`verifier`) and in :mod:`.dedup`."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..document.fingerprint import shingle_similarity
from ..options import BuildOptions
from .dedup import (_candidate_pairs, band_hashes, choose_bands, exact_key_matrix, first_of_key,
                    signature_matrix, verified_pairs)
from .published import PublishedContext, edited_fingerprints, shingle_task
from .stage import read_batches


class Here:
    """The groupings over columns read into this process; the texts' fingerprints and shingles
    computed by ``map_tasks(fn, tasks, ctx)`` (the engine's tasks, ``(task, result)`` in order)."""

    def __init__(self, map_tasks):
        self.map_tasks = map_tasks

    def staged_copies(self, stage_path: str, sizes: list[int]) -> np.ndarray:
        """Whether each row repeats an earlier row's exact key as staged (``sizes``: the stage's batches' rows)."""
        n = sum(sizes)
        copy = np.zeros(n, bool)
        copy[first_of_key(_keys(stage_path), np.arange(n))[0]] = True
        return copy

    def published(self, stage_path: str, sizes: list[int], ctx: PublishedContext,
                  keep: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(dup, first, empty)``: the rows whose published text an earlier row's repeats
        exactly and that row (:func:`.dedup.first_of_key`), and which rows are left empty once
        published. A published text's key is the staged one unless the row (one of ``keep``)
        loses a repeated line (:func:`.published.edited_fingerprints`; an empty text: 16 zero bytes)."""
        key_matrix = np.array(_keys(stage_path))  # a copy: the rows of edited texts are replaced
        empty = np.zeros(len(key_matrix), bool)
        for _, res in self.map_tasks(edited_fingerprints, _edited_tasks(stage_path, sizes, ctx.repeated, keep), ctx):
            r = res.column("row").to_numpy()
            key_matrix[r] = exact_key_matrix(res.column("exact_key"))
            empty[r] = res.column("empty").to_numpy(zero_copy_only=False)
        return (*first_of_key(key_matrix, np.arange(len(key_matrix))), empty)

    def near_pairs(self, stage_path: str, sizes: list[int], drop: np.ndarray, options: BuildOptions,
                   ctx: PublishedContext) -> tuple[np.ndarray, np.ndarray]:
        """The verified near-duplicate pairs ``(u, v)`` among the rows not in ``drop``: LSH
        candidates from the staged MinHash signatures' band hashes, each verified on the
        shingles of the two published texts (:func:`verifier`)."""
        n = len(drop)
        bands, rows = choose_bands(options.near_dup_candidate_threshold, options.num_perm)
        band_hash, present = _band_matrix(stage_path, n, bands, rows)
        codes = _candidate_pairs(band_hash, present & ~drop)
        del band_hash
        return verified_pairs(codes, n, verifier(stage_path, sizes, ctx, self.map_tasks), options.near_dup_threshold)


def _keys(stage_path: str) -> np.ndarray:
    """(n, 2) uint64 view of the staged exact keys."""
    return exact_key_matrix(pa.chunked_array([b.column(0) for b in read_batches(stage_path, ["_exact_key"])],
                                             pa.binary()))


def map_here(fn, tasks, ctx):
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


def lost_rows(line_hashes: pa.Array, wanted: np.ndarray, keep: np.ndarray) -> list[int]:
    """The rows of one stage batch (its ``_line_hashes`` column) that hold a line of ``wanted``
    (the repeated lines' hashes), among those of ``keep`` (the batch's slice of the mask)."""
    flat = line_hashes.flatten().to_numpy(zero_copy_only=False)
    hit = np.isin(flat, wanted)
    if not hit.any():
        return []
    rows = np.unique(pc.list_parent_indices(line_hashes).to_numpy(zero_copy_only=False)[hit])
    return rows[keep[rows]].tolist()


def _edited_tasks(stage_path: str, sizes: list[int], repeated: tuple[int, ...], keep: np.ndarray):
    """(batch index, its first row, rows within it that lose a repeated line) per batch that has any."""
    if not repeated:
        return
    wanted = np.fromiter(repeated, np.uint64, len(repeated))
    offset = 0
    for i, b in enumerate(read_batches(stage_path, ["_line_hashes"])):
        rows = lost_rows(b.column(0), wanted, keep[offset:offset + sizes[i]])
        if rows:
            yield i, offset, rows
        offset += sizes[i]


def verifier(stage_path: str, sizes: list[int], ctx: PublishedContext, map_tasks):
    """``verify(u, v)``: the similarity of the published texts of rows ``u`` and ``v``
    (:func:`.fingerprint.shingle_similarity` of their shingle sets), the shingles computed by
    ``map_tasks``, once per row, for the rows of one block of candidate pairs."""
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
