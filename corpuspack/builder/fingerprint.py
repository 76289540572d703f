"""Per-document fingerprints for duplicate detection (pure functions).

``fingerprints(text)`` runs in worker processes, once per document, and returns
only small values (bytes and ints) that the corpus passes in
:mod:`corpuspack.builder.dedup` and :mod:`corpuspack.builder.repeated_lines`
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
  content and are never removed, so they are not hashed either).

Shingles are word 5-grams over Arabic-aware tokens: after the exact-key
normalisation, Arabic letter variants are folded (``أ إ آ ٱ`` -> ``ا``,
``ى`` -> ``ي``, ``ة`` -> ``ه``, Persian ``ک ی`` -> ``ك ي``), Arabic-Indic digits
become ASCII digits, text is case-folded, and tokens are maximal runs of
Unicode letters/digits in any script (``[^\\W_]+`` on ``str``, which matches
Arabic; an ASCII tokeniser would reduce Arabic to nothing and make every Arabic
document a duplicate of every other -- see tests/test_fingerprint.py).

Token hashing and MinHash run in rensa (Rust); the 5-gram hashes are combined
from the token hashes with numpy, so no n-gram strings are built in Python.
"""
from __future__ import annotations

import re
import unicodedata

import numpy as np
import xxhash
from rensa import RMinHash

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

_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xBF58476D1CE4E5B9)
_M3 = np.uint64(0x94D049BB133111EB)
# odd multipliers for the position of each token in a shingle (polynomial hash)
_MULT = tuple(np.uint64(m) for m in (
    0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
    0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x87C37B91114253D5, 0x4CF5AD432745937F,
))


def _clean(text: str, strip_diacritics: bool = True) -> str:
    """NFKC + removal of tatweel, invisible marks and (optionally) diacritics;
    whitespace and line breaks are left as they are."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return (_DELETE_DIAC if strip_diacritics else _DELETE_BASE).sub("", text)


def normalise_exact(text: str, *, strip_diacritics: bool = True) -> str:
    """Text normalised for exact duplicate detection (see module doc)."""
    return " ".join(_clean(text, strip_diacritics).split())


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


def iter_line_keys(text: str, max_line_chars: int = MAX_LINE_CHARS, *, _cleaned: bool = False):
    """Yield (line_index, hash) for each normalised non-empty line of at most
    ``max_line_chars`` characters; line indexes are those of ``text.splitlines()``."""
    clean = text if _cleaned else _clean(text)
    for i, line in enumerate(clean.splitlines()):
        if len(line) > 4 * max_line_chars + 64:  # surely too long; skip the work
            continue
        norm = " ".join(line.split())
        if norm and len(norm) <= max_line_chars:
            yield i, line_hash(norm)


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser, vectorised (uint64 arithmetic wraps)."""
    x = x ^ (x >> np.uint64(30))
    x = x * _M2
    x = x ^ (x >> np.uint64(27))
    x = x * _M3
    return x ^ (x >> np.uint64(31))


def shingle_hashes(toks: list[str], shingle: int = SHINGLE) -> np.ndarray:
    """uint64 hashes of the word ``shingle``-grams (order-sensitive); one
    shingle of all tokens when the document is shorter than ``shingle``."""
    if not toks:
        return np.empty(0, dtype=np.uint64)
    th = np.asarray(RMinHash.hash_token_sets([toks])[0], dtype=np.uint64)  # Rust, fixed seed
    k = min(shingle, len(th))
    n = len(th) - k + 1
    with np.errstate(over="ignore"):
        h = th[:n] * _MULT[0]
        for j in range(1, k):
            h = h + th[j : j + n] * _MULT[j % len(_MULT)]
        return _mix64(h)  # repeated shingles are harmless: MinHash takes minima


def minhash_signature(hashes: np.ndarray, *, num_perm: int = NUM_PERM, seed: int = SEED) -> bytes:
    if len(hashes) == 0:
        return b""
    m = RMinHash.digest_matrix_from_flat_token_hashes(hashes, [0, len(hashes)], num_perm, seed)
    return np.asarray(m.to_rows()[0], dtype="<u4").tobytes()


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
    (``num_perm*4`` bytes, ``b""`` if no token), ``line_hashes`` (list of uint64)."""
    clean = _clean(text, strip_diacritics)
    norm = " ".join(clean.split())
    exact_key = xxhash.xxh3_128_digest(norm.encode("utf-8"))
    sig = minhash_signature(
        shingle_hashes(_tokens_of_normalised(norm), shingle), num_perm=num_perm, seed=seed
    )
    if strip_diacritics:
        lines = [h for _, h in iter_line_keys(clean, max_line_chars, _cleaned=True)]
    else:
        lines = [h for _, h in iter_line_keys(text, max_line_chars)]
    return {"exact_key": exact_key, "minhash": sig, "line_hashes": lines}


def signature_array(sig: bytes) -> np.ndarray:
    """The uint32 values of a ``minhash`` signature."""
    return np.frombuffer(sig, dtype="<u4")


def estimate_jaccard(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two documents from their signatures."""
    if not a or not b:
        return 0.0
    return float(np.mean(signature_array(a) == signature_array(b)))
