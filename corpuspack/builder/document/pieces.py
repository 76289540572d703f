"""A long text cut into pieces of bounded size at white space, so that a step can walk it piece by
piece (fingerprints, cited outlets) instead of building one object per token of the whole text."""
from __future__ import annotations

from collections.abc import Iterator


def pieces(text: str, size: int) -> Iterator[str]:
    """``text`` cut before a space or line break about every ``size`` characters (further on when a
    stretch holds neither); the pieces joined give ``text``."""
    start, n = 0, len(text)
    while n - start > size:
        end = start + size
        cut = max(text.rfind(" ", start + 1, end), text.rfind("\n", start + 1, end))
        if cut < 0:
            ahead = [i for i in (text.find(" ", end), text.find("\n", end)) if i >= 0]
            if not ahead:
                break
            cut = min(ahead)
        yield text[start:cut]
        start = cut
    yield text[start:]
