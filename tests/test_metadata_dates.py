"""Publication dates: parsing rules, positions, and traps that must stay null."""
import datetime as dt

import pytest

from corpuspack.builder.document.metadata import extract_metadata
from corpuspack.builder.document.metadata.dates import date_line_date, marker_date, parse_date, to_date

D = dt.date

BODY = "أكد الوزير في تصريح صحفي أن المحادثات جرت في أجواء بناءة وأن الجانبين اتفقا على مواصلة التعاون."


@pytest.mark.parametrize("text,expected", [
    ("18 فبراير 2022", D(2022, 2, 18)),
    ("18 فبراير 2022ء", D(2022, 2, 18)),
    ("18 فبراير 2022م", D(2022, 2, 18)),
    ("١٨ فبراير ٢٠٢٢", D(2022, 2, 18)),
    ("۱۸ فبراير ۲۰۲۲", D(2022, 2, 18)),
    ("3 كانون الثاني 2021", D(2021, 1, 3)),
    ("26 كانون الثاني/ يناير 2020", D(2020, 1, 26)),
    ("29 أغسطس/ آب 2018", D(2018, 8, 29)),
    ("5 تشرين الأول 2019", D(2019, 10, 5)),
    ("1 شباط 2015", D(2015, 2, 1)),
    ("12 أيار 2016", D(2016, 5, 12)),
    ("12 ايار 2016", D(2016, 5, 12)),
    ("9 جوان 2020", D(2020, 6, 9)),
    ("14 جويلية 2021", D(2021, 7, 14)),
    ("2 أوت 2019", D(2019, 8, 2)),
    ("7 أفريل 2017", D(2017, 4, 7)),
    ("3 فيفري 2022", D(2022, 2, 3)),
    ("10 ماي 2022", D(2022, 5, 10)),
    ("15 يوليوز 2020", D(2020, 7, 15)),
    ("20 شتنبر 2020", D(2020, 9, 20)),
    ("18 فروری 2022", D(2022, 2, 18)),
    ("5 جنوری 2023", D(2023, 1, 5)),
    ("الأول من مارس 2020", D(2020, 3, 1)),
    ("الحادي والعشرين من مارس عام 2020", D(2020, 3, 21)),
    ("الجمعة 18 فبراير 2022", D(2022, 2, 18)),
    ("February 18, 2022", D(2022, 2, 18)),
    ("18 February 2022", D(2022, 2, 18)),
    ("1er mars 2022", D(2022, 3, 1)),
    ("18 février 2022", D(2022, 2, 18)),
    ("2022/02/18", D(2022, 2, 18)),
    ("2022-02-18", D(2022, 2, 18)),
    ("2022-02-18T10:30:00Z", D(2022, 2, 18)),
    ("18-02-2022", D(2022, 2, 18)),
    ("18/02/2022", D(2022, 2, 18)),
    ("18.02.2022", D(2022, 2, 18)),
    ("02/18/2022", D(2022, 2, 18)),  # only month/day fits
    ("15 رجب 1443 هـ", D(2022, 2, 16)),
    ("1 رمضان 1443", D(2022, 4, 2)),
    ("17 رجب 1443 هـ الموافق 18 فبراير 2022م", D(2022, 2, 18)),  # the Gregorian date of a pair that agrees (Umm al-Qura)
    ("۱۴۰۱/۰۶/۱۵", D(2022, 9, 6)),
    ("1401/06/15 ه.ش", D(2022, 9, 6)),
    ("۱۵ شهریور ۱۴۰۱", D(2022, 9, 6)),
    ("1443/07/15 هـ", D(2022, 2, 16)),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", [
    "قرار مجلس الأمن 2254",
    "فاز الفريق 2-1 على منافسه",
    "النتيجة 3-0",
    "للاتصال 0933-123-456",
    "هاتف: 011 2234 5678",
    "+963 11 223 4567",
    "في عام 2012",
    "2022",
    "18 فبراير",  # no year: never filled in
    "فبراير 2022",  # no day
    "مارس الضغط على الحكومة عام 2020",
    "قال الآب 12 مرة عام 2019",
    "اليوم",
    "أمس",
    "31 فبراير 2022",
    "18 فبراير 1850",
    "18 فبراير 2150",
    "1401/06/15",  # 13xx/14xx year without a calendar marker or Persian digits: ambiguous
    "2022/13/40",
    "18 فبراير 2022 هـ",  # Gregorian month with a Hijri suffix
    "رجب/ فبراير 2022",
])
def test_parse_date_traps(text):
    assert parse_date(text) is None


def test_to_date_ranges():
    assert to_date("g", 2022, 2, 18) == D(2022, 2, 18)
    assert to_date("g", 1899, 1, 1) is None
    assert to_date("h", 1200, 1, 1) is None
    assert to_date("j", 1401, 13, 1) is None


@pytest.mark.parametrize("line,expected", [
    ("نشر في: 18 فبراير 2022", D(2022, 2, 18)),
    ("نُشر في الجمعة 18 فبراير 2022", D(2022, 2, 18)),
    ("تاريخ النشر: 2022-02-18", D(2022, 2, 18)),
    ("بتاريخ 18/02/2022", D(2022, 2, 18)),
    ("آخر تحديث: الجمعة 18 فبراير 2022 - 10:30", D(2022, 2, 18)),
    ("Published: February 18, 2022", D(2022, 2, 18)),
    ("Posted on February 18, 2022 by admin", D(2022, 2, 18)),
    ("Publié le 18 février 2022", D(2022, 2, 18)),
    ("تاریخ انتشار: ۱۴۰۱/۰۶/۱۵", D(2022, 9, 6)),
])
def test_marker_date(line, expected):
    assert marker_date(line) == expected


@pytest.mark.parametrize("line", [
    "نشر في صحيفة الأهرام",
    "نشر في: اليوم",
    "نشر أمس",
    # a long body sentence whose marker is not at the start
    "وقال المتحدث إن التقرير الذي نشر في 5 مايو 2020 تضمن معلومات مغلوطة عن الأوضاع في المنطقة وعن الأرقام الرسمية",
])
def test_marker_traps(line):
    assert marker_date(line) is None


@pytest.mark.parametrize("line,expected", [
    ("18 فبراير 2022", D(2022, 2, 18)),
    ("الجمعة، 18 فبراير 2022", D(2022, 2, 18)),
    ("الجمعة 18 فبراير 2022 - 10:30 ص", D(2022, 2, 18)),
    ("2022-02-18T10:00:00+03:00", D(2022, 2, 18)),
    ("| 18/02/2022 |", D(2022, 2, 18)),
])
def test_date_line(line, expected):
    assert date_line_date(line) == expected


@pytest.mark.parametrize("line", [
    "اجتمع الوزيران في 18 فبراير 2022",
    "الثلاثين من حزيران عام 2012 كان يوما حاسما",
    "18 فبراير",
])
def test_date_line_traps(line):
    assert date_line_date(line) is None


def _doc(*lines):
    return "\n".join(lines)


def test_doc_date_line_top_and_bottom():
    assert extract_metadata(_doc("18 فبراير 2022", "عنوان الخبر هنا", BODY, BODY))["date_method"] == "date_line"
    m = extract_metadata(_doc("عنوان الخبر هنا", BODY, BODY, "2022/02/18"))
    assert (m["date"], m["date_method"]) == (D(2022, 2, 18), "date_line")


def test_doc_marker():
    m = extract_metadata(_doc("عنوان الخبر هنا", "نشر في 18 فبراير 2022", BODY))
    assert (m["date"], m["date_method"]) == (D(2022, 2, 18), "marker")


def test_doc_dateline():
    m = extract_metadata(_doc("عنوان الخبر هنا", "القاهرة، 18 فبراير 2022 (رويترز) - " + BODY))
    assert (m["date"], m["date_method"]) == (D(2022, 2, 18), "dateline")


def test_doc_body_dates_ignored():
    body = "وقال إن الاتفاق الذي وقع في الثلاثين من حزيران عام 2012 ما زال ساريا. " + BODY
    m = extract_metadata(_doc("عنوان الخبر هنا", body, BODY, "وفي 18 فبراير 2022 اجتمع الطرفان مجددا في جنيف لبحث الملف."))
    assert m["date"] is None and m["date_method"] is None


def test_doc_relative_words_never_resolved():
    m = extract_metadata(_doc("عنوان الخبر هنا", "نشر اليوم", "أمس", BODY))
    assert m["date"] is None


def test_doc_year_only_and_resolution_number():
    m = extract_metadata(_doc("عنوان الخبر هنا", "2022", "قرار مجلس الأمن 2254", BODY))
    assert m["date"] is None
