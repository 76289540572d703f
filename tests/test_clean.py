"""Cleaning normalises and removes page furniture, and never loses content words."""
import unicodedata

from corpuspack.builder.document.clean import boilerplate_lines, clean_lines, fold, normalize


def test_newlines_nfc_and_line_ends():
    raw = "سطر أول  \r\nسطر ثان\rسطر\u00a0ثالث\t\n"
    assert normalize(raw) == "سطر أول\nسطر ثان\nسطر ثالث\n"
    decomposed = unicodedata.normalize("NFD", "آمن")
    assert normalize(decomposed) == "آمن"


def test_invisible_characters_removed_but_zwnj_kept():
    raw = "\ufeffمی\u200cخواهم\u200e \u202bنص\u202c\u200b سطر\u00ad\x07"
    assert normalize(raw) == "می\u200cخواهم نص سطر"


def test_boilerplate_lines_removed_and_counted():
    text = normalize("عنوان الخبر\nنص الخبر الأول.\nDiscussion about this post\n\nاترك تعليقاً\nلن يتم نشر عنوان بريدك الإلكتروني.\nزر الذهاب إلى الأعلى\n")
    c = clean_lines(text)
    assert c.text == "عنوان الخبر\nنص الخبر الأول."
    assert (c.removed_boilerplate, c.removed_lines) == (4, 4)


def test_boilerplate_matches_whatever_the_diacritics_and_tatweel():
    text = normalize("نص الخبر.\nاتـرك تَعليقاً\nلن يتم نشر عنوان برَيدك الإلكتروني.\n")
    assert clean_lines(text).text == "نص الخبر."


def test_boilerplate_list_is_data_and_complete():
    listed = boilerplate_lines()
    for line in ["Discussion about this post", "أفكارك وتعليقاتك", "اترك تعليقاً",
                 "لن يتم نشر عنوان بريدك الإلكتروني.", "زر الذهاب إلى الأعلى", "مقالات ذات صلة"]:
        assert fold(line) in listed


def test_repeated_title_kept_once_even_with_different_spacing():
    text = normalize("روسيا تطالب الغرب  .. وتعاون\n\nروسيا تطالب الغرب .. وتعاون\n\nالنص.")
    c = clean_lines(text)
    assert c.text == "روسيا تطالب الغرب .. وتعاون\n\nالنص."
    assert c.removed_repeated_title == 1


def test_only_the_title_repeat_is_removed_not_later_repeats():
    text = "عنوان\nفقرة\nفقرة\n"
    assert clean_lines(normalize(text)).text == "عنوان\nفقرة\nفقرة"


def test_a_title_repeated_twice_loses_only_the_repeat_right_after_it():
    c = clean_lines("A\n\nA\n\nA\n\nB")
    assert c.text == "A\n\nA\n\nB"
    assert c.removed_repeated_title == 1


def test_blank_runs_collapse_and_ends_are_trimmed():
    assert clean_lines(normalize("\n\n\nأ\n\n\n\nب\n\n")).text == "أ\n\nب"


def test_a_boilerplate_phrase_inside_a_sentence_is_content():
    text = normalize("قال إن مقالات ذات صلة نشرت أمس في الصحف.\nالنص.")
    assert clean_lines(text).text == text


def test_no_content_word_is_lost():
    raw = ("عنوان\r\n\r\nعنوان\r\nأكد   الوزير\u200e أن\u00a0الحل سياسي.\r\n\r\n\r\nمقالات ذات صلة\r\n"
           "وأضاف: \u202b“لا بديل”\u202c.\r\n")
    cleaned = clean_lines(normalize(raw)).text.split()
    content_lines = [l for l in normalize(raw).split("\n") if fold(l) not in boilerplate_lines()]
    expected = " ".join(content_lines).split()
    assert set(expected) == set(cleaned)
    assert len(expected) == len(cleaned) + 1  # only the repeated title's one word went


def _reference_normalize(text: str) -> str:
    """The plain definition that the fast paths of normalize() must agree with."""
    from corpuspack.builder.document.clean import _SPACES, _invisible
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _invisible().sub("", text)
    return "\n".join(_SPACES.sub(" ", line).strip(" ") for line in text.split("\n"))


from hypothesis import given, settings, strategies as st  # noqa: E402

_ALPHABET = st.sampled_from(list("اب تث\n\r\t  ") + ["\u00a0", "\u200c", "\u200e", "\ufeff", "\x07", "\u2003", "e", "\u0301", "ﻻ"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_normalize_fast_paths_match_the_definition(text):
    assert normalize(text) == _reference_normalize(text)
