import itertools
import re
from pathlib import Path

import numpy as np

from corpuspack.builder.document.fingerprint import (
    MAX_LINE_CHARS, estimate_jaccard, fingerprints, normalise_exact, signature_array, tokens,
)

SEEDS = sorted((Path(__file__).resolve().parent.parent / "examples" / "seeds").glob("*.txt"))
TEXTS = [f.read_text(encoding="utf-8") for f in SEEDS]


def test_shapes_and_types():
    fp = fingerprints(TEXTS[0])
    assert len(fp["exact_key"]) == 16 and isinstance(fp["exact_key"], bytes)
    assert len(fp["minhash"]) == 128 * 4
    assert all(isinstance(h, int) and 0 <= h < 2**64 for h in fp["line_hashes"])
    assert len(fingerprints(TEXTS[0], num_perm=64)["minhash"]) == 256


def test_deterministic_and_seeded():
    a, b = fingerprints(TEXTS[1]), fingerprints(TEXTS[1])
    assert a == b
    assert fingerprints(TEXTS[1], seed=1)["minhash"] != a["minhash"]


def test_exact_key_normalisation():
    base = "قال الوزير لا جديد في المفاوضات"
    k = fingerprints(base)["exact_key"]
    assert fingerprints("  قال   الوزير\nلا جديد\tفي المفاوضات \n")["exact_key"] == k  # whitespace
    assert fingerprints("قـال الوزيـــر لا جديد في المفاوضات")["exact_key"] == k  # tatweel
    assert fingerprints("قال الوزير \ufefb جديد في المفاوضات")["exact_key"] == k  # presentation form
    voweled = "قَالَ الوَزِيرُ لا جديد في المفاوضات"
    assert fingerprints(voweled)["exact_key"] == k  # diacritics stripped by default
    assert fingerprints(voweled, strip_diacritics=False)["exact_key"] != k
    assert fingerprints("قال الوزير لا جديد في المفاوضات.")["exact_key"] != k  # punctuation matters


def test_tokens_are_arabic_aware():
    toks = tokens("أعلن وزير الخارجية (الروسي)، سيرغي لافروف: «إلى» مدرسة ٢٠٢٢ RT-News")
    assert toks == ["اعلن", "وزير", "الخارجيه", "الروسي", "سيرغي", "لافروف", "الي", "مدرسه", "2022", "rt", "news"]
    assert all(tokens(t) for t in TEXTS)
    assert len(tokens(TEXTS[0])) > 300


def test_ascii_tokeniser_trap():
    """An ASCII tokeniser reduces Arabic to nothing, so every Arabic document gets
    the same (empty) signature. Ours: unrelated Arabic documents are far apart."""
    ascii_tokens = [re.findall(r"[A-Za-z0-9]+", t) for t in TEXTS]  # what such a tool would see
    assert all(len(a) <= 5 for a in ascii_tokens)  # at most one 5-gram per ~500-word document
    sigs = [fingerprints(t)["minhash"] for t in TEXTS]
    assert len(set(sigs)) == 5
    for a, b in itertools.combinations(sigs, 2):
        assert estimate_jaccard(a, b) < 0.1
    # documents on the same topic that share many words still differ at 5-gram level
    para = TEXTS[4].splitlines()
    j = estimate_jaccard(fingerprints("\n".join(para[:8]))["minhash"], fingerprints("\n".join(para[8:16]))["minhash"])
    assert j < 0.1


def test_near_duplicate_similarity():
    t = TEXTS[0]
    words = t.split(" ")
    words[10], words[11] = words[11], words[10]
    swapped = " ".join(words)
    assert estimate_jaccard(fingerprints(t)["minhash"], fingerprints(swapped)["minhash"]) > 0.85
    assert fingerprints(t)["exact_key"] != fingerprints(swapped)["exact_key"]


def test_empty_and_punctuation_only():
    fp = fingerprints("")
    assert fp["minhash"] == b"" and fp["line_hashes"] == [] and len(fp["exact_key"]) == 16
    assert fingerprints("... ،،، !!!")["minhash"] == b""
    assert len(fingerprints("كلمة")["minhash"]) == 512  # shorter than a shingle: one shingle


def test_line_hashes_skip_long_lines():
    short = "زر الذهاب إلى الأعلى"
    long = "كلمة " * (MAX_LINE_CHARS // 5 + 5)
    fp = fingerprints(f"{short}\n\n{long}\n  {short}  \n")
    assert len(fp["line_hashes"]) == 2 and fp["line_hashes"][0] == fp["line_hashes"][1]


def test_signature_array():
    s = signature_array(fingerprints(TEXTS[0])["minhash"])
    assert s.dtype == np.dtype("<u4") and s.shape == (128,)
