"""Per-document quality signals (pure function, runs on every document).

Nothing is filtered here: the values become the published columns
``num_lines``, ``mean_line_length``, ``arabic_script_ratio`` and
``quality_warnings`` so that researchers can filter themselves.

Warnings (OSCAR style), thresholds below:

* ``tiny``         -- fewer than ``TINY_WORDS`` whitespace-separated words.
* ``short_lines``  -- at least ``SHORT_LINES_MIN_LINES`` non-empty lines and at
  least ``SHORT_LINES_SHARE`` of them shorter than ``SHORT_LINE_CHARS``
  characters (menus, link lists, tag clouds rather than prose).
* ``noisy``        -- more than ``NOISY_SHARE`` of the non-space characters are
  not letters (digits, punctuation, symbols: tables, code, markup debris).
* ``mixed_script`` -- Latin and Arabic letters both make up at least
  ``MIXED_SCRIPT_SHARE`` of the letters.
* ``header`` / ``footer`` -- the first / last ``EDGE_LINES`` lines are all short
  (< ``SHORT_LINE_CHARS``) while the document also has long lines: likely page
  furniture at the start / end (breadcrumbs, "related articles", "back to top").
"""
from __future__ import annotations

import numpy as np

from .pieces import PIECE_CHARS, pieces

try:  # the compiled loop (optional; the numpy code below gives the same values)
    from .._kernels import text_counts as _native_counts
except ImportError:  # pragma: no cover - built without a C compiler
    _native_counts = None

#: fewer words than this -> ``tiny`` (a short news brief has ~60 words or more)
TINY_WORDS = 40
#: a line shorter than this (characters, stripped) is "short"
SHORT_LINE_CHARS = 30
#: share of short lines that makes a document ``short_lines``
SHORT_LINES_SHARE = 0.5
#: ``short_lines`` needs at least this many non-empty lines
SHORT_LINES_MIN_LINES = 3
#: share of non-letter, non-space characters above which a document is ``noisy``
#: (Arabic news prose: ~3-6 % punctuation and digits)
NOISY_SHARE = 0.25
#: each of Latin and Arabic must reach this share of letters for ``mixed_script``
MIXED_SCRIPT_SHARE = 0.2
#: number of consecutive short lines at the start/end for ``header``/``footer``
EDGE_LINES = 3
#: a long (prose) line, needed for ``header``/``footer``
LONG_LINE_CHARS = 100

# Character classes, looked up per code point in a 64K-entry table (numpy);
# regex counting over Unicode classes costs ~1 ms per article, this ~10 us.
_OTHER, _SPACE, _MARK, _LATIN, _ARABIC, _LETTER = range(6)  # _LETTER: other scripts
_ARABIC_RANGES = (
    (0x0620, 0x063F), (0x0641, 0x064A), (0x066E, 0x066F), (0x0671, 0x06D3), (0x06D5, 0x06D5),
    (0x06EE, 0x06EF), (0x06FA, 0x06FC), (0x06FF, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08C9),
    (0xFB50, 0xFBB1), (0xFBD3, 0xFD3D), (0xFD50, 0xFDC7), (0xFDF0, 0xFDFB), (0xFE70, 0xFEFC),
)
# Arabic diacritics and tatweel: part of words, neither letters nor noise
_MARK_RANGES = ((0x0610, 0x061A), (0x0640, 0x0640), (0x064B, 0x065F), (0x0670, 0x0670), (0x06D6, 0x06ED))


def _build_table() -> np.ndarray:
    table = np.full(0x10000, _OTHER, dtype=np.uint8)
    for c in range(0x10000):
        ch = chr(c)
        if ch.isspace():
            table[c] = _SPACE
        elif ch.isalpha():
            table[c] = _LETTER
    for lo, hi in _ARABIC_RANGES:
        table[lo : hi + 1] = _ARABIC
    for lo, hi in _MARK_RANGES:
        table[lo : hi + 1] = _MARK
    for c in range(0x250):
        if table[c] == _LETTER:
            table[c] = _LATIN
    table[0x1E00:0x1F00] = _LATIN
    return table


_TABLE = _build_table()

# The same classes as one complex value per code unit, so that one BLAS dot
# product with ones counts them all: the real part packs a 13-bit counter
# field per counted class, the imaginary part is 1 for white space, plus 2**30
# for a line break other than "\n" (those make str.split("\n") differ from
# str.splitlines()). The sums are exact: all partial sums are integers below
# 2**53. A second dot product, of the white-space flags with themselves
# shifted by one, counts adjacent white space, which gives the word count.
_ARABIC_F, _LATIN_F, _LETTER_F, _OTHER_F = 0, 13, 26, 39
_CHUNK = (1 << 13) - 1  # code units per partial sum, so that no field overflows
_BREAK = 1 << 30
_U16 = np.dtype("<u2")


def _build_packed() -> np.ndarray:
    real = np.zeros(0x10000)
    for cls, shift in ((_ARABIC, _ARABIC_F), (_LATIN, _LATIN_F), (_LETTER, _LETTER_F), (_OTHER, _OTHER_F)):
        real[_TABLE == cls] = 1 << shift
    imag = (_TABLE == _SPACE).astype(np.float64)
    imag[[ord(c) for c in "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"]] += _BREAK  # splitlines() breaks
    return real + 1j * imag


_PACKED = _build_packed()
_ONES = np.ones(_CHUNK, dtype=np.complex128)


def _counts(text: str) -> tuple[int, int, int, int, int, bool]:
    """Characters that are Arabic letters, Latin letters, other letters and
    other non-space (marks excluded), the number of whitespace-separated
    words, and whether ``str.split("\\n")`` may not give the non-empty lines
    of ``str.splitlines()``."""
    units = np.frombuffer(text.encode("utf-16-le", "surrogatepass"), _U16)
    n = len(units)
    if n != len(text):  # characters outside the BMP: one code point each
        cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
        cls = _TABLE[np.minimum(cp, 0xFFFF)]
        cls[cp > 0xFFFF] = _OTHER  # astral plane (emoji, symbols): counted as noise
        c = np.bincount(cls, minlength=6)
        space = cls == _SPACE
        # a word starts at a non-space after a space, or at the start
        words = int(np.count_nonzero(space[:-1] > space[1:])) + (not space[0])
        return int(c[_ARABIC]), int(c[_LATIN]), int(c[_LETTER]), int(c[_OTHER]), words, True
    if not n:
        return 0, 0, 0, 0, 0, False
    z = _PACKED.take(units)
    sums = (z.dot(_ONES[:n]),) if n <= _CHUNK else np.add.reduceat(z, np.arange(0, n, _CHUNK)).tolist()
    arabic = latin = other_letters = other = spaces = 0
    for c in sums:
        x = int(c.real)
        arabic += x & _CHUNK
        latin += (x >> _LATIN_F) & _CHUNK
        other_letters += (x >> _LETTER_F) & _CHUNK
        other += x >> _OTHER_F
        spaces += int(c.imag)
    breaks, spaces = divmod(spaces, _BREAK)
    space = z.imag
    if breaks:  # flags above 1: count with booleans
        space = space != 0
        words = int(np.count_nonzero(space[:-1] > space[1:])) + (not space[0])
    else:
        # words start after each space but those followed by a space, and at
        # the start unless there is a space
        words = spaces - int(space[-1]) - int(space[:-1].dot(space[1:])) + 1 - int(space[0])
    return arabic, latin, other_letters, other, words, bool(breaks)


# characters of a text measured at a time: a longer text is cut before a line break about every
# this many characters (no line spans two pieces; each piece but the first starts with white space,
# so no word does either), and the pieces' counts are added up, their line lengths joined
# (that size: PIECE_CHARS, from .pieces)


def _measure(text: str, native: bool = True) -> tuple[int, int, int, int, int, list[int]]:
    """``_counts`` (but the line-break flag) and the stripped lengths of the non-empty lines:
    in one compiled loop when the kernels are built and the text has no surrogate pair,
    else with numpy and ``str`` methods (same values); a long text piece by piece."""
    if len(text) > PIECE_CHARS:
        totals, lengths = [0] * 5, []
        for piece in pieces(text, PIECE_CHARS, "\n"):
            *counts, piece_lengths = _measure_piece(piece, native)
            totals = [a + b for a, b in zip(totals, counts)]
            lengths += piece_lengths
        return (*totals, lengths)
    return _measure_piece(text, native)


def _measure_piece(text: str, native: bool = True) -> tuple[int, int, int, int, int, list[int]]:
    """:func:`_measure` of a text at once."""
    if native and _native_counts is not None:
        found = _native_counts(text, _TABLE)
        if found is not None:
            counts, words, _, lengths = found
            return counts[_ARABIC], counts[_LATIN], counts[_LETTER], counts[_OTHER], words, lengths
    arabic, latin, other_letters, other, num_words, breaks = _counts(text)
    lines = text.splitlines() if breaks else text.split("\n")  # same non-empty lines when no other break
    return arabic, latin, other_letters, other, num_words, [k for k in map(len, map(str.strip, lines)) if k]


#: every warning :func:`quality_signals` can give (what ``--drop-quality`` accepts)
WARNINGS = ("footer", "header", "mixed_script", "noisy", "short_lines", "tiny")


def quality_signals(text: str) -> dict:
    """``num_words`` (``len(text.split())``, counted without splitting),
    ``num_lines`` (non-empty lines), ``mean_line_length`` (float, characters
    of the stripped non-empty lines), ``arabic_script_ratio`` (share of letters
    in the Arabic script, 0..1; 0.0 without letters) and ``quality_warnings``
    (sorted list of strings)."""
    arabic, latin, other_letters, other, num_words, lengths = _measure(text)
    letters = arabic + latin + other_letters
    nonspace = letters + other  # marks and spaces excluded
    num_lines = len(lengths)

    warnings = []  # appended in sorted order
    if num_lines > EDGE_LINES and num_lines >= SHORT_LINES_MIN_LINES and max(lengths) >= LONG_LINE_CHARS:
        if max(lengths[-EDGE_LINES:]) < SHORT_LINE_CHARS:
            warnings.append("footer")
        if max(lengths[:EDGE_LINES]) < SHORT_LINE_CHARS:
            warnings.append("header")
    if letters and arabic >= MIXED_SCRIPT_SHARE * letters and latin >= MIXED_SCRIPT_SHARE * letters:
        warnings.append("mixed_script")
    if nonspace and (nonspace - letters) / nonspace > NOISY_SHARE:
        warnings.append("noisy")
    if num_lines >= SHORT_LINES_MIN_LINES and sum(k < SHORT_LINE_CHARS for k in lengths) >= SHORT_LINES_SHARE * num_lines:
        warnings.append("short_lines")
    if num_words < TINY_WORDS:
        warnings.append("tiny")
    return {
        "num_words": num_words,
        "num_lines": num_lines,
        "mean_line_length": sum(lengths) / num_lines if num_lines else 0.0,
        "arabic_script_ratio": arabic / letters if letters else 0.0,
        "quality_warnings": warnings,
    }
