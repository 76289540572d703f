"""A long text's quality signals are measured piece by piece (quality.PIECE_CHARS: cut before a
line break), so no array per character of the whole text is built; they must be those of the whole
text at once: the counts and line lengths of the whole text's own route, and words and lines
counted with ``str`` methods (``len(text.split())``, ``text.splitlines()``), another path."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from corpuspack.builder.document import quality
from corpuspack.builder.document.pieces import pieces

REAL = Path(__file__).resolve().parents[1] / ".." / "shared" / "realdata" / "ant_multisource"


def whole(monkeypatch, text: str, native: bool = True) -> tuple:
    monkeypatch.setattr(quality, "PIECE_CHARS", 1 << 40)
    return quality._measure(text, native), quality.quality_signals(text)


def check(monkeypatch, text: str, size: int) -> None:
    want_measure, want_signals = whole(monkeypatch, text)
    assert want_measure == whole(monkeypatch, text, native=False)[0]
    monkeypatch.setattr(quality, "PIECE_CHARS", size)
    assert quality._measure(text) == want_measure
    assert quality._measure(text, native=False) == want_measure
    signals = quality.quality_signals(text)
    assert signals == want_signals
    assert signals["num_words"] == len(text.split())
    assert signals["num_lines"] == sum(1 for line in text.splitlines() if line.strip())


@pytest.mark.parametrize("text", [
    "قال الوزير إن المفاوضات مستمرة\n" * 40,
    "سطر قصير 🙂\n\nوسطر آخر فيه Latin words and 123\r\n" * 30,  # emoji (outside the BMP), CR LF
    "a\u2028b\x0bc\x0cd\re\n" * 40,  # line breaks that are not \n (splitlines)
    "\n\n  word  \n" * 50 + "no break at the end",
    "x" * 300 + "\ny" * 3,  # a stretch without a line break longer than a piece
])
@pytest.mark.parametrize("size", [1, 9, 64])
def test_pieces_measure_like_the_whole_text(monkeypatch, text, size):
    assert len(list(pieces(text, size, "\n"))) > 1
    check(monkeypatch, text, size)


def test_real_articles_one_long_text(monkeypatch):
    if not REAL.is_dir():
        pytest.skip("../shared/realdata is absent")
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(REAL.glob("*.txt"))[:60]) + "\n🙂 نهاية"
    assert len(list(pieces(text, 4000, "\n"))) > 20
    check(monkeypatch, text, 4000)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.one_of(st.text(max_size=8), st.sampled_from(["\n", "\r", "\r\n", "🙂", " ", "قال", "x" * 40])),
                      max_size=60),
       size=st.integers(min_value=1, max_value=30))
def test_any_text_any_piece_size(monkeypatch, words, size):
    check(monkeypatch, "".join(words), size)
