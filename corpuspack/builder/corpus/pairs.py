"""The similarities of verified near-duplicate candidate pairs of the last build, reused.

Each candidate pair is verified on the shingles of the two published texts
(:func:`.duplicates.verifier`), which means reading both texts and shingling them. A pair whose
two published texts are those of a pair the last build verified has the same similarity, so it
is taken, not computed again. A published text is known by :func:`.published.edit_ids` of its
row: the staged ``_doc_digest`` (the document columns, the text among them) and the multiset of
its lines that are repeated across the corpus (which the published text loses). The file is kept
beside the published keys (same options, same code: the options fingerprint names both).
"""
from __future__ import annotations

import os

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..document.fingerprint import _mix64 as _mix
from .published import edit_ids, first_of_each, write_cache
from .stage import by_batch, open_reader, shared_reader

PAIR_SCHEMA = pa.schema([("h", pa.uint64()), ("a1", pa.uint64()), ("a2", pa.uint64()), ("b1", pa.uint64()),
                         ("b2", pa.uint64()), ("similarity", pa.float64())])


def identities(stage_path: str, starts: np.ndarray, rows: np.ndarray, repeated: tuple[int, ...]) -> np.ndarray:
    """(len(rows), 2) :func:`.published.edit_ids` of stage rows ``rows`` (sorted, unique;
    ``starts``: each record batch's first row): their columns taken batch by batch (in the rows'
    order: :func:`.stage.by_batch`), the ids made for all of them at once (per batch, the ids'
    numpy calls cost ~3x the work)."""
    wanted = np.fromiter(repeated, np.uint64, len(repeated))
    reader = shared_reader(stage_path, ("_doc_digest", "_line_hashes"))
    digests, lines = [], []
    for i, at in by_batch(starts, rows):
        take = pa.array(rows[at] - starts[i], pa.int64())
        batch = reader.get_batch(i)
        digests.append(batch.column("_doc_digest").take(take))
        lines.append(batch.column("_line_hashes").take(take))
    if not digests:
        return np.empty((0, 2), np.uint64)
    lines = pa.chunked_array(lines).combine_chunks()
    flat = lines.flatten().to_numpy(zero_copy_only=False)
    parents = pc.list_parent_indices(lines).to_numpy(zero_copy_only=False)
    hit = np.isin(flat, wanted)
    return np.column_stack(edit_ids(pa.chunked_array(digests).to_pylist(), flat[hit], parents[hit]))


def _pair_keys(iu: np.ndarray, iv: np.ndarray) -> tuple[np.ndarray, ...]:
    """(h, a1, a2, b1, b2): the two identities in a fixed order (the smaller first) and a hash."""
    swap = (iu[:, 0] > iv[:, 0]) | ((iu[:, 0] == iv[:, 0]) & (iu[:, 1] > iv[:, 1]))
    a = np.where(swap[:, None], iv, iu)
    b = np.where(swap[:, None], iu, iv)
    with np.errstate(over="ignore"):
        h = _mix(a[:, 0] ^ _mix(a[:, 1] ^ _mix(b[:, 0] ^ _mix(b[:, 1]))))
    return h, a[:, 0], a[:, 1], b[:, 0], b[:, 1]


class PairCache:
    """Similarities of verified pairs by the identities of their two published texts:
    :meth:`lookup` the last build's, :meth:`record` this build's, :meth:`write` them for the next."""

    def __init__(self, path: str | None = None):
        self.path = path
        self._cols: list[np.ndarray] | None = None  # the last build's, read from path when first asked for
        self._sim = np.empty(0, np.float64)
        self._new: list[tuple[np.ndarray, ...]] = []
        self._written: str | None = None  # this build's pairs already written there (by an engine's task)

    @property
    def loaded(self) -> bool:
        """Whether the last build's pairs have been read here (an engine's tasks may read :attr:`path`)."""
        return self._cols is not None

    def _load(self) -> None:
        if self._cols is not None:
            return
        self._cols = [np.empty(0, np.uint64)] * 5
        if self.path and os.path.isfile(self.path):
            with pa.OSFile(self.path) as f:
                reader = open_reader(f)
                if reader.schema.equals(PAIR_SCHEMA):
                    t = reader.read_all()
                    self._cols = [t.column(c).to_numpy() for c in ("h", "a1", "a2", "b1", "b2")]
                    self._sim = t.column("similarity").to_numpy()

    def lookup(self, iu: np.ndarray, iv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(found, similarities of the found pairs, in order) for the pairs of texts ``iu``, ``iv``."""
        self._load()
        keys = _pair_keys(iu, iv)
        if not len(self._sim):
            return np.zeros(len(iu), bool), np.empty(0, np.float64)
        at = np.minimum(np.searchsorted(self._cols[0], keys[0]), len(self._sim) - 1)
        found = np.ones(len(iu), bool)
        for mine, theirs in zip(self._cols, keys):
            found &= mine[at] == theirs
        return found, self._sim[at[found]]

    def record(self, iu: np.ndarray, iv: np.ndarray, similarity: np.ndarray) -> None:
        self._new.append((*_pair_keys(iu, iv), np.asarray(similarity, np.float64)))

    def known(self) -> "PairCache":
        """The last build's pairs without this build's records: what a task looking pairs up is
        sent (its :meth:`recorded` come back to be :meth:`add` -ed here)."""
        self._load()
        out = PairCache()
        out._cols, out._sim = self._cols, self._sim
        return out

    def recorded(self) -> list[tuple[np.ndarray, ...]]:
        return self._new

    def add(self, recorded: list[tuple[np.ndarray, ...]]) -> None:
        """Records another :class:`PairCache` (a task's, from :meth:`known`) made."""
        self._new.extend(recorded)

    def written(self, path: str) -> None:
        """This build's pairs were written to ``path`` (by :func:`write_pairs`, in an engine's task,
        from the pairs its tasks recorded): :meth:`write` puts that file in place."""
        self._written = path

    def write(self, path: str) -> None:
        """This build's pairs, sorted by hash (one row per pair of texts), to ``path``."""
        if self._written is not None:
            os.replace(self._written, path)
        else:
            write_pairs(self._new, path)


def _columns(recorded: list[tuple[np.ndarray, ...]]) -> list[np.ndarray]:
    """The six columns of recorded pairs (:meth:`PairCache.recorded`), concatenated in order."""
    none = tuple([np.empty(0, np.uint64)] * 5) + (np.empty(0, np.float64),)
    return [np.concatenate([p[i] for p in recorded or [none]]) for i in range(6)]


def pair_table(recorded: list[tuple[np.ndarray, ...]]) -> pa.Table:
    """Recorded pairs (:meth:`PairCache.recorded`) as one table of :data:`PAIR_SCHEMA`, in order."""
    return pa.table([pa.array(c) for c in _columns(recorded)], schema=PAIR_SCHEMA)


def pair_rows(table: pa.Table) -> tuple[np.ndarray, ...]:
    """A :func:`pair_table`'s rows as what :meth:`PairCache.record` keeps (its columns)."""
    return tuple(table.column(c).to_numpy() for c in PAIR_SCHEMA.names)


def write_pairs(parts: list[tuple[np.ndarray, ...]], path: str) -> None:
    """The pairs recorded (``parts``, in order), sorted by hash (one row per pair of texts, its
    first), to ``path`` (the pairs cache the next build reads)."""
    cols = _columns(parts)
    first = first_of_each(np.stack(cols[:5], axis=1))
    write_cache(pa.table([pa.array(c[first]) for c in cols], schema=PAIR_SCHEMA), path)
