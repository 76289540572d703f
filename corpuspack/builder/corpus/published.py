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

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa

from ..document.clean import clean_lines
from ..document.fingerprint import exact_key, verify_shingles
from .repeated_lines import LineRemoval, remove_repeated_lines
from .stage import shared_reader


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
