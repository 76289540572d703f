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

# Format characters kept because they carry meaning: ZWNJ (Persian, Urdu) and ZWJ.
_KEEP_FORMAT = {"\u200c", "\u200d"}
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")


@lru_cache(maxsize=1)
def _drop_table() -> dict[int, None]:
    """Code points removed by :func:`normalize`: controls (but tab and newline) and
    invisible format characters (Cf: BOM, LRM/RLM, bidi embeddings, soft hyphen,
    zero-width space, ...) except those in ``_KEEP_FORMAT``."""
    drop = {}
    for cp in range(0x110000):
        ch = chr(cp)
        cat = unicodedata.category(ch)
        if (cat == "Cc" and ch not in "\t\n") or (cat == "Cf" and ch not in _KEEP_FORMAT):
            drop[cp] = None
    return drop


def normalize(text: str) -> str:
    """Newlines to ``\\n``, NFC, invisible characters dropped, spaces folded, lines stripped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text).translate(_drop_table())
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def fold(line: str) -> str:
    """The comparison key of a line: white space folded, ends stripped."""
    return " ".join(line.split())


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
    kept: list[str] = []
    n_boiler = n_title = 0
    last_content: str | None = None  # folded key of the last kept non-blank line
    first_content_seen = 0
    for line in text.split("\n"):
        key = fold(line)
        if not key:
            if kept and kept[-1] != "":
                kept.append("")
            continue
        if key in boilerplate:
            n_boiler += 1
            continue
        if first_content_seen == 1 and key == last_content:
            # the title line, repeated as the next line: keep one copy
            n_title += 1
            continue
        kept.append(line)
        last_content = key
        first_content_seen += 1
    while kept and kept[-1] == "":
        kept.pop()
    return Cleaned("\n".join(kept), n_boiler + n_title, n_boiler, n_title)
