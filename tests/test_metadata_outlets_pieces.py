"""A text holding a character the one-byte route of ``Gazetteer.cited`` does not cover (an emoji)
takes the token-list route, which tokenises and scans it a piece at a time (outlets.PIECE_CHARS),
keeping only a few tokens from one piece to the next; it must find what the whole text gives: the
same names as ``mentions`` of the whole text's token list, and the same cited outlets as the
one-byte route (Aho-Corasick over coded words, another path) gives the text without the emoji."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from corpuspack.builder.document.metadata import outlets
from corpuspack.builder.document.metadata.normalize import text_tokens, token_codes
from corpuspack.builder.document.pieces import pieces

REAL = Path(__file__).resolve().parents[1] / ".." / "shared" / "realdata" / "ant_multisource"
EMOJI = " 🙂"  # blanked by the tokeniser: it changes no token, only the route


def piecewise(text: str, size: int) -> list:
    return list(outlets.gazetteer()._scan(text_tokens(p) for p in pieces(text, size)))


# names of several tokens, ambiguous names that count only after a kind word or alone in brackets
TEXTS = [
    "نقلت وكالة الأنباء الفرنسية عن مصدر أن وكالة قنا قالت ( قنا ) ثم قنا وحدها " * 12,
    "وذكرت وكالة الصحافة الفرنسية ووكالة رويترز وقناة الجزيرة مباشر أن الجزيرة وحدها لا تكفي\n" * 12,
    "قال مراسل أ ف ب إن فرانس برس و\x0bقنا وكالة\nقنا " * 12,
    "نقلت وكالة الأنباء قنا وقالت " * 12,  # an ambiguous name after a kind word and a news word
    "according to RT ( RT Arabic Rusiya Al Yaum ) and " * 12,  # the longest name (8 tokens), holding a shorter one
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("size", [1, 5, 13, 40, 1 << 20])
def test_pieces_find_the_whole_texts_names(monkeypatch, text, size):
    g = outlets.gazetteer()
    assert piecewise(text + EMOJI, size) == g.mentions(text_tokens(text + EMOJI))
    monkeypatch.setattr(outlets, "PIECE_CHARS", size)
    assert token_codes(text) is not None and token_codes(text + EMOJI) is None
    assert g.cited(text + EMOJI) == g.cited(text)
    assert g.cited(text)  # the texts do cite outlets


def test_real_articles(monkeypatch):
    if not REAL.is_dir():
        pytest.skip("../shared/realdata is absent")
    g = outlets.gazetteer()
    articles = [p.read_text(encoding="utf-8") for p in sorted(REAL.glob("*.txt"))[:300]]
    covered = [a for a in articles if token_codes(a) is not None]
    text = "\n".join(covered)
    monkeypatch.setattr(outlets, "PIECE_CHARS", 2000)
    assert len(list(pieces(text, 2000))) > 100
    want = g.cited(text)
    assert len(want) >= 5
    assert g.cited(text + EMOJI) == want
    assert g.cited(EMOJI + "\n" + text) == want
    assert piecewise(text + EMOJI, 2000) == g.mentions(text_tokens(text + EMOJI))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.sampled_from(["وكالة", "الأنباء", "الفرنسية", "قنا", "(", ")", "رويترز", "الجزيرة", "مباشر",
                                       "قناة", "أ", "ف", "ب", "قال", "🙂", "\n", "\x0b", "و"]), max_size=60),
       size=st.integers(min_value=1, max_value=30))
def test_any_text_any_piece_size(monkeypatch, words, size):
    text = " ".join(words)
    assert piecewise(text, size) == outlets.gazetteer().mentions(text_tokens(text))
