"""Hijri and Gregorian dates given together must agree (Umm al-Qura, a day either way), else no
date and the reason in date_method; a Hijri date alone is converted. Expected dates by hand:
each pair below is stated by the text itself (the Gregorian half), checked against the Umm al-Qura
table (hijridate) only where the test says so."""
import datetime as dt

import pytest

from corpuspack.builder.document.metadata import extract_metadata

BODY = "وقال المسؤول في تصريح صحفي إن العمل يجري على قدم وساق لإنجاز المشروع في الوقت المحدد له من قبل الوزارة."
D = dt.date


def date_of(*lines):
    m = extract_metadata("\n".join(lines))
    return m["date"], m["date_method"]


@pytest.mark.parametrize("opening,expected", [
    ("الباحة 26 شوال 1436 هـ الموافق 11 أغسطس 2015 م واس ", D(2015, 8, 11)),  # issue #12
    ("الرياض 25 شوال 1436 هـ الموافق 11 أغسطس 2015 م واس ", D(2015, 8, 11)),  # a day off: sighting
    ("جدة 26 شوال 1436هـ الموافق 11 أغسطس 2015م واس ", D(2015, 8, 11)),  # suffixes glued
    ("مكة المكرمة 26 شوال 1436 هـ - 11 أغسطس 2015 م واس ", D(2015, 8, 11)),  # side by side
])
def test_agreeing_calendars_give_the_gregorian_date(opening, expected):
    assert date_of(opening + BODY) == (expected, "dateline")


def test_disagreeing_calendars_give_no_date_and_say_why():
    # 26 Shawwal 1436 is 11 August 2015: "14 أغسطس" is three days off
    assert date_of("الباحة 26 شوال 1436 هـ الموافق 14 أغسطس 2015 م واس " + BODY) == (None, "dateline_calendars_disagree")


def test_disagreeing_date_line():
    title = "أمير المنطقة يفتتح المعرض الدولي للكتاب"
    assert date_of(title, "الجمعة 3 مايو 2024 - 20 رمضان 1445 هـ", BODY) == (None, "date_line_calendars_disagree")


def test_agreeing_date_line_side_by_side():
    # seen: almashhad-alyemeni.com page header "الجمعة 3 مايو 2024 07:06 صـ 24 شوال 1445 هـ"
    title = "أمير المنطقة يفتتح المعرض الدولي للكتاب"
    assert date_of(title, "الجمعة 3 مايو 2024 07:06 صـ 24 شوال 1445 هـ", BODY) == (D(2024, 5, 3), "date_line")


def test_hijri_alone_is_converted():
    # 1 Ramadan 1436 was 18 June 2015 in the Umm al-Qura calendar
    assert date_of("مكة المكرمة 1 رمضان 1436 هـ واس " + BODY) == (D(2015, 6, 18), "dateline")
