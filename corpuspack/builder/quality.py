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
# regex counting over Unicode classes costs ~1 ms per article, this ~20 us.
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


def _class_counts(text: str) -> tuple[np.ndarray, int]:
    """(count per class, number of whitespace-separated words)."""
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    cls = _TABLE[np.minimum(cp, 0xFFFF)]
    cls[cp > 0xFFFF] = _OTHER  # astral plane (emoji, symbols): counted as noise
    space = cls == _SPACE
    words = int(np.count_nonzero(space[:-1] & ~space[1:])) + int(len(space) > 0 and not space[0])
    return np.bincount(cls, minlength=6), words


def quality_signals(text: str) -> dict:
    """``num_lines`` (non-empty lines), ``mean_line_length`` (float, characters
    of the stripped non-empty lines), ``arabic_script_ratio`` (share of letters
    in the Arabic script, 0..1; 0.0 without letters) and ``quality_warnings``
    (sorted list of strings)."""
    lines = [s for s in (line.strip() for line in text.splitlines()) if s]
    num_lines = len(lines)
    lengths = [len(s) for s in lines]
    mean_len = sum(lengths) / num_lines if num_lines else 0.0

    c, num_words = _class_counts(text)
    arabic, latin = int(c[_ARABIC]), int(c[_LATIN])
    letters = arabic + latin + int(c[_LETTER])
    nonspace = letters + int(c[_OTHER])  # marks and spaces excluded
    ratio = arabic / letters if letters else 0.0

    warnings = []
    if num_words < TINY_WORDS:
        warnings.append("tiny")
    if num_lines >= SHORT_LINES_MIN_LINES:
        short = sum(1 for n in lengths if n < SHORT_LINE_CHARS)
        if short >= SHORT_LINES_SHARE * num_lines:
            warnings.append("short_lines")
        if any(n >= LONG_LINE_CHARS for n in lengths) and num_lines > EDGE_LINES:
            if all(n < SHORT_LINE_CHARS for n in lengths[:EDGE_LINES]):
                warnings.append("header")
            if all(n < SHORT_LINE_CHARS for n in lengths[-EDGE_LINES:]):
                warnings.append("footer")
    if nonspace and (nonspace - letters) / nonspace > NOISY_SHARE:
        warnings.append("noisy")
    if letters and arabic >= MIXED_SCRIPT_SHARE * letters and latin >= MIXED_SCRIPT_SHARE * letters:
        warnings.append("mixed_script")
    return {
        "num_lines": num_lines,
        "mean_line_length": float(mean_len),
        "arabic_script_ratio": float(ratio),
        "quality_warnings": sorted(warnings),
    }
