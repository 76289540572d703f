"""Places are not outlets: a name that is both (الرياض، الخبر، القدس...) is an outlet only where
the dateline's form puts an outlet. Expected values written by hand."""
import pytest

from corpuspack.builder.document.metadata import extract_metadata
from corpuspack.builder.document.metadata.places import places

BODY = "وقال المسؤول في تصريح صحفي إن العمل يجري على قدم وساق لإنجاز المشروع في الوقت المحدد له من قبل الوزارة."


def meta(*lines):
    m = extract_metadata("\n".join(lines))
    return m["source"], m["publisher"], m["agency"], m["dateline_place"]


@pytest.mark.parametrize("opening,expected", [
    # OUTLET – CITY: the outlet credits itself, then its city (issue #12: never alriyadh here)
    ("عين اليوم – الرياض", ("ainalyoum", "ainalyoum", None, "الرياض")),
    ("سكاي نيوز عربية - أبوظبي", ("skynewsarabia", "skynewsarabia", None, "أبوظبي")),
    # CITY – OUTLET with a city that is also a newspaper's name
    ("الرياض - واس", ("spa", None, "spa", "الرياض")),
    ("القدس - وفا", ("wafa", None, "wafa", "القدس")),
    # CITY (OUTLET) and "OUTLET" (CITY)
    ("الرياض (رويترز) -", ("reuters", None, "reuters", "الرياض")),
    ("\"عكاظ\" (جدة)", ("okaz", "okaz", None, "جدة")),
    # OUTLET/CITY
    ("العربية.نت/دبي", ("alarabiya", "alarabiya", None, "دبي")),
    # a city, then a name that is both a city and a paper of that country: the paper
    ("جدة – الرياض", ("alriyadh", "alriyadh", None, "جدة")),
    # a city, then a name that is a city there and a paper elsewhere (El Khabar is Algerian): no source
    ("الدمام – الخبر", (None, None, None, None)),
    # an unknown credit, then a name that is both: cannot tell, nothing
    ("صحيفة محلية – الرياض", (None, None, None, None)),
    # an outlet the gazetteer does not know, then a plain city: the city only
    ("المرصد – جدة", (None, None, None, "جدة")),
    # a city and a reporter's name: the city only, no source (SaudiNewsNet's author field style)
    ("الرياض: محمد الحميدي", (None, None, None, "الرياض")),
    ("الرياض - سعد الحربي", (None, None, None, "الرياض")),
])
def test_outlet_and_place(opening, expected):
    assert meta(opening, BODY, BODY) == expected


def test_place_names_that_are_outlets_count_as_outlets_only_in_credit_forms():
    # in the body, "الرياض" is a city: it is no citation of the newspaper
    m = extract_metadata("عنوان الخبر في سطر واحد هنا\n" + "زار الوفد الرياض وجدة والقدس والخبر الأسبوع الماضي. " + BODY)
    assert m["cited_outlets"] == [] and m["source"] is None


@pytest.mark.parametrize("name,pid,country", [
    ("الرياض", "riyadh", "SA"), ("أبو ظبي", "abu_dhabi", "AE"), ("ابوظبي", "abu_dhabi", "AE"),
    ("جده", "jeddah", "SA"), ("رام الله", "ramallah", "PS"), ("الكويت", "kuwait", "KW"),
])
def test_gazetteer_spellings(name, pid, country):
    p = places().get(name)
    assert (p.id, p.country) == (pid, country)


def test_gazetteer_whole_names_only():
    assert places().get("الرياض الجديدة") is None and places().get("رام") is None
