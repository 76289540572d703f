"""Stage 3, clean: normalise a decoded document without losing content words.

Two steps, kept apart because metadata extraction reads the text between them
(a title repeated on the next line is evidence of a headline):

* :func:`normalize`: newlines, Unicode NFC, invisible characters, line-end spaces.
* :func:`clean_lines`: known boilerplate lines, a title line repeated as the next
  line, runs of blank lines; it counts what it removed.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from .pieces import PIECE_CHARS, pieces

try:  # compiled loops (optional; the str and regex code below gives the same values)
    from .._kernels import (normalize_spaces as _native_spaces, fold_line as _native_fold,
                            layout_flags as _native_layout)
except ImportError:  # pragma: no cover - built without a C compiler
    _native_fold = _native_layout = _native_spaces = None

# Format characters kept because they carry meaning: ZWNJ (Persian, Urdu) and ZWJ.
_KEEP_FORMAT = {"\u200c", "\u200d"}
# runs of white space to fold into one space: only those that are not already one plain space
# (a pattern that matched every single space made re.sub build a piece per word: ~1 GB of
# pieces for a 60 MB file)
_SPACE_CLASS = r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]"
_SPACES = re.compile(_SPACE_CLASS + r"{2,}|[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")


def _removed(ch: str) -> bool:
    """A character :func:`normalize` removes (see :func:`_invisible_class`)."""
    cat = unicodedata.category(ch)
    return (cat == "Cc" and ch not in "\t\n") or (cat == "Cf" and ch not in _KEEP_FORMAT)


def _invisible_class() -> str:
    """A regex character class of the code points :func:`normalize` removes: controls
    (but tab and newline) and invisible format characters (Unicode category Cf: BOM,
    LRM/RLM, bidi embeddings and isolates, soft hyphen, zero-width space, ...),
    except those in ``_KEEP_FORMAT``. Built once from the Unicode database."""
    ranges: list[list[int]] = []
    for cp in range(0x110000):
        if _removed(chr(cp)):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    return "[" + "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                         for a, b in ranges) + "]+"


@lru_cache(maxsize=1)
def _invisible() -> re.Pattern:
    """Built on first use (scanning the Unicode database takes ~0.3 s, paid by every worker
    process at start-up when built at import; most texts never need it)."""
    return re.compile(_invisible_class())


@lru_cache(maxsize=1)
def _space_table() -> bytes:
    """Per BMP character, what the compiled pass does with it: 1 removed (:func:`_removed`),
    2 a space of ``_SPACE_CLASS``, 0 kept."""
    space = re.compile(_SPACE_CLASS)
    return bytes(1 if _removed(ch) else 2 if space.fullmatch(ch) else 0 for ch in map(chr, range(0x10000)))


_LINE_EDGES = re.compile(r" +\n *|\n +")  # spaces at line edges (not every line break: see _SPACES)
_SPACE_RUNS = re.compile(r"  +")


# characters of a long text normalised at a time: it is cut before a line break about every this
# many characters and each piece is normalised alone (NFC, spaces and line edges all work within a
# piece that starts with its line break), so no copy of the whole text is made but the joined result
# (that size: PIECE_CHARS, from .pieces)


def normalize(text: str, native: bool = True) -> str:
    """Newlines to ``\\n``, NFC, invisible characters dropped, spaces folded, lines stripped."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) <= PIECE_CHARS:
        return _normalized_piece(text, native).strip(" ")
    parts = [_normalized_piece(piece, native) for piece in pieces(text, PIECE_CHARS, "\n")]
    # each piece but the last is followed by a line break, before which no space stays
    return "".join([part.rstrip(" ") for part in parts[:-1]] + parts[-1:]).strip(" ")


def _normalized_piece(text: str, native: bool = True) -> str:
    """:func:`normalize` of a text without carriage returns, but the strip of its ends."""
    text = unicodedata.normalize("NFC", text)
    if native and _native_layout is not None:  # the tests below, in one compiled pass
        printable, _, runs, edges = _native_layout(text)
    else:
        printable, runs, edges = text.replace("\n", "").isprintable(), None, None
    # Fast path: printable text (apart from newlines) holds no control, format or
    # exotic space character, so only runs of plain spaces can need work.
    if not printable:  # real text: mostly no-break spaces (U+00A0), bidi marks
        folded = _native_spaces(text, _space_table()) if native and _native_spaces is not None else None
        if folded is not None:  # line edges done too
            text, edges = folded, False
        else:
            text = _SPACES.sub(" ", _invisible().sub("", text))
            edges = None  # not known any more
    elif runs or (runs is None and "  " in text):
        text = _SPACE_RUNS.sub(" ", text)  # a run next to a line break stays next to it: edges holds
    if edges or (edges is None and (" \n" in text or "\n " in text)):
        text = _LINE_EDGES.sub("\n", text)
    return text


_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]+")  # Arabic diacritics, tatweel


def fold(line: str, native: bool = True) -> str:
    """The comparison key of a line: Arabic diacritics and tatweel dropped, white space folded."""
    if native and _native_fold is not None:
        return _native_fold(line)
    return " ".join(_MARKS.sub("", line).split())


@lru_cache(maxsize=None)
def boilerplate_lines(resource: str = "boilerplate.txt") -> frozenset[str]:
    raw = files("corpuspack.data").joinpath(resource).read_text(encoding="utf-8")
    return frozenset(fold(l) for l in raw.splitlines() if l.strip() and not l.startswith("#"))


@dataclass(frozen=True)
class Cleaned:
    text: str
    removed_lines: int  # non-blank lines removed
    removed_boilerplate: int
    removed_repeated_title: int


def clean_lines(text: str, boilerplate: frozenset[str] | None = None) -> Cleaned:
    """Remove boilerplate lines, a repeated title line, and runs of blank lines from normalised text."""
    if boilerplate is None:
        boilerplate = boilerplate_lines()
    # a line far longer than every listed line cannot be one of them, even with marks in it
    limit = 3 * max(map(len, boilerplate), default=0)
    kept: list[str] = []
    n_boiler = n_title = 0
    last_content: str | None = None  # folded key of the last kept non-blank line
    first_content_seen = 0
    for line in text.split("\n"):
        key = fold(line) if line and (first_content_seen < 2 or len(line) <= limit) else line
        if not key:
            if kept and kept[-1] != "":
                kept.append("")
            continue
        if key in boilerplate:
            n_boiler += 1
            continue
        if first_content_seen == 1 and key == last_content:
            # the title line, repeated as the next line: keep one copy (only this repeat: a
            # third copy is content, so the rule is spent)
            n_title += 1
            first_content_seen = 2
            continue
        kept.append(line)
        last_content = key
        first_content_seen += 1
    while kept and kept[-1] == "":
        kept.pop()
    return Cleaned("\n".join(kept), n_boiler + n_title, n_boiler, n_title)
