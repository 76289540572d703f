"""A long text is normalised piece by piece, never the whole text at once: NFKC for the exact key
(pieces.normalized, cut before a space or line break, fingerprint.PIECE_CHARS), which must give
``unicodedata.normalize`` of the whole text; and ``clean.normalize`` (cut before a line break,
clean.PIECE_CHARS: NFC, spaces, invisible characters and line edges per piece), which must give
the same text as the whole text's own route, and as the regular expressions of the whole text."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from corpuspack.builder.document import clean
from corpuspack.builder.document.pieces import normalized, pieces

REAL = Path(__file__).resolve().parents[1] / ".." / "shared" / "realdata" / "ant_multisource"

TEXTS = [
    "سأل \u0627\u0654 \u0648\u0654 \u064a\u0654 " * 30,  # combining hamza (NFC composes it) at boundaries
    "e\u0301 \u0301x a\u0327\u0301 \n\u0308 " * 30,  # marks right after the cut, reordered marks
    "ﻻ ﷲ ﬁ ² ١٢ 🙂\r\n" * 30,  # characters NFKC changes, an emoji, CR LF
    "\u1100\u1161 \u1100\n\u1161 " * 30,  # Hangul jamo that compose, with a cut between them
    "x" * 200 + " \u0301",  # a stretch without a space longer than a piece
    "  سطر \u00a0 \n \u200f  سطر آخر\t\n\n\u200b \n" * 30,  # spaces and invisible marks at line edges
    " \x01 a  \u2003 b \U0001F642 \n\n  \U000E0001 c \n" * 30,  # a control, an emoji, a tag character
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("size", [1, 7, 64])
@pytest.mark.parametrize("form", ["NFC", "NFKC"])
def test_pieces_normalise_like_the_whole_text(text, size, form):
    assert len(list(pieces(text, size))) > 1
    assert normalized(form, text, size) == unicodedata.normalize(form, text)


@pytest.mark.parametrize("text", [t + "\n" + t for t in TEXTS])
def test_normalize_like_the_whole_text(monkeypatch, text):
    monkeypatch.setattr(clean, "PIECE_CHARS", 1 << 40)
    want = clean.normalize(text)
    assert clean.normalize(text, native=False) == want
    monkeypatch.setattr(clean, "PIECE_CHARS", 5)
    assert len(list(pieces(text, 5, "\n"))) > 1
    assert clean.normalize(text) == want
    assert clean.normalize(text, native=False) == want


def test_real_articles(monkeypatch):
    if not REAL.is_dir():
        pytest.skip("../shared/realdata is absent")
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(REAL.glob("*.txt"))[:60]) + " \u0654 🙂"
    for form in ("NFC", "NFKC"):
        assert normalized(form, text, 4000) == unicodedata.normalize(form, text)
    monkeypatch.setattr(clean, "PIECE_CHARS", 1 << 40)
    want = clean.normalize(text)
    monkeypatch.setattr(clean, "PIECE_CHARS", 4000)
    assert clean.normalize(text) == want


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chars=st.lists(st.one_of(st.characters(), st.sampled_from([" ", "\n", "\u0654", "\u0301", "\u1161", "ﻻ"])),
                      max_size=80),
       size=st.integers(min_value=1, max_value=20), form=st.sampled_from(["NFC", "NFKC", "NFD"]))
def test_any_text_any_piece_size(chars, size, form):
    text = "".join(chars)
    assert normalized(form, text, size) == unicodedata.normalize(form, text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chars=st.lists(st.one_of(st.characters(), st.sampled_from([" ", "\n", "\r", "\t", "\u00a0", "\u200f", "\u0654",
                                                                   "\x01", "\U0001F642"])), max_size=80),
       size=st.integers(min_value=1, max_value=20))
def test_normalize_any_text_any_piece_size(monkeypatch, chars, size):
    text = "".join(chars)
    monkeypatch.setattr(clean, "PIECE_CHARS", 1 << 40)
    want = clean.normalize(text)
    monkeypatch.setattr(clean, "PIECE_CHARS", size)
    assert clean.normalize(text) == want
    assert clean.normalize(text, native=False) == want
