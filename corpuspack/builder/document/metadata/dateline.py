"""Datelines of news agencies and outlets: the place, the date and the credit that open a story.

The forms (CITY may carry a country after a comma, "دبي، الإمارات العربية المتحدة"; DATE is
optional, Hijri and/or Gregorian, after an optional "في" or a comma ("مانيلا، 3 ديسمبر (رويترز)");
its day may be written out ("بكين اول سبتمبر 2008 (شينخوا)", "أبوظبي في الأول من ديسمبر/ وام/");
a day and month without a year ("في 14 مايو", KUNA's "11 - 8") is read over but gives no date,
see docs/metadata.md for why no year is borrowed):

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

import functools
import re
from dataclasses import dataclass

from .dates import DATE_SPAN_GAP, MONTH_PATTERN, ORDINAL_PATTERN, parse_dates, pick_date
from .months import MONTHS
from .normalize import MARK_CLASS, fold, tokens
from .outlets import Gazetteer, dateline_gazetteer
from .places import Place, places

LIMIT = 160  # a dateline sits in a line's first characters

_MARKS = re.compile(MARK_CLASS)
_NAME = r"[^()\[\]/\-–—ـ:،,\"«»“”@#\d\n]{2,40}?"
# the opening name is taken whole (possessive: it stops only at a separator, a bracket, a comma,
# a quote or a date, so it never needs to give characters back); "في" before a date ends it
_LEAD = r"[^()\[\]/\-–—ـ:،,\"«»“”@#\d\n]{2,45}+"
_QUAL = rf"(?:[،,]\s*(?P<qual>{_LEAD}))?"
_WHEN = r"(?:[-–—،,]?\s*(?P<when>[@#][@#\s]*))?"  # "مانيلا، 3 ديسمبر (رويترز) -" (Reuters)
_PRE = rf"^\s*[\"«“]?\s*(?P<pre>{_LEAD})[\"»”]?\s*{_QUAL}{_WHEN}"
_DIGIT = re.compile(r"\d")
_MONTH_LAST_WORDS = frozenset(k.split()[-1] for k in MONTHS)  # a name can end with a month only on one of these
_DATE_SPAN = 64  # a dateline from its first separator: credit and date ("26 شوال 1436 هـ الموافق 11 أغسطس 2015 م")
_ANY = re.compile(r"[(\[/\-–—ـ:\d]")
_IN = re.compile(r"\s+في\s*$")
_WHEN2 = r"(?:\s*(?P<when2>@[@\s]*))?"  # a date after the credit: "القاهرة (رويترز) - 6 أغسطس 2024"
_BRACKET = re.compile(_PRE + r"\s*(?:-{1,2}|[–—])?\s*[(\[]\s*(?P<cr>[^()\[\]@#]{1,40}?)\s*[)\]]\s*(?P<post>-{2,}|[-–—ـ:]+)?" + _WHEN2)
_SLASHES = re.compile(_PRE + r"\s*/\s*(?P<cr>[^/()\[\]@#\n]{1,40}?)\s*/+" + _WHEN2)
_DASH = re.compile(_PRE + rf"\s*(?P<sep>-{{2,}}|[-–—ـ]+|/|:)\s*(?P<cr>{_NAME})" + _WHEN2 + r"\s*(?P<post>-{2,}|[-–—ـ:/]+|$)")
_BARE = re.compile(rf"^\s*(?P<pre>{_LEAD}){_QUAL}[-–—]?\s*(?P<when>@[@\s]*)(?P<rest>.{{2,60}})")
_AGENCY_FIRST = re.compile(rf"^\s*(?P<cr>{_NAME})\s*(?:-{{1,2}}|[–—])\s+\S")
# a day and month without a year: "11 - 8" (KUNA), "في 14 مايو" / "في 21 أكتوبر/ وام /" (WAM,
# QNA), a written-out day "في الأول من ديسمبر/ وام/" (wam.ae), a paired month "3 مارس/آذار"
_DAY_MONTH = rf"(?:\d{{1,2}}|{ORDINAL_PATTERN})(?:\s+من)?\s+(?:{MONTH_PATTERN})(?:\s*/\s*(?:{MONTH_PATTERN}))?"
_YEARLESS = re.compile(rf"(?<![\w@#])(?:\d{{1,2}}\s*[-/]\s*\d{{1,2}}(?![\w/\-@])|{_DAY_MONTH}(?![\w\-@]))")
# a written-out day ends the opening name ("بكين اول سبتمبر 2008 (شينخوا)", Xinhua): the date starts there
_NAME_DAY_MONTH = re.compile(rf"(?:\s+في)?\s+(?:{ORDINAL_PATTERN})(?:\s+من)?\s+(?:{MONTH_PATTERN})\s*$")
# every form opens with a short name (a city or an outlet; a country after a comma), then a
# separator, a bracket or a date's digits: a line that does not is a body or headline line
_SHAPE = re.compile(
    r"\s*[\"«“]?(?P<name>(?:[^()\[\]/\-–—ـ:،,؟!?\d\n\"«»“”]|(?<=\S)ـ){2,45}+)[\"»”]?\s*"  # ـ inside a word: "لـ"
    r"(?:[،,]\s*(?:[^()\[\]/\-–—ـ:،,؟!?\d\n]|(?<=\S)ـ){2,45}+)?"  # a country after a comma
    r"(?P<sep>[(\[/\-–—ـ:]|\d[^\n]{0,30}?(?:[(\[/]|\d{4})"  # a separator, or a date before a credit,
    r"|[،,]\s*\d[^\n]{0,30}?[(\[])")  # or a comma and a date before a bracket credit ("مانيلا، 3 ديسمبر (رويترز)")


@dataclass
class Dateline:
    ids: list[str]  # credited outlets, in order
    place: str | None  # canonical spelling of a known place, else the words in the place slot
    place_method: str | None  # "gazetteer" | "position"
    credit: str  # the dateline as written, separators at its end dropped
    segment: str  # the raw text the dateline covers (excluded from cited outlets)
    dates: str | None  # the (folded) text of its date(s), for the date rules
    date: object = None  # what dates.checked_date gives for ``dates`` (a date, None or CONFLICT)


def parse_dateline(line: str) -> Dateline | None:
    """The dateline opening ``line``, or None."""
    return _parse(line[:LIMIT], dateline_gazetteer())


@functools.lru_cache(maxsize=256)  # the credit and title rules ask about the same first lines
def _parse(raw: str, g: Gazetteer) -> Dateline | None:
    first = _ANY.search(raw, 0, 96)  # C-level scans first: where _SHAPE needs a separator or digit
    if first is None or (first.start() > 48 and "،" not in raw[:first.start()] and "," not in raw[:first.start()]):
        return None
    shape = _SHAPE.match(raw)
    if shape is None:
        return None
    name, at = shape.group("name"), shape.start("sep")
    folded = fold(name)
    last = folded.rsplit(None, 1)[-1] if folded.strip() else ""
    day = _NAME_DAY_MONTH.search(folded) if last in _MONTH_LAST_WORDS else None
    if day:  # "أبوظبي في الأول من ديسمبر", "بكين اول سبتمبر": the date starts inside the name
        at = shape.start("name") + _raw_index(name, day.start(), folded)
        name = raw[shape.start("name"):at]
    name = _IN.sub("", name).strip()  # "ريو دي جانيرو في 18 أغسطس": three words and "في"
    if shape.group("sep") == ":" or len(name.split()) > 3:  # an unknown name is a city only when
        if not _place(name) and (shape.group("sep") == ":" or not _outlets(name, g)):  # short, never before a colon
            return None
    h = fold(raw)
    p, dates = _blank_dates(raw, h, at, day is not None)
    for form in _forms(p):
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
        if lead and (_place(_pre(m)) or not _outlets(_pre(m), g)):
            end = m.start("rest") + _token_end(m.group("rest"), lead[1])
            return _result(raw, h, m, (lead[0], _place(_pre(m)), "pre"), dates, end)
    m = _AGENCY_FIRST.match(p)
    if m:
        ids = _outlets(m.group("cr"), g)
        if ids and all(g.kind(i) == "agency" for i in ids) and _place(m.group("cr")) is None:
            return _result(raw, h, m, (ids, None, None), None, m.end("cr"))
    return None


def _forms(p: str) -> tuple[re.Pattern, ...]:
    """The forms that may match ``p``, in their order: a bracket credit needs a bracket and a
    slash credit a slash ("in" is C-level; a form's regex first reads the opening name)."""
    if "(" in p or "[" in p:
        return (_BRACKET, _SLASHES, _DASH) if "/" in p else (_BRACKET, _DASH)
    return (_SLASHES, _DASH) if "/" in p else (_DASH,)


def _blank_dates(raw: str, h: str, at: int, written_day: bool = False) -> tuple[str, tuple | None]:
    """``h`` with the first date run from ``at`` on (Hijri and/or Gregorian, joined by الموافق or
    side by side) as '@'s and day-month pairs without a year as '#'s, same length; and that date
    run's (folded) text and dates. Only the characters a dateline can span are read."""
    off = at if len(h) == len(raw) else len(fold(raw[:at]))  # where ``at`` falls in ``h`` (fold drops marks)
    window = raw[at:at + _DATE_SPAN]
    if not written_day and not _DIGIT.search(window):  # every other date has a digit
        return h, None
    found = sorted(parse_dates(window), key=lambda x: x[2])
    if found:
        hw = fold(window)
        a, b, k = found[0][2], found[0][3], 1
        for _, _, s, e in found[1:]:
            if not DATE_SPAN_GAP.fullmatch(hw[b:s]):
                break
            b, k = e, k + 1
        return h[:off + a] + "@" * (b - a) + h[off + b:], (hw[a:b], pick_date(found[:k]))
    end = min(len(h), off + _DATE_SPAN)  # no full date: day-month pairs ("في 14 مايو") are read over
    return h[:off] + _YEARLESS.sub(lambda m: "#" * len(m.group()), h[off:end]) + h[end:], None


_UNDECIDED = ([], None, None)
_CREDIT_WORDS = frozenset(fold(w) for w in (
    "المصدر", "المصادر", "مصدر", "منبع", "منابع", "source", "sources", "quelle", "نقلا عن", "عن", "via"))


def _decide(m: re.Match, form: re.Pattern, g: Gazetteer):
    """(outlet ids, place, place words) from the two sides of a dateline; None when the line is
    no dateline; _UNDECIDED when it is one but which side is the outlet cannot be told."""
    pre, cr = _pre(m), m.group("cr").strip()
    if fold(pre) in _CREDIT_WORDS or (form is _DASH and m.group("sep") == ":" and not _place(pre)):
        return None  # "المصدر: وكالة سانا" is a credit line, "X: ..." a headline or a prefix
    pre_ids, cr_ids = _outlets(pre, g), _outlets(cr, g)
    pre_pl, cr_pl = _place(pre), _place(cr)
    if not pre_pl and not pre_ids and not _city_like(pre, m, form):
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
    words = raw[_raw_index(raw, m.start(group), h):_raw_index(raw, m.end(group), h)] if group else None
    raw_end = _raw_index(raw, min(end, len(h)), h)
    segment = raw[:raw_end]
    credit = segment.strip().rstrip(" -–—ـ:/").strip()
    groups = m.groupdict()
    when = (groups.get("when") or "") + (groups.get("when2") or "")
    place, method = None, None
    if pl is not None:
        place, method = pl.name, "gazetteer"
    elif words and ids and _plain_name(_IN.sub("", words)):  # "ريو دي جانيرو في ..."
        place, method = " ".join(_IN.sub("", words).strip(" \"«»“”").split()), "position"
    dated = dates if dates and "@" in when else (None, None)
    return Dateline(list(ids), place, method, credit, segment, dated[0], dated[1])


def _pre(m: re.Match) -> str:
    """The opening name of a dateline match, without a trailing "في" (before its date)."""
    return _IN.sub("", m.group("pre")).strip()


@functools.lru_cache(maxsize=512)  # datelines repeat: "دبي" and "CNN" open hundreds of stories
def _outlets(text: str, g: Gazetteer) -> tuple[str, ...]:
    """The outlets ``text`` names, when names cover all of its words; else []."""
    toks = [t for t in tokens(text) if t not in "()"]
    if not toks:
        return ()
    ms = g.mentions(toks)
    if sum(x.end - x.start for x in ms) != len(toks):
        return ()
    return tuple(dict.fromkeys(x.outlet for x in ms))


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


@functools.lru_cache(maxsize=512)
def _place(text: str) -> Place | None:
    return places().get(text)


def _city_like(pre: str, m: re.Match, form: re.Pattern) -> bool:
    """Whether an unknown name before a credit stands where a city would: one to three words,
    and the credit closed by a separator or the end of the line (a bracket or slash credit
    followed straight by more words is a citation inside a sentence)."""
    if not _plain_name(pre):
        return False
    return form is _SLASHES or m.groupdict().get("post") is not None


def _same_country(ids: list[str], pl: Place, g: Gazetteer) -> bool:
    return all(g.outlets[i].country == pl.country for i in ids)


def _plain_name(text: str) -> bool:
    words = text.split()
    return 1 <= len(words) <= 3


def _raw_index(raw: str, j: int, h: str) -> int:
    """Index in ``raw`` of the character at index ``j`` of ``h = fold(raw)`` (fold only drops marks)."""
    if len(h) == len(raw):
        return j
    for mark in _MARKS.finditer(raw):
        if mark.start() > j:
            break
        j += 1
    return min(j, len(raw))
