"""Character-level normalisation shared by the metadata rules (one job: make spellings comparable).

Two levels, both built once at import:

* :func:`fold` (dates, titles, positional rules): ASCII digits (Arabic-Indic and
  Persian), alef variants -> ا, ta marbuta -> ه, alef maqsura / Persian ye -> ي,
  Persian kaf -> ك, no tatweel, no diacritics, no ZWNJ/ZWJ, Latin lower-cased.
  Punctuation is kept, so a date's separators survive.
* :func:`tokens` (gazetteer look-ups): :func:`fold`, then every punctuation
  mark becomes a space, except brackets which become their own tokens "(" ")".
  :func:`token_bytes` gives the same tokens for a whole text, faster, and :func:`token_codes`
  faster still, one byte a character.
"""
from __future__ import annotations

import codecs
import functools
import re

import numpy as np

_DIGITS = {**{0x0660 + i: str(i) for i in range(10)}, **{0x06F0 + i: str(i) for i in range(10)}}
_LETTERS = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ة": "ه", "ۀ": "ه", "ە": "ه", "ھ": "ه",
    "ى": "ي", "ی": "ي", "ې": "ي", "ۍ": "ي", "ێ": "ي",
    "ک": "ك", "ڪ": "ك",
    "ؤ": "و",
    "۔": ".", "٫": ".", "٬": ",", "،": "،",
}
_DROP = [0x0640, 0x200C, 0x200D, 0x200E, 0x200F, 0x061C, 0xFEFF, 0x00AD]
_DROP += list(range(0x064B, 0x0660)) + [0x0670] + list(range(0x06D6, 0x06EE)) + list(range(0x0610, 0x061B))

FOLD_TABLE: dict[int, object] = {**_DIGITS, **{ord(k): v for k, v in _LETTERS.items()}, **{c: None for c in _DROP}}

MARK_CLASS = "[" + "".join(chr(c) for c in _DROP) + "]"  # what fold() drops, as a regex class
_MARKS = re.compile(MARK_CLASS + "+")
_FOLD_PAIRS = [(chr(k), v) for k, v in FOLD_TABLE.items() if v is not None and chr(k) != v]
_PUNCT = re.compile(r"[^\w()\s]|_")
_SPACES = re.compile(r"\s+")


_FOLD_MAP = dict(_FOLD_PAIRS)
_MARK_CHARS = frozenset(map(chr, _DROP))
# One scan tells which characters to drop or replace are there (the short strings folded here
# hold few of them) instead of an "in" test per pair. No image is itself replaced, so the order
# of the replaces does not matter.
_TO_FOLD = re.compile("[" + re.escape("".join(_MARK_CHARS) + "".join(_FOLD_MAP)) + "]")


@functools.lru_cache(maxsize=1024)
def fold(s: str) -> str:
    """Normalised spelling for comparisons; keeps punctuation; lower-cases Latin."""
    found = set(_TO_FOLD.findall(s))
    if found:
        if not found.isdisjoint(_MARK_CHARS):
            s = _MARKS.sub("", s)
        for a in found.intersection(_FOLD_MAP):  # C-level replaces: faster than str.translate
            s = s.replace(a, _FOLD_MAP[a])
    return s.lower()


def fold_spaces(s: str) -> str:
    """Collapse every whitespace run to one space and strip the ends."""
    return " ".join(s.split())


def tokens(s: str) -> list[str]:
    """Word tokens of ``s`` for gazetteer matching; brackets are kept as tokens."""
    return text_tokens(s)


_PAIRS = list(_FOLD_PAIRS)
_PAIRS += [("[", "("), ("]", ")"), ("{", "("), ("}", ")"), ("﴾", "("), ("﴿", ")"), ("(", " ( "), (")", " ) ")]


_BRACKET_PAIRS = _PAIRS[len(_FOLD_PAIRS):]
_TO_BLANK = re.compile("[" + re.escape("".join(_MARK_CHARS) + "".join(a for a, _ in _PAIRS)) + "]")


def _blanked(s: str) -> str:
    """:func:`text_tokens` before the split: marks dropped, then the _PAIRS replaces in order
    (those of _FOLD_PAIRS, whose images are never replaced, only for the characters found; the
    brackets in order, since "[" becomes "(" which becomes " ( "), then punctuation blanked."""
    found = set(_TO_BLANK.findall(s))
    if found:
        if not found.isdisjoint(_MARK_CHARS):
            s = _MARKS.sub("", s)
        for a in found.intersection(_FOLD_MAP):
            s = s.replace(a, _FOLD_MAP[a])
        for a, b in _BRACKET_PAIRS:
            if a in s:
                s = s.replace(a, b)
    return _PUNCT.sub(" ", s.lower())


def text_tokens(s: str) -> list[str]:
    """Word tokens: :func:`fold`, punctuation to spaces, brackets as their own tokens."""
    return _blanked(s).split()


# -- Whole texts. text_tokens makes a dozen passes over a long text in regex and str terms;
# token_bytes gets the same tokens with C-level steps: one regex scan stops at each distinct
# non-ASCII character to fold or blank (replaced everywhere at once), then one bytes.translate of
# the UTF-8 does all of ASCII. Every table below is _blanked() applied to one character, and
# _blanked works character by character (lower() looks around only for a Greek capital sigma,
# which is left out), so the tokens are the same. Texts with a character outside ASCII and the
# Arabic block other than the common punctuation listed get None: use text_tokens for those.
def _one_char(c: str) -> str:
    """_blanked(c) as at most one character: whitespace -> " ", brackets unpadded (done later)."""
    out = _blanked(c)
    return {" ( ": "(", " ) ": ")"}.get(out, out if out.strip() else " " if out else "")


_ARABIC = [chr(c) for c in range(0x600, 0x700)]
_PLAIN_ARABIC = "".join(c for c in _ARABIC if _blanked(c) == c)  # letters and digits left as they are
_SPECIAL = re.compile(f"[^\\x00-\\x7f{_PLAIN_ARABIC}]")  # what the str pass has to change
_COMMON_BLANKS = "«»“”‘’–—…•·\xa0\u2009\u200a\u200b\u202a\u202b\u202c\u202f\u3000"  # punctuation, spaces
_WIDE = {c: _one_char(c) for c in [*map(chr, _DROP), *(a for a, _ in _PAIRS), *_ARABIC, *_COMMON_BLANKS]}
_WIDE = {c: out for c, out in _WIDE.items() if _SPECIAL.match(c) and not _SPECIAL.search(out)}
_ASCII_TABLE = bytes(ord(_one_char(chr(b))) if b < 0x80 else b for b in range(256))


def token_bytes(s: str) -> bytes | None:
    """The :func:`text_tokens` of ``s`` in UTF-8, between runs of b" " (the only whitespace
    left), or None when ``s`` has a character this route does not cover."""
    at = 0
    while m := _SPECIAL.search(s, at):  # once per distinct character to fold or blank
        c = m.group()
        if c not in _WIDE:
            return None
        s = s.replace(c, _WIDE[c])
        at = m.start()
    t = s.encode().translate(_ASCII_TABLE)
    if b"(" in t:
        t = t.replace(b"(", b" ( ")
    if b")" in t:
        t = t.replace(b")", b" ) ")
    return t


# -- Whole texts, one byte a character. token_bytes still makes a str pass per distinct character
# to change; token_codes does all of them in one numpy look-up of the UTF-16 code units, with the
# same per-character images (ASCII by _ASCII_TABLE, _PLAIN_ARABIC as they are, _WIDE), so it
# covers the same texts. Its alphabet: ASCII as itself, the first 128 characters of _PLAIN_ARABIC
# on bytes 0x80-0xff, the rest on upper-case ASCII letters, which are never an image (_blanked
# lower-cases); "A" marks a character the route does not cover, "B" one that is dropped.
_UNCOVERED, _DROPPED = ord("A"), ord("B")
_SPARE_SLOTS = [ord(c) for c in "CDEFGHIJKLMNOPQRSTUVWXYZ"]


def _code_alphabet() -> str:
    """The character each byte stands for (256 distinct characters, as codecs.charmap wants)."""
    chars = [chr(b) for b in range(128)] + list(_PLAIN_ARABIC[:128])
    chars += [chr(0xE000 + i) for i in range(256 - len(chars))]  # unused bytes: private use
    assert len(_PLAIN_ARABIC) <= 128 + len(_SPARE_SLOTS)
    for slot, c in zip(_SPARE_SLOTS, _PLAIN_ARABIC[128:]):
        chars[slot] = c
    for b in (_UNCOVERED, _DROPPED, *_SPARE_SLOTS[len(_PLAIN_ARABIC) - 128:]):
        chars[b] = chr(0xE100 + b)  # upper-case letters are not in the alphabet
    return "".join(chars)


CODE_ALPHABET = _code_alphabet()
_CODE_MAP = codecs.charmap_build(CODE_ALPHABET)


def _code_table() -> np.ndarray:
    """Byte of the image of each BMP character (UTF-16 code unit), or _UNCOVERED / _DROPPED."""
    code = {c: b for b, c in enumerate(CODE_ALPHABET)}
    table = np.full(0x10000, _UNCOVERED, dtype=np.uint8)  # surrogates too: astral characters
    table[:128] = np.frombuffer(_ASCII_TABLE[:128], dtype=np.uint8)
    for c in _PLAIN_ARABIC:
        table[ord(c)] = code[c]
    for c, out in _WIDE.items():
        table[ord(c)] = code[out] if out else _DROPPED
    return table


_CODES = _code_table()


try:  # the compiled loop (optional; the numpy code below gives the same bytes)
    from ..._kernels import code_bytes as _native_codes
except ImportError:  # pragma: no cover - built without a C compiler
    _native_codes = None


def token_codes(s: str, native: bool = True) -> bytes | None:
    """:func:`token_bytes` in the one-byte alphabet :data:`CODE_ALPHABET` (byte i stands for
    ``CODE_ALPHABET[i]``; see :func:`encode_token`), or None when ``s`` has a character this
    route does not cover (the same texts as token_bytes)."""
    if native and _native_codes is not None:
        return _native_codes(s, _CODES)
    t = _CODES.take(np.frombuffer(s.encode("utf-16-le", "surrogatepass"), dtype="<u2")).tobytes()
    if b"A" in t:
        return None
    if b"B" in t:
        t = t.replace(b"B", b"")
    if b"(" in t:
        t = t.replace(b"(", b" ( ")
    if b")" in t:
        t = t.replace(b")", b" ) ")
    return t


def encode_token(token: str) -> bytes | None:
    """A token in the alphabet of :func:`token_codes`, or None if no covered text can hold it."""
    try:
        return codecs.charmap_encode(token, "strict", _CODE_MAP)[0]
    except UnicodeEncodeError:
        return None
