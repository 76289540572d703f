"""Pass 2's duplicate groupings, made in the build's process (:class:`Here`): which rows carry
an earlier row's id, which repeat an earlier row's exact key, as staged and as published, and
which near-duplicate candidate pairs hold. :mod:`..engines.ray_pass2` makes the same groupings in
Ray tasks, partitioned by key hash, from the functions here (:func:`first_of_id`,
:func:`edited_rows`, :func:`verifier`) and in :mod:`.dedup`. Every grouping is given, and returns,
the rows it concerns as sorted row numbers (round 33: ``rejected``, ``drop``, the staged copies, the
rows left empty), not a mask of every row; :class:`Here` makes masks of them inside (:func:`marked`)."""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor, wait
from functools import lru_cache, partial

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..document.fingerprint import shingle_similarity
from ..options import BuildOptions
from .dedup import (band_matrix, band_runs, choose_bands, cluster_labels, exact_key_matrix, first_of_key,
                    run_codes, verified_pairs)
from .pairs import PairCache, identities
from .published import EditCache, PublishedContext, edit_ids, edited_fingerprints, shingle_task
from ..heap import give_back
from .repeated_lines import doc_counts, sum_counts
from .scans import ScanCache, counts_batch, counts_of, edited_batch, edited_of
from .stage import StageReader, by_batch, read_batches, shared_reader


#: the most memory the near-duplicate band hashes may take beside pass 2's exact groupings
#: (:meth:`Here.begin`): 64 MiB, the bands of ~490,000 rows (17 bands); a larger stage has them
#: made after the groupings, so they are not held at the same time as the groupings' columns
BESIDE_BYTES = 64 << 20


class Here:
    """The groupings over columns read into this process; the texts' fingerprints and shingles
    computed by ``map_tasks(fn, tasks, ctx)`` (the engine's tasks, ``(task, result)`` in order)."""

    def __init__(self, map_tasks, edits: EditCache | None = None):
        self.map_tasks = map_tasks
        self.pairs = edits.pairs if edits is not None else None  # the last build's verified pairs (.pairs)
        self.scans = edits.scans if edits is not None else None  # the last build's scans by range (.scans)
        self._runs: Future | None = None  # the band runs :meth:`begin` started

    def begin(self, stage_path: str, sizes: list[int], options: BuildOptions) -> None:
        """Start reading the near-duplicate candidates' band hashes (the stage's ``_bands``) and their
        per-band sorts (:func:`.dedup.band_runs`) in a thread of this process, beside the groupings before them:
        they do not depend on the rows those groupings drop, and numpy's sorts let go of the GIL.
        Only when the band hashes (8 bytes a band and row) fit in :data:`BESIDE_BYTES`: else they
        would be held beside the groupings' own columns, and the build's peak memory grow with the
        dump (+136 MB at 1,000,000 rows); :meth:`near_pairs` then makes them, as before the thread."""
        bands, _ = choose_bands(options.near_dup_candidate_threshold, options.num_perm)
        if sum(sizes) * bands * 8 > BESIDE_BYTES:
            return
        beside = ThreadPoolExecutor(1, thread_name_prefix="corpuspack-bands")
        self._runs = beside.submit(_runs_of_bands, stage_path, sizes, bands)
        beside.shutdown(wait=False)  # its thread ends with the job

    def end(self) -> None:
        """Wait for what :meth:`begin` started, if it still runs (a grouping before it failed)."""
        if self._runs is not None:
            wait([self._runs])

    def id_copies(self, stage_path: str, sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """``(dup, first)``: the rows whose id an earlier row carries, ascending, and that row
        (the first of their id): :func:`first_of_id` over the ``id`` column read here."""
        ids = pa.chunked_array([b.column(0) for b in read_batches(stage_path, ["id"])], pa.string())
        return first_of_id(ids, np.arange(len(ids)))

    def staged_copies(self, stage_path: str, sizes: list[int]) -> np.ndarray:
        """The rows that repeat an earlier row's exact key as staged, ascending (``sizes``: the stage's batches' rows)."""
        return np.sort(first_of_key(_keys(stage_path), np.arange(sum(sizes)))[0])

    def published(self, stage_path: str, sizes: list[int], ctx: PublishedContext, rejected: np.ndarray,
                  edits: EditCache | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(dup, first, empty)``: the rows whose published text an earlier row's repeats
        exactly and that row (:func:`.dedup.first_of_key`), and the rows left empty once
        published, ascending. A published text's key is the staged one unless the row (not one
        of ``rejected``, ascending) loses a repeated line: then the key ``edits`` knows from the
        last build for the same text and lines, else computed (:func:`.published.edited_fingerprints`;
        an empty text: 16 zero bytes) and recorded in ``edits`` (none: nothing known, nothing kept)."""
        edits = edits if edits is not None else EditCache()
        key_matrix = np.array(_keys(stage_path))  # a copy: the rows of edited texts are replaced
        empty = np.zeros(len(key_matrix), bool)
        keep = ~marked(rejected, len(key_matrix))  # (a mask of every row: this process's own grouping)
        pending: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # batch -> edit ids of the rows sent to tasks

        def to_compute():
            for i, offset, rows, k1, k2 in _edited_tasks(stage_path, sizes, ctx.repeated, keep, self.map_tasks,
                                                         self.scans):
                found, known_keys, known_empty = edits.lookup(k1, k2)
                key_matrix[offset + rows[found]] = known_keys
                empty[offset + rows[found]] = known_empty
                edits.record(k1[found], k2[found], known_keys, known_empty)
                if not found.all():
                    pending[i] = (k1[~found], k2[~found])
                    yield i, offset, rows[~found].tolist()

        for task, res in self.map_tasks(edited_fingerprints, to_compute(), ctx):
            r = res.column("row").to_numpy()
            new_keys = np.array(exact_key_matrix(res.column("exact_key")))
            new_empty = res.column("empty").to_numpy(zero_copy_only=False)
            key_matrix[r], empty[r] = new_keys, new_empty
            edits.record(*pending.pop(task[0]), new_keys, new_empty)
        return (*first_of_key(key_matrix, np.arange(len(key_matrix))), np.flatnonzero(empty))

    def near_pairs(self, stage_path: str, sizes: list[int], drop: np.ndarray, options: BuildOptions,
                   ctx: PublishedContext) -> tuple[np.ndarray, np.ndarray]:
        """The verified near-duplicate pairs ``(u, v)`` among the rows not in ``drop`` (ascending):
        LSH candidates from the staged MinHash signatures' band hashes (their runs of equal hashes,
        :func:`.dedup.band_runs`, sorted by :meth:`begin`'s thread or, when it did not start, here;
        ``drop`` then left out), each verified on the shingles of the two published texts
        (:func:`verifier`)."""
        n = sum(sizes)
        if self._runs is not None:
            runs, self._runs = self._runs.result(), None
        else:  # not begun beside the groupings (too large, or no begin): here, now
            runs = _runs_of_bands(stage_path, sizes, choose_bands(options.near_dup_candidate_threshold,
                                                                  options.num_perm)[0])
        codes = run_codes(runs, ~marked(drop, n), n)
        del runs
        return verified_pairs(codes, n, verifier(stage_path, sizes, ctx, self.map_tasks, self.pairs),
                              options.near_dup_threshold)


    def near_clusters(self, stage_path: str, sizes: list[int], drop: np.ndarray, options: BuildOptions,
                      ctx: PublishedContext) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The verified pairs of :meth:`near_pairs` (among the rows not in ``drop``) joined into clusters here
        (:func:`.dedup.cluster_labels`): the rows in a pair, ascending, each one's cluster's
        smallest row (its representative) and the cluster's size."""
        return cluster_labels(*self.near_pairs(stage_path, sizes, drop, options, ctx))


def _runs_of_bands(stage_path: str, sizes: list[int], bands: int) -> list:
    """:func:`.dedup.band_runs` of the stage's band hashes (:func:`_band_matrix`)."""
    return band_runs(*_band_matrix(stage_path, sizes, bands))


def marked(rows: np.ndarray, n: int) -> np.ndarray:
    """A mask of ``n`` rows, True at ``rows`` (row numbers from 0): what a task, or this process's own
    grouping (:class:`Here`), makes of a row set (pass 2 hands row sets, round 33)."""
    mask = np.zeros(n, bool)
    mask[rows] = True
    return mask


def _keys(stage_path: str) -> np.ndarray:
    """(n, 2) uint64 view of the staged exact keys."""
    return exact_key_matrix(pa.chunked_array([b.column(0) for b in read_batches(stage_path, ["_exact_key"])],
                                             pa.binary()))


def map_here(fn, tasks, *common):
    """``(task, fn(task, *common))`` for each task, in order, in this process (an engine's ``map``
    without its workers)."""
    for task in tasks:
        yield task, fn(task, *common)


#: the rows of the stage each task of pass 2's scans reads (:func:`scan_ranges`: the line counts,
#: the rows that lose a line), a few stage batches: fewer, larger tasks
BAND_CHUNK_ROWS = 8192


def scan_ranges(sizes: list[int]) -> list[tuple[int, int, int, int]]:
    """(first batch, end batch, first row, rows) of runs of consecutive stage batches (``sizes``:
    each batch's rows), each of at least ``BAND_CHUNK_ROWS`` rows but the last: the tasks of
    pass 2's scans of the whole stage (the line counts, the rows that lose a line), run by the
    engine's workers side by side while the build's process merges."""
    out, first, first_row, held, row = [], 0, 0, 0, 0
    for i, m in enumerate(sizes):
        held, row = held + m, row + m
        if held >= BAND_CHUNK_ROWS:
            out.append((first, i + 1, first_row, held))
            first, first_row, held = i + 1, row, 0
    if first < len(sizes):
        out.append((first, len(sizes), first_row, held))
    return out


def _band_matrix(stage_path: str, sizes: list[int], bands: int) -> tuple[np.ndarray, np.ndarray]:
    """(n, bands) LSH band hashes of the stage's rows, and which rows have them: its ``_bands``
    column (pass 1 hashed them: :func:`.dedup.band_column`), read batch by batch in this thread
    (reading 8 bytes a band and row costs less than handing them over from another process)."""
    n = sum(sizes)
    band_hash = np.zeros((n, bands), np.uint64)
    present = np.zeros(n, bool)
    at = 0
    for batch in read_batches(stage_path, ["_bands"]):
        m = batch.num_rows
        band_hash[at:at + m], present[at:at + m] = band_matrix(batch.column(0), bands)
        at += m
    return band_hash, present


def _masked_ranges(sizes: list[int], mask: np.ndarray):
    """(first batch, end batch, first row, ``mask``'s slice of its rows) of each :func:`scan_ranges` range."""
    return ((first, end, offset, mask[offset:offset + m]) for first, end, offset, m in scan_ranges(sizes))


def line_counts_task(task: tuple[int, int, int, np.ndarray], stage_path: str) -> tuple[np.ndarray, np.ndarray]:
    """(distinct line hashes, the documents holding each) of one :func:`scan_ranges` range of the
    stage's ``_line_hashes`` (its rows whose ``exclude``, the task's last part, is True not counted)."""
    first, end, _, exclude = task
    reader = shared_reader(stage_path, ("_line_hashes",))
    values, counts, at = [], [], 0
    for i in range(first, end):  # a batch at a time: a column read keeps its batch's whole read buffer
        column = reader.get_batch(i).column("_line_hashes")
        u, c = doc_counts(column, exclude[at:at + len(column)])
        at += len(column)
        if len(u):
            values.append(u)
            counts.append(c)
    give_back()  # what the task read and made (a worker idle after pass 2 would keep it)
    return sum_counts(values, counts) if values else (np.empty(0, np.uint64), np.empty(0, np.int64))


def line_counts(stage_path: str, sizes: list[int], exclude: np.ndarray, map_tasks=None, scans: ScanCache | None = None):
    """:func:`line_counts_task` of each range of the stage, in order (by ``map_tasks``: by default
    here); with ``scans``, a range the last build counted with the same content and ``exclude``
    taken from it (:class:`.scans.ScanCache`)."""
    yield from _range_results(line_counts_task, stage_path, stage_path, sizes, exclude, map_tasks, scans,
                              "counts", counts_batch, counts_of)


def _range_results(fn, ctx, stage_path: str, sizes: list[int], mask: np.ndarray, map_tasks, scans: ScanCache | None,
                   kind: str, to_batch, from_batch, extra: bytes = b""):
    """``fn(task, ctx)`` of each :func:`scan_ranges` range (``mask``'s slice of its rows the task's
    last part), in order, by ``map_tasks`` (by default here); with ``scans``, a range the last build
    scanned (``kind``) with the same content, mask and ``extra`` taken from it (:meth:`.scans.ScanCache.through`)."""
    map_tasks = map_tasks or map_here
    if scans is None:
        return (result for _, result in map_tasks(fn, _masked_ranges(sizes, mask), ctx))
    ranges = list(_masked_ranges(sizes, mask))
    return scans.through(kind, stage_path, scans.keys(kind, stage_path, ranges, extra), ranges,
                         lambda todo: map_tasks(fn, todo, ctx), to_batch, from_batch)


def lost_lines(line_hashes: pa.Array, wanted: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows of one stage batch (its ``_line_hashes`` column) that hold a line of ``wanted``
    (the repeated lines' hashes), among those of ``keep`` (the batch's slice of the mask), sorted;
    and the repeated lines they hold: each line's hash and the index of its row in the first array."""
    flat = line_hashes.flatten().to_numpy(zero_copy_only=False)
    hit = np.isin(flat, wanted)
    if not hit.any():
        return np.empty(0, np.int64), np.empty(0, np.uint64), np.empty(0, np.int64)
    parents = pc.list_parent_indices(line_hashes).to_numpy(zero_copy_only=False)[hit]
    rows = np.unique(parents)
    rows = rows[keep[rows]]
    if not len(rows):
        return rows, np.empty(0, np.uint64), np.empty(0, np.int64)
    at = np.minimum(np.searchsorted(rows, parents), len(rows) - 1)
    of_kept = rows[at] == parents
    return rows, flat[hit][of_kept], at[of_kept]


def edited_rows(batch: pa.RecordBatch, wanted: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows of one stage batch (its ``_line_hashes`` and ``_doc_digest`` columns) that lose
    a repeated line (``wanted``, sorted hashes) among those of ``keep`` (the batch's slice of the
    mask), and their :func:`.published.edit_ids`: what :class:`.published.EditCache` knows them by."""
    rows, values, at = lost_lines(batch.column("_line_hashes"), wanted, keep)
    if not len(rows):
        return rows, np.empty(0, np.uint64), np.empty(0, np.uint64)
    return (rows, *edit_ids(batch.column("_doc_digest").take(pa.array(rows)).to_pylist(), values, at))


def _edited_tasks(stage_path: str, sizes: list[int], repeated: tuple[int, ...], keep: np.ndarray, map_tasks=None,
                  scans: ScanCache | None = None):
    """(batch index, its first row, rows within it that lose a repeated line, and their
    :func:`.published.edit_ids`) per batch that has any (:func:`edited_task` per range of
    batches, by ``map_tasks``: by default here; with ``scans``, a range the last build scanned with
    the same content, ``keep`` and repeated lines taken from it)."""
    if not repeated:
        return
    ctx = PublishedContext(stage_path, tuple(repeated))
    for found in _range_results(edited_task, ctx, stage_path, sizes, keep, map_tasks, scans, "edited",
                                edited_batch, partial(edited_of, sizes=sizes), _wanted(ctx.repeated).tobytes()):
        yield from found


@lru_cache(maxsize=4)
def _wanted(repeated: tuple[int, ...]) -> np.ndarray:
    return np.fromiter(repeated, np.uint64, len(repeated))


def edited_task(task: tuple[int, int, int, np.ndarray], ctx: PublishedContext) -> list[tuple]:
    """:func:`_edited_tasks`' tuples of the batches of one :func:`scan_ranges` range (``keep``,
    the task's last part: the mask of its rows)."""
    first, end, offset, keep = task
    wanted = _wanted(ctx.repeated)
    reader = shared_reader(ctx.stage_path, ("_line_hashes", "_doc_digest"))
    out, at = [], 0
    for i in range(first, end):
        b = reader.get_batch(i)
        rows, k1, k2 = edited_rows(b, wanted, keep[at:at + b.num_rows])
        if len(rows):
            out.append((i, offset + at, rows, k1, k2))
        at += b.num_rows
    give_back()  # what the task read and made (a worker idle after pass 2 would keep it)
    return out


def first_of_id(ids, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(dup, first)``: the rows whose id (``ids``, a string array) a row with a smaller number
    carries too, ascending, and that row, the first of their id. ``rows``: each id's row number,
    in any order (a partition of the corpus's ids gives the copies among its ids)."""
    rows = np.asarray(rows, np.int64)
    if not len(rows):
        return rows, rows
    table = pa.table({"id": ids, "row": rows})
    order = pc.sort_indices(table, sort_keys=[("id", "ascending"), ("row", "ascending")])
    ids_sorted = table.column("id").take(order)
    rs = rows[order.to_numpy()]
    same = pc.equal(ids_sorted.slice(1), ids_sorted.slice(0, len(rs) - 1)).to_numpy(zero_copy_only=False)
    starts = np.concatenate([[True], ~same])
    first = rs[np.flatnonzero(starts)][np.cumsum(starts) - 1]
    dup, first = rs[~starts], first[~starts]
    order = np.argsort(dup, kind="stable")
    return dup[order], first[order]


def column_at(stage_path: str, sizes: list[int], column: str, rows: np.ndarray) -> pa.Array:
    """The values of the stage's ``column`` at ``rows`` (any order, repeats allowed), reading
    only the batches that hold them (``sizes``: the stage's batches' rows)."""
    rows = np.asarray(rows, np.int64)
    starts = np.cumsum([0, *sizes])
    with StageReader(stage_path, [column]) as reader:
        kind = reader.schema.field(column).type
        if not len(rows):
            return pa.array([], kind)
        wanted = np.unique(rows)
        parts = [reader.get_batch(i).column(column).take(pa.array(wanted[at] - starts[i]))
                 for i, at in by_batch(starts, wanted)]
    return pa.concat_arrays(parts).take(pa.array(np.searchsorted(wanted, rows)))


def verifier(stage_path: str, sizes: list[int], ctx: PublishedContext, map_tasks, pairs: PairCache | None = None):
    """``verify(u, v)``: the similarity of the published texts of rows ``u`` and ``v``
    (:func:`.fingerprint.shingle_similarity` of their shingle sets), the shingles computed by
    ``map_tasks``, once per row, for the rows of one block of candidate pairs. ``pairs``: the
    similarities the last build found for the same two published texts (:class:`.pairs.PairCache`),
    taken instead of computing them; it records this block's."""
    starts = np.cumsum([0, *sizes])

    def verify(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        similarity = np.empty(len(u), np.float64)
        known = np.zeros(len(u), bool)
        if pairs is not None and len(u):
            rows = np.unique(np.concatenate([u, v]))
            ident = identities(stage_path, starts, rows, ctx.repeated)
            iu, iv = ident[np.searchsorted(rows, u)], ident[np.searchsorted(rows, v)]
            known, taken = pairs.lookup(iu, iv)
            similarity[known] = taken
        cu, cv = u[~known], v[~known]
        need = np.unique(np.concatenate([cu, cv]))
        tasks = [(i, int(starts[i]), (need[at] - starts[i]).tolist()) for i, at in by_batch(starts, need)]
        shingles: dict[int, np.ndarray] = {}
        for _, (rows_done, sets) in map_tasks(shingle_task, tasks, ctx):
            shingles.update(zip(rows_done, sets))
        similarity[~known] = [shingle_similarity(shingles[a], shingles[b]) for a, b in zip(cu.tolist(), cv.tolist())]
        if pairs is not None and len(u):
            pairs.record(iu, iv, similarity)
        return similarity

    return verify
