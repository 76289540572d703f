"""The outlet gazetteer (package data ``corpuspack/data/outlets.tsv``) and token-level look-ups.

Columns: id, english_name, arabic_variants (``|``), kind (agency|tv|newspaper|website|radio),
country, domains (``|``), ambiguous_variants (``|``: variants that are also ordinary words,
e.g. "روسيا اليوم", "قنا", "بترا", and that only count in a dateline, credit, brackets or after
a kind word such as وكالة/قناة/موقع/صحيفة), dateline_variants (``|``: a paper's bare name that
is a very common word, "اليوم", "الوطن", "الحياة": read only by the dateline rules, in the
positions where a dateline puts an outlet, through :func:`dateline_gazetteer`).

Matching works on :func:`normalize.tokens`, so "أ.ف.ب", "أ ف ب" and "ا ف ب" are the same name,
and one Arabic proclitic (و ف ب ل ك, or two of them, and لل- for ال-) is stripped on demand.
The gazetteer is loaded once, lazily, and shared.
"""
from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from urllib.parse import urlsplit

import ahocorasick_rs

from ..pieces import pieces
from .normalize import encode_token, fold, text_tokens, token_codes, tokens

#: characters of a text tokenised at a time by :meth:`Gazetteer.cited` when it takes the token-list
#: route (a text cut before a space or line break, which ends a token: the tokens of the pieces are
#: those of the whole text)
PIECE_CHARS = 1 << 16

KIND_WORDS = frozenset(fold(w) for w in (
    "وكالة", "وكالات", "قناة", "قنوات", "موقع", "صحيفة", "جريدة", "شبكة", "تلفزيون", "التلفزيون",
    "إذاعة", "مجلة", "بوابة", "خبرگزاری", "روزنامه", "شبکه", "سايت", "پایگاه", "newspaper", "agency",
))
_NEWS_WORDS = frozenset(fold(w) for w in ("أنباء", "الأنباء", "للأنباء", "الإخبارية", "الاخبارية"))


def is_kind_word(token: str) -> bool:
    """Whether a token (with or without proclitics) is a kind word (وكالة، صحيفة...) or a news
    word (الأنباء، الإخبارية): the words that introduce an outlet's name."""
    return any(f in KIND_WORDS or f in _NEWS_WORDS for f in _clitic_forms(token))


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
        # per surface form: the entries (tokens, id, ambiguous, other tokens needed) of its clitic
        # forms in trial order (the first that matches wins); the vocabulary: every token a name
        # can start with or needs, so a text's intersection with it tells which names may occur
        self._cands = {t: [(*e, frozenset(e[0][1:])) for f in _clitic_forms(t) if f in self._index
                           for e in self._index[f]] for t in self._any}
        self._vocab = self._any.union(*(e[0][1:] for es in self._index.values() for e in es))
        self.vocabulary = self._vocab  # every token a name can hold: others are never in a mention
        self._longest = max(len(e[0]) for es in self._index.values() for e in es)
        # the same for cited(), in the one-byte alphabet of token_codes (a token outside it is
        # never in a text that route takes, nor is a name needing one): per surface form, None
        # when one of its names is a single token (every occurrence is a hit), else its names'
        # (second token, other tokens needed); and (id, ambiguous) when the first name tried is
        # a single token (so it is the match)
        self._code_vocab = frozenset(c for c in map(encode_token, self._vocab) if c)
        # one automaton finds every whole coded vocabulary word of a text, with its offset, in one
        # pass (the words are padded with the spaces that separate tokens in a token_codes text;
        # neighbouring words share a space, hence overlapping matches)
        self._code_words = sorted(self._code_vocab)
        self._code_finder = ahocorasick_rs.BytesAhoCorasick(
            [b" " + w + b" " for w in self._code_words], matchkind=ahocorasick_rs.MatchKind.Standard,
            implementation=ahocorasick_rs.Implementation.DFA)
        self._code_needs: dict[bytes, list[tuple[bytes, frozenset[bytes]]] | None] = {}
        self._code_first: dict[bytes, tuple[str, bool]] = {}
        for t, es in self._cands.items():
            code = encode_token(t)
            if es and code:
                multi = [(e[0][1:], e[3]) for e in es if len(e[0]) > 1]
                needs = [(encode_token(rest[0]), frozenset(map(encode_token, need))) for rest, need in multi
                         if all(map(encode_token, rest))]
                self._code_needs[code] = None if len(multi) < len(es) else needs
                if len(es[0][0]) == 1:
                    self._code_first[code] = (es[0][1], es[0][2])
        codes = {t: encode_token(t) for es in self._cands.values() for e in es for t in e[0]}
        self._code_cands = {encode_token(t): [(tuple(codes[x] for x in e[0][1:]), e[1], e[2], len(e[0])) for e in es
                                              if all(codes[x] for x in e[0])]
                            for t, es in self._cands.items() if encode_token(t)}
        # _in_context's word tests as sets of coded words: every word whose clitic forms hold a
        # kind word (a kind word, with one or two proclitics, or لل- for ال-), and the news words
        kind_forms = {f for w in KIND_WORDS for f in (
            w, *(c + w for c in "وفبلك"), *(a + b + w for a in "وف" for b in "بلك"),
            *(("لل" + w[2:], "ولل" + w[2:], "فلل" + w[2:]) if w.startswith("ال") else ()))}
        kind_forms = {f for f in kind_forms if any(x in KIND_WORDS for x in _clitic_forms(f))}
        self._code_kind = frozenset(c for c in map(encode_token, kind_forms) if c)
        self._code_news = frozenset(c for c in map(encode_token, _NEWS_WORDS) if c)

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
        return list(self._scan([toks]))

    def _scan(self, token_pieces: Iterable[list[str]]) -> Iterator[Mention]:
        """:meth:`mentions` of the tokens of ``token_pieces`` one after the other, holding one piece
        at a time with the tokens a name around its ends needs: the last ``_longest + 1`` tokens of
        the pieces so far wait for the next piece (a name starting there, and the token after it,
        may lie in it), and the 2 before the next position to look at stay (a name's context)."""
        ahead = self._longest + 1
        buf: list[str] = []
        base = done = free = 0  # index (in the whole) of buf[0], of the next position to look at, past the last name
        it = iter(token_pieces)
        piece = next(it, None)
        while piece is not None:
            buf.extend(piece)
            piece = next(it, None)
            hi = len(buf) if piece is None else len(buf) - ahead  # positions whose names lie in buf
            if hi <= done - base:
                continue
            live = self._live(self._vocab.intersection(buf))
            for i in [i for i in range(done - base, hi) if buf[i] in live] if live else ():
                if i + base < free:
                    continue
                hit = self._match(buf, i)
                if hit:
                    oid, k, amb = hit
                    yield Mention(oid, base + i, base + i + k, amb, self._in_context(buf, i, i + k))
                    free = base + i + k
            done = base + hi
            cut = max(0, hi - 2)  # buf[i] for i >= 2 is never the whole's first or second token
            del buf[:cut]
            base += cut

    def cited(self, text: str) -> set[str]:
        """Ids of the names in ``text`` that count anywhere (unambiguous, or in context), as in
        ``mentions(text_tokens(text))``. A long text is not walked token by token: one
        Aho-Corasick pass finds where the vocabulary's words occur, which tells which names could
        occur, and each hit is then matched on the few tokens around it."""
        joined = token_codes(text)
        if joined is None:  # a character the fast route does not cover: the token-list route, a piece at a time
            toks = (text_tokens(piece) for piece in pieces(text, PIECE_CHARS))
            return {m.outlet for m in self._scan(toks) if not m.ambiguous or m.in_context}
        s = b" " + joined + b" "
        vocab = self._code_words
        hits = self._code_finder.find_matches_as_indexes(s, overlapping=True)  # in order of offset
        live = self._code_live({vocab[i] for i, _, _ in hits})
        found: set[str] = set()
        free = 0  # offset where the last name found ends: names do not overlap
        for start, t in [(at + 1, vocab[i]) for i, at, _ in hits if vocab[i] in live]:
            seconds = live[t]
            if start < free or (seconds and _NEXT_WORD.match(s, start + len(t)).group(1) not in seconds):
                continue
            first = self._code_first.get(t)
            if first:  # a one-token name, and the first one tried: it matches here
                (oid, amb), end = first, start + len(t)
            else:
                words = _words_after(s, start, self._longest + 1)
                hit = self._code_match(t, words)
                if hit is None:
                    continue
                oid, k, amb = hit
                end = _end(s, start, words[:k])
            if not amb or self._in_context_at(s, start, end):
                found.add(oid)
            free = end
        return found

    def _code_match(self, t: bytes, words: list[bytes]) -> tuple[str, int, bool] | None:
        """_match on coded words (``words[0]`` is ``t``): the same entries, in the same order,
        less those with a token outside the alphabet, which no coded word can equal."""
        n = len(words)
        for rest, oid, amb, k in self._code_cands[t]:
            if k <= n and (k == 1 or tuple(words[1:k]) == rest):
                return oid, k, amb
        return None

    def _in_context_at(self, s: bytes, start: int, end: int) -> bool:
        """_in_context for the name from offset ``start`` to ``end`` of a token_codes text: the
        same tests on the two coded words before it and the one after it."""
        before = _words_before(s, start, 2)
        if before:
            prev = before[-1]
            if prev in self._code_kind:
                return True
            if prev in self._code_news and len(before) > 1 and before[-2] in self._code_kind:
                return True
            if prev == b"(" and _NEXT_WORD.match(s, end).group(1) == b")":
                return True
        return False

    def _code_live(self, present: set[bytes]) -> dict[bytes, set[bytes] | None]:
        """The coded surface forms in ``present`` that can start a name whose other tokens are all
        present, each with the second tokens those names need (None: any occurrence may match)."""
        live: dict[bytes, set[bytes] | None] = {}
        starts = self._code_needs
        for t in present:
            if t not in starts:  # a token that starts no name
                continue
            needs = starts[t]
            if needs is None:
                live[t] = None
            else:
                seconds = {second for second, need in needs if need <= present}
                if seconds:
                    live[t] = seconds
        return live

    def _live(self, present: set[str]) -> set[str]:
        """The surface forms in ``present`` that start a name whose other tokens are all present."""
        return {t for t in self._any.intersection(present) if any(e[3] <= present for e in self._cands[t])}

    def _match(self, toks: list[str], i: int) -> tuple[str, int, bool] | None:
        """(id, length in tokens, ambiguous) of the longest name starting at token ``i``."""
        n = len(toks)
        for vt, oid, amb, _ in self._cands[toks[i]]:
            k = len(vt)
            if i + k <= n and (k == 1 or tuple(toks[i + 1:i + k]) == vt[1:]):
                return oid, k, amb
        return None

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


_NEXT_WORD = re.compile(rb" +(\S*)")


def _end(s: bytes, start: int, words: list[bytes]) -> int:
    """Offset just past ``words``, the tokens that follow one another from ``start``."""
    for w in words:
        start = s.index(w, start) + len(w)
    return start


def _words_before(s: bytes, at: int, n: int) -> list[bytes]:
    """The last ``n`` tokens before offset ``at`` (fewer at the start of the text)."""
    lo = at
    while True:
        lo = max(0, s.rfind(b" ", 0, max(0, lo - 64)))  # from a space: no word or character is cut
        words = s[lo:at].split()
        if len(words) >= n or lo == 0:
            return words[-n:]


def _words_after(s: bytes, at: int, n: int) -> list[bytes]:
    """The ``n`` tokens from offset ``at`` on (fewer at the end of the text)."""
    end = at
    while True:
        end = s.find(b" ", end + 128)  # up to a space: no word or character is cut
        end = len(s) if end < 0 else end
        words = s[at:end].split()
        if len(words) >= n or end == len(s):
            return words[:n]


def _split(cell: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in (cell or "").split("|") if x.strip())


def _rows() -> list[dict]:
    text = (resources.files("corpuspack") / "data" / "outlets.tsv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))


def _outlet(r: dict, dateline: bool) -> Outlet:
    extra = _split(r.get("dateline_variants", "")) if dateline else ()
    return Outlet(r["id"].strip(), r["english_name"].strip(), _split(r["arabic_variants"]) + extra, r["kind"].strip(),
                  r["country"].strip(), _split(r.get("domains", "")),
                  frozenset(_split(r.get("ambiguous_variants", "")) + extra))


@functools.lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The packaged gazetteer, loaded once."""
    return Gazetteer([_outlet(r, False) for r in _rows()])


@functools.lru_cache(maxsize=1)
def dateline_gazetteer() -> Gazetteer:
    """The packaged gazetteer with the dateline-only names too (ambiguous: they count only where
    a dateline's form puts an outlet), loaded once."""
    return Gazetteer([_outlet(r, True) for r in _rows()])
