"""Publication dates: parse a date expression, and find one only where publication dates live.

Where (see :func:`find_publication_date`):

* ``dateline``  -- inside the dateline/credit segment found by :mod:`.sources`
  (e.g. "( أردو بوینت نتورك ۔ / سبوتنيك - 18 فبراير 2022ء)");
* ``marker``    -- right after an explicit marker ("نشر في", "بتاريخ", "تاريخ النشر",
  "Published", "Posted on", "Publié le", "تاریخ انتشار", ...) in the first or last lines, the
  marker at the start of its line or on a short line;
* ``date_line`` -- a line near the top or bottom that holds only a date (plus weekday, time,
  punctuation).

What (see :func:`parse_dates`): day + month name + four-digit year in any table of
:mod:`.months` (paired forms "أغسطس/ آب", ordinal day words, "من"/"عام" fillers, trailing
ء م هـ ه.ش), English "Month D, YYYY", numeric Y-M-D / D-M-Y with one separator.
A year alone, a day and month without a year, or a relative word ("اليوم", "أمس") is never a date.
Lunar Hijri goes through ``hijridate``, Solar Hijri through ``jdatetime``; when one segment
holds both a Hijri and a Gregorian date ("... هـ الموافق 18 فبراير 2022م"), the Gregorian wins.
"""
from __future__ import annotations

import datetime as dt
import functools
import re

import numpy as np

from .months import MONTHS, WEEKDAYS
from .normalize import MARK_CLASS, fold
from .numerals import ORDINAL_DAYS

YEAR_RANGE = {"g": (1900, 2100), "h": (1318, 1525), "j": (1279, 1479)}


def _alt(words) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


_MONTH = _alt(MONTHS)
_ORD = _alt(ORDINAL_DAYS)
_SUF = r"(?:\s*(?P<{0}>ه\s*\.?\s*ش|ه\s*\.?\s*ق|هجري|هجريه|ه|م|ء|ش|ق|ad|a\.d\.)(?!\w))?"
_DMY = (rf"(?<![\w/.\-])(?P<d>\d{{1,2}}|{_ORD})(?:er|st|nd|rd|th)?\.?\s*(?:من\s+)?(?:شهر\s+)?"
        rf"(?P<m1>{_MONTH})(?!\w)(?:\s*[/(\-–]\s*(?P<m2>{_MONTH})(?!\w)\s*\)?)?\.?\s*[,،]?\s*"
        rf"(?:(?:من\s+)?(?:عام|العام|سنه|السنه|سال)\s+)?(?P<y>\d{{4}})(?!\d)" + _SUF.format("s1"))
_MDY = (rf"(?<!\w)(?P<m3>{_MONTH})(?!\w)(?:\s*[/(]\s*(?P<m4>{_MONTH})(?!\w)\s*\)?)?\.?\s+"
        rf"(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s*[,،]?\s*(?P<y2>\d{{4}})(?!\d)" + _SUF.format("s2"))
_YMD = r"(?<![\d/.\-])(?P<Y>\d{4})(?P<sa>[-/.])(?P<M>\d{1,2})(?P=sa)(?P<D>\d{1,2})(?![\d])(?!(?P=sa)\d)" + _SUF.format("s3")
_DMYN = r"(?<![\d/.\-])(?P<D2>\d{1,2})(?P<sb>[-/.])(?P<M2>\d{1,2})(?P=sb)(?P<Y2>\d{4})(?![\d])(?!(?P=sb)\d)" + _SUF.format("s4")
_DATE_ALTS = "|".join((_DMY, _MDY, _YMD, _DMYN))
# Where a date can start: a digit (every numeric form, and a day in figures), or, after a
# non-word character, the first letter of an ordinal day word or of a month name. Checked first,
# it spares the month and ordinal alternations at every other position (they cost most of a
# scan); it only states what each alternative needs at its first character, so the matches are
# the same.
_FIRST_LETTERS = "".join(sorted({w[0] for w in (*MONTHS, *ORDINAL_DAYS)}))
_START = rf"(?=\d|(?<!\w)[{re.escape(_FIRST_LETTERS)}])"
DATE_RE = re.compile(rf"{_START}(?:{_DATE_ALTS})", re.IGNORECASE)
MONTH_PATTERN = _MONTH  # every month name (folded), as a regex alternation
ORDINAL_PATTERN = _ORD  # every ordinal day word (folded): "الاول", "الحادي عشر"...
# what may stand between the two dates of one day in two calendars: "... هـ الموافق 11 ...",
# "... هـ - 11 ...", "... هـ (11 ...", "... 2015م، 26 ..." (side by side)
DATE_SPAN_GAP = re.compile(r"[\s,،\-–—/(|]*(?:الموافق|الموافق\s+ل|الموافق\s+من|ل)?[\s,،\-–—/(|]*")
CONFLICT = "calendars_disagree"  # date_method when a Hijri and a Gregorian date of one segment disagree

_PERSIAN_HINT = re.compile("[۰-۹پچژگکی]")
# Every DATE_RE alternative holds a four-digit year, and fold() only drops marks and never makes
# a digit: a text without four digits in a row (marks between them aside) holds no date.
_FOUR_DIGITS = re.compile(rf"\d(?:{MARK_CLASS}*\d){{3}}")
_HIJRI_SUFFIX = {"ه", "هق", "ه.ق", "هجري", "هجريه", "ق"}
_SOLAR_SUFFIX = {"هش", "ه.ش", "ش"}
_LUNAR_OR_SOLAR = frozenset(_HIJRI_SUFFIX | _SOLAR_SUFFIX)

_MARKERS = [fold(m) for m in (
    "تاريخ النشر", "تاريخ نشر", "نشر في", "نشر بتاريخ", "تم النشر في", "تم النشر", "نشر يوم", "نشر",
    "بتاريخ", "تاريخ الخبر", "تاريخ الإضافة", "تاريخ الاضافة", "آخر تحديث", "اخر تحديث", "تاريخ التحديث",
    "تاریخ انتشار", "تاريخ انتشار", "زمان انتشار", "منتشر شده در", "منتشر شده",
    "published on", "published", "posted on", "posted", "last updated on", "last updated", "updated on", "updated",
    "publié le", "publie le", "publié", "mis à jour le", "date",
)]
_MARKER_RE = re.compile(rf"(?<!\w)(?:{_alt(_MARKERS)})(?!\w)", re.IGNORECASE)
_WEEKDAY = _alt(WEEKDAYS)
_GAP_RE = re.compile(rf"[\s:：,،\-–—|]*(?:(?:يوم\s+)?(?:{_WEEKDAY})(?!\w)[\s:,،\-–—|]*)?", re.IGNORECASE)
_LEFTOVER_RE = re.compile(
    rf"(?:{_WEEKDAY}|يوم|الساعه|ساعت|الموافق|gmt|utc|am|pm|ص|م|"
    r"t?\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:z|[+-]\d{2}:?\d{2})?)(?!\w)|[\W_]+", re.IGNORECASE)

SHORT_LINE = 80

# -- A quick "no" for date_line_date. In the folded line, take each maximal run of letters and
# digits (no "_"). A run without digits is never cut by a date match: a match starts after a
# non-word character or at a digit, and ends after a digit or a suffix followed by a non-word
# character. So a date covers such a run whole, and then the run is a word of DATE_RE (or an
# ordinal day glued to what follows it: "الاولمن", "الاوليناير"), or else _LEFTOVER_RE must
# remove it whole, and then it is one of its words. A run of Arabic letters (no case, so
# IGNORECASE plays no part) that is none of these words and starts with no ordinal piece stays
# in the leftover: the line is not a date line, whatever DATE_RE finds in it.
_WORD_RUN = re.compile(r"[^\W_]+")
_ARABIC_RUN = re.compile(r"[\u0600-\u06ff]+")
_DATE_LINE_WORDS = frozenset(
    _ARABIC_RUN.findall(_DATE_ALTS) + _ARABIC_RUN.findall(_LEFTOVER_RE.pattern) + ["هش", "هق"])
_DAY_PIECES = tuple(sorted({piece for w in ORDINAL_DAYS for piece in w.split()}))


def _foreign_word(folded: str) -> bool:
    """True when ``folded`` holds an Arabic word that no date and no leftover rule can absorb."""
    for run in _WORD_RUN.findall(folded):
        if run not in _DATE_LINE_WORDS and not run.startswith(_DAY_PIECES) and _ARABIC_RUN.fullmatch(run):
            return True
    return False


_WS = re.compile(r"\s+")


def _month(name: str | None) -> tuple[str, int] | None:
    if name is None:
        return None
    return MONTHS.get(_WS.sub(" ", name.lower()))


def to_date(cal: str, y: int, m: int, d: int) -> dt.date | None:
    """A validated Gregorian date from a (calendar, year, month, day), or None."""
    lo, hi = YEAR_RANGE[cal]
    if not (lo <= y <= hi and 1 <= m <= 12 and 1 <= d <= 31):
        return None
    try:
        if cal == "g":
            return dt.date(y, m, d)
        if cal == "h":
            from hijridate import Hijri
            g = Hijri(y, m, d).to_gregorian()
            return dt.date(g.year, g.month, g.day)
        import jdatetime
        g = jdatetime.date(y, m, d).togregorian()
        return dt.date(g.year, g.month, g.day)
    except (ValueError, OverflowError):
        return None


def _suffix(m: re.Match) -> str:
    for v in m.group("s1", "s2", "s3", "s4"):
        if v:
            return _WS.sub("", v.lower())
    return ""


def _from_match(m: re.Match, persian_hint: bool) -> tuple[dt.date, str] | None:
    suf = _suffix(m)
    m1, m3 = m.group("m1", "m3")
    if m1 or m3:
        if m1:
            m2, day, year = m.group("m2", "d", "y")
            mon, mon2 = _month(m1), _month(m2)
        else:
            m4, day, year = m.group("m4", "d2", "y2")
            mon, mon2 = _month(m3), _month(m4)
        if mon is None or (mon2 is not None and mon2[1] != mon[1]):
            return None
        cal = mon[0]
        if mon2 is not None and mon2[0] != cal:
            if {cal, mon2[0]} != {"g"}:
                return None
        if cal == "g" and suf in _LUNAR_OR_SOLAR:
            return None
        if cal != "g" and suf in {"م", "ء", "ad", "a.d."}:
            return None
        d = int(day) if day.isdigit() else ORDINAL_DAYS.get(_WS.sub(" ", day))
        if d is None:
            return None
        res = to_date(cal, int(year), mon[1], d)
        return (res, cal) if res else None
    if m.group("Y"):
        y, mo, d = int(m.group("Y")), int(m.group("M")), int(m.group("D"))
    else:
        a, b, y = int(m.group("D2")), int(m.group("M2")), int(m.group("Y2"))
        d, mo = (b, a) if (b > 12 and a <= 12) else (a, b)  # day/month unless only month/day fits
    if 1900 <= y <= 2100:
        cal = "g"
    elif suf in _SOLAR_SUFFIX or (persian_hint and suf not in _HIJRI_SUFFIX):
        cal = "j"
    elif suf in _HIJRI_SUFFIX:
        cal = "h"
    else:
        return None  # a 13xx/14xx year with no calendar marker: ambiguous, so no date
    res = to_date(cal, y, mo, d)
    return (res, cal) if res else None


def parse_dates(segment: str, persian_hint: bool | None = None) -> list[tuple[dt.date, str, int, int]]:
    """Every valid date in ``segment``: (date, calendar, start, end) on the folded text."""
    if not _FOUR_DIGITS.search(segment):
        return []
    return list(_parse_dates(segment, persian_hint))


@functools.lru_cache(maxsize=256)  # the rules ask about the same dateline or date line several times
def _parse_dates(segment: str, persian_hint: bool | None) -> tuple[tuple[dt.date, str, int, int], ...]:
    folded = fold(segment)
    hint = bool(_PERSIAN_HINT.search(segment)) if persian_hint is None else persian_hint
    out = []
    for m in DATE_RE.finditer(folded):
        r = _from_match(m, hint)
        if r:
            out.append((r[0], r[1], m.start(), m.end()))
    return tuple(out)


def parse_date(segment: str, persian_hint: bool | None = None) -> dt.date | None:
    """The date a segment states, the Gregorian one when several calendars are given; None when
    there is none, or when its Hijri and Gregorian dates disagree (see :func:`checked_date`)."""
    d = checked_date(segment, persian_hint)
    return None if d is CONFLICT else d


def checked_date(segment: str, persian_hint: bool | None = None):
    """The date a segment states, the Gregorian one when several calendars are given; None when
    it states none; :data:`CONFLICT` when it gives the day in two calendars (Hijri with هـ,
    Solar Hijri, Gregorian with م) that are more than a day apart once converted (Umm al-Qura
    for the Hijri one; a day either way allows for moon sighting)."""
    return pick_date(parse_dates(segment, persian_hint))


def pick_date(found) -> dt.date | str | None:
    """:func:`checked_date` of the dates :func:`parse_dates` found in a segment."""
    if not found:
        return None
    greg = next((d for d, cal, _, _ in found if cal == "g"), None)
    other = next((d for d, cal, _, _ in found if cal != "g"), None)
    if greg is None:
        return other
    if other is not None and abs((other - greg).days) > 1:
        return CONFLICT
    return greg


def marker_date(line: str) -> dt.date | None:
    """A date right after a publication marker in ``line`` (marker at line start or short line)."""
    d = _marker_date(line)
    return None if d is CONFLICT else d


def _marker_date(line: str):
    """:func:`marker_date`, or CONFLICT when the date it reads gives two calendars that disagree."""
    s = line.strip()
    if not s or not _FOUR_DIGITS.search(s, 0, SHORT_LINE + 40):  # no year where a date is read
        return None
    if len(s) > SHORT_LINE:  # long line: the marker must open it
        folded = fold(s[:SHORT_LINE + 40])
        found_markers = [m for m in (_MARKER_RE.search(folded, 0, 40),) if m is not None and m.start() <= 3]
    else:
        folded = fold(s)
        found_markers = list(_MARKER_RE.finditer(folded))
    for mk in found_markers:
        gap = _GAP_RE.match(folded, mk.end())
        pos = gap.end() if gap else mk.end()
        m = DATE_RE.match(folded, pos)
        if m is None:
            continue
        found = checked_date(folded[pos:], bool(_PERSIAN_HINT.search(line)))  # Gregorian first if paired
        if found:
            return found
    return None


def is_date_line(line: str) -> bool:
    return _date_line_date(line) is not None


def date_line_date(line: str) -> dt.date | None:
    """The date of a line that holds only a date (weekday, time and punctuation allowed)."""
    d = _date_line_date(line)
    return None if d is CONFLICT else d


def _date_line_date(line: str):
    """:func:`date_line_date`, or CONFLICT when the line gives two calendars that disagree."""
    s = line.strip()
    if not s or len(s) > SHORT_LINE or not _FOUR_DIGITS.search(s) or _foreign_word(fold(s)):
        return None  # no date (as in parse_dates), or a word that would stay in the leftover
    found = parse_dates(s)
    if not found:
        return None
    rest = fold(s)
    for _, _, a, b in sorted(found, key=lambda x: -x[2]):
        rest = rest[:a] + " " + rest[b:]
    if _LEFTOVER_RE.sub("", rest).strip():
        return None
    return checked_date(s)


class _Unread:
    def __repr__(self) -> str:  # the same in every process (benchmarks/metadata_equivalence.py keys calls by repr)
        return "UNREAD"


UNREAD = _Unread()  # find_publication_date: the dateline's date is still to be read


def find_publication_date(head: list[str], tail: list[str], dateline: str | None, dateline_date=UNREAD
                          ) -> tuple[dt.date | None, str | None]:
    """(date, method) from the dateline segment, a marker, or a date-only line (at the top before
    the body's first paragraph, or among the last lines); else (None, None).
    Where the first segment that states a date gives it in two calendars that disagree, no date:
    (None, "<method>_calendars_disagree"). ``dateline_date``: the dateline's date when the
    dateline rules have read it already (a date, None or CONFLICT)."""
    if dateline:
        d = checked_date(dateline) if dateline_date is UNREAD else dateline_date  # read by .dateline
        if d is CONFLICT:
            return None, f"dateline_{CONFLICT}"
        if d:
            return d, "dateline"
    lines = (*head, *tail)
    dated = sorted(_with_digit(lines))  # the other lines hold no date where these rules read one
    for i in dated:
        d = _marker_date(lines[i])
        if d is CONFLICT:
            return None, f"marker_{CONFLICT}"
        if d:
            return d, "marker"
    tail_from = len(head) + max(0, len(tail) - 4)
    for i in dated:
        if (i < 4 and not any(map(_body_line, head[:i]))) or tail_from <= i:  # head[:4] before the body, tail[-4:]
            d = _date_line_date(lines[i])
            if d is CONFLICT:
                return None, f"date_line_{CONFLICT}"
            if d:
                return d, "date_line"
    return None, None


def _body_line(line: str) -> bool:
    """A paragraph of the body: a date-only line after one is a date in the story (a dated
    entry of a list, a timeline), not the publication date, which comes before the body."""
    return len(line) > 200 or (len(line) > 100 and line.rstrip().endswith((".", "۔", "!", "؟", "?")))


# Per UTF-16 code unit: 1 for a decimal digit (what \d matches) or a surrogate (a character
# beyond the BMP, a few of which are digits: taken as one), 2 for "\n", 0 for the rest.
_DIGIT_UNITS = np.zeros(0x10000, dtype=np.uint8)
_DIGIT_UNITS[[u for u in range(0x10000) if chr(u).isdecimal()]] = 1
_DIGIT_UNITS[0xD800:0xE000] = 1
_DIGIT_UNITS[0x0A] = 2


try:  # the compiled loop (optional; the numpy code below gives the same lines)
    from ..._kernels import lines_with_digit as _native_with_digit
except ImportError:  # pragma: no cover - built without a C compiler
    _native_with_digit = None


def _with_digit(lines: tuple[str, ...], native: bool = True) -> set[int]:
    """Indices of the lines whose first SHORT_LINE + 40 characters (stripped) may hold a digit.
    Both marker_date and date_line_date (a line of at most SHORT_LINE characters) need four
    digits there, so the other lines give None. One numpy look-up over all the lines at once,
    then a find per line with a digit: a regex scan of each line costs more (they are long).
    With the compiled kernels: one loop over the lines' first characters."""
    if native and _native_with_digit is not None:
        return set(_native_with_digit(lines, SHORT_LINE + 40))
    heads = "\n".join([line.strip()[:SHORT_LINE + 40] for line in lines])
    units = np.frombuffer(heads.encode("utf-16-le", "surrogatepass"), dtype="<u2")
    kinds = _DIGIT_UNITS.take(units).tobytes()
    if kinds.count(2) != len(lines) - 1:  # a line holding "\n": read them all
        return set(range(len(lines)))
    found = set()
    at = kinds.find(1)
    while at >= 0:
        found.add(kinds.count(2, 0, at))  # the line: "\n"s before it
        at = kinds.find(2, at)
        at = kinds.find(1, at) if at >= 0 else -1
    return found
