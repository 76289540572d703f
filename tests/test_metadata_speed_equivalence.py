"""The fast routes of the metadata rules give what the plain rules they stand for give.

Each fast route (one-byte token codes, fold and token scans, the date-line and digit pre-checks,
the early "too many unknown words" exit) is compared with a plain reference, written out here,
on generated inputs and on the seeds.
"""
import codecs
import datetime as dt
import random
import re
import unicodedata
from pathlib import Path

import pytest

from corpuspack.builder.document.metadata import dates, normalize, sources
from corpuspack.builder.document.metadata.months import MONTHS, WEEKDAYS
from corpuspack.builder.document.metadata.numerals import ORDINAL_DAYS
from corpuspack.builder.document.metadata.outlets import gazetteer

SEEDS = Path(__file__).resolve().parent.parent / "examples" / "seeds"
SEED_TEXTS = [unicodedata.normalize("NFC", p.read_text(encoding="utf-8").replace("\r\n", "\n"))
              for p in sorted(SEEDS.glob("*.txt"))]
ALPHABET = ([chr(i) for i in range(128)] + [chr(c) for c in range(0x600, 0x700)] + list(normalize._WIDE)
            + ["ﻻ", "é", "Σ", "İ", "ſ", "\U0001D7CE", "\ud800", "﴾", "﴿", "\u200c", "\xa0"])


def random_strings(seed: int, n: int, longest: int = 30):
    rnd = random.Random(seed)
    return ["".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(0, longest))) for _ in range(n)]


# -- references: the plain loops the fast versions replace
def fold_reference(s: str) -> str:
    s = normalize._MARKS.sub("", s)
    for a, b in normalize._FOLD_PAIRS:
        if a in s:
            s = s.replace(a, b)
    return s.lower()


def blanked_reference(s: str) -> str:
    s = normalize._MARKS.sub("", s)
    for a, b in normalize._PAIRS:
        if a in s:
            s = s.replace(a, b)
    return normalize._PUNCT.sub(" ", s.lower())


def date_line_reference(line: str):
    s = line.strip()
    if not s or len(s) > dates.SHORT_LINE:
        return None
    found = dates.parse_dates(s)
    if not found:
        return None
    rest = dates.fold(s)
    for _, _, a, b in sorted(found, key=lambda x: -x[2]):
        rest = rest[:a] + " " + rest[b:]
    if dates._LEFTOVER_RE.sub("", rest).strip():
        return None
    return dates.parse_date(s)


def test_fold_and_blanked_match_the_plain_loops():
    for s in random_strings(1, 20000) + SEED_TEXTS:
        assert normalize.fold.__wrapped__(s) == fold_reference(s)
        assert normalize._blanked(s) == blanked_reference(s)


def test_token_codes_match_token_bytes():
    for s in random_strings(2, 20000) + SEED_TEXTS:
        fast, plain = normalize.token_codes(s), normalize.token_bytes(s)
        assert (fast is None) == (plain is None)
        if fast is not None:
            assert codecs.charmap_decode(fast, "strict", normalize.CODE_ALPHABET)[0].encode() == plain


def test_cited_matches_the_token_list_route():
    g = gazetteer()
    rnd = random.Random(3)
    names = [v for o in g.outlets.values() for v in (*o.variants, o.english_name, *o.ambiguous)]
    words = ["وكالة", "قناة", "موقع", "صحيفة", "للأنباء", "الإخبارية", "بقناة", "agency", "قال", "في", "اليوم",
             "روسيا", "الشرق", "و", "ا", "ف", "ب", "(", ")", "[", "«", "»", "،", ".", "-", "ـ", "\u064e", "ﻻ"]
    for _ in range(3000):
        pieces = [(rnd.choice(["", "و", "ب", "لل"]) + rnd.choice(names)) if rnd.random() < 0.4 else rnd.choice(words)
                  for _ in range(rnd.randint(1, 25))]
        text = "".join(p + rnd.choice([" ", "", "\n", "  "]) for p in pieces)
        plain = {m.outlet for m in g.mentions(normalize.text_tokens(text)) if not m.ambiguous or m.in_context}
        assert g.cited(text) == plain, text
    for text in SEED_TEXTS:
        assert g.cited(text) == {m.outlet for m in g.mentions(normalize.text_tokens(text))
                                 if not m.ambiguous or m.in_context}


def date_lines(seed: int, n: int):
    """Date lines and near misses: dates in every form, with weekdays, times, fillers, glue."""
    rnd = random.Random(seed)
    months = list(MONTHS) + ["أغسطس", "Feb", "MARCH", "Août", "كانون الثاني", "ربيع الأول"]
    ordinals = list(ORDINAL_DAYS)
    sep = lambda: rnd.choice([" ", "", "  ", " / ", "-", "، ", ", ", ". "])  # noqa: E731
    for _ in range(n):
        year = rnd.choice(["2022", "1443", "1401", "٢٠٢٢", "۱۴۰۱", "3000"])
        day = rnd.choice([str(rnd.randint(0, 35)), rnd.choice(ordinals), "18th"])
        core = rnd.choice([
            day + sep() + rnd.choice(["", "من ", "شهر "]) + rnd.choice(months) + sep()
            + rnd.choice(["", "عام ", "سنة "]) + year + sep() + rnd.choice(["", "م", "هـ", "ه.ش", "هجري", "AD"]),
            rnd.choice(months) + sep() + str(rnd.randint(0, 35)) + sep() + year,
            year + "-" + str(rnd.randint(0, 14)) + "-" + str(rnd.randint(0, 33)),
            str(rnd.randint(0, 33)) + "/" + str(rnd.randint(0, 14)) + "/" + year,
        ])
        line = (rnd.choice(["", "", "يوم " + rnd.choice(WEEKDAYS), rnd.choice(WEEKDAYS), "نشر في", "Published on"])
                + sep() + core + sep()
                + rnd.choice(["", "", "الساعة 10:30", "الموافق", "GMT", "الرياض", "x", "(", "|"])).strip()
        if rnd.random() < 0.3:
            at = rnd.randint(0, len(line))
            line = line[:at] + rnd.choice(["", " ", rnd.choice(ordinals), rnd.choice(months), "ال"]) + line[at + rnd.randint(0, 2):]
        yield line


def test_date_line_pre_check_changes_nothing():
    found = 0
    for line in date_lines(4, 6000):
        expected = date_line_reference(line)
        assert dates.date_line_date(line) == expected, line
        found += expected is not None
    assert found > 200  # the generator does make date lines


def test_with_digit_finds_every_line_a_date_rule_may_read():
    rnd = random.Random(5)
    pool = ["٢٠٢٢ ", "abc ", "x۱", "߀", "१", "\U0001D7CE", "نص عادي ", "2022", " ", "\n"]
    for _ in range(3000):
        lines = tuple("".join(rnd.choice(pool) for _ in range(rnd.randint(0, 60))) for _ in range(rnd.randint(0, 8)))
        got = dates._with_digit(lines)
        for i, line in enumerate(lines):
            if any(c.isdecimal() for c in line.strip()[:dates.SHORT_LINE + 40]):
                assert i in got
            if i not in got:
                assert dates.marker_date(line) is None and dates.date_line_date(line) is None


@pytest.mark.parametrize("text", ["واس 20 ديسمبر 2022", "رويترز", "وكالات 18 فبراير 2022", "سانا وتاس",
                                  "مصادر خاصة 2", "أ.ف.ب", "الأناضول - 1"])
@pytest.mark.parametrize("most", [0, 1, 2])
def test_names_early_exit_only_when_the_test_fails_anyway(text, most):
    g = gazetteer()
    full = sources._names(text, g, drop_dates=False)
    quick = sources._names(text, g, drop_dates=False, most=most)
    if quick is None:
        assert full.uncovered > most
    else:
        assert quick == full


def test_publication_dates_of_the_seeds_dateline_and_of_a_date_line():
    """The date rules on seed 001's dateline (cut from the file by hand: the credit between "/" and
    ")"), on a marker and on a date-only line, against dates written by hand."""
    from conftest import SEEDS

    (seed,) = SEEDS.glob("001_*.txt")
    credit = next(line for line in seed.read_text(encoding="utf-8").splitlines() if "سبوتنيك" in line)
    dateline = credit.split("/", 1)[1].split(")", 1)[0].strip()
    assert dateline.startswith("سبوتنيك - 18 فبراير 2022")
    assert dates.find_publication_date([], [], dateline) == (dt.date(2022, 2, 18), "dateline")
    assert dates.find_publication_date(["بتاريخ 18 فبراير 2022"], [], None) == (dt.date(2022, 2, 18), "marker")
    assert dates.find_publication_date(["عنوان"], ["18 فبراير 2022"], None) == (dt.date(2022, 2, 18), "date_line")
