"""Numbers written as words: ordinal day numbers in Arabic (folded spellings), 1..31."""
from __future__ import annotations

from .normalize import fold

_UNITS = ["الاول", "الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع", "الثامن", "التاسع", "العاشر"]
_UNITS_COMPOUND = ["الحادي", "الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع", "الثامن", "التاسع"]


def _build() -> dict[str, int]:
    words: dict[str, int] = {}
    for i, w in enumerate(_UNITS, 1):
        words[w] = i
    words["الحادي عشر"] = 11
    for i, w in enumerate(_UNITS_COMPOUND[1:], 12):
        words[f"{w} عشر"] = i
    words["العشرين"] = 20
    words["العشرون"] = 20
    for i, w in enumerate(_UNITS_COMPOUND, 21):
        words[f"{w} والعشرين"] = i
        words[f"{w} والعشرون"] = i
    words["الثلاثين"] = 30
    words["الثلاثون"] = 30
    words["الحادي والثلاثين"] = 31
    words["الحادي والثلاثون"] = 31
    words["اول"] = 1  # "أول" as in "أول أمس" never reaches here: a month and a year must follow
    return {fold(k): v for k, v in words.items()}


ORDINAL_DAYS: dict[str, int] = _build()
