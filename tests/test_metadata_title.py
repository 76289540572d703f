"""Titles: first line when it reads as a headline, repeated-line signal, skips, and nulls."""
import pytest

from corpuspack.builder.document.metadata import extract_metadata
from corpuspack.builder.document.metadata.title import extract_title

BODY = "أكد الوزير في تصريح صحفي أن المحادثات جرت في أجواء بناءة وأن الجانبين اتفقا على مواصلة التعاون."
TITLE = "الوزير يؤكد أن المحادثات جرت في أجواء بناءة"


def title(*lines):
    m = extract_metadata("\n".join(lines))
    return m["title"], m["title_method"]


def test_first_line_headline():
    assert title(TITLE, BODY, BODY) == (TITLE, "first_line")


def test_repeated_line_with_blank_between():
    assert title(TITLE, "", TITLE, "", BODY) == (TITLE, "repeated_line")


def test_repeated_line_whitespace_folded():
    assert title(TITLE, TITLE.replace(" ", "  ", 2), BODY) == (TITLE, "repeated_line")


def test_repeated_even_if_followed_by_short_line():
    assert title(TITLE, TITLE, "قصير") == (TITLE, "repeated_line")


def test_section_label_skipped():
    assert title("الشأن السوري", "", TITLE, "", BODY) == (TITLE, "first_line")


def test_bare_dateline_skipped():
    assert title("موسكو-سانا", BODY, BODY) == (None, None)
    assert title("موسكو-سانا", TITLE, BODY) == (TITLE, "first_line")


def test_date_line_skipped():
    assert title("18 فبراير 2022", TITLE, BODY) == (TITLE, "first_line")


@pytest.mark.parametrize("lines", [
    (BODY, BODY),  # a full sentence ending with '.'
    ("وقال الوزير:", BODY),  # ends like an introduction
    (TITLE,),  # nothing after it
    ("(رويترز) - " + TITLE, BODY),
    ("المصدر: رويترز", BODY),
    ("نشر في 18 فبراير 2022", BODY),
    ("كلمة", BODY),  # one word
    (" ".join(["كلمة"] * 40), BODY),  # too long for a headline
    (TITLE + " " + TITLE + " " + TITLE + " " + TITLE + " " + TITLE, "قصير"),
    (TITLE, "نص قصير"),  # next line is not a body line
])
def test_null_titles(lines):
    assert title(*lines) == (None, None)


def test_extract_title_returns_line_indices():
    assert extract_title([TITLE, TITLE, BODY]) == (TITLE, "repeated_line", (0, 1))
    assert extract_title(["الشأن السوري", TITLE, BODY]) == (TITLE, "first_line", (1,))
    assert extract_title([BODY, BODY]) == (None, None, ())


def test_title_with_question_and_latin():
    q = "هل تنجح المفاوضات بين موسكو وواشنطن؟"
    assert title(q, BODY) == (q, "first_line")
    t = "Lavrov says Russia will seek honest approach from NATO"
    assert title(t, "Russian Foreign Minister Sergei Lavrov said on Friday that Moscow would seek honesty.") == (t, "first_line")
