"""Corpus-level boilerplate: lines that recur across many documents.

Two steps, matching the engine design:

1. Corpus pass -- :func:`find_repeated_lines` counts, with numpy, in how many
   documents each line hash occurs (``line_hashes`` from
   :func:`corpuspack.builder.document.fingerprint.fingerprints`: xxh3-64 of each
   normalised non-empty line of at most ``MAX_LINE_CHARS`` characters; a line
   repeated inside one document counts once). Lines whose document frequency is
   at least ``max(min_docs, ceil(min_fraction * num_docs))`` are boilerplate.
2. Per document -- :func:`remove_repeated_lines` (pure) drops those lines and
   returns what it removed; :class:`RemovalStats` sums the removals for the
   build report (count per pattern plus one example text per pattern).

Defaults are conservative (``MIN_DOCS = 10``, ``MIN_FRACTION = 0.001``):
page furniture ("back to top", share prompts, "related articles") recurs on
every page of a site, i.e. in hundreds or thousands of documents, while a
short content line (a sub-heading, a quoted slogan, a credit) shared by a few
articles is content. Ten documents is well above what chance gives for lines
of real prose; 0.1 % scales the bar with the corpus (100 documents in 100,000),
so a story's own lines repeated across its wire copies are not taken for
furniture -- and those copies should be counted once anyway: pass
``exclude_mask`` (exact duplicates, non-representative near duplicates) so each
story counts once. Lines longer than ``MAX_LINE_CHARS`` (200) are never hashed
and never removed: they are content even when repeated wire text (duplicated
documents are dedup's job). On the five seed files nothing is removed.
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from corpuspack.builder.document.fingerprint import MAX_LINE_CHARS, line_keys_and_layout

from .defaults import MIN_DOCS, MIN_FRACTION  # noqa: F401 - (imported from here too)


@dataclass(frozen=True)
class RepeatedLines:
    """The boilerplate line hashes and their document frequencies."""

    hashes: frozenset[int]
    doc_freq: dict[int, int]
    threshold: int
    num_docs: int

    def __contains__(self, h: int) -> bool:
        return h in self.hashes

    def __len__(self) -> int:
        return len(self.hashes)


def _batch_values(batch) -> tuple[np.ndarray, np.ndarray, int]:
    """(hash values uint64, row index within batch, number of rows)."""
    if isinstance(batch, pa.Array):
        if not (pa.types.is_list(batch.type) or pa.types.is_large_list(batch.type)):
            raise TypeError(f"line_hashes must be a list column, got {batch.type}")
        flat = batch.flatten()
        values = flat.cast(pa.uint64()).to_numpy(zero_copy_only=False) if len(flat) else np.empty(0, np.uint64)
        parents = pc.list_parent_indices(batch).to_numpy(zero_copy_only=False) if len(flat) else np.empty(0, np.int64)
        return values.astype(np.uint64, copy=False), parents.astype(np.int64, copy=False), len(batch)
    rows = list(batch)
    lens = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    values = np.fromiter((h for r in rows for h in r), dtype=np.uint64, count=int(lens.sum()))
    parents = np.repeat(np.arange(len(rows), dtype=np.int64), lens)
    return values, parents, len(rows)


_BLOCK_ROWS = 65536


def _blocks(batches):
    """Arrow chunks (of a ChunkedArray, or as given) cut to bounded blocks."""
    if isinstance(batches, (pa.Array, pa.ChunkedArray)):
        batches = [batches]
    for b in batches:
        chunks = b.chunks if isinstance(b, pa.ChunkedArray) else [b]
        for c in chunks:
            if isinstance(c, pa.Array) and len(c) > _BLOCK_ROWS:
                for s in range(0, len(c), _BLOCK_ROWS):
                    yield c.slice(s, _BLOCK_ROWS)
            else:
                yield c


def doc_counts(batch, exclude: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(line hashes, number of documents holding each) of one batch of the ``line_hashes`` column;
    rows whose ``exclude`` is True are not counted, a line repeated inside a document counts once."""
    values, parents, _ = _batch_values(batch)
    if exclude is not None and len(values):
        keep = ~exclude[parents]
        values, parents = values[keep], parents[keep]
    if not len(values):
        return np.empty(0, np.uint64), np.empty(0, np.int64)
    # one stable sort by hash: the rows come in order, so within a hash's run they stay ascending and
    # a document's repeats of a line sit side by side (a lexsort by row then hash, then np.unique,
    # sorted three times: 0.16 s against ~0.07 for the 101,000 rows of a next version's pass 2)
    order = np.argsort(values, kind="stable")
    v, p = values[order], parents[order]
    new_hash = np.empty(len(v), dtype=bool)
    new_hash[0] = True
    np.not_equal(v[1:], v[:-1], out=new_hash[1:])
    new_pair = new_hash.copy()
    new_pair[1:] |= p[1:] != p[:-1]
    starts = np.flatnonzero(new_hash)
    pairs = np.cumsum(new_pair)  # distinct (hash, row) pairs up to each place
    ends = np.append(starts[1:], len(v)) - 1
    return v[starts], np.diff(pairs[ends], prepend=0).astype(np.int64)


def sum_counts(values: list[np.ndarray], counts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(distinct line hashes, sorted; their summed document counts) of runs of (hash, count) pairs.
    Each run is usually sorted already (:func:`doc_counts`, the running totals): a stable sort (timsort,
    which merges sorted runs) costs a third of ``np.unique``'s."""
    v, c = np.concatenate(values), np.concatenate(counts).astype(np.int64, copy=False)
    if not len(v):
        return v, c
    order = np.argsort(v, kind="stable")
    v, c = v[order], c[order]
    first = np.empty(len(v), dtype=bool)
    first[0] = True
    np.not_equal(v[1:], v[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    return v[starts], np.add.reduceat(c, starts)


def doc_threshold(num_docs: int, min_docs: int = MIN_DOCS, min_fraction: float = MIN_FRACTION) -> int:
    """How many documents must hold a line for it to be boilerplate."""
    return max(int(min_docs), int(math.ceil(min_fraction * num_docs)))


def find_repeated_lines(
    line_hashes_batches: Iterable,
    num_docs: int | None = None,
    *,
    min_docs: int = MIN_DOCS,
    min_fraction: float = MIN_FRACTION,
    exclude_mask=None,
) -> RepeatedLines:
    """Line hashes with document frequency >= max(min_docs, ceil(min_fraction * num_docs)).

    ``line_hashes_batches``: the ``line_hashes`` column, as one
    ``pa.ListArray``/``ChunkedArray`` or an iterable of them (or of lists of
    lists of ints), in row order. ``num_docs`` defaults to the rows seen.
    ``exclude_mask``: bool per row; True rows are not counted (duplicates).
    Memory: 16 bytes per distinct short line (hash + count), at most twice that while merging.
    """
    line_hashes_batches = _blocks(line_hashes_batches)
    excl = None if exclude_mask is None else np.asarray(exclude_mask, dtype=bool)
    seen = [0]

    def counted():
        for batch in line_hashes_batches:
            m = len(batch)
            yield doc_counts(batch, None if excl is None else excl[seen[0]:seen[0] + m])
            seen[0] += m

    uniq, counts = merge_counts(counted())
    if num_docs is None:
        num_docs = seen[0]
    return repeated_of(uniq, counts, num_docs, min_docs, min_fraction)


def merge_counts(parts: Iterable[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """(distinct line hashes, sorted; their document counts) summed over ``parts``, each the
    (hashes, counts) of some documents (:func:`doc_counts`), in any order."""
    uniq = np.empty(0, dtype=np.uint64)
    counts = np.empty(0, dtype=np.int64)
    pending_v: list[np.ndarray] = []
    pending_c: list[np.ndarray] = []
    pending = 0

    def merge():
        # merging into the running totals costs O(distinct lines): do it only when the
        # pending batches are as large as the totals (amortised O(n log n) overall)
        nonlocal uniq, counts, pending_v, pending_c, pending
        uniq, counts = sum_counts([uniq, *pending_v], [counts, *pending_c])
        pending_v, pending_c, pending = [], [], 0

    for bu, bc in parts:
        if not len(bu):
            continue
        pending_v.append(bu)
        pending_c.append(bc)
        pending += len(bu)
        if pending >= max(len(uniq), 1 << 16):
            merge()
    merge()
    return uniq, counts


def repeated_of(uniq: np.ndarray, counts: np.ndarray, num_docs: int, min_docs: int = MIN_DOCS,
                min_fraction: float = MIN_FRACTION) -> RepeatedLines:
    """The lines of (``uniq``, ``counts``: :func:`merge_counts`) held by enough of ``num_docs`` documents."""
    threshold = doc_threshold(num_docs, min_docs, min_fraction)
    sel = counts >= threshold
    hs = [int(h) for h in uniq[sel]]
    return RepeatedLines(frozenset(hs), dict(zip(hs, (int(c) for c in counts[sel]))), threshold, int(num_docs))


class LineRemoval(NamedTuple):
    text: str
    removed_count: int
    removed_hashes: list[int]  # one per removed line, in text order
    removed_lines: list[str]  # the removed lines (stripped), aligned with removed_hashes


def remove_repeated_lines(text: str, repeated, *, max_line_chars: int = MAX_LINE_CHARS,
                          keys: tuple[list[int], list[int]] | None = None) -> LineRemoval:
    """Drop every line whose normalised hash is in ``repeated`` (a set of ints
    or a :class:`RepeatedLines`); lines longer than ``max_line_chars`` are kept.
    ``keys``: the text's line keys as ``fingerprints`` gave them (``line_index``,
    ``line_hashes``), so they are not computed again.
    Pure: returns ``(new_text, removed_count, removed_hashes, removed_lines)``.
    Line breaks of the kept lines are preserved; blank-line runs are left to
    the cleaning step."""
    hashes = repeated.hashes if isinstance(repeated, RepeatedLines) else repeated
    if not hashes or not text:
        return LineRemoval(text, 0, [], [])
    if keys is None:
        indexes, line_hashes, plain = line_keys_and_layout(text, max_line_chars)
    else:
        (indexes, line_hashes), plain = keys, False  # the general layout holds for every text
    drop = {i: h for i, h in zip(indexes, line_hashes) if h in hashes}  # in line order
    if not drop:
        return LineRemoval(text, 0, [], [])
    if plain:
        # lines are the "\n"-separated segments: cut the dropped ones, with
        # their line break, out of the text
        segments = text.split("\n")
        starts = [0, *itertools.accumulate(len(s) + 1 for s in segments)]
        pieces, kept_from = [], 0
        for i in drop:
            pieces.append(text[kept_from : starts[i]])
            kept_from = starts[i + 1]
        pieces.append(text[kept_from:])
        return LineRemoval("".join(pieces), len(drop), list(drop.values()), [segments[i].strip() for i in drop])
    kept, removed_h, removed_l = [], [], []
    for i, line in enumerate(text.splitlines(keepends=True)):
        if i in drop:
            removed_h.append(drop[i])
            removed_l.append(line.strip())
        else:
            kept.append(line)
    return LineRemoval("".join(kept), len(removed_h), removed_h, removed_l)


@dataclass
class RemovalStats:
    """Report accumulator: removed-line count and documents per pattern, and
    one example text per pattern (the smallest string seen, so the result does
    not depend on the order documents or partial stats are added/merged)."""

    counts: dict[int, int] = field(default_factory=dict)
    docs: dict[int, int] = field(default_factory=dict)
    examples: dict[int, str] = field(default_factory=dict)

    def add(self, removal: LineRemoval | tuple) -> None:
        hashes, lines = removal[2], removal[3] if len(removal) > 3 else [None] * len(removal[2])
        for h, line in zip(hashes, lines):
            self.counts[h] = self.counts.get(h, 0) + 1
            if line is not None and (h not in self.examples or line < self.examples[h]):
                self.examples[h] = line
        for h in set(hashes):
            self.docs[h] = self.docs.get(h, 0) + 1

    def merge(self, other: RemovalStats) -> None:
        for h, c in other.counts.items():
            self.counts[h] = self.counts.get(h, 0) + c
        for h, c in other.docs.items():
            self.docs[h] = self.docs.get(h, 0) + c
        for h, line in other.examples.items():
            if h not in self.examples or line < self.examples[h]:
                self.examples[h] = line

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def report(self) -> list[dict]:
        """One entry per removed pattern, most removed first (ties by hash)."""
        return [
            {"hash": f"{h:016x}", "count": c, "docs": self.docs.get(h, 0), "example": self.examples.get(h)}
            for h, c in sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
