"""Per-document fingerprints for duplicate detection (pure functions).

``fingerprints(text)`` runs in worker processes, once per document, and returns
only small values (bytes and ints) that the corpus passes in
:mod:`corpuspack.builder.corpus.dedup` and :mod:`corpuspack.builder.corpus.repeated_lines`
consume as Arrow columns:

* ``exact_key``  -- 16 bytes, xxh3-128 of the text normalised for *exact*
  duplicate detection (NFKC, which folds Arabic presentation forms such as
  ``ﻻ`` -> ``لا``; tatweel and invisible direction/joiner marks removed;
  diacritics removed unless ``strip_diacritics=False``; whitespace runs folded
  to one space, lines kept apart by the same single space).
* ``minhash``    -- ``num_perm`` little-endian uint32 values (rensa
  ``RMinHash``), ``num_perm * 4`` bytes; ``b""`` when the document has no
  word token at all (such documents never take part in near-dup detection).
* ``line_hashes`` -- xxh3-64 of every normalised non-empty line not longer than
  ``MAX_LINE_CHARS`` (only such lines can be boilerplate; long lines are
  content and are never removed, so they are not hashed either), and
  ``line_index``, where each of those lines is in ``text.splitlines()`` (so a
  later pass removes lines without hashing them again).

Shingles are word 5-grams over Arabic-aware tokens: after the exact-key
normalisation, Arabic letter variants are folded (``أ إ آ ٱ`` -> ``ا``,
``ى`` -> ``ي``, ``ة`` -> ``ه``, Persian ``ک ی`` -> ``ك ي``), Arabic-Indic digits
become ASCII digits, text is case-folded, and tokens are maximal runs of
Unicode letters/digits in any script (``[^\\W_]+`` on ``str``, which matches
Arabic; an ASCII tokeniser would reduce Arabic to nothing and make every Arabic
document a duplicate of every other -- see tests/test_fingerprint.py).

Hashing is vectorised (numpy); no token or n-gram string is built per
document. A token hashes to ``sum(v(c_j) * P**j) mod 2**64`` over its folded
characters ``c_j`` (``v``: a splitmix64 value per code point, never 0; ``P``
odd), a 5-gram to the splitmix64 finaliser of ``sum(token_j * Q**j) mod 2**64``
(``Q`` odd), and MinHash over those uint64 values runs in rensa (Rust).
:func:`tokens` and :func:`token_hashes` are the reference (strings);
:func:`fingerprints` gets the same values straight from the text's UTF-16 code
units: one 64K-entry table gives each unit's class (token character,
separator, to delete, ...), another the value ``v`` of its folded character;
token starts are where the class rises, position-weighted values are summed
per token with ``numpy.add.reduceat`` and per 5-gram with prefix sums. The
same class table does the cleaning (NFKC first, then deletion) and tells
whether the text's only white space is spaces and newlines, which gives fast
paths for the whitespace folding of the exact key and the line hashes. Texts
holding a character the tables cannot fold alone (outside the BMP, or
expanding under case folding, like ``ß`` -> ``ss``) are tokenised as strings
and hashed the same way.
"""
from __future__ import annotations

import functools
import re
import struct
import unicodedata
from collections.abc import Iterable, Iterator
from typing import NamedTuple

import numpy as np
import xxhash
from rensa import RMinHash

from .pieces import PIECE_CHARS, normalized, pieces

try:  # the compiled loops (optional; the numpy code below gives the same values)
    from .._kernels import (
        class_mask as _native_classes, keep_classes as _native_keep, shingle_hashes as _native_shingles,
    )
except ImportError:  # pragma: no cover - built without a C compiler
    _native_classes = _native_keep = _native_shingles = None

NUM_PERM = 128
SHINGLE = 5
SEED = 0
#: lines longer than this (normalised, in characters) are content, never boilerplate
MAX_LINE_CHARS = 200

_TATWEEL = "\u0640"
# Arabic diacritics (harakat, tanwin, shadda, sukun, superscript alef, Quranic marks)
_DIACRITICS = (
    [chr(c) for c in range(0x064B, 0x0660)]
    + ["\u0670"]
    + [chr(c) for c in range(0x0610, 0x061B)]
    + [chr(c) for c in range(0x06D6, 0x06DD)]
    + [chr(c) for c in range(0x06DF, 0x06E9)]
    + [chr(c) for c in range(0x06EA, 0x06EE)]
)
# invisible format characters: ZWNJ, ZWJ, LRM, RLM, ALM, BOM, LRE..RLO, isolates
_INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u061c", "\ufeff"] + [
    chr(c) for c in range(0x202A, 0x202F)
] + [chr(c) for c in range(0x2066, 0x206A)]

_DELETE_BASE = re.compile("[" + "".join([_TATWEEL, *_INVISIBLE]) + "]")
_DELETE_DIAC = re.compile("[" + "".join([_TATWEEL, *_INVISIBLE, *_DIACRITICS]) + "]")

# letter-variant folding for shingles (not for the exact key); applied with
# str.replace, which is ~40x faster than str.translate on non-Latin text
_FOLD: tuple[tuple[str, str], ...] = (
    ("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ٱ", "ا"),
    ("ى", "ي"), ("ی", "ي"), ("ئ", "ي"),
    ("ة", "ه"),
    ("ؤ", "و"),
    ("ک", "ك"),
    *((chr(0x0660 + i), str(i)) for i in range(10)),  # Arabic-Indic digits
    *((chr(0x06F0 + i), str(i)) for i in range(10)),  # Extended (Persian) digits
)
# common punctuation turned into spaces before splitting (a fast path only:
# tokens that still contain a non-alphanumeric character go through _TOKEN)
_PUNCT = ".,:;!?()[]{}\"'«»“”‘’-–—/\\|…،؛؟۔*#@%&+=<>~^`_"
_TOKEN = re.compile(r"[^\W_]+")

_M2 = np.uint64(0xBF58476D1CE4E5B9)
_M3 = np.uint64(0x94D049BB133111EB)
# polynomial hashes modulo 2**64 (odd bases, so invertible): a token is
# sum(v(c_j) * _P**j) over its characters, a shingle sum(token_j * _Q**j)
_P = 0x9FB21C651E98DF25
_Q = 0xC2B2AE3D27D4EB4F
_CHAR_MUL = np.uint64(0xD1B54A32D192ED03)
_CHAR_ADD = np.uint64(0x8CB92BA72F3D8DD7)


def _clean(text: str, strip_diacritics: bool = True) -> str:
    """NFKC + removal of tatweel, invisible marks and (optionally) diacritics;
    whitespace and line breaks are left as they are."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return (_DELETE_DIAC if strip_diacritics else _DELETE_BASE).sub("", text)


def _fold_whitespace(clean: str, plain: bool | None = None) -> tuple[str, bool]:
    """``(" ".join(clean.split()), runs)``. ``plain``: the only white space in
    ``clean`` is spaces and ``\\n`` (every other white-space character is
    non-printable); ``None``: find out. ``runs``: white space may come two in
    a row (when False, no line holds two spaces in a row)."""
    t = clean.replace("\n", " ")
    if plain is None:
        plain = t.isprintable()
    if not plain:
        return " ".join(t.split()), True
    runs = "  " in t
    if runs:
        t = t.replace("  ", " ")
        while "  " in t:  # each pass halves the runs
            t = t.replace("  ", " ")
    return t.strip(" "), runs


def normalise_exact(text: str, *, strip_diacritics: bool = True) -> str:
    """Text normalised for exact duplicate detection (see module doc)."""
    return _fold_whitespace(_clean(text, strip_diacritics))[0]


def _fold(text: str) -> str:
    for a, b in _FOLD:
        if a in text:
            text = text.replace(a, b)
    return text.casefold()


def _tokens_of_normalised(norm: str) -> list[str]:
    norm = _fold(norm)
    for c in _PUNCT:
        if c in norm:
            norm = norm.replace(c, " ")
    out: list[str] = []
    for t in norm.split():
        if t.isalnum():
            out.append(t)
        else:
            out.extend(_TOKEN.findall(t))
    return out


def tokens(text: str, *, strip_diacritics: bool = True) -> list[str]:
    """Arabic-aware word tokens used for shingling: maximal runs of Unicode
    letters/digits (any script) of the folded, normalised text."""
    return _tokens_of_normalised(normalise_exact(text, strip_diacritics=strip_diacritics))


def normalise_line(line: str) -> str:
    """A line normalised for boilerplate matching (same rules as the exact key)."""
    return normalise_exact(line)


def line_hash(norm_line: str) -> int:
    """uint64 hash of an already normalised line."""
    return xxhash.xxh3_64_intdigest(norm_line.encode("utf-8"))


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser, vectorised (uint64 arithmetic wraps)."""
    x = x ^ (x >> np.uint64(30))
    x *= _M2
    x ^= x >> np.uint64(27)
    x *= _M3
    x ^= x >> np.uint64(31)
    return x


def _char_values(cp: np.ndarray) -> np.ndarray:
    """Pseudo-random odd (so never zero) uint64 value ``v`` of each code point."""
    return _mix64(cp.astype(np.uint64) * _CHAR_MUL + _CHAR_ADD) | np.uint64(1)


# Classes of UTF-16 code units (of NFKC text), see _build_tables
_SEP, _TOK, _SLOW, _CTRL, _DIAC, _DEL = range(6)
_B_SLOW, _B_CTRL, _B_DIAC, _B_DEL = (bytes([c]) for c in (_SLOW, _CTRL, _DIAC, _DEL))


def _build_tables() -> tuple[np.ndarray, np.ndarray]:
    """Class and folded value of every UTF-16 code unit.

    ``_TOK``: its folded character (``_fold``) is a letter/digit; the value is
    ``v`` of that character (0 for all other classes). ``_DEL``: tatweel and
    invisible marks, ``_DIAC``: diacritics (see ``_clean``). ``_SLOW``:
    surrogates (characters outside the BMP) and the few characters that
    expand under case folding (``ß`` -> ``ss``). ``_CTRL``: the other
    non-printable characters but ``\\n`` (all white space but space and
    ``\\n`` is among them). ``_SEP``: the rest (separators between tokens)."""
    fold = {ord(a): b for a, b in _FOLD}
    cls = np.full(0x10000, _SEP, dtype=np.uint8)
    target = np.zeros(0x10000, dtype=np.uint32)
    for c in range(0x10000):
        ch = chr(c)
        f = fold.get(c, ch).casefold()
        if len(f) != 1:
            cls[c] = _SLOW
        elif f.isalnum():
            cls[c] = _TOK
            target[c] = ord(f)
        elif not ch.isprintable() and ch != "\n":
            cls[c] = _CTRL
    cls[[ord(c) for c in _DIACRITICS]] = _DIAC
    cls[[ord(c) for c in (_TATWEEL, *_INVISIBLE)]] = _DEL
    cls[0xD800:0xE000] = _SLOW
    values = np.where(cls == _TOK, _char_values(target), np.uint64(0))
    return cls, values


@functools.cache
def tables() -> tuple[np.ndarray, np.ndarray]:
    """:func:`_build_tables`, on first use (~0.06 s: the build's own process, which fingerprints
    nothing, never builds them; the workers' fork server builds them before it forks, see
    :mod:`..engines.warm`)."""
    return _build_tables()


class _Prepared(NamedTuple):
    clean: str  # == _clean(text, strip_diacritics)
    units: np.ndarray | None  # UTF-16 code units of " " + clean (a separator in front); None: not needed
    cls: np.ndarray | None  # their classes
    flags: bytes  # the classes that occur (as bytes: ``_B_SLOW in flags``)
    plain: bool | None  # see _fold_whitespace


def _prepare(text: str, strip_diacritics: bool = True, native: bool = True) -> _Prepared:
    """``_clean`` with the class table (no regular expression). With the compiled kernels, in
    two passes over the str (classes present; deletion where needed) and without the code
    units, which only the numpy tokeniser needs; else with numpy, keeping the code units and
    classes for the tokeniser."""
    if native and _native_classes is not None:
        kept = _native_clean(text, strip_diacritics)
        if kept is not None:
            mask = _native_classes(kept, tables()[0], _SLOW)
            flags = bytes(c for c in range(_DEL + 1) if mask >> c & 1)
            return _Prepared(kept, None, None, flags, None if _B_SLOW in flags else _B_CTRL not in flags)
    text = _nfkc(text)
    units = np.frombuffer((" " + text).encode("utf-16-le", "surrogatepass"), dtype="<u2")
    cls = tables()[0].take(units)
    flags = cls.tobytes()
    if _B_DEL in flags or (strip_diacritics and _B_DIAC in flags):
        keep = cls < (_DIAC if strip_diacritics else _DEL)
        units, cls = units[keep], cls[keep]
        flags = cls.tobytes()
        text = units[1:].tobytes().decode("utf-16-le", "surrogatepass")
    # surrogates: the characters may or may not be printable
    plain = None if _B_SLOW in flags else _B_CTRL not in flags
    return _Prepared(text, units, cls, flags, plain)


def _line_keys(clean: str, max_line_chars: int, plain: bool | None = None, runs: bool = True):
    """``iter_line_keys`` of a cleaned text as two lists, line indexes and
    hashes; ``plain`` and ``runs``: see ``_fold_whitespace`` (``plain`` not
    known: checked line by line)."""
    indexes: list[int] = []
    hashes: list[int] = []
    too_long = 4 * max_line_chars + 64
    i = -1
    for line in clean.split("\n") if plain else clean.splitlines():  # same non-empty lines when plain
        i += 1
        n = len(line)
        if not n or n > too_long:  # empty, or surely too long: skip the work
            continue
        if plain or (n > max_line_chars and line.isprintable()):
            # white space is plain spaces only: stripping is all, unless a run needs folding
            line = line.strip(" ")
            if runs and "  " in line:
                line = " ".join(line.split())
        else:
            line = " ".join(line.split())
        if line and len(line) <= max_line_chars:
            indexes.append(i)
            hashes.append(xxhash.xxh3_64_intdigest(line.encode("utf-8")))
    return indexes, hashes


def iter_line_keys(text: str, max_line_chars: int = MAX_LINE_CHARS, *, _cleaned: bool = False):
    """Yield (line_index, hash) for each normalised non-empty line of at most
    ``max_line_chars`` characters; line indexes are those of ``text.splitlines()``."""
    if _cleaned:
        indexes, hashes = _line_keys(text, max_line_chars)
    else:
        indexes, hashes, _ = line_keys_and_layout(text, max_line_chars)
    return zip(indexes, hashes)


def line_keys_and_layout(text: str, max_line_chars: int = MAX_LINE_CHARS) -> tuple[list[int], list[int], bool]:
    """``iter_line_keys(text, max_line_chars)`` as two lists (line indexes,
    hashes), and ``plain``: True when ``"\\n"`` is surely the only line break in
    ``text``, so that ``text.split("\\n")`` numbers the lines as
    ``text.splitlines()`` does (and may add a last, empty one)."""
    clean, _, _, _, plain = _prepare(text)
    return (*_line_keys(clean, max_line_chars, plain, not plain or "  " in clean), bool(plain))


_POW_KEEP = 1 << 20  # power tables up to this length stay cached
_powers_cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _powers(base: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(``base**i``, ``base**-i``) modulo 2**64 for i < at least n."""
    have = _powers_cache.get(base)
    if have is not None and len(have[0]) >= n:
        return have
    m = max(n, 2 * len(have[0]) if have else 0, 8192)
    fwd = np.empty(m, dtype=np.uint64)
    inv = np.empty(m, dtype=np.uint64)
    fwd[0] = inv[0] = 1
    np.multiply.accumulate(np.full(m - 1, base, dtype=np.uint64), out=fwd[1:])
    np.multiply.accumulate(np.full(m - 1, pow(base, -1, 1 << 64), dtype=np.uint64), out=inv[1:])
    if m <= _POW_KEEP:
        _powers_cache[base] = fwd, inv
    return fwd, inv


def _token_sums(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Token hashes times ``_P**start``, from per-character values (0 between
    tokens; overwritten) and the index of each token's first character
    (increasing; a token ends at the next 0 value, start or the end)."""
    fwd = _powers(_P, len(values))[0]
    return np.add.reduceat(np.multiply(values, fwd[: len(values)], out=values), starts)


def token_hashes(toks: list[str]) -> np.ndarray:
    """uint64 hash of each token: ``sum(v(c_j) * P**j) mod 2**64`` over its
    characters (see module doc); :func:`fingerprints` computes the same values
    from the text without building token strings. An empty token hashes to 0."""
    out = np.zeros(len(toks), dtype=np.uint64)
    cp = np.frombuffer("".join(toks).encode("utf-32-le", "surrogatepass"), dtype="<u4")
    if len(cp):
        lens = np.fromiter(map(len, toks), dtype=np.int64, count=len(toks))
        starts = np.zeros(len(toks), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        some = lens > 0
        starts = starts[some]
        out[some] = _token_sums(_char_values(cp), starts) * _powers(_P, len(cp))[1].take(starts)
    return out


def _token_hashes_of(prep: _Prepared) -> np.ndarray:
    """``token_hashes(tokens)`` of a text prepared with numpy (code units and classes)."""
    if _B_SLOW in prep.flags or _B_DIAC in prep.flags:
        # the string tokeniser (kept diacritics, strip_diacritics=False, are
        # rare, and a few are letters, like ``ۦ``: not worth a table)
        return token_hashes(_tokens_of_normalised(prep.clean))
    cls, units = prep.cls, prep.units
    tok = cls if prep.plain else (cls == _TOK).view(np.uint8)  # 0/1 per unit
    starts = (tok[1:] > tok[:-1]).nonzero()[0]  # token i starts at clean[starts[i]]
    y = _token_sums(tables()[1].take(units[1:]), starts)
    if len(y):  # token hash * _P**start -> token hash
        y *= _powers(_P, len(units))[1].take(starts)
    return y


def _text_token_hashes(prep: _Prepared) -> np.ndarray:
    """``token_hashes(tokens)`` of a prepared text, times ``_Q**i`` (token i)."""
    th = _token_hashes_of(prep)
    return th * _powers(_Q, len(th))[0][: len(th)]


def _shingles_of_scaled(y: np.ndarray, shingle: int) -> np.ndarray:
    """Shingle hashes from ``y[i] = token_hash[i] * _Q**i``: the ``k``-gram at
    ``i`` is ``sum(token_hash[i+j] * _Q**j)`` (prefix sums), mixed."""
    m = len(y)
    if not m:
        return np.empty(0, dtype=np.uint64)
    k = min(shingle, m)
    n = m - k + 1
    acc = np.add.accumulate(y)
    h = acc[k - 1 :].copy()
    h[1:] -= acc[: n - 1]
    h *= _powers(_Q, n)[1][:n]
    return _mix64(h)  # repeated shingles are harmless: MinHash takes minima


def _text_shingles(prep: _Prepared, shingle: int, native: bool = True) -> np.ndarray:
    """Shingle hashes of a prepared text: in one compiled loop over its characters when the
    kernels are built and the table covers the text, else with numpy (same values; a text
    prepared natively has no code units: only the string tokeniser's cases go that way)."""
    if _B_SLOW not in prep.flags and _B_DIAC not in prep.flags and (native or prep.units is None) \
            and _native_shingles is not None:
        return _native_shingles(prep.clean, tables()[1], shingle, _P, _Q)
    return _shingles_of_scaled(_text_token_hashes(prep), shingle)


# characters of a text shingled at a time: a longer text is cut into pieces of about this size (at
# a space or line break, which ends a token in every tokeniser) whose token hashes are shingled
# with the last ``shingle - 1`` tokens of the piece before, so the shingles of a document come in
# arrays of bounded size (MinHash is a minimum: it is taken piece by piece, see :func:`_signature`),
# the same values as :func:`_text_shingles` gives for the whole text
# (that size: PIECE_CHARS, from .pieces)


def _shingle_pieces(prep: _Prepared, shingle: int, native: bool = True) -> Iterator[np.ndarray]:
    """The shingle hashes of :func:`_text_shingles`, in arrays whose size does not grow with the
    text (each shingle once; the text's own when it fits in one piece)."""
    if len(prep.clean) <= PIECE_CHARS:
        yield _text_shingles(prep, shingle, native)
        return
    carry, shingled = np.empty(0, dtype=np.uint64), False
    for piece in pieces(prep.clean, PIECE_CHARS):
        th = _token_hashes_of(_classified(piece))
        if len(carry):
            th = np.concatenate((carry, th))
        if len(th) >= shingle:  # every shingle that starts before the last shingle - 1 tokens
            yield _shingles_of_scaled(th * _powers(_Q, len(th))[0][: len(th)], shingle)
            th, shingled = th[len(th) - shingle + 1 :], True
        carry = th
    if len(carry) and not shingled:  # fewer tokens than a shingle: one shingle of them all
        yield _shingles_of_scaled(carry * _powers(_Q, len(carry))[0][: len(carry)], shingle)


def _classified(clean: str) -> _Prepared:
    """A piece of an already prepared text with its code units and classes (as :func:`_prepare`
    gives them with numpy, without cleaning it again)."""
    units = np.frombuffer((" " + clean).encode("utf-16-le", "surrogatepass"), dtype="<u2")
    cls = tables()[0].take(units)
    flags = bytes(np.unique(cls))
    return _Prepared(clean, units, cls, flags, None if _B_SLOW in flags else _B_CTRL not in flags)


def shingle_hashes(toks: list[str], shingle: int = SHINGLE) -> np.ndarray:
    """uint64 hashes of the word ``shingle``-grams (order-sensitive); one
    shingle of all tokens when the document is shorter than ``shingle``."""
    th = token_hashes(toks)
    return _shingles_of_scaled(th * _powers(_Q, len(th))[0][: len(th)], shingle)


@functools.lru_cache(maxsize=None)
def _u32_struct(n: int) -> struct.Struct:
    return struct.Struct(f"<{n}I")


def minhash_signature(hashes: np.ndarray, *, num_perm: int = NUM_PERM, seed: int = SEED) -> bytes:
    return _signature((hashes,), num_perm, seed)


def _signature(pieces: Iterable[np.ndarray], num_perm: int = NUM_PERM, seed: int = SEED) -> bytes:
    """The MinHash signature of the shingle hashes of all ``pieces``: each value the minimum over
    the pieces of their own signatures' (``b""``: no shingle at all)."""
    best = None
    for hashes in pieces:
        if len(hashes) == 0:
            continue
        row = RMinHash.digest_matrix_from_flat_token_hashes(hashes, [0, len(hashes)], num_perm, seed).to_rows()[0]
        best = row if best is None else np.minimum(best, row)
    if best is None:
        return b""
    return _u32_struct(len(best)).pack(*best)


def _native_clean(text: str, strip_diacritics: bool = True) -> str | None:
    """``_clean`` with the compiled kernels (classes present; deletion where needed), a long text
    piece by piece (NFKC and deletion both work within a piece cut before a space or line break:
    see :func:`.pieces.normalized`), joined once; None when it holds a lone surrogate."""
    below = _DIAC if strip_diacritics else _DEL
    parts, changed = [], False
    for piece in pieces(text, PIECE_CHARS):
        clean = _nfkc(piece)
        mask = _native_classes(clean, tables()[0], _SLOW)
        if mask & (1 << _DEL) or (strip_diacritics and mask & (1 << _DIAC)):
            clean = _native_keep(clean, tables()[0], below, _SLOW)
            if clean is None:
                return None
        changed = changed or clean is not piece
        parts.append(clean)
    if not changed:
        return text
    return parts[0] if len(parts) == 1 else "".join(parts)


def _nfkc(text: str) -> str:
    """NFKC of ``text``; a text longer than ``PIECE_CHARS`` piece by piece (:func:`.pieces.normalized`)."""
    return normalized("NFKC", text, PIECE_CHARS)


def _exact(text: str, strip_diacritics: bool = True) -> tuple[_Prepared, bytes, bool]:
    """The prepared text, its ``exact_key`` and whether its white space comes in runs. The key is
    xxh3-128 of ``" ".join(clean.split())``, hashed piece by piece for a long text: pieces are cut
    before a space or line break, so no word spans two of them, and the folded pieces that hold a
    word are hashed with one space between them (the same bytes as the whole folded text)."""
    prep = _prepare(text, strip_diacritics)
    clean = prep.clean
    if len(clean) <= PIECE_CHARS:
        norm, runs = _fold_whitespace(clean, prep.plain)
        return prep, xxhash.xxh3_128_digest(norm.encode("utf-8")), runs
    h, between = xxhash.xxh3_128(), b""
    for piece in pieces(clean, PIECE_CHARS):
        norm = _fold_whitespace(piece, prep.plain)[0]
        if norm:
            h.update(between + norm.encode("utf-8"))
            between = b" "
    # as _fold_whitespace says: always when the text is not plain, else two blanks in a row
    runs = not prep.plain or any(pair in clean for pair in ("  ", "\n ", " \n", "\n\n"))
    return prep, h.digest(), runs


def exact_key(text: str) -> bytes:
    """``fingerprints(text)["exact_key"]``, alone."""
    return _exact(text)[1]


def fingerprints(
    text: str,
    *,
    num_perm: int = NUM_PERM,
    shingle: int = SHINGLE,
    seed: int = SEED,
    strip_diacritics: bool = True,
    max_line_chars: int = MAX_LINE_CHARS,
) -> dict:
    """Pure per-document fingerprints: ``exact_key`` (16 bytes), ``minhash``
    (``num_perm*4`` bytes, ``b""`` if no token), ``line_hashes`` (list of uint64) and
    ``line_index``: the index of each hashed line in ``text.splitlines()``."""
    prep, exact_key, runs = _exact(text, strip_diacritics)
    sig = _signature(_shingle_pieces(prep, shingle), num_perm, seed)
    if strip_diacritics:
        indexes, lines = _line_keys(prep.clean, max_line_chars, prep.plain, runs)
    else:
        indexes, lines, _ = line_keys_and_layout(text, max_line_chars)
    return {"exact_key": exact_key, "minhash": sig, "line_hashes": lines, "line_index": indexes}


def signature_array(sig: bytes) -> np.ndarray:
    """The uint32 values of a ``minhash`` signature."""
    return np.frombuffer(sig, dtype="<u4")


def estimate_jaccard(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two documents from their signatures."""
    if not a or not b:
        return 0.0
    return float(np.mean(signature_array(a) == signature_array(b)))


#: shingles a near-duplicate candidate pair is verified on: word 2-grams of the published texts
#: (tokens as above). Measured on real Arabic articles with copies edited as copy desks edit
#: them (benchmarks/dedup_study.py, docs/dedup.md): word 2-grams keep the containment of every
#: edited copy >= 0.87 while distinct articles sharing page furniture stay <= 0.71; word 5-grams
#: let a few words changed in a short article fall to 0.74.
VERIFY_SHINGLE = 2
#: a verified pair must also share this Jaccard similarity of those shingles (a short brief
#: wholly quoted inside a long article is not its duplicate)
MIN_JACCARD = 0.5


def verify_shingles(text: str, shingle: int = VERIFY_SHINGLE) -> np.ndarray:
    """Sorted distinct uint64 hashes of the word ``shingle``-grams of ``text`` (as
    :func:`shingle_hashes` of its :func:`tokens`); empty when it has no word."""
    return np.unique(np.concatenate(list(_shingle_pieces(_prepare(text), shingle))))


def shingle_similarity(a: np.ndarray, b: np.ndarray, min_jaccard: float = MIN_JACCARD) -> float:
    """The similarity a near-duplicate decision compares with its threshold: the containment of
    the smaller shingle set in the other (``|A & B| / min(|A|, |B|)``), or 0 when the two sets'
    Jaccard similarity is below ``min_jaccard``. ``a``, ``b``: sorted distinct hashes."""
    if not len(a) or not len(b):
        return 0.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    if inter < min_jaccard * (len(a) + len(b) - inter):
        return 0.0
    return inter / min(len(a), len(b))
