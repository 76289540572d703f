"""Who published or credited the text: positional rules over the first and last lines, and the
outlets the body cites.

Rules, tried in this order (the first that fires wins):

1. ``dateline`` -- a head line opening with brackets that hold outlet names and/or a date,
   "( أردو بوینت نتورك ۔ / سبوتنيك - 18 فبراير 2022ء)"; "City (Agency) -" / "City، date (Agency) -";
   "City - Agency" / "City/ Agency -" (the whole of "موسكو-سانا");
2. ``prefix``   -- a head line "Outlet: ..." ("خبرگزاری فارس: ...") naming one outlet unambiguously,
   or a Persian opening "به گزارش <...outlet...>، ..." naming exactly one outlet;
3. ``credit``   -- a line "المصدر: ..." / "Source: ..." / "منبع: ..." near the end or the top
   (the literal text is kept even when it names no known outlet, e.g. "وكالات روسيّة");
4. ``bracket``  -- a last line that is, or ends with, outlet names in brackets "(رويترز)".

Roles: the first named outlet that is not an agency is the ``publisher``, the first agency is
the ``agency``; ``source`` is the publisher, else the agency. In these positions, names that
are ordinary words ("روسيا اليوم", "قنا", "بترا", "سانا") count; elsewhere they count only after a
kind word (وكالة/قناة/موقع/صحيفة...) or alone in brackets.

``cited_outlets``: outlets named in the text outside the credit segment, excluding the
document's own publisher and agency (they are the source, not a citation), sorted.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .dateline import parse_dateline
from .dates import UNREAD, parse_dates
from .normalize import fold, tokens
from .outlets import Gazetteer, gazetteer, is_kind_word

GENERIC = frozenset(fold(w) for w in (
    "وكالات", "الوكالات", "مواقع", "المواقع", "متابعات", "مصادر", "المصادر", "وسائل", "صحف", "الصحف",
    "agencies", "wires", "خبرگزاری‌ها", "خبرگزاریها",
))
_FILLER = frozenset(fold(w) for w in ("و", "عن", "نقلا", "من", "مع", "بالتعاون", "خاص", "ل", "and", "with"))

_NOT_CITY = r"[^\s()\[\]\-–—ـ:/،,.\"“”«»]"
_CITY = rf"(?P<city>{_NOT_CITY}+(?:\s+{_NOT_CITY}+){{0,2}})"
_BRACKET_HEAD = re.compile(r"^\s*[(\[]\s*(?P<inner>[^()\[\]]{2,200}?)\s*[)\]]")
_CITY_BRACKET = re.compile(rf"^\s*{_CITY}\s*(?:[،,]\s*(?P<date>[^()]{{4,40}}?)\s*)?[(\[](?P<names>[^()\[\]]{{2,60}})[)\]]\s*(?:[-–—ـ:]|$)")
_CITY_DASH = re.compile(rf"^\s*{_CITY}\s*(?:[-–—]|ـ+|/)\s*(?P<names>[^()\-–—ـ:\n]{{2,40}}?)\s*(?:(?:[-–—:]|ـ+)\s*|$)")
_PREFIX = re.compile(r"^\s*(?P<names>[^:：\n]{2,40}?)\s*[:：]\s*\S")
_ACCORDING = re.compile(r"^\s*(?:به\s+گزارش|بە\s+گزارش|according\s+to)\s+(?P<names>[^،,:\n]{2,80}?)\s*[،,:]")
_CREDIT = re.compile(r"^\s*(?:المصدر|المصادر|مصدر|منبع|منابع|sources?|quelle)\s*[:：]\s*(?P<c>.+?)\s*$", re.IGNORECASE)
_TAIL_BRACKET = re.compile(r"[(\[](?P<names>[^()\[\]]{2,60})[)\]][\s.۔]*$")
_STRIP = " \t()[]{}:：-–—ـ.،,;\"“”«»'"

HEAD_LINES = 4
DATELINE_LINES = 3  # an agency or outlet dateline opens the body: the first lines after the title


@dataclass
class Credit:
    publisher: str | None = None
    agency: str | None = None
    credit: str | None = None
    method: str | None = None
    segment: str | None = None  # raw text the credit was read from (excluded from citations)
    dateline: str | None = None  # raw text where a publication date may be read
    place: str | None = None  # the dateline's place (see .dateline)
    place_method: str | None = None
    dateline_date: object = UNREAD  # the date .dateline read in ``dateline`` (date, None or CONFLICT)

    @property
    def source(self) -> str | None:
        return self.publisher or self.agency


@dataclass
class _Names:
    ids: list[str]
    generic: bool
    uncovered: int
    has_date: bool


def _names(text: str, g: Gazetteer, drop_dates: bool = True, most: int | None = None) -> _Names | None:
    """The outlets a credit segment names, and how many of its words are left over. With
    ``most``: None as soon as more than ``most`` words are surely left over (words outside the
    gazetteer's vocabulary, no filler, not generic: no name can cover them), for callers that
    reject a segment with more left over anyway; the names are not looked up then."""
    folded = fold(text)
    has_date = False
    if drop_dates:
        for _, _, a, b in sorted(parse_dates(text), key=lambda x: -x[2]):
            folded = folded[:a] + " " + folded[b:]
            has_date = True
    toks = [t for t in tokens(folded) if t not in "()"]
    if most is not None:
        unknown = [t for t in toks if t not in g.vocabulary and t not in _FILLER and t not in GENERIC]
        if len(unknown) > most:
            return None
    ms = g.mentions(toks)
    covered = set()
    ids: list[str] = []
    for m in ms:
        covered.update(range(m.start, m.end))
        if m.outlet not in ids:
            ids.append(m.outlet)
    generic = False
    uncovered = 0
    for i, t in enumerate(toks):
        if i in covered or t in _FILLER:
            continue
        if t in GENERIC:
            generic = True
            continue
        uncovered += 1
    return _Names(ids, generic, uncovered, has_date)


def _roles(ids: list[str], g: Gazetteer) -> tuple[str | None, str | None]:
    publisher = next((i for i in ids if g.kind(i) != "agency"), None)
    agency = next((i for i in ids if g.kind(i) == "agency"), None)
    return publisher, agency


def _credit(ids, g, literal, method, segment, dateline=None) -> Credit:
    p, a = _roles(ids, g)
    return Credit(p, a, literal.strip(_STRIP) or None, method, segment, dateline)


def _head_rule(line: str, g: Gazetteer) -> Credit | None:
    m = _BRACKET_HEAD.match(line)
    if m:
        inner = m.group("inner")
        n = _names(inner, g, most=2)
        if n and ((n.ids and n.uncovered <= 1) or (n.generic and n.uncovered <= 2)):
            return _credit(n.ids, g, inner, "dateline", m.group(0), inner)
        if n and n.has_date and n.uncovered == 0:
            return Credit(dateline=inner, segment=m.group(0))
    # each pattern is tried only on a line holding a character it needs ("in" is C-level; the
    # regex would first step through the opening words of a long body line before failing)
    m = _CITY_BRACKET.match(line) if "(" in line or "[" in line else None
    if m:
        n = _names(m.group("names"), g, drop_dates=False, most=2)
        if n and ((n.ids and n.uncovered <= 1) or (n.generic and n.uncovered <= 2)):
            if not g.mentions(tokens(m.group("city"))):
                seg = m.group(0)
                return _credit(n.ids, g, seg.rstrip(" -–—ـ:"), "dateline", seg, m.group("date"))
    dash = "-" in line or "/" in line or "–" in line or "—" in line or "ـ" in line
    m = _CITY_DASH.match(line) if dash else None
    if m:
        n = _names(m.group("names"), g, drop_dates=False, most=1)
        if n and ((n.ids and n.uncovered == 0) or (n.generic and n.uncovered <= 1)):
            if not g.mentions(tokens(m.group("city"))) and not parse_dates(m.group("city")):
                seg = m.group(0)
                return _credit(n.ids, g, seg.rstrip(" -–—ـ:"), "dateline", seg)
    m = _PREFIX.match(line) if ":" in line or "：" in line else None
    if m:
        toks = tokens(m.group("names"))
        ms = g.mentions(toks)
        if (len(ms) == 1 and ms[0].end - ms[0].start == len(toks) and ms[0].start == 0
                and (not ms[0].ambiguous or ms[0].in_context)):
            return _credit([ms[0].outlet], g, m.group("names"), "prefix", m.group("names"))
    # a Persian news opening "به گزارش خبرگزاری فارس، ..." (the pattern opens with one of these
    # words after leading whitespace, which lstrip removes as \s does)
    m = _ACCORDING.match(line) if line.lstrip().startswith(("به", "بە", "according")) else None
    if m:
        ids = {x.outlet for x in g.mentions(tokens(m.group("names"))) if not x.ambiguous or x.in_context}
        if len(ids) == 1:
            return _credit(sorted(ids), g, m.group(0).rstrip("،,: "), "prefix", m.group(0))
    return None


def _credit_rule(line: str, g: Gazetteer) -> Credit | None:
    if len(line) > 150:
        return None
    m = _CREDIT.match(line)
    if not m:
        return None
    n = _names(m.group("c"), g)
    return _credit(n.ids, g, m.group("c"), "credit", line, m.group("c"))


def _bracket_rule(line: str, g: Gazetteer) -> Credit | None:
    m = _TAIL_BRACKET.search(line) if ")" in line or "]" in line else None
    if not m:
        return None
    n = _names(m.group("names"), g, drop_dates=False, most=1)
    if n is None:
        return None
    if n.ids and n.uncovered == 0:
        if _apposition(line[:m.start()]):
            return None  # "... وفق ما أفادت وكالة الأنباء الإماراتية (وام).": a citation, not a credit
        return _credit(n.ids, g, m.group("names"), "bracket", m.group(0))
    if n.generic and n.uncovered <= 1 and line.strip().startswith(("(", "[")):
        return Credit(credit=m.group("names").strip(_STRIP), segment=m.group(0))
    return None


def starts_with_dateline(line: str) -> bool:
    """A line that opens with an agency or outlet dateline (see .dateline)."""
    return parse_dateline(line) is not None


def _apposition(before: str) -> bool:
    """Whether the words just before a bracket name an outlet's kind ("وكالة الأنباء السعودية
    (واس)", "لوكالة الأنباء الفرنسية (فرانس برس)"): the bracket then glosses a name the sentence
    cites, it does not credit the text."""
    toks = tokens(before[-60:])[-4:]
    return any(map(is_kind_word, toks))


def is_bare_dateline(line: str) -> bool:
    """A short line that is only "City - Agency" / "City (Agency)" (e.g. "موسكو-سانا")."""
    s = line.strip()
    if len(s) > 60:
        return False
    d = parse_dateline(s)
    if d is not None:
        return len(d.segment.strip()) >= len(s) - 2
    c = _head_rule(s, gazetteer())
    return bool(c and c.method == "dateline" and c.segment and len(c.segment.strip()) >= len(s) - 2)


def find_credit(head: list[str], tail: list[str]) -> Credit:
    """The credit of a document from its first lines (title lines removed) and last lines."""
    g = gazetteer()
    undated: Credit | None = None
    for n, line in enumerate(head[:HEAD_LINES]):
        d = parse_dateline(line) if n < DATELINE_LINES else None
        if d is not None:
            p, a = _roles(d.ids, g)
            c = Credit(p, a, d.credit or None, "dateline" if d.ids else None, d.segment, d.dates,
                       d.place, d.place_method, d.date)
            if c.method:
                return c
            undated = undated or c  # a place and an outlet the gazetteer does not know
            continue
        c = _head_rule(line, g)
        if c is not None:
            if c.method:
                return c
            undated = undated or c  # a bracketed date only: remember it for the date
    for line in (*reversed(tail), *head[:HEAD_LINES]):
        c = _credit_rule(line, g)
        if c is not None:
            return _merge(c, undated)
    for line in reversed(tail[-3:]):
        c = _bracket_rule(line, g)
        if c is not None:
            return _merge(c, undated)
    return undated or Credit()


def _merge(c: Credit, undated: Credit | None) -> Credit:
    if undated is not None:
        if not c.dateline:
            c.dateline, c.dateline_date = undated.dateline, undated.dateline_date
        c.place, c.place_method = c.place or undated.place, c.place_method or undated.place_method
    return c


def cited_outlets(text: str, credit: Credit) -> list[str]:
    """Sorted ids of outlets the text cites outside the credit segment, minus its own source."""
    g = gazetteer()
    if credit.segment:
        text = text.replace(credit.segment, " ", 1)
    return sorted(g.cited(text) - {credit.publisher, credit.agency})
