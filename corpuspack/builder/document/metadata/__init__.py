"""Publication metadata from a document's text: title, date, source, credits, cited outlets.

:func:`extract_metadata` is pure and deterministic: text in, dict out; it only reads the first
and last few lines for the title, date and credit, and scans the whole text once for cited
outlets. Its input is the decoded text after newline normalisation, NFC and invisible-character
removal, before boilerplate/duplicate-title removal.

Submodules, one job each: :mod:`.normalize` (spellings), :mod:`.numerals` (ordinal day words),
:mod:`.months` (month tables), :mod:`.dates` (dates and where they live), :mod:`.outlets`
(outlet gazetteer), :mod:`.places` (place gazetteer), :mod:`.dateline` (agency and outlet
datelines: place, date, credit), :mod:`.sources` (credits and citations), :mod:`.title` (headline).
"""
from __future__ import annotations

from .dates import find_publication_date
from .sources import cited_outlets, find_credit
from .title import extract_title

__all__ = ["extract_metadata", "KEYS", "empty_metadata"]

HEAD = 8
TAIL = 6

KEYS = ("title", "title_method", "date", "date_method", "source", "source_method",
        "publisher", "agency", "credit", "dateline_place", "dateline_place_method", "cited_outlets")


def empty_metadata() -> dict:
    return {k: ([] if k == "cited_outlets" else None) for k in KEYS}


def _head_tail(text: str) -> tuple[list[str], list[str]]:
    """The first HEAD and the last TAIL non-empty stripped lines (they overlap in short texts)."""
    lines = text.split("\n")
    head: list[str] = []
    for raw in lines:
        s = raw.strip()
        if s:
            head.append(s)
            if len(head) == HEAD:
                break
    tail: list[str] = []
    for idx in range(len(lines) - 1, -1, -1):
        s = lines[idx].strip()
        if s:
            tail.append(s)
            if len(tail) == TAIL:
                break
    tail.reverse()
    return head, tail


def extract_metadata(text: str) -> dict:
    """Metadata columns of one document (see ``corpuspack.schema.fields`` for their meaning)."""
    head, tail = _head_tail(text)
    if not head:
        return empty_metadata()
    title, title_method, title_lines = extract_title(head)
    body_head = [line for i, line in enumerate(head) if i not in title_lines]
    credit = find_credit(body_head, tail)
    date, date_method = find_publication_date(body_head, tail, credit.dateline, credit.dateline_date)
    return {
        "title": title,
        "title_method": title_method,
        "date": date,
        "date_method": date_method,
        "source": credit.source,
        "source_method": credit.method if credit.source else None,
        "publisher": credit.publisher,
        "agency": credit.agency,
        "credit": credit.credit,
        "dateline_place": credit.place,
        "dateline_place_method": credit.place_method if credit.place else None,
        "cited_outlets": cited_outlets(text, credit),
    }
