"""Sources: the gazetteer, positional credit rules, and cited outlets."""
import pytest

from corpuspack.builder.document.metadata import extract_metadata
from corpuspack.builder.document.metadata.outlets import gazetteer
from corpuspack.builder.document.metadata.sources import cited_outlets, find_credit, is_bare_dateline, Credit

BODY = "أكد الوزير في تصريح صحفي أن المحادثات جرت في أجواء بناءة وأن الجانبين اتفقا على مواصلة التعاون."
TITLE = "الوزير يؤكد أن المحادثات جرت في أجواء بناءة"


def meta(*lines):
    return extract_metadata("\n".join(lines))


# -- gazetteer
def test_gazetteer_required_ids_and_columns():
    g = gazetteer()
    for oid in ("rt", "sputnik", "urdupoint", "sana", "tass", "aljazeera", "alarabiya", "bbcarabic", "france24",
                "skynewsarabia", "aawsat", "ahram", "reuters", "afp", "ap", "anadolu", "xinhua", "wam", "spa",
                "qna", "kuna", "mena", "petra"):
        assert oid in g.outlets, oid
        assert g.outlets[oid].kind in {"agency", "tv", "newspaper", "website", "radio"}
    assert "urdupoint.com" in g.outlets["urdupoint"].domains


@pytest.mark.parametrize("name,oid", [
    ("روسيا اليوم", "rt"), ("آر تي", "rt"), ("RT", "rt"), ("RT Arabic", "rt"),
    ("أردو بوینت", "urdupoint"), ("اردو پوائنٹ", "urdupoint"), ("أردو بوينت", "urdupoint"),
    ("سبوتنيك", "sputnik"), ("وكالة تاس", "tass"), ("سانا", "sana"),
    ("أ ف ب", "afp"), ("أ.ف.ب", "afp"), ("فرانس برس", "afp"), ("رويترز", "reuters"),
    ("الوكالة العربية السورية للأنباء", "sana"), ("خبرگزاری فارس", "fars"), ("خبرگزاري فارس", "fars"),
    ("Sputnik", "sputnik"), ("sputnik", "sputnik"), ("فرانس 24", "france24"), ("فرانس٢٤", "france24"),
])
def test_by_name(name, oid):
    assert gazetteer().by_name(name) == oid


@pytest.mark.parametrize("host,oid", [
    ("https://arabic.rt.com/world/1/", "rt"), ("www.urdupoint.com", "urdupoint"), ("sana.sy", "sana"),
    ("https://www.aljazeera.net/news", "aljazeera"), ("arabic.sputniknews.com", "sputnik"),
    ("http://example.com/x", None), ("notrt.com", None),
])
def test_by_domain(host, oid):
    assert gazetteer().by_domain(host) == oid


@pytest.mark.parametrize("value,oid", [
    ("rt", "rt"), ("Sputnik", "sputnik"), ("urdupoint.com", "urdupoint"), ("وكالة الأنباء السعودية", "spa"),
    ("Unknown Gazette", None), ("", None),
])
def test_resolve(value, oid):
    assert gazetteer().resolve(value) == oid


# -- datelines
@pytest.mark.parametrize("line,source,agency,publisher", [
    ("موسكو-سانا", "sana", "sana", None),
    ("دمشق - سانا", "sana", "sana", None),
    ("موسكو ـ سانا", "sana", "sana", None),
    ("القاهرة (رويترز) - " + BODY, "reuters", "reuters", None),
    ("عمان (بترا) - " + BODY, "petra", "petra", None),
    ("الدوحة (قنا) - " + BODY, "qna", "qna", None),
    ("أنقرة (الأناضول) - " + BODY, "anadolu", "anadolu", None),
    ("باريس، 18 فبراير 2022 (أ ف ب) - " + BODY, "afp", "afp", None),
    ("بغداد/ شفق نيوز- " + BODY, "shafaq", None, "shafaq"),
    ("( أردو بوینت نتورك ۔ / سبوتنيك - 18 فبراير 2022ء) " + BODY, "urdupoint", "sputnik", "urdupoint"),
    ("(روسيا اليوم) " + BODY, "rt", None, "rt"),
])
def test_dateline(line, source, agency, publisher):
    m = meta(TITLE, line, BODY)
    assert (m["source"], m["agency"], m["publisher"], m["source_method"]) == (source, agency, publisher, "dateline")
    assert m["credit"]


def test_bare_dateline_detection():
    assert is_bare_dateline("موسكو-سانا")
    assert is_bare_dateline("القاهرة (رويترز)")
    assert not is_bare_dateline("واشنطن: حققنا تقدّماً مع الروس")
    assert not is_bare_dateline("روسيا - أوكرانيا")


def test_prefix():
    m = meta(TITLE, "خبرگزاری فارس: " + BODY, BODY)
    assert (m["source"], m["agency"], m["source_method"]) == ("fars", "fars", "prefix")


def test_prefix_according_to():
    m = meta(TITLE, "به گزارش خبرنگار بهداشت و درمان خبرگزاری فارس از ساری، حامد روحانی گفت.", BODY)
    assert (m["source"], m["source_method"]) == ("fars", "prefix")
    m = meta(TITLE, "به گزارش روابط عمومی اداره کل، مدیرکل گفت.", BODY)
    assert m["source"] is None


def test_prefix_needs_unambiguous_name():
    # "روسيا اليوم:" opening a line is not a credit (it reads as "Russia today:")
    m = meta(TITLE, "روسيا اليوم: " + BODY, BODY)
    assert m["source"] is None
    assert meta(TITLE, "واشنطن: " + BODY, BODY)["source"] is None


@pytest.mark.parametrize("line,source,credit", [
    ("المصدر: وكالة سانا", "sana", "وكالة سانا"),
    ("المصدر: (روسيا اليوم)", "rt", "روسيا اليوم"),
    ("المصدر : رويترز", "reuters", "رويترز"),
    ("Source: Reuters", "reuters", "Reuters"),
    ("المصدر: (وكالات روسيّة)", None, "وكالات روسيّة"),
    ("المصدر: وكالات", None, "وكالات"),
    ("المصدر: موقع غير معروف", None, "موقع غير معروف"),
])
def test_credit_line(line, source, credit):
    m = meta(TITLE, BODY, BODY, line, "مقالات ذات صلة")
    assert m["source"] == source
    assert m["credit"] == credit
    assert m["source_method"] == ("credit" if source else None)


def test_tail_bracket():
    m = meta(TITLE, BODY, BODY + " (أ ف ب)")
    assert (m["source"], m["source_method"]) == ("afp", "bracket")
    m = meta(TITLE, BODY, BODY, BODY, BODY, BODY, "(رويترز)")
    assert (m["source"], m["source_method"]) == ("reuters", "bracket")


def test_brackets_that_are_not_credits():
    assert meta(TITLE, BODY, "(تستمر)")["source"] is None
    assert meta(TITLE, BODY, "وعلى ميليشيا (قسد) أن تعي ذلك.")["source"] is None


def test_no_credit():
    m = meta(TITLE, BODY, BODY)
    assert m["source"] is m["publisher"] is m["agency"] is m["credit"] is m["source_method"] is None


# -- cited outlets
@pytest.mark.parametrize("sentence,ids", [
    ("وقال في مقابلة مع قناة \"آر تي\" إن", ["rt"]),
    ("في مقابلة مع شبكة قنوات RT الروسية", ["rt"]),
    ("ونقلها موقع روسيا اليوم", ["rt"]),
    ("ونقلت وكالة تاس عن لافروف", ["tass"]),
    ("وذكرت وكالة الأناضول أن", ["anadolu"]),
    ("وقالت وكالة الأنباء القطرية (قنا) إن", ["qna"]),
    ("وأفادت رويترز وفرانس برس بأن", ["afp", "reuters"]),
    ("بحسب ما نقلته قناة الجزيرة", ["aljazeera"]),
    ("وبحسب صحيفة الشرق الأوسط", ["aawsat"]),
    ("ونقلت وكالة أنباء الشرق الأوسط", ["mena"]),
    ("وأكد للأناضول أن", []),  # bare ordinary word: not counted
    ("الجمهورية العربية السورية والعالم العربي", []),
    ("زار مدينة بترا الأثرية", []),
    ("حفر قنا جديدة في الريف", []),
    ("روسيا اليوم تطالب الغرب", []),
    ("الأناضول منطقة واسعة", []),
    ("اختارت سانا الذهاب", []),
])
def test_cited(sentence, ids):
    assert cited_outlets(BODY + " " + sentence + " " + BODY, Credit()) == ids


def test_cited_excludes_own_source():
    m = meta("موسكو-سانا", BODY, "ونقلت وكالة سانا ووكالة تاس عن الوزير قوله.")
    assert m["source"] == "sana"
    assert m["cited_outlets"] == ["tass"]


def test_cited_sorted_unique():
    m = meta(TITLE, BODY, "ونقلت وكالة تاس ورويترز ووكالة تاس مجددا.")
    assert m["cited_outlets"] == ["reuters", "tass"]
