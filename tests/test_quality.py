from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from corpuspack.builder.document.quality import quality_signals

SEEDS = sorted((Path(__file__).resolve().parent.parent / "examples" / "seeds").glob("*.txt"))
AR = "أكد وزير الخارجية الروسي أن المباحثات بشأن الضمانات الأمنية ستبدأ أوائل العام القادم في جنيف"


def test_keys_and_types():
    r = quality_signals(AR)
    assert set(r) == {"num_words", "num_lines", "mean_line_length", "arabic_script_ratio", "quality_warnings"}
    assert isinstance(r["num_lines"], int) and isinstance(r["mean_line_length"], float)
    assert isinstance(r["arabic_script_ratio"], float) and isinstance(r["quality_warnings"], list)


def test_lines_and_mean_length():
    r = quality_signals("abc\n\n  de  \n\t\nfghij\n")
    assert r["num_lines"] == 3
    assert r["mean_line_length"] == pytest.approx((3 + 2 + 5) / 3)


def test_empty():
    r = quality_signals("")
    assert r == {"num_words": 0, "num_lines": 0, "mean_line_length": 0.0, "arabic_script_ratio": 0.0, "quality_warnings": ["tiny"]}


def test_arabic_ratio_and_diacritics_not_noise():
    assert quality_signals(AR)["arabic_script_ratio"] == 1.0
    assert quality_signals("abc دمج")["arabic_script_ratio"] == pytest.approx(3 / 6)
    voweled = "بِسْمِ اللَّهِ الرَّحْمَٰنِ الرَّحِيمِ " * 20
    r = quality_signals(voweled)
    assert r["arabic_script_ratio"] == 1.0 and "noisy" not in r["quality_warnings"]
    # presentation forms count as Arabic script, digits are not letters
    assert quality_signals("ﻻ ﺑ 123")["arabic_script_ratio"] == 1.0


def test_warnings():
    long_ar = " ".join([AR] * 5)
    assert quality_signals(long_ar)["quality_warnings"] == []
    assert "tiny" in quality_signals(AR)["quality_warnings"]
    menu = "\n".join(["الرئيسية", "أخبار", "رياضة", "اقتصاد", long_ar])
    assert "short_lines" in quality_signals(menu)["quality_warnings"]
    noisy = long_ar + " " + "12345 ||| ### 678 $$$ 9999 " * 30
    assert "noisy" in quality_signals(noisy)["quality_warnings"]
    mixed = long_ar + " " + "The minister said the talks will start early next year in Geneva " * 4
    assert "mixed_script" in quality_signals(mixed)["quality_warnings"]
    assert "mixed_script" not in quality_signals(long_ar + " RT CNN")["quality_warnings"]
    page = "\n".join(["الرئيسية", "أخبار", "سياسة", long_ar, long_ar, "مقالات ذات صلة", "اترك تعليقاً", "زر الذهاب إلى الأعلى"])
    w = quality_signals(page)["quality_warnings"]
    assert "header" in w and "footer" in w and w == sorted(w)


def test_warning_thresholds_at_their_boundaries():
    """Each threshold of the module's docstring, at the value written there by hand: one unit on
    either side of it changes the warning."""
    def warnings(text):
        return set(quality_signals(text)["quality_warnings"])

    assert "tiny" in warnings("كلمة " * 39) and "tiny" not in warnings("كلمة " * 40)  # TINY_WORDS = 40
    # noisy: more than 25% of the non-space characters are not letters (60 words of 3 letters = 180)
    assert "noisy" not in warnings("كتب! " * 60)  # 60 / 240 = 25%
    assert "noisy" in warnings("كتب! " * 60 + "!")  # 61 / 241
    # mixed_script: Latin and Arabic each at least 20% of the letters
    arabic = "كتب " * 80  # 240 Arabic letters
    assert "mixed_script" in warnings(arabic + "abc " * 20)  # 60 / 300 = 20%
    assert "mixed_script" not in warnings(arabic + "abc " * 19 + "ab")  # 59 / 299
    # short_lines: at least 3 non-empty lines, half of them under 30 characters
    long = "كلمة " * 10  # 50 characters
    assert "short_lines" in warnings("\n".join(["قصير", "قصير", long, long]) + " " + "كلمة " * 40)
    assert "short_lines" not in warnings("\n".join(["قصير", long, long]) + " " + "كلمة " * 40)
    assert "short_lines" not in warnings("قصير\nقصير")  # two short lines: under SHORT_LINES_MIN_LINES
    assert "short_lines" in warnings("قصير\nقصير\nقصير")
    assert "short_lines" in warnings("\n".join(["قصير", "ب" * 29, long]))
    assert "short_lines" not in warnings("\n".join(["قصير", "ب" * 30, long]))


def test_seeds_are_clean_arabic():
    assert len(SEEDS) == 5
    for f in SEEDS:
        r = quality_signals(f.read_text(encoding="utf-8"))
        assert r["arabic_script_ratio"] > 0.95
        assert not {"tiny", "noisy", "mixed_script", "short_lines"} & set(r["quality_warnings"])


WORD_PIECES = ["", " ", "  ", "\n", "\t", "\u00a0", "\u2003", "\u3000", "\r\n", "\u2028", "\x1c", "\x85",
               "كلمة", "word", "١٢٣", "😀", "a\u200bb", "\u064e", "x" * 9000]


@given(st.lists(st.sampled_from(WORD_PIECES), max_size=40))
def test_num_words_is_str_split(pieces):
    """num_words is counted without splitting; it must equal len(text.split()) for any mix of
    white space (Unicode spaces, line breaks other than \\n), astral characters and long texts
    (over the 8,191-unit chunk of the packed sums)."""
    text = "".join(pieces)
    assert quality_signals(text)["num_words"] == len(text.split())


def test_num_words_of_the_seeds():
    for path in SEEDS:
        text = path.read_text(encoding="utf-8")
        assert quality_signals(text)["num_words"] == len(text.split())
