"""Datelines of news agencies and outlets: the place, the date and the credit that open a story.

The forms (CITY may carry a country after a comma, "دبي، الإمارات العربية المتحدة"; DATE is
optional, Hijri and/or Gregorian, after an optional "في"; a day and month without a year
("في 14 مايو", KUNA's "11 - 8") is read over but gives no date):

* ``CITY [DATE] (CREDIT) [-|--|:]``  -- Reuters "القاهرة (رويترز) -", AFP "باريس (أ ف ب) -",
  AP "(أ ب)", CNN "دبي، الإمارات العربية المتحدة (CNN)--", Petra "عمان 11 آب (بترا) -",
  KUNA "الكويت - 11 - 8 (كونا) --", Xinhua "بكين 11 أغسطس 2015 (شينخوا) --", dpa
  "برلين - (د ب أ) -", SUNA, MAP, TAP, and a newspaper's "أبوظبي (وام)";
* ``CITY [في DATE] /CREDIT/``       -- QNA "/قنا/", WAM "/ وام /", BNA, ONA "/العمانية/", MENA "/أ ش أ/";
* ``CITY [DATE] SEP CREDIT``         -- SEP one of - – — ـ / : --: "موسكو-سانا", "لندن - رويترز",
  "بغداد / واع", "أنقرة/ الأناضول", "صنعاء - سبأ :", "دبي - العربية.نت";
* ``CITY DATE CREDIT``               -- SPA: "الباحة 26 شوال 1436 هـ الموافق 11 أغسطس 2015 م واس",
  WAFA "رام الله 11-8-2015 وفا-" (a date is required before a bare credit);
* outlet first: ``OUTLET SEP CITY`` ("عين اليوم – الرياض"), ``"OUTLET" (CITY)`` (Okaz
  "\"عكاظ\" (جدة)"), and an agency opening its copy, ``AGENCY - text`` (NNA "وطنية - ...").

Places are not outlets: each side is looked up in the place gazetteer (:mod:`.places`) and in the
outlet gazetteer (:mod:`.outlets`). A name that is both (الرياض، القدس، الخبر...) is an outlet
only where the form puts an outlet: in brackets or between slashes after a city, or beside a
place of its own country ("جدة – الرياض" = Al Riyadh reporting from Jeddah, while "الدمام –
الخبر" stays two places since El Khabar is Algerian). When neither side settles it, no source.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .dates import DATE_SPAN_GAP, MONTH_PATTERN, parse_dates
from .normalize import MARK_CLASS, fold, tokens
from .outlets import Gazetteer
from .places import Place, places

LIMIT = 160  # a dateline sits in a line's first characters

_MARKS = re.compile(MARK_CLASS)
_NAME = r"[^()\[\]/\-–—ـ:،,\"«»“”@#\d\n]{2,40}?"
_QUAL = r"(?:\s*[،,]\s*(?P<qual>[^()\[\]/\-–—ـ:،,\"«»“”@#\d\n]{2,40}?))?"
_WHEN = r"(?:\s*[-–—]?\s*(?:في\s*)?(?P<when>[@#][@#\s]*))?"
_PRE = rf"^\s*[\"«“]?\s*(?P<pre>{_NAME})\s*[\"»”]?{_QUAL}{_WHEN}"
_BRACKET = re.compile(_PRE + r"\s*(?:-{1,2}|[–—])?\s*[(\[]\s*(?P<cr>[^()\[\]@#]{1,40}?)\s*[)\]]\s*(?P<post>-{2,}|[-–—ـ:]+)?")
_SLASHES = re.compile(_PRE + r"\s*/\s*(?P<cr>[^/()\[\]@#\n]{1,40}?)\s*/+")
_DASH = re.compile(_PRE + rf"\s*(?P<sep>-{{2,}}|[-–—ـ]+|/|:)\s*(?P<cr>{_NAME})\s*(?P<post>-{{2,}}|[-–—ـ:/]+|$)")
_BARE = re.compile(rf"^\s*(?P<pre>{_NAME}){_QUAL}\s*[-–—]?\s*(?:في\s*)?(?P<when>@[@\s]*)(?P<rest>.{{2,60}})")
_AGENCY_FIRST = re.compile(rf"^\s*(?P<cr>{_NAME})\s*(?:-{{1,2}}|[–—])\s+\S")
_YEARLESS = re.compile(rf"(?<![\w@#])\d{{1,2}}(?:\s*[-/]\s*\d{{1,2}}|\s+(?:{MONTH_PATTERN}))(?![\w/\-@])")
_NEEDS = frozenset("([/-–—ـ:")


@dataclass
class Dateline:
    ids: list[str]  # credited outlets, in order
    place: str | None  # canonical spelling of a known place, else the words in the place slot
    place_method: str | None  # "gazetteer" | "position"
    credit: str  # the dateline as written, separators at its end dropped
    segment: str  # the raw text the dateline covers (excluded from cited outlets)
    dates: str | None  # the (folded) text of its date(s), for the date rules


def parse_dateline(line: str, g: Gazetteer) -> Dateline | None:
    """The dateline opening ``line``, or None."""
    raw = line[:LIMIT]
    if not any(c in _NEEDS for c in raw) and not any(c.isdigit() for c in raw):
        return None
    h = fold(raw)
    p, dates = _blank_dates(raw, h)
    for form in (_BRACKET, _SLASHES, _DASH):
        m = form.match(p)
        if m:
            found = _decide(m, form, g)
            if found is _UNDECIDED:  # a name that is both a place and an outlet, and no way to tell
                return _result(raw, h, m, ([], None, None), None)
            if found:
                return _result(raw, h, m, found, dates)
    m = _BARE.match(p)
    if m:
        lead = _leading_outlets(m.group("rest"), g)
        if lead and (_place(m.group("pre")) or not _outlets(m.group("pre"), g)):
            end = m.start("rest") + _token_end(m.group("rest"), lead[1])
            return _result(raw, h, m, (lead[0], _place(m.group("pre")), "pre"), dates, end)
    m = _AGENCY_FIRST.match(p)
    if m:
        ids = _outlets(m.group("cr"), g)
        if ids and all(g.kind(i) == "agency" for i in ids) and _place(m.group("cr")) is None:
            return _result(raw, h, m, (ids, None, None), None, m.end("cr"))
    return None


def _blank_dates(raw: str, h: str) -> tuple[str, str | None]:
    """``h`` with its opening date run (Hijri and/or Gregorian, joined by الموافق or side by side)
    as '@'s and day-month pairs without a year as '#'s, same length; and that date run's text."""
    found = sorted(parse_dates(raw), key=lambda x: x[2])
    dates = None
    if found:
        a, b = found[0][2], found[0][3]
        for _, _, s, e in found[1:]:
            if DATE_SPAN_GAP.fullmatch(h[b:s]):
                b = e
            else:
                break
        dates = h[a:b]
        h = h[:a] + "@" * (b - a) + h[b:]
    h = _YEARLESS.sub(lambda m: "#" * len(m.group()), h)
    return h, dates


_UNDECIDED = ([], None, None)
_CREDIT_WORDS = frozenset(fold(w) for w in (
    "المصدر", "المصادر", "مصدر", "منبع", "منابع", "source", "sources", "quelle", "نقلا عن", "عن", "via"))


def _decide(m: re.Match, form: re.Pattern, g: Gazetteer):
    """(outlet ids, place, place words) from the two sides of a dateline; None when the line is
    no dateline; _UNDECIDED when it is one but which side is the outlet cannot be told."""
    pre, cr = m.group("pre").strip(), m.group("cr").strip()
    if fold(pre) in _CREDIT_WORDS or (form is _DASH and m.group("sep") == ":" and not _place(pre)):
        return None  # "المصدر: وكالة سانا" is a credit line, "X: ..." a headline or a prefix
    pre_ids, cr_ids = _outlets(pre, g), _outlets(cr, g)
    pre_pl, cr_pl = _place(pre), _place(cr)
    if not pre_pl and not pre_ids and not _city_like(m, form):
        return None  # "ونقلت وكالة الأنباء الرسمية (سانا) أن ...": a sentence, not a dateline
    if cr_ids and not cr_pl:  # CITY (AGENCY), CITY - AGENCY
        return (cr_ids, pre_pl, "pre") if not pre_ids or pre_pl else None
    if cr_ids and cr_pl:  # the credit slot holds a name that is also a place
        if form is not _DASH and (pre_pl or not pre_ids):
            return cr_ids, pre_pl, "pre"  # brackets or slashes after a city: the form says outlet
        if pre_pl and not pre_ids and _same_country(cr_ids, pre_pl, g):
            return cr_ids, pre_pl, "pre"
        if pre_ids and not pre_pl:  # OUTLET – CITY ("عين اليوم – الرياض")
            return pre_ids, cr_pl, "cr"
        return _UNDECIDED
    if cr_pl and pre_ids:  # OUTLET – CITY, "OUTLET" (CITY)
        if not pre_pl or _same_country(pre_ids, cr_pl, g):
            return pre_ids, cr_pl, "cr"
        return _UNDECIDED
    if form is _DASH and not m.group("when") and _plain_name(pre):
        if cr_pl and not pre_pl:
            if cr_pl.kind == "city" and not _outlets(cr, g):
                return [], cr_pl, "cr"  # an outlet the gazetteer does not know, then its city
            return _UNDECIDED  # "X – الرياض": X unknown, الرياض place or outlet
        if pre_pl and pre_pl.kind == "city" and not cr_pl and m.group("post") == "" and _plain_name(cr):
            return [], pre_pl, "pre"  # "الرياض: محمد الحميدي": city and reporter, the whole line
    return None


def _result(raw, h, m, found, dates, end=None) -> Dateline:
    ids, pl, group = found
    end = m.end() if end is None else end
    words = raw[_raw_index(raw, m.start(group)):_raw_index(raw, m.end(group))] if group else None
    raw_end = _raw_index(raw, min(end, len(h)))
    segment = raw[:raw_end]
    credit = segment.strip().rstrip(" -–—ـ:/").strip()
    when = m.groupdict().get("when")
    place, method = None, None
    if pl is not None:
        place, method = pl.name, "gazetteer"
    elif words and ids and _plain_name(words):
        place, method = " ".join(words.strip(" \"«»“”").split()), "position"
    return Dateline(list(ids), place, method, credit, segment, dates if when and "@" in when else None)


def _outlets(text: str, g: Gazetteer) -> list[str]:
    """The outlets ``text`` names, when names cover all of its words; else []."""
    toks = [t for t in tokens(text) if t not in "()"]
    if not toks:
        return []
    ms = g.mentions(toks)
    if sum(x.end - x.start for x in ms) != len(toks):
        return []
    return list(dict.fromkeys(x.outlet for x in ms))


def _leading_outlets(rest: str, g: Gazetteer) -> tuple[list[str], int] | None:
    """([id], tokens) of an outlet named by the first words of ``rest``, else None."""
    toks = tokens(rest)[:5]
    ms = g.mentions(toks)
    if ms and ms[0].start == 0:
        return [ms[0].outlet], ms[0].end
    return None


def _token_end(text: str, k: int) -> int:
    """Offset in ``text`` just past its ``k``-th word."""
    at = 0
    for w in re.finditer(r"[^\s\-–—ـ:/()]+", text):
        k -= 1
        at = w.end()
        if k == 0:
            break
    return at


def _place(text: str) -> Place | None:
    return places().get(text)


def _city_like(m: re.Match, form: re.Pattern) -> bool:
    """Whether an unknown name before a credit stands where a city would: one to three words,
    and the credit closed by a separator or the end of the line (a bracket or slash credit
    followed straight by more words is a citation inside a sentence)."""
    if not _plain_name(m.group("pre")):
        return False
    return form is _SLASHES or m.groupdict().get("post") is not None


def _same_country(ids: list[str], pl: Place, g: Gazetteer) -> bool:
    return all(g.outlets[i].country == pl.country for i in ids)


def _plain_name(text: str) -> bool:
    words = text.split()
    return 1 <= len(words) <= 3


def _raw_index(raw: str, j: int) -> int:
    """Index in ``raw`` of the character at index ``j`` of ``fold(raw)`` (fold only drops marks)."""
    if not _MARKS.search(raw):
        return j
    kept = [i for i, c in enumerate(raw) if not _MARKS.match(c)]
    return kept[j] if j < len(kept) else len(raw)
