"""Row digests: what ``diff`` compares between versions and ``verify`` re-checks.

A row's digest covers every published value. It is built in two parts so that a row
which pass 3 does not edit is never converted to Python objects: the digest of its
*document columns* (``stage.DOC_COLUMNS``, filled by the per-document function) is
computed once in pass 1 and staged as ``_doc_digest``; pass 3 combines it with the
values of the other columns (near-duplicate cluster, manifest extras).
"""
from __future__ import annotations

import xxhash

from ..corpus.stage import DOC_COLUMNS

DOC_SET = frozenset(DOC_COLUMNS)
_DOC_SMALL = tuple(c for c in DOC_COLUMNS if c != "text")  # all but the text (hashed from its bytes)
_DOC_NAMES = repr((_DOC_SMALL, "text")).encode()


def _digest(values: list, text: str = "", names: bytes = b"") -> str:
    """xxh3-128 of ``names``, ``repr(values)`` (length-prefixed), then ``text`` as UTF-8: the one
    long value is hashed from its bytes, because ``repr`` of a 6 kB Arabic text costs ~100 us."""
    small = repr(values).encode("utf-8", "surrogatepass")
    h = xxhash.xxh3_128(names)
    h.update(b"%d;" % len(small))
    h.update(small)
    h.update(text.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def doc_digest(row: dict) -> str:
    """Digest of the document columns of a row (``stage.DOC_COLUMNS``: what the per-document
    function fills), computed once per document in pass 1. The values are taken in the
    columns' order and the column names hashed once ahead of them (a list of (name, value)
    pairs costs three times as much to ``repr``)."""
    return _digest([row.get(c) for c in _DOC_SMALL], row.get("text") or "", _DOC_NAMES)


def combine_digest(doc: str, rest: list[tuple[str, object]]) -> str:
    """A row digest from its document columns' digest and (name, value) of its other columns."""
    return _digest([doc, rest])


def row_digest(row: dict, columns: list[str]) -> str:
    """Digest of a published row's values: its document columns, then the other given columns
    in their order (missing columns are null). Rows finished without leaving Arrow get the
    same value from their staged ``_doc_digest`` (see finish.py)."""
    return combine_digest(doc_digest(row), [(c, row.get(c)) for c in columns if c not in DOC_SET])
