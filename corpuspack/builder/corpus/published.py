"""The text a staged row is published with, and what duplicate decisions read of it.

Pass 3 removes the lines repeated across the corpus from a row's text; duplicates must be
decided on that text, not on the staged one (a story republished with another site's header
and footer lines is the original's text once those lines are gone). For the rows that lose a
line -- and only for them: the others are published as staged, and their staged fingerprints
stand -- :func:`edited_fingerprints` computes the exact key and the LSH band hashes of the
published text, in the workers, during pass 2; :func:`shingle_task` gives the shingle sets of
the rows whose near-duplicate candidacy must be verified. :func:`published_text` is the one
definition of that text, used here and by pass 3 (:mod:`.finish`).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa

from ..document.clean import clean_lines
from ..document.fingerprint import VERIFY_SHINGLE, fingerprints, verify_shingles
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
    num_perm: int
    shingle: int
    bands: int
    rows: int


@lru_cache(maxsize=4)
def _repeated(hashes: tuple[int, ...]) -> frozenset:
    return frozenset(hashes)


def _texts(ctx: PublishedContext, index: int, rows: list[int]) -> list[str]:
    """Published texts of rows ``rows`` (indexes within record batch ``index`` of the stage)."""
    batch = shared_reader(ctx.stage_path, ("text", "_line_index", "_line_hashes")).get_batch(index)
    take = batch.take(pa.array(rows, pa.int64())).to_pydict()
    repeated = _repeated(ctx.repeated)
    return [published_text(t, (li, lh), repeated)[0]
            for t, li, lh in zip(take["text"], take["_line_index"], take["_line_hashes"])]


EDITED_SCHEMA = pa.schema([("row", pa.int64()), ("exact_key", pa.binary(16)), ("empty", pa.bool_()),
                           ("bands", pa.binary())])


def edited_fingerprints(task: tuple[int, int, list[int]], ctx: PublishedContext) -> pa.RecordBatch:
    """For rows ``rows`` of record batch ``index`` (its first row is row ``offset`` of the
    stage), the published text's exact key and LSH band hashes (``bands`` uint64 values, empty
    when the text has no word), and whether nothing is left of it."""
    from .dedup import band_hashes  # noqa: PLC0415 - dedup imports this module's schema

    index, offset, rows = task
    keys, empty, bands = [], [], []
    for text in _texts(ctx, index, rows):
        fp = fingerprints(text, num_perm=ctx.num_perm, shingle=ctx.shingle) if text else None
        keys.append(fp["exact_key"] if fp else bytes(16))
        empty.append(fp is None)
        sig = np.frombuffer(fp["minhash"], dtype="<u4") if fp and fp["minhash"] else None
        bands.append(band_hashes(sig[None, :], ctx.bands, ctx.rows)[0].tobytes() if sig is not None else b"")
    return pa.record_batch([pa.array([offset + r for r in rows], pa.int64()), pa.array(keys, pa.binary(16)),
                            pa.array(empty, pa.bool_()), pa.array(bands, pa.binary())], schema=EDITED_SCHEMA)


def shingle_task(task: tuple[int, int, list[int]], ctx: PublishedContext) -> tuple[list[int], list[np.ndarray]]:
    """(stage rows, sorted unique shingle hashes of each row's published text) for rows ``rows``
    of record batch ``index`` (first row: ``offset``)."""
    index, offset, rows = task
    return [offset + r for r in rows], [verify_shingles(t) for t in _texts(ctx, index, rows)]


__all__ = ["VERIFY_SHINGLE", "PublishedContext", "edited_fingerprints", "published_text", "shingle_task"]
