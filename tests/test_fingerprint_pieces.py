"""A long text is shingled and signed piece by piece (fingerprint.PIECE_CHARS), so the memory of its
shingles does not grow with it; the signature and the verification shingles must be those of the
whole text at once: MinHash of every shingle hash in one rensa call, the shingles made from the
string tokeniser's tokens (fingerprint.tokens, the reference), never from pieces."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from rensa import RMinHash

from corpuspack.builder.document import fingerprint as fp

REAL = Path(__file__).resolve().parents[1] / ".." / "shared" / "realdata" / "ant_multisource"


def whole_signature(text: str, shingle: int = fp.SHINGLE, num_perm: int = fp.NUM_PERM) -> bytes:
    """The signature from every shingle of the whole text at once (string tokens, one rensa call)."""
    hashes = fp.shingle_hashes(fp.tokens(text), shingle)
    if not len(hashes):
        return b""
    row = RMinHash.digest_matrix_from_flat_token_hashes(hashes, [0, len(hashes)], num_perm, fp.SEED).to_rows()[0]
    return np.asarray(row, dtype="<u4").tobytes()


@pytest.fixture
def small_pieces(monkeypatch):
    monkeypatch.setattr(fp, "PIECE_CHARS", 64)


@pytest.mark.parametrize("text", [
    "قال الوزير إن المفاوضات مستمرة " * 40,  # many pieces, cut at spaces
    "السلام\nعليكم\n" * 30,  # cut at line breaks
    "a b",  # fewer tokens than a shingle
    "x" * 300 + " y z",  # a stretch without white space longer than a piece
    ("word " * 20) + "!" * 200 + (" ... " * 30) + " end of it",  # a piece without any token
    "مرحبا 🙂 بالعالم Straße " * 25,  # pieces with characters the tables do not fold (string tokeniser)
    "a" * 70 + " " + "b" * 70,  # two tokens, two pieces: one shingle of both
    "٠١٢ ۳۴ أبو ظبي ة ى " * 30,  # folded digits and letters
])
@pytest.mark.parametrize("shingle", [1, 2, 5])
def test_pieces_sign_like_the_whole_text(small_pieces, text, shingle):
    got = fp.fingerprints(text, shingle=shingle)["minhash"]
    assert got == whole_signature(text, shingle)
    assert len(got) == 4 * fp.NUM_PERM
    want = np.unique(fp.shingle_hashes(fp.tokens(text), shingle))
    assert fp.verify_shingles(text, shingle).tolist() == want.tolist()


def test_real_articles_one_long_text(monkeypatch):
    if not REAL.is_dir():
        pytest.skip("../shared/realdata is absent")
    articles = [p.read_text(encoding="utf-8") for p in sorted(REAL.glob("*.txt"))[:60]]
    text = "\n".join(articles)
    monkeypatch.setattr(fp, "PIECE_CHARS", 4000)
    assert len(text) > 20 * fp.PIECE_CHARS
    assert fp.fingerprints(text)["minhash"] == whole_signature(text)


def test_shingle_arrays_do_not_grow_with_the_text(monkeypatch):
    text = "كلمة أخرى هنا " * 20000  # 280,000 characters, 60,000 tokens
    monkeypatch.setattr(fp, "PIECE_CHARS", 1000)
    sizes = [len(a) for a in fp._shingle_pieces(fp._prepare(text), 5)]
    assert sum(sizes) == len(fp.tokens(text)) - 4  # every shingle once
    assert max(sizes) <= 1000 // 2 + 4  # a piece of 1,000 characters holds at most 500 tokens


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.one_of(st.text(min_size=1, max_size=12), st.sampled_from(["قال", "الوزير", "ß", "🙂", "\n"])),
                      max_size=80),
       piece=st.integers(min_value=1, max_value=40), shingle=st.integers(min_value=1, max_value=6))
def test_any_text_any_piece_size(monkeypatch, words, piece, shingle):
    text = " ".join(words)
    monkeypatch.setattr(fp, "PIECE_CHARS", piece)
    assert fp.fingerprints(text, shingle=shingle)["minhash"] == whole_signature(text, shingle)
