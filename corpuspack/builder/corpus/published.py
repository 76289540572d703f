"""The text a staged row is published with, and what duplicate decisions read of it.

Pass 3 removes the lines repeated across the corpus from a row's text; duplicates must be
decided on that text, not on the staged one (a story republished with another site's header
and footer lines is the original's text once those lines are gone). For the rows that lose a
line -- and only for them: the others are published as staged, and their staged fingerprints
stand -- :func:`edited_fingerprints` computes the exact key of the published text, in the
workers, during pass 2; :func:`shingle_task` gives the shingle sets of the published texts of
the rows in near-duplicate candidate pairs, on which each pair is verified. (Candidates come
from the staged MinHash signatures: the lines removed are short furniture, which lowers a
copy's estimated similarity a little, and the candidate threshold sits below the decision.) :func:`published_text` is the one
definition of that text, used here and by pass 3 (:mod:`.finish`).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa

from ..document.clean import clean_lines
from ..document.fingerprint import _mix64 as _mix, exact_key, verify_shingles
from .repeated_lines import LineRemoval, remove_repeated_lines
from .stage import open_reader, shared_reader


def published_text(text: str, keys: tuple[list[int], list[int]] | None, repeated: frozenset) -> tuple[str, LineRemoval]:
    """``text`` without the lines repeated across the corpus (found by its staged line ``keys``),
    blank runs collapsed again; ``""`` when nothing is left. With what was removed."""
    removal = remove_repeated_lines(text, repeated, keys=keys)
    if not removal.removed_count:
        return text, removal
    out = clean_lines(removal.text, frozenset()).text
    return (out if out.strip() else ""), removal


@dataclass(frozen=True)
class PublishedContext:
    """What every task of pass 2 over the published texts shares (small and picklable)."""
    stage_path: str
    repeated: tuple[int, ...]


@lru_cache(maxsize=4)
def _repeated(hashes: tuple[int, ...]) -> frozenset:
    return frozenset(hashes)


def _texts(ctx: PublishedContext, index: int, rows: list[int]) -> list[str]:
    """Published texts of rows ``rows`` (indexes within record batch ``index`` of the stage)."""
    batch = shared_reader(ctx.stage_path, ("text", "_line_index", "_line_hashes")).get_batch(index)
    idx = pa.array(rows, pa.int64())
    text, index, hashes = (batch.column(c).take(idx).to_pylist() for c in ("text", "_line_index", "_line_hashes"))
    repeated = _repeated(ctx.repeated)
    return [published_text(t, (li, lh), repeated)[0] for t, li, lh in zip(text, index, hashes)]


EDITED_SCHEMA = pa.schema([("row", pa.int64()), ("exact_key", pa.binary(16)), ("empty", pa.bool_())])


def edited_fingerprints(task: tuple[int, int, list[int]], ctx: PublishedContext) -> pa.RecordBatch:
    """For rows ``rows`` of record batch ``index`` (its first row is row ``offset`` of the
    stage), the published text's exact key, and whether nothing is left of it."""
    index, offset, rows = task
    texts = _texts(ctx, index, rows)
    empty = [not t for t in texts]
    keys = [exact_key(t) if t else bytes(16) for t in texts]
    return pa.record_batch([pa.array([offset + r for r in rows], pa.int64()), pa.array(keys, pa.binary(16)),
                            pa.array(empty, pa.bool_())], schema=EDITED_SCHEMA)


def shingle_task(task: tuple[int, int, list[int]], ctx: PublishedContext) -> tuple[list[int], list[np.ndarray]]:
    """(stage rows, sorted unique shingle hashes of each row's published text) for rows ``rows``
    of record batch ``index`` (first row: ``offset``)."""
    index, offset, rows = task
    return [offset + r for r in rows], [verify_shingles(t) for t in _texts(ctx, index, rows)]


# --- the published exact keys of the last build, reused for unchanged rows ---------------------

_M1 = np.uint64(0x9E3779B97F4A7C15)
EDIT_CACHE_SCHEMA = pa.schema([("k1", pa.uint64()), ("k2", pa.uint64()), ("key_lo", pa.uint64()),
                               ("key_hi", pa.uint64()), ("empty", pa.bool_())])


def edit_ids(digests: list[str], hit_values: np.ndarray, hit_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two 64-bit halves of an identity of each row's published text: its staged ``_doc_digest``
    (the document columns, the text among them; a 128-bit hex digest) and the multiset of its
    line hashes that are repeated across the corpus (``hit_values``, of row ``hit_rows`` each,
    summed after mixing: the order of the lines does not change which are removed)."""
    n = len(digests)
    with np.errstate(over="ignore"):
        k1 = np.fromiter((int(d[:16], 16) for d in digests), np.uint64, n)
        k2 = np.fromiter((int(d[16:32], 16) for d in digests), np.uint64, n)
        s1, s2 = np.zeros(n, np.uint64), np.zeros(n, np.uint64)
        np.add.at(s1, hit_rows, _mix(hit_values))
        np.add.at(s2, hit_rows, _mix(hit_values ^ _M1))
        return _mix(k1 ^ _mix(s1)), _mix(k2 + s2 * _M1)


class EditCache:
    """Published exact keys (and whether nothing is left) of the rows that lost a repeated line in
    the last build, by :func:`edit_ids`: a row with the same document columns and the same
    repeated lines has the same published text, so its key is taken, not computed again (the
    file is kept per options fingerprint, beside the stage cache: same options, same code).
    ``record`` collects this build's rows for the next build (:meth:`write`)."""

    def __init__(self, path: str | None = None):
        self.path = path
        self._rows: tuple[np.ndarray, ...] | None = None  # (k1, k2, keys, empty), read when first asked for
        self._new: list[tuple[np.ndarray, ...]] = []
        self._written: str | None = None  # this build's rows already written there (by an engine's task)
        from .pairs import PairCache  # (pairs imports this module)
        from .scans import ScanCache

        self.pairs = PairCache(pairs_path(path) if path else None)  # the verified near-duplicate pairs
        self.scans = ScanCache(path) if path else None  # pass 2's scans by range (the local engine's)

    @property
    def loaded(self) -> bool:
        """Whether the last build's rows have been read here (an engine's tasks may read them from :attr:`path`)."""
        return self._rows is not None

    def _last(self) -> tuple[np.ndarray, ...]:
        """The last build's rows (ids ``k1``, ``k2``, exact keys (m, 2), empty), read from :attr:`path` once."""
        if self._rows is None:
            self._rows = _no_rows()
            if self.path and os.path.isfile(self.path):
                with pa.OSFile(self.path) as f:
                    reader = open_reader(f)
                    if reader.schema.equals(EDIT_CACHE_SCHEMA):
                        self._rows = edit_rows(reader.read_all())
        return self._rows

    k1 = property(lambda self: self._last()[0])
    _k2 = property(lambda self: self._last()[1])
    _keys = property(lambda self: self._last()[2])
    _empty = property(lambda self: self._last()[3])

    def lookup(self, k1: np.ndarray, k2: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(found, exact keys (m, 2), empty) of the rows with these ids: ``found`` a mask over
        them, the keys and flags those of the found rows, in order."""
        if not len(self.k1):
            return np.zeros(len(k1), bool), np.empty((0, 2), np.uint64), np.empty(0, bool)
        at = np.minimum(np.searchsorted(self.k1, k1), len(self.k1) - 1)
        found = (self.k1[at] == k1) & (self._k2[at] == k2)
        hit = at[found]
        return found, self._keys[hit], self._empty[hit]

    def record(self, k1: np.ndarray, k2: np.ndarray, keys: np.ndarray, empty: np.ndarray) -> None:
        self._new.append((k1, k2, keys, empty))

    def written(self, path: str) -> None:
        """This build's rows were written to ``path`` (by :func:`write_edits`, in an engine's task,
        from the rows it recorded there): :meth:`write` puts that file in place."""
        self._written = path

    def write(self, path: str) -> None:
        """This build's rows, sorted by ``k1`` (one row per id), to ``path``."""
        if self._written is not None:
            os.replace(self._written, path)
        else:
            write_edits(self._new, path)
        self.pairs.write(pairs_path(path))
        if self.scans is not None:
            self.scans.write(path)


def _no_rows() -> tuple[np.ndarray, ...]:
    """No recorded rows: (ids ``k1``, ``k2``, exact keys (0, 2), empty)."""
    return np.empty(0, np.uint64), np.empty(0, np.uint64), np.empty((0, 2), np.uint64), np.empty(0, bool)


def edit_table(k1: np.ndarray, k2: np.ndarray, keys: np.ndarray, empty: np.ndarray) -> pa.Table:
    """Recorded rows (ids, exact keys (m, 2), empty) as a table of :data:`EDIT_CACHE_SCHEMA`, in order."""
    return pa.table([pa.array(k1, pa.uint64()), pa.array(k2, pa.uint64()), pa.array(keys[:, 0], pa.uint64()),
                     pa.array(keys[:, 1], pa.uint64()), pa.array(empty, pa.bool_())], schema=EDIT_CACHE_SCHEMA)


def edit_rows(table: pa.Table) -> tuple[np.ndarray, ...]:
    """The rows of an :func:`edit_table` as (ids, exact keys (m, 2), empty), what ``record`` takes."""
    keys = np.stack([table.column("key_lo").to_numpy(), table.column("key_hi").to_numpy()], axis=1)
    return (table.column("k1").to_numpy(), table.column("k2").to_numpy(), keys.reshape(-1, 2),
            table.column("empty").to_numpy(zero_copy_only=False))


def write_edits(parts: list[tuple[np.ndarray, ...]], path: str) -> None:
    """The rows recorded (``parts``, in order: ids, exact keys, empty), sorted by ``k1`` (one row per
    id, its first), to ``path`` (the published-key cache the next build reads)."""
    k1, k2, keys, empty = (np.concatenate([p[i] for p in parts or [_no_rows()]]) for i in range(4))
    first = first_of_each(np.stack([k1, k2], axis=1))
    write_cache(edit_table(k1[first], k2[first], keys[first], empty[first]), path)


def first_of_each(ids: np.ndarray) -> np.ndarray:
    """The row number of the first row of each distinct row of ``ids`` (m, k), ordered by their
    first column (stable): the one row per id a cache of recorded rows keeps."""
    _, first = np.unique(ids, axis=0, return_index=True)
    return first[np.argsort(ids[first, 0], kind="stable")]


def write_cache(table: pa.Table, path: str) -> None:
    """``table`` as the Arrow IPC file ``path`` (a cache the next build reads), through a temporary
    file renamed when whole."""
    tmp = path + ".tmp"
    with pa.ipc.new_file(tmp, table.schema) as w:
        w.write_table(table)
    os.replace(tmp, path)


def pairs_path(path: str) -> str:
    """Where the verified pairs (.pairs.PairCache) are kept beside the published keys at ``path``."""
    return os.path.splitext(path)[0] + ".pairs.arrow"
