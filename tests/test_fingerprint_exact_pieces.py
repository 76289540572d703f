"""A long text's exact key is made piece by piece (NFKC of pieces, white space folded and hashed a
piece at a time, fingerprint.PIECE_CHARS), so no copy of the whole text as a list of words is
built; the key must be the one of the whole text at once: xxh3-128 of ``normalise_exact`` (NFKC of
the whole text, the deletions by regular expression, ``" ".join(text.split())``), another path."""
from __future__ import annotations

from pathlib import Path

import pytest
import xxhash
from hypothesis import HealthCheck, given, settings, strategies as st

from corpuspack.builder.document import fingerprint as fp
from corpuspack.builder.document.pieces import pieces

REAL = Path(__file__).resolve().parents[1] / ".." / "shared" / "realdata" / "ant_multisource"


def whole_key(text: str) -> bytes:
    return xxhash.xxh3_128_digest(fp.normalise_exact(text).encode("utf-8"))


@pytest.mark.parametrize("text", [
    "قال الوزير إن المفاوضات مستمرة " * 40,
    "السلام\nعليكم\n\n" * 30,
    "word\x0b\tword\r\n\x85 " * 40,  # control characters and other white space at every boundary
    "مرحبا 🙂 بالعالم\x01 " * 30,  # an emoji (outside the tables) and a control character
    "ﻻ ﷲ ﬁ ² ١٢ ـــ " * 40,  # characters NFKC changes, tatweel
    "  " + "x" * 300 + "   y\n\n z  ",  # blanks at both ends, a stretch longer than a piece
    "كَتَبَ \u0654 \u200c " * 40,  # diacritics, a combining hamza after a space, ZWNJ
    "\x0c \x0c\n" * 50,  # no word at all
])
@pytest.mark.parametrize("size", [1, 7, 64])
def test_pieces_key_like_the_whole_text(monkeypatch, text, size):
    monkeypatch.setattr(fp, "PIECE_CHARS", size)
    assert len(list(pieces(text, size))) > 1
    assert fp.exact_key(text) == whole_key(text)
    assert fp.fingerprints(text)["exact_key"] == whole_key(text)


def test_real_articles_one_long_text(monkeypatch):
    if not REAL.is_dir():
        pytest.skip("../shared/realdata is absent")
    articles = [p.read_text(encoding="utf-8") for p in sorted(REAL.glob("*.txt"))[:60]]
    text = "\x0b\n".join(articles) + " 🙂"  # a control character between articles, an emoji
    monkeypatch.setattr(fp, "PIECE_CHARS", 4000)
    assert len(text) > 20 * fp.PIECE_CHARS
    assert fp.exact_key(text) == whole_key(text)
    monkeypatch.setattr(fp, "PIECE_CHARS", 1 << 30)  # and the whole text's own route
    assert fp.exact_key(text) == whole_key(text)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.one_of(st.text(max_size=8), st.sampled_from(["ﻻ", "🙂", "\x0b", "\n", " ", "ـ", "\u0654"])),
                      max_size=60),
       size=st.integers(min_value=1, max_value=30))
def test_any_text_any_piece_size(monkeypatch, words, size):
    text = " ".join(words)
    monkeypatch.setattr(fp, "PIECE_CHARS", size)
    assert fp.exact_key(text) == whole_key(text)
