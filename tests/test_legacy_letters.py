"""The encoding sample's letter counts (``document/legacy.letter_counts``: code points counted in
numpy) against regular expressions of the same ranges (the reference, as the counts were made before
round 40), on the seeds, real articles of five outlets and Persian news, and random text with
characters at each range's edges, lone surrogates among them."""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from corpuspack.builder.document import legacy

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = {
    "Arabic": re.compile("[\u0600-\u06ff]"),
    "Hebrew": re.compile("[\u0590-\u05ff]"),
    "Cyrillic": re.compile("[\u0400-\u04ff]"),
    "Greek": re.compile("[\u0370-\u03ff]"),
    "Latin": re.compile("[A-Za-z\u00c0-\u024f]"),
}


def _by_regex(text: str) -> dict[str, int]:
    return {name: len(pattern.findall(text)) for name, pattern in REFERENCE.items()}


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples" / "seeds").glob("*.txt"))]
    real = ROOT.parent / "shared" / "realdata"
    for p in sorted(real.rglob("*.txt"))[:300] if real.is_dir() else []:
        texts.append(p.read_text(encoding="utf-8", errors="surrogateescape"))
    return texts


def test_counts_on_real_text_match_the_regular_expressions():
    texts = _texts()
    assert len(texts) >= 5
    for text in texts:
        assert legacy.letter_counts(text) == _by_regex(text)


def test_counts_at_the_ranges_edges_match_the_regular_expressions():
    edges = [0x40, 0x41, 0x5A, 0x5B, 0x60, 0x61, 0x7A, 0x7B, 0xBF, 0xC0, 0x24F, 0x250, 0x36F, 0x370, 0x3FF,
             0x400, 0x4FF, 0x500, 0x58F, 0x590, 0x5FF, 0x600, 0x6FF, 0x700, 0xD800, 0xDFFF, 0x1F600]
    rng = random.Random(4)
    for _ in range(200):
        text = "".join(chr(rng.choice(edges) if rng.random() < 0.7 else rng.randrange(0x20, 0x800))
                       for _ in range(rng.randint(0, 300)))
        assert legacy.letter_counts(text) == _by_regex(text)


@pytest.mark.parametrize("text, script", [("مرحبا بكم في الموقع", "Arabic"), ("Привет мир", "Cyrillic"),
                                          ("Καλημέρα κόσμε", "Greek"), ("שלום עולם", "Hebrew")])
def test_a_sample_in_one_script_chooses_its_code_page(text, script):
    pref = legacy.infer([(text * 20).encode("utf-8")])
    assert pref.script == script and pref.encodings[0] == legacy.encodings_for(script)[0]
