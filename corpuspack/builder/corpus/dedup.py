"""Corpus-level duplicate passes over Arrow columns (no per-document Python objects).

* :func:`exact_duplicates` -- rows whose ``exact_key`` equals an earlier row's.
* :func:`near_duplicates`  -- MinHash LSH clusters over the ``minhash`` column.

Near-duplicate algorithm (deterministic: results depend only on row order,
never on batch boundaries or worker count):

1. Signatures (``num_perm`` uint32 values per row, from
   :func:`corpuspack.builder.document.fingerprint.fingerprints`) are read batch by batch;
   for each of ``bands`` bands of ``rows`` values a uint64 band hash is kept:
   an ``(n, bands)`` uint64 matrix -- the only per-document index state besides
   the int32 union-find labels (and, when the signatures come as a one-shot
   iterator, a 1-byte-per-permutation verification sketch; see below).
2. Per band, rows are sorted by band hash (``np.argsort``, stable); every run of
   equal hashes yields candidate pairs (each member with the run's first row and
   with its predecessor -- linear in the run length, so a huge bucket cannot
   blow up into quadratic pairs). Pairs are de-duplicated across bands.
3. Each candidate pair is verified by the estimated Jaccard similarity
   (share of equal signature values) read from the signatures themselves:
   from the Arrow column (``take`` on the candidate rows) when the column is an
   Array/ChunkedArray, else from the sketch of the low byte of each value
   (b-bit MinHash, Li & Koenig 2010: P[equal] = J + (1 - J)/256, corrected).
4. Verified pairs are joined with a vectorised union-find (label propagation
   with pointer jumping); each component is labelled with its smallest row
   index, which is the representative.

Memory with the defaults (num_perm=128, threshold 0.8 -> 16 bands x 6 rows,
see :func:`choose_bands`): 16 x 8 B band hashes + 4 B label = 132 B/doc
(+128 B sketch = 260 B/doc for a one-shot iterator). Transient on top: ~60 B/doc
while one band is sorted, and a bounded block of ``_BLOCK_ROWS`` decoded
signatures (independent of corpus size).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .defaults import DEFAULT_CANDIDATE_THRESHOLD, DEFAULT_THRESHOLD  # noqa: F401 - (imported from here too)
MAX_BANDS = 20  # 20 x 8 bytes = 160 bytes of band hashes per document
_PAIR_BLOCK = 65536  # candidate pairs verified per block

_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xBF58476D1CE4E5B9)
_M3 = np.uint64(0x94D049BB133111EB)


# --------------------------------------------------------------------------- exact


def _binary_chunk_keys(arr: pa.Array) -> np.ndarray:
    """(m, 2) uint64 keys of one Arrow chunk of 16-byte values, read from its buffers."""
    m = len(arr)
    if arr.null_count:
        raise ValueError("exact_keys must not contain nulls")
    if pa.types.is_fixed_size_binary(arr.type):
        if arr.type.byte_width != 16:
            raise ValueError("exact keys must be 16 bytes each")
        raw = np.frombuffer(arr.buffers()[1], dtype=np.uint8)[arr.offset * 16 : (arr.offset + m) * 16]
    elif pa.types.is_binary(arr.type) or pa.types.is_large_binary(arr.type):
        off_t = np.int64 if pa.types.is_large_binary(arr.type) else np.int32
        offsets = np.frombuffer(arr.buffers()[1], dtype=off_t)[arr.offset : arr.offset + m + 1]
        if m and np.any(np.diff(offsets) != 16):
            raise ValueError("exact keys must be 16 bytes each")
        raw = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[0] + 16 * m] if m else np.empty(0, np.uint8)
    else:
        raise TypeError(f"exact_keys must be binary, got {arr.type}")
    return raw.view("<u8").reshape(-1, 2)


def exact_key_matrix(exact_keys) -> np.ndarray:
    """(n, 2) uint64 view of 16-byte keys from Arrow or numpy input."""
    if isinstance(exact_keys, pa.ChunkedArray):
        parts = [_binary_chunk_keys(c) for c in exact_keys.chunks]
        return np.concatenate(parts) if parts else np.empty((0, 2), dtype=np.uint64)
    if isinstance(exact_keys, pa.Array):
        return _binary_chunk_keys(exact_keys)
    arr = np.asarray(exact_keys)
    if arr.dtype == np.uint64 and arr.ndim == 2 and arr.shape[1] == 2:
        return arr
    if arr.dtype.kind in "SV":
        width = arr.dtype.itemsize
        raw = np.frombuffer(arr.tobytes(), dtype=np.uint8)
    elif arr.dtype == np.uint8 and arr.ndim == 2:
        width = arr.shape[1]
        raw = np.ascontiguousarray(arr).reshape(-1)
    elif arr.dtype == object:
        raw = np.frombuffer(b"".join(arr.tolist()), dtype=np.uint8)
        width = 16 if len(raw) == 16 * len(arr) else -1
    else:
        raise TypeError(f"unsupported exact_keys dtype {arr.dtype}")
    if width != 16 or raw.size % 16:
        raise ValueError("exact keys must be 16 bytes each")
    return raw.view("<u8").reshape(-1, 2)


def exact_duplicates(exact_keys, ids: pa.Array) -> pa.Array:
    """For each row, the id of the first row (smallest index) with the same
    exact key, or null when the row is the first of its key."""
    k = exact_key_matrix(exact_keys)
    n = len(k)
    if len(ids) != n:
        raise ValueError("exact_keys and ids differ in length")
    if n == 0:
        return pa.array([], type=pa.string())
    return duplicate_ids(ids, *first_of_key(k, np.arange(n)))


def first_of_key(k: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(dup, first)``: the rows whose (m, 2) key ``k`` an earlier row (smaller row number)
    holds too, and that row, the first of their key. ``rows``: each key's row number, in any
    order (a partition of the corpus's keys gives the duplicates among its keys)."""
    rows = np.asarray(rows, np.int64)
    if not len(rows):
        return rows, rows
    order = np.lexsort((rows, k[:, 1], k[:, 0]))  # by key, then row
    ks = k[order]
    rs = rows[order]
    new_group = np.ones(len(rs), dtype=bool)
    new_group[1:] = np.any(ks[1:] != ks[:-1], axis=1)
    starts = np.flatnonzero(new_group)
    first = np.repeat(rs[starts], np.diff(np.append(starts, len(rs))))
    return rs[~new_group], first[~new_group]


def duplicate_ids(ids, dup: np.ndarray, first: np.ndarray) -> pa.Array:
    """The ``exact_duplicates`` column: for rows ``dup``, the id of row ``first``; null elsewhere."""
    ids = _as_array(ids)
    n = len(ids)
    index = np.arange(n)
    index[dup] = first
    mask = np.ones(n, dtype=bool)
    mask[dup] = False
    return ids.take(pa.array(index, mask=mask))


# --------------------------------------------------------------------------- LSH params


def _p_candidate(s: np.ndarray, bands: int, rows: int) -> np.ndarray:
    return 1.0 - (1.0 - s**rows) ** bands


_trapz = getattr(np, "trapezoid", None) or np.trapz


#: LSH must make a pair at exactly ``threshold`` a candidate with this probability
TARGET_RECALL_AT_THRESHOLD = 0.99


@lru_cache(maxsize=64)
def choose_bands(
    threshold: float, num_perm: int, max_bands: int = MAX_BANDS,
    target: float = TARGET_RECALL_AT_THRESHOLD,
) -> tuple[int, int]:
    """(bands, rows), bands*rows <= num_perm, bands <= max_bands.

    Candidates are verified afterwards, so a miss is lost for good while a
    false candidate only costs one comparison: among the settings that make a
    pair of similarity ``threshold`` a candidate with probability >= ``target``,
    take the one with the smallest false-positive area below the threshold
    (fewest candidates); if none reaches ``target``, the one closest to it.
    """
    xs_lo = np.linspace(0.0, threshold, 401)
    best, best_key = (1, num_perm), None
    for b in range(1, min(max_bands, num_perm) + 1):
        for r in range(1, num_perm // b + 1):
            p_t = float(_p_candidate(np.float64(threshold), b, r))
            fp = float(_trapz(_p_candidate(xs_lo, b, r), xs_lo))
            key = (0, fp) if p_t >= target else (1, -p_t)
            if best_key is None or key < best_key:
                best, best_key = (b, r), key
    return best


# --------------------------------------------------------------------------- signatures


_BLOCK_ROWS = 8192  # signatures decoded at a time (bounds the temporaries)


def _iter_batches(minhashes) -> Iterable[pa.Array]:
    for batch in _iter_raw_batches(minhashes):
        if len(batch) <= _BLOCK_ROWS:
            yield batch
        else:
            for s in range(0, len(batch), _BLOCK_ROWS):
                yield batch[s : s + _BLOCK_ROWS]


def _iter_raw_batches(minhashes) -> Iterable[pa.Array]:
    if isinstance(minhashes, pa.ChunkedArray):
        yield from minhashes.chunks
    elif isinstance(minhashes, (pa.Array, np.ndarray)):
        yield minhashes
    else:
        for b in minhashes:
            if isinstance(b, pa.ChunkedArray):
                yield from b.chunks
            elif isinstance(b, (pa.RecordBatch, pa.Table)):
                raise TypeError("pass the minhash column, not a record batch")
            else:
                yield b


def _as_array(a) -> pa.Array:
    if isinstance(a, (pa.Array, pa.ChunkedArray)):
        return a
    return pa.array(a, type=pa.string())


def signature_matrix(batch, num_perm: int | None) -> tuple[np.ndarray, np.ndarray, int | None]:
    """(sig uint32 (m, num_perm), present bool (m,), num_perm) for one batch.
    Rows with an empty signature (no token) are absent; their sig rows are 0."""
    if isinstance(batch, np.ndarray) and batch.dtype == np.uint32 and batch.ndim == 2:
        return batch, np.ones(len(batch), dtype=bool), batch.shape[1]
    if not isinstance(batch, pa.Array):
        batch = pa.array(list(batch), type=pa.binary())
    m = len(batch)
    if pa.types.is_fixed_size_binary(batch.type):
        w = batch.type.byte_width
        raw = np.frombuffer(batch.buffers()[1], dtype=np.uint8)[batch.offset * w : (batch.offset + m) * w]
        present = np.ones(m, dtype=bool)
        if batch.null_count:
            present &= batch.is_valid().to_numpy(zero_copy_only=False)
        np_ = w // 4
        if num_perm is not None and np_ != num_perm:
            raise ValueError("signatures of different lengths")
        return raw.view("<u4").reshape(m, np_), present, np_
    if not (pa.types.is_binary(batch.type) or pa.types.is_large_binary(batch.type)):
        raise TypeError(f"minhash column must be binary, got {batch.type}")
    lengths = pc.fill_null(pc.binary_length(batch), 0).to_numpy(zero_copy_only=False)
    present = lengths > 0
    if num_perm is None and present.any():
        num_perm = int(lengths[present][0]) // 4
    if num_perm is None:
        return np.zeros((m, 0), dtype=np.uint32), present, None
    if np.any(lengths[present] != num_perm * 4):
        raise ValueError("signatures of different lengths")
    sig = np.zeros((m, num_perm), dtype=np.uint32)
    if present.all() and batch.null_count == 0:
        offsets = np.frombuffer(batch.buffers()[1], dtype=np.int64 if pa.types.is_large_binary(batch.type) else np.int32)
        start = offsets[batch.offset]
        data = np.frombuffer(batch.buffers()[2], dtype=np.uint8)[start : start + m * num_perm * 4]
        sig[:] = data.view("<u4").reshape(m, num_perm)
    elif present.any():
        kept = batch.filter(pa.array(present))
        sig[present] = np.frombuffer(b"".join(kept.to_pylist()), dtype="<u4").reshape(-1, num_perm)
    return sig, present, num_perm


def _take_sigs(minhashes, idx: np.ndarray, num_perm: int) -> np.ndarray:
    """Signatures of rows ``idx`` read back from the (random-access) column."""
    if isinstance(minhashes, np.ndarray):
        return minhashes[idx]
    taken = minhashes.take(pa.array(idx))
    if isinstance(taken, pa.ChunkedArray):
        taken = taken.combine_chunks()
    return signature_matrix(taken, num_perm)[0]


def band_hashes(sig: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(m, bands) uint64 band hashes of a (m, num_perm) uint32 signature block."""
    m = len(sig)
    out = np.empty((m, bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for b in range(bands):
            h = np.full(m, np.uint64(b + 1) * _M1, dtype=np.uint64)
            for r in range(rows):
                h = (h ^ sig[:, b * rows + r].astype(np.uint64)) * _M2
                h ^= h >> np.uint64(29)
            h *= _M3
            h ^= h >> np.uint64(32)
            out[:, b] = h
    return out


def band_column(minhashes: pa.Array, bands: int, rows: int) -> pa.Array:
    """The stage's ``_bands`` column of a batch's ``_minhash`` column: each row's :func:`band_hashes`
    as ``bands`` little-endian uint64 (8 x ``bands`` bytes), empty where the row has no signature."""
    sig, present, _ = signature_matrix(minhashes, None)
    m = len(present)
    lengths = np.where(present, 8 * bands, 0) if sig.shape[1] else np.zeros(m, np.int64)
    offsets = np.zeros(m + 1, np.int32)
    np.cumsum(lengths, out=offsets[1:])
    data = band_hashes(sig[present], bands, rows).astype("<u8").tobytes() if offsets[-1] else b""
    return pa.Array.from_buffers(pa.binary(), m, [None, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data)])


def band_matrix(column: pa.Array, bands: int) -> tuple[np.ndarray, np.ndarray]:
    """(m, ``bands``) uint64 band hashes of a ``_bands`` column (:func:`band_column`), 0 where a row
    has none, and which rows have them: its rows decoded as :func:`signature_matrix` decodes the
    signatures' (8 bytes a band: two uint32 values), then read as uint64."""
    try:
        halves, present, _ = signature_matrix(column, 2 * bands)
    except ValueError:  # (rows of another length than 2 * bands uint32 values)
        raise ValueError(f"band hashes of another width than {bands} bands") from None
    return halves.view("<u8"), present


# --------------------------------------------------------------------------- union-find


def _components(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Label of each of n nodes = smallest node index in its connected component."""
    labels = np.arange(n, dtype=np.int32)
    if len(u) == 0:
        return labels
    u = u.astype(np.int64)
    v = v.astype(np.int64)
    while True:
        lu, lv = labels[u], labels[v]
        m = np.minimum(lu, lv)
        before = labels.copy()
        np.minimum.at(labels, lu, m)  # hook roots onto the smaller root
        np.minimum.at(labels, lv, m)
        np.minimum.at(labels, u, m)
        np.minimum.at(labels, v, m)
        while True:  # pointer jumping to full compression
            nxt = labels[labels]
            if np.array_equal(nxt, labels):
                break
            labels = nxt
        if np.array_equal(labels, before):
            return labels


# --------------------------------------------------------------------------- near


@dataclass(frozen=True)
class NearDupStats:
    bands: int
    rows: int
    num_perm: int
    candidates: int
    verified: int
    index_bytes: int  # band hashes + labels (+ sketch) actually held
    bytes_per_doc: float


def _candidate_pairs(band_hash: np.ndarray, active: np.ndarray) -> np.ndarray:
    """Unique candidate pairs (encoded i * n + j, i < j) from equal band hashes."""
    return run_codes(band_runs(band_hash, active), None, len(band_hash))


def band_runs(band_hash: np.ndarray, present: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each band, the rows (of those ``present``) whose band hash another of them shares, in
    (hash, row) order, and whether each begins a run of equal hashes: all :func:`run_codes` needs,
    whichever of these rows it is later told to leave out (a few % of the rows, so the per-band
    sorts can be done before those rows are known: ``duplicates.Here.begin``)."""
    idx_active = np.flatnonzero(present).astype(np.int64)
    runs = []
    for b in range(band_hash.shape[1]):
        col = band_hash[idx_active, b]
        order = np.argsort(col, kind="stable")  # ascending rows within equal hashes
        sc = col[order]
        same = sc[1:] == sc[:-1]
        member = np.zeros(len(sc), bool)
        member[1:] = same
        member[:-1] |= same
        at = np.flatnonzero(member)
        begins = np.ones(len(at), bool)
        begins[1:] = ~same[at[1:] - 1]  # a member continues a run when its predecessor has its hash
        runs.append((idx_active[order[at]], begins))
    return runs


def run_codes(runs: list[tuple[np.ndarray, np.ndarray]], active: np.ndarray | None, n: int) -> np.ndarray:
    """Unique candidate pairs (encoded i * n + j, i < j) of :func:`band_runs`' runs, among the rows
    ``active`` (a mask of ``n`` rows; None: all): each run's rows left out, the rest paired by
    :func:`run_pairs` as if the band had been sorted without them (the same pairs, in the same order)."""
    codes = []
    for rows, begins in runs:
        run_id = np.cumsum(begins)
        if active is not None:
            keep = active[rows]
            rows, run_id = rows[keep], run_id[keep]
        codes.extend(run_pairs(run_id[1:] == run_id[:-1], rows, n))
    if not codes:
        return np.empty(0, dtype=np.int64)
    return np.unique(np.concatenate(codes))


def run_pairs(same: np.ndarray, rows_sorted: np.ndarray, n: int) -> list[np.ndarray]:
    """Candidate pairs (codes ``i * n + j``) of the runs of equal band hashes: ``rows_sorted``
    are the rows sorted by their hash, ascending rows within a run, ``same[k]`` whether row
    ``k + 1`` has the hash of row ``k``. Each member of a run pairs with its predecessor and
    with the run's first row (linear in the run's length)."""
    if not same.any():
        return []
    starts = np.ones(len(rows_sorted), dtype=bool)
    starts[1:] = ~same
    run_id = np.cumsum(starts) - 1
    first_of_run = rows_sorted[np.flatnonzero(starts)][run_id]
    k = np.flatnonzero(same) + 1  # positions that continue a run
    j = rows_sorted[k]
    pred = rows_sorted[k - 1]
    first = first_of_run[k]
    star = first != pred
    return [pred * n + j, first[star] * n + j[star]]


def near_duplicates(
    minhashes,
    ids,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    bands: int | None = None,
    rows: int | None = None,
    drop_mask=None,
    return_stats: bool = False,
):
    """Near-duplicate clusters by MinHash LSH.

    ``minhashes``: the ``minhash`` column -- a ``pa.BinaryArray`` /
    ``FixedSizeBinaryArray`` / ``ChunkedArray`` (signatures of candidate pairs
    are then read back from it), or an iterable of such batches in row order
    (then a 1-byte-per-permutation sketch is kept for verification).
    ``ids``: the ``id`` column (string). ``drop_mask``: bool per row, True for
    rows to leave out (e.g. exact duplicates); they get a null cluster, size 1
    and ``is_representative=False``.

    Returns ``(cluster, cluster_size, is_representative)``: ``cluster`` is the
    id of the cluster's representative (its smallest row index) or null for a
    document without near duplicates; ``cluster_size`` is 1 for those.
    With ``return_stats=True`` a :class:`NearDupStats` is appended.
    """
    random_access = isinstance(minhashes, (pa.Array, pa.ChunkedArray)) or (
        isinstance(minhashes, np.ndarray) and minhashes.ndim == 2)
    ids = _as_array(ids)
    n = len(ids)
    present = np.zeros(n, dtype=bool)
    band_hash = sketch = None
    num_perm: int | None = None
    row = 0
    for batch in _iter_batches(minhashes):
        sig, pres, np_ = signature_matrix(batch, num_perm)
        m = len(pres)
        if row + m > n:
            raise ValueError("minhashes and ids differ in length")
        present[row : row + m] = pres
        if np_ is not None and num_perm is None:
            num_perm = np_
            if bands is None or rows is None:
                b, r = choose_bands(threshold, num_perm)
                bands = bands or b
                rows = rows or r
            if bands * rows > num_perm:
                raise ValueError("bands * rows exceeds num_perm")
            band_hash = np.zeros((n, bands), dtype=np.uint64)  # preallocated: no concat copies
            if not random_access:
                sketch = np.zeros((n, num_perm), dtype=np.uint8)
        if np_ is not None:
            band_hash[row : row + m] = band_hashes(sig, bands, rows)
            if sketch is not None:
                sketch[row : row + m] = sig.astype(np.uint8)  # low byte of each value (b-bit MinHash, b = 8)
        row += m
    if row != n:
        raise ValueError("minhashes and ids differ in length")
    if num_perm is None:  # no signature at all
        out = (pa.nulls(n, pa.string()), pa.array(np.ones(n, dtype=np.int32)),
               np.ones(n, dtype=bool) if drop_mask is None else ~np.asarray(drop_mask, dtype=bool))
        if return_stats:
            return (*out, NearDupStats(0, 0, 0, 0, 0, 0, 0.0))
        return out
    active = present.copy()
    if drop_mask is not None:
        drop = np.asarray(drop_mask, dtype=bool)
        if len(drop) != n:
            raise ValueError("drop_mask and ids differ in length")
        active &= ~drop
    else:
        drop = np.zeros(n, dtype=bool)

    index_bytes = band_hash.nbytes + n * 4 + (sketch.nbytes if sketch is not None else 0)

    def verify(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        if sketch is not None:
            eq = (sketch[u] == sketch[v]).mean(axis=1)
            return (eq - 1 / 256) / (1 - 1 / 256)
        return (_take_sigs(minhashes, u, num_perm) == _take_sigs(minhashes, v, num_perm)).mean(axis=1)

    return clusters(band_hash, active, ids, verify, threshold, drop, return_stats=return_stats,
                    stats=(bands, rows, num_perm, index_bytes))


def clusters(band_hash: np.ndarray, active: np.ndarray, ids, verify, threshold: float, drop: np.ndarray,
             *, return_stats: bool = False, stats: tuple = (0, 0, 0, 0)):
    """Near-duplicate clusters from an ``(n, bands)`` matrix of LSH band hashes: rows with an
    equal band hash are candidates (``active`` rows only), a candidate pair ``(u, v)`` is kept when
    ``verify(u, v)`` (a similarity per pair, given arrays of row indexes) is at least
    ``threshold``, and the kept pairs are joined into components, each labelled with its
    smallest row (the representative). Returns ``(cluster, cluster_size, is_representative)``
    as :func:`near_duplicates` does."""
    ids = _as_array(ids)
    n = len(ids)
    codes = _candidate_pairs(band_hash, active)
    u, v = verified_pairs(codes, n, verify, threshold)
    out = components(u, v, ids, drop)
    if return_stats:
        bands, rows, num_perm, index_bytes = stats
        return (*out, NearDupStats(bands, rows, num_perm, int(len(codes)), int(len(u)),
                                   int(index_bytes), index_bytes / max(n, 1)))
    return out


def verified_pairs(codes: np.ndarray, n: int, verify, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """The candidate pairs (codes ``i * n + j``) whose similarity ``verify(u, v)`` is at least
    ``threshold``, as two arrays of rows, verified in blocks of ``_PAIR_BLOCK`` pairs."""
    u_all = codes // n
    v_all = codes % n
    keep_u, keep_v = [], []
    for s in range(0, len(u_all), _PAIR_BLOCK):
        u = u_all[s : s + _PAIR_BLOCK]
        v = v_all[s : s + _PAIR_BLOCK]
        ok = np.asarray(verify(u, v)) >= threshold
        keep_u.append(u[ok])
        keep_v.append(v[ok])
    u = np.concatenate(keep_u) if keep_u else np.empty(0, dtype=np.int64)
    v = np.concatenate(keep_v) if keep_v else np.empty(0, dtype=np.int64)
    return u, v


def cluster_labels(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The connected components of the verified pairs ``(u, v)``, over the rows in a pair only
    (every other row is a cluster of one): those rows (ascending), each one's label (its
    component's smallest row, the representative) and its component's size (int32)."""
    rows = np.unique(np.concatenate([u, v])).astype(np.int64)
    if not len(rows):
        return rows, rows, np.empty(0, np.int32)
    at = _components(len(rows), np.searchsorted(rows, u), np.searchsorted(rows, v))  # rows sorted: smallest index = smallest row
    return rows, rows[at], np.bincount(at, minlength=len(rows)).astype(np.int32)[at]


def components(u: np.ndarray, v: np.ndarray, ids, drop: np.ndarray) -> tuple[pa.Array, pa.Array, np.ndarray]:
    """``(cluster, cluster_size, is_representative)`` of the connected components of the
    verified pairs ``(u, v)``, each labelled with its smallest row (the representative)."""
    ids = _as_array(ids)
    n = len(ids)
    labels = _components(n, u, v)
    sizes = np.bincount(labels, minlength=n).astype(np.int32)[labels]
    in_cluster = sizes > 1
    cluster = ids.take(pa.array(labels.astype(np.int64), mask=~in_cluster))
    is_rep = (labels == np.arange(n)) & ~drop
    return cluster, pa.array(sizes, type=pa.int32()), is_rep
