"""Web pages in a dump: their main text and title, never their tags or the site's navigation,
footer and comment form; without the extra, a named rejection."""
import shutil
import subprocess
import sys

import pytest

import corpuspack
from corpuspack.builder.document.inputs import html
from dump_forms import build_report, published

from conftest import REPO

PAGES = REPO / "tests" / "data" / "html"
# what each page's article says, as written in the page by hand (first and last paragraph openings)
AR_FIRST = "افتتح وزير المياه والري صباح اليوم محطة جديدة لتحلية مياه البحر في مدينة العقبة"
AR_LAST = "من جهته، أكد رئيس سلطة المنطقة الاقتصادية أن المحطة ستوفر نحو مئتي فرصة عمل"
EN_FIRST = "Farmers across the northern plains say this year's wheat harvest"
EN_LAST = "Agronomists warn that the pattern could repeat."
# navigation, share buttons, related links, comment form, footer: in the pages, never in a row
BOILERPLATE = ["الرئيسية", "اتصل بنا", "شارك هذا المقال", "أخبار ذات صلة", "اترك تعليقاً", "جميع الحقوق محفوظة",
               "سياسة الخصوصية", "Subscribe", "Most read", "All rights reserved", "Privacy policy",
               "We use cookies", "Advertisement", "Sign up for our morning briefing"]


@pytest.fixture
def pages(tmp_path):
    dump = tmp_path / "dump"
    dump.mkdir()
    shutil.copyfile(PAGES / "wp_arabic_news.html", dump / "aqaba.html")
    shutil.copyfile(PAGES / "story_english.htm", dump / "wheat.htm")
    # a page saved under a name that does not say it is one: recognised by its content
    (dump / "saved_page.txt").write_bytes((PAGES / "wp_arabic_news.html").read_bytes().replace(
        "العقبة".encode(), "الزرقاء".encode()))
    (dump / "plain.txt").write_text("نص عادي عن الطقس: أمطار غزيرة على المرتفعات الجبلية خلال عطلة نهاية الأسبوع.\n",
                                    encoding="utf-8")
    return dump


def test_pages_give_their_text_and_title(pages, tmp_path):
    corpuspack.build(pages, tmp_path / "out", jobs=1, progress=False)
    rows = {r["file_name"]: r for r in published(tmp_path / "out").to_pylist()}
    ar, en, sniffed = rows["aqaba.html"], rows["wheat.htm"], rows["saved_page.txt"]
    assert ar["title"] == "افتتاح محطة جديدة لتحلية المياه في مدينة العقبة" and ar["title_method"] == "html"
    assert en["title"] == "Wheat harvest falls short after dry winter" and en["title_method"] == "html"
    assert sniffed["title"] == "افتتاح محطة جديدة لتحلية المياه في مدينة الزرقاء"
    assert ar["text"].startswith(AR_FIRST) and AR_LAST in ar["text"]
    assert EN_FIRST in en["text"] and EN_LAST in en["text"]
    assert en["language"] == "en" and ar["language"] == "ar"
    for row in (ar, en, sniffed):
        assert "<" not in row["text"] and "&raquo;" not in row["text"]
        assert not [b for b in BOILERPLATE if b in row["text"]]
    assert rows["plain.txt"]["title_method"] != "html"
    assert build_report(tmp_path / "out")["inputs"]["html_pages"] == 3


def test_without_the_extractor_pages_are_rejected_naming_the_extra(pages, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # `import trafilatura` raises ImportError
    html._trafilatura.cache_clear()
    try:
        result = corpuspack.build(pages, tmp_path / "out", jobs=1, progress=False)
    finally:
        html._trafilatura.cache_clear()
    rejected = {r["file_name"]: r for r in build_report(tmp_path / "out")["rejected"]}
    assert sorted(rejected) == ["aqaba.html", "saved_page.txt", "wheat.htm"]
    assert all(r["reason"] == "html" and "corpuspack[html]" in r["detail"] for r in rejected.values())
    assert published(tmp_path / "out").column("file_name").to_pylist() == ["plain.txt"]
    assert result.counts == {"found": 4, "included": 1, "duplicate": 0, "rejected": 3}


def test_an_extractor_that_cannot_be_imported_is_rejected_with_the_real_error(pages, tmp_path):
    """trafilatura installed but a package it imports missing (lxml-html-clean, which lxml split
    off): the rejection repeats lxml's own message, not 'not installed'. In a fresh interpreter,
    where the missing package is blocked before anything imports it."""
    code = ("import sys; sys.modules['lxml_html_clean'] = None\n"
            "import corpuspack\n"
            f"corpuspack.build({str(pages)!r}, {str(tmp_path / 'out')!r}, jobs=1, progress=False)\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300)
    rejected = {r["file_name"]: r for r in build_report(tmp_path / "out")["rejected"]}
    assert sorted(rejected) == ["aqaba.html", "saved_page.txt", "wheat.htm"]
    for r in rejected.values():
        assert r["reason"] == "html"
        assert "cannot be imported" in r["detail"] and "not installed" not in r["detail"]
        # lxml's words (lxml/html/clean.py) when lxml_html_clean cannot be imported
        assert "lxml.html.clean module is now a separate project lxml_html_clean" in r["detail"]
        assert "corpuspack[html]" in r["detail"]


@pytest.mark.parametrize("text,page", [
    ("<!DOCTYPE html><html><body><p>x</p></body></html>", True),
    ("\n  <html lang='ar'><head><title>t</title></head></html>", True),
    ("<?xml version='1.0'?>\n<!-- saved -->\n<html xmlns='http://www.w3.org/1999/xhtml'></html>", True),
    ("<body>\n<p>x</p>", True),
    ("استخدم الوسم <html> في أول الصفحة", False),
    ("a < b and <b>bold</b> in a plain note", False),
    ("<htmlish>", False),
])
def test_markup_is_sniffed_from_how_the_text_starts(text, page):
    assert html.is_page("note.txt", text) is page
