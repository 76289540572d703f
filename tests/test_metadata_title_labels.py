"""Titles: a section label before the headline is dropped; a dateline, credit or date-only line is
never the title. Expected titles written by hand."""
import pytest

from corpuspack.builder.document.metadata import extract_metadata

BODY = "وقال المسؤول في تصريح صحفي إن العمل يجري على قدم وساق لإنجاز المشروع في الوقت المحدد له من قبل الوزارة."
HEAD = "أمير منطقة الباحة يستقبل مدير شرطة المنطقة"
SPA = "الباحة 26 شوال 1436 هـ الموافق 11 أغسطس 2015 م واس " + BODY


def title(*lines):
    m = extract_metadata("\n".join(lines))
    return m["title"]


@pytest.mark.parametrize("label", ["عام / ", "عام/", "محليات / ", "رياضة / ", "اقتصاد / ", "محليات: ", "عربي ودولي / "])
def test_section_label_dropped(label):
    assert title(label + HEAD, SPA) == HEAD


def test_speaker_or_place_before_a_colon_stays():
    # not section labels: the headline quotes someone or names a place (like seeds 001 and 002)
    for t in ("لافروف: سنسعى لرؤية نهج صادق من الناتو", "واشنطن: حققنا تقدما مع الروس في الملف السوري"):
        assert title(t, BODY) == t


@pytest.mark.parametrize("first", [
    "دبي، الإمارات العربية المتحدة (CNN)— أدى الرئيس المصري اليمين الدستورية لولاية رئاسية ثانية",  # ANT 2180
    "الباحة 26 شوال 1436 هـ الموافق 11 أغسطس 2015 م واس",
    "عين اليوم – الرياض",
    "الرياض: محمد الحميدي",
    "الخميس 11 أغسطس 2015",
])
def test_never_a_dateline_credit_or_date_line(first):
    assert title(first, BODY, BODY) is None


def test_title_before_a_dateline_line():
    assert title(HEAD, SPA, BODY) == HEAD
    assert title("عام / " + HEAD, "", SPA) == HEAD
