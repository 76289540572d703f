"""Month-name tables: every spelling maps (after :func:`fold`) to (calendar, month number).

Calendars: ``"g"`` Gregorian, ``"h"`` lunar Hijri, ``"j"`` Solar Hijri (Persian).
Gregorian names come in the Egyptian/Gulf series (يناير...), the Syriac/Levantine
series (كانون الثاني...), the Maghrebi series (جانفي... and Moroccan ينير...),
Urdu (جنوری...), Persian transliterations (ژانویه...), English and French.
"""
from __future__ import annotations

from .normalize import fold

_GREGORIAN: dict[int, list[str]] = {
    1: ["يناير", "كانون الثاني", "كانون ثاني", "جانفي", "ينير", "جنوري", "جنوری", "ژانویه", "january", "jan", "janvier"],
    2: ["فبراير", "فبرایر", "شباط", "فيفري", "فبراير", "فروري", "فروری", "فوريه", "فوریه", "february", "feb", "février", "fevrier"],
    3: ["مارس", "آذار", "اذار", "مارچ", "march", "mar", "mars"],
    4: ["أبريل", "ابريل", "إبريل", "نيسان", "أفريل", "افريل", "أبريل", "اپریل", "اپريل", "آوریل", "آوريل", "april", "apr", "avril"],
    5: ["مايو", "أيار", "ايار", "ماي", "مئی", "مئي", "may", "mai"],
    6: ["يونيو", "يونيه", "حزيران", "جوان", "جون", "ژوئن", "june", "jun", "juin"],
    7: ["يوليو", "يوليه", "تموز", "جويلية", "يوليوز", "جولائی", "جولائي", "ژوئیه", "ژوئيه", "july", "jul", "juillet"],
    8: ["أغسطس", "اغسطس", "آب", "أوت", "اوت", "غشت", "اگست", "august", "aug", "août", "aout"],
    9: ["سبتمبر", "أيلول", "ايلول", "شتنبر", "ستمبر", "سپتامبر", "september", "sep", "sept", "septembre"],
    10: ["أكتوبر", "اكتوبر", "تشرين الأول", "تشرين الاول", "تشرين أول", "أكتوبر", "اکتوبر", "اکتبر", "october", "oct", "octobre"],
    11: ["نوفمبر", "تشرين الثاني", "تشرين ثاني", "نونبر", "نومبر", "نوامبر", "november", "nov", "novembre"],
    12: ["ديسمبر", "كانون الأول", "كانون الاول", "كانون أول", "دجنبر", "دسمبر", "دسامبر", "december", "dec", "décembre", "decembre"],
}
_HIJRI: dict[int, list[str]] = {
    1: ["محرم", "المحرم"],
    2: ["صفر"],
    3: ["ربيع الأول", "ربيع الاول", "ربيع أول", "ربيع اول"],
    4: ["ربيع الثاني", "ربيع الآخر", "ربيع الاخر", "ربيع ثاني", "ربيع آخر"],
    5: ["جمادى الأولى", "جمادى الاولى", "جمادى الأول", "جمادى الاول", "جمادي الاولى", "جمادى أولى"],
    6: ["جمادى الآخرة", "جمادى الاخرة", "جمادى الثانية", "جمادى الآخر", "جمادى الاخر", "جمادي الاخرة", "جمادى الثاني"],
    7: ["رجب"],
    8: ["شعبان"],
    9: ["رمضان"],
    10: ["شوال"],
    11: ["ذو القعدة", "ذي القعدة", "ذوالقعدة", "ذیقعده", "ذي القعده"],
    12: ["ذو الحجة", "ذي الحجة", "ذوالحجة", "ذیحجه", "ذي الحجه"],
}
_SOLAR: dict[int, list[str]] = {
    1: ["فروردین"], 2: ["اردیبهشت", "اردی‌بهشت"], 3: ["خرداد"], 4: ["تیر"], 5: ["مرداد", "امرداد"],
    6: ["شهریور"], 7: ["مهر"], 8: ["آبان"], 9: ["آذر"], 10: ["دی"], 11: ["بهمن"], 12: ["اسفند"],
}


def _build() -> dict[str, tuple[str, int]]:
    table: dict[str, tuple[str, int]] = {}
    for cal, months in (("j", _SOLAR), ("h", _HIJRI), ("g", _GREGORIAN)):  # Gregorian wins a clash
        for num, names in months.items():
            for name in names:
                table[fold(name)] = (cal, num)
    return table


MONTHS: dict[str, tuple[str, int]] = _build()

# Abbreviations that need a following full stop or a Latin context; kept but only matched
# as whole words, and only ever accepted with a day and a four-digit year around them.
WEEKDAYS = [fold(w) for w in (
    "السبت", "الأحد", "الاثنين", "الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة",
    "شنبه", "یکشنبه", "یک‌شنبه", "دوشنبه", "سه‌شنبه", "سه شنبه", "چهارشنبه", "پنجشنبه", "پنج‌شنبه", "جمعه",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
)]
