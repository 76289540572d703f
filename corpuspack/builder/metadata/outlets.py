"""The outlet gazetteer (package data ``corpuspack/data/outlets.tsv``) and token-level look-ups.

Columns: id, english_name, arabic_variants (``|``), kind (agency|tv|newspaper|website|radio),
country, domains (``|``), ambiguous_variants (``|``: variants that are also ordinary words,
e.g. "روسيا اليوم", "قنا", "بترا", and that only count in a dateline, credit, brackets or after
a kind word such as وكالة/قناة/موقع/صحيفة).

Matching works on :func:`normalize.tokens`, so "أ.ف.ب", "أ ف ب" and "ا ف ب" are the same name,
and one Arabic proclitic (و ف ب ل ك, or two of them, and لل- for ال-) is stripped on demand.
The gazetteer is loaded once, lazily, and shared.
"""
from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources
from urllib.parse import urlsplit

from .normalize import fold, tokens

KIND_WORDS = frozenset(fold(w) for w in (
    "وكالة", "وكالات", "قناة", "قنوات", "موقع", "صحيفة", "جريدة", "شبكة", "تلفزيون", "التلفزيون",
    "إذاعة", "مجلة", "بوابة", "خبرگزاری", "روزنامه", "شبکه", "سايت", "پایگاه", "newspaper", "agency",
))
_NEWS_WORDS = frozenset(fold(w) for w in ("أنباء", "الأنباء", "للأنباء", "الإخبارية", "الاخبارية"))


@dataclass(frozen=True)
class Outlet:
    id: str
    english_name: str
    variants: tuple[str, ...]
    kind: str
    country: str
    domains: tuple[str, ...]
    ambiguous: frozenset[str]


@dataclass(frozen=True)
class Mention:
    outlet: str
    start: int  # token index
    end: int  # token index, exclusive
    ambiguous: bool
    in_context: bool  # after a kind word, or alone in brackets


_PROCLITICS = ("و", "ف", "ب", "ل", "ك", "وب", "ول", "وك", "فب", "فل", "فك")


def _clitic_forms(t: str) -> list[str]:
    forms = [t]
    if len(t) > 3 and t[0] in "وفبلك":
        forms.append(t[1:])
        if len(t) > 4 and t[0] in "وف" and t[1] in "بلك":
            forms.append(t[2:])
    if t.startswith("لل") and len(t) > 3:
        forms.append("ال" + t[2:])
    if len(t) > 4 and t[0] in "وف" and t[1:3] == "لل":
        forms.append("ال" + t[3:])
    return forms


class Gazetteer:
    def __init__(self, outlets: list[Outlet]):
        self.outlets = {o.id: o for o in outlets}
        self._index: dict[str, list[tuple[tuple[str, ...], str, bool]]] = {}
        self._names: dict[str, str] = {}
        self._domains: dict[str, str] = {}
        for o in outlets:
            amb = {" ".join(tokens(a)) for a in o.ambiguous}
            for v in (*o.variants, o.english_name):
                toks = tuple(tokens(v))
                if not toks:
                    continue
                key = " ".join(toks)
                self._names.setdefault(key, o.id)
                self._index.setdefault(toks[0], []).append((toks, o.id, key in amb))
            self._names.setdefault(o.id, o.id)
            for d in o.domains:
                self._domains[d.lower()] = o.id
        for entries in self._index.values():
            entries.sort(key=lambda e: -len(e[0]))
        self._keys = frozenset(self._index)
        expanded = set(self._keys)
        for k in self._keys:
            for pre in _PROCLITICS:
                expanded.add(pre + k)
            if k.startswith("ال") and len(k) > 3:
                for pre in ("لل", "ولل", "فلل"):
                    expanded.add(pre + k[2:])
        self._any = frozenset(expanded)  # every surface form worth a closer look
        # per surface form: the entries of its clitic forms in trial order (the first match wins),
        # each with the set of the other tokens it needs; the vocabulary holds every needed token
        self._cands = {t: [(*e, frozenset(e[0][1:])) for f in _clitic_forms(t) if f in self._index
                           for e in self._index[f]] for t in self._any}
        self._vocab = self._any.union(*(e[0][1:] for es in self._index.values() for e in es))

    # -- look-ups
    def kind(self, outlet_id: str | None) -> str | None:
        o = self.outlets.get(outlet_id or "")
        return o.kind if o else None

    def by_name(self, name: str) -> str | None:
        """The id whose variant, English name or id is exactly ``name`` (after normalisation)."""
        return self._names.get(" ".join(tokens(name)))

    def by_domain(self, host_or_url: str) -> str | None:
        """The id owning a host (``arabic.rt.com`` -> rt), a URL, or None."""
        s = host_or_url.strip().lower()
        if "//" in s:
            s = urlsplit(s).hostname or ""
        else:
            s = s.split("/", 1)[0]
        s = s.split(":", 1)[0].rstrip(".")
        while s:
            if s in self._domains:
                return self._domains[s]
            if "." not in s:
                return None
            s = s.split(".", 1)[1]
        return None

    def resolve(self, value: str) -> str | None:
        """A manifest's source value (id, name or domain/URL) to a canonical id, or None."""
        if not value or not value.strip():
            return None
        v = value.strip()
        if v.lower() in self.outlets:
            return v.lower()
        found = self.by_name(v)
        if found:
            return found
        if "." in v and " " not in v:
            return self.by_domain(v)
        toks = tokens(v)
        ms = self.mentions(toks)
        if len({m.outlet for m in ms}) == 1 and sum(m.end - m.start for m in ms) >= len(toks) - 1:
            return ms[0].outlet
        return None

    # -- scanning
    def mentions(self, toks: list[str]) -> list[Mention]:
        """All gazetteer names in a token list, longest first at each position, not overlapping."""
        present = self._vocab.intersection(toks)
        cands, n = self._cands, len(toks)
        # only surface forms with a variant whose every token occurs somewhere can match
        live = {t for t in self._any.intersection(present) if any(e[3] <= present for e in cands[t])}
        if not live:
            return []
        out: list[Mention] = []
        free = 0
        for i in _positions(toks, live):
            if i < free:
                continue
            for vt, oid, amb, _ in cands[toks[i]]:
                k = len(vt)
                if i + k <= n and (k == 1 or tuple(toks[i + 1:i + k]) == vt[1:]):
                    out.append(Mention(oid, i, i + k, amb, self._in_context(toks, i, i + k)))
                    free = i + k
                    break
        return out

    def has_candidate(self, toks: list[str]) -> bool:
        return not self._any.isdisjoint(toks)

    def is_agency(self, outlet_id: str | None) -> bool:
        return self.kind(outlet_id) == "agency"

    @staticmethod
    def _in_context(toks: list[str], i: int, j: int) -> bool:
        if i > 0:
            prev = toks[i - 1]
            if any(f in KIND_WORDS for f in _clitic_forms(prev)):
                return True
            if prev in _NEWS_WORDS and i > 1 and any(f in KIND_WORDS for f in _clitic_forms(toks[i - 2])):
                return True
            if prev == "(" and j < len(toks) and toks[j] == ")":
                return True
        return False


def _positions(toks: list[str], wanted: set[str]) -> list[int]:
    """Sorted indices of the tokens in ``wanted``: str.find/count on the joined tokens (C speed)."""
    joined = f" {' '.join(toks)} "  # tokens hold no spaces: token i starts after the (i+1)-th space
    starts = []
    for t in wanted:
        pat = f" {t} "
        at = joined.find(pat)
        while at >= 0:
            starts.append(at)
            at = joined.find(pat, at + 1)
    starts.sort()
    pos, i, last = [], -1, 0
    for at in starts:
        i += joined.count(" ", last, at + 1)
        last = at + 1
        pos.append(i)
    return pos


def _split(cell: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in (cell or "").split("|") if x.strip())


@functools.lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The packaged gazetteer, loaded once."""
    text = (resources.files("corpuspack") / "data" / "outlets.tsv").read_text(encoding="utf-8")
    rows = csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    outlets = [
        Outlet(r["id"].strip(), r["english_name"].strip(), _split(r["arabic_variants"]), r["kind"].strip(),
               r["country"].strip(), _split(r.get("domains", "")), frozenset(_split(r.get("ambiguous_variants", ""))))
        for r in rows
    ]
    return Gazetteer(outlets)
