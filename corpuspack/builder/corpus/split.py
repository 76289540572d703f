"""Stage 6, split: each document goes to a split by a hash of its id alone, so a
document never changes split between versions (test data never leaks into a
later train split), whatever else the dump holds."""
from __future__ import annotations

import hashlib

_SALT = b"corpuspack-split-v1:"


def split_point(doc_id: str) -> float:
    """A uniform number in [0, 1) fixed by the id."""
    digest = hashlib.sha256(_SALT + doc_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign_split(doc_id: str, splits: tuple[tuple[str, float], ...]) -> str:
    u = split_point(doc_id)
    edge = 0.0
    for name, share in splits:
        edge += share
        if u < edge:
            return name
    return splits[-1][0]  # rounding: shares add up to 1 within 1e-6
