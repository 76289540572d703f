"""A long text cut into pieces of bounded size at white space, so that a step can walk it piece by
piece (fingerprints, cited outlets, quality counts) instead of building one object per token, or an
array per character, of the whole text."""
from __future__ import annotations

import unicodedata
from collections.abc import Iterator

#: characters of a long text a per-document step takes at a time (normalize, the fingerprints'
#: cleaning, shingles and exact key, the quality counts): about 1 MiB of a Python string of BMP text
PIECE_CHARS = 1 << 19


def pieces(text: str, size: int, at: str = " \n") -> Iterator[str]:
    """``text`` cut before one of the characters ``at`` (a space or line break) about every ``size``
    characters (further on when a stretch holds none); the pieces joined give ``text``."""
    start, n = 0, len(text)
    while n - start > size:
        end = start + size
        cut = max(text.rfind(c, start + 1, end) for c in at)
        if cut < 0:
            ahead = [i for i in (text.find(c, end) for c in at) if i >= 0]
            if not ahead:
                break
            cut = min(ahead)
        yield text[start:cut]
        start = cut
    yield text[start:]


def normalized(form: str, text: str, size: int) -> str:
    """``unicodedata.normalize(form, text)``; a text longer than ``size`` piece by piece, cut before
    a space or line break: a character that composes with nothing before it and before which no
    mark is reordered, so each piece normalises as it does inside the whole text. Only the pieces
    that change are normalised (the text itself when none does), never the whole text at once,
    which takes several times its size."""
    if len(text) <= size:
        return unicodedata.normalize(form, text)
    parts, changed = [], False
    for piece in pieces(text, size):
        if not unicodedata.is_normalized(form, piece):
            piece, changed = unicodedata.normalize(form, piece), True
        parts.append(piece)
    return "".join(parts) if changed else text
