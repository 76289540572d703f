"""Stray control characters are a scraping artefact, not a sign of a binary file: cleaning
removes them and the build report counts them; a file is binary when what is left is not text."""
import codecs
import json

import pytest
from datasets import load_dataset

import corpuspack
from corpuspack.builder.document.decode import Rejected, decode

# a real-looking scraped article whose paragraphs are indented with SUB (\x1a) characters
PARAGRAPHS = [
    "أعلنت وزارة الصحة في بيان صدر مساء الاثنين عن تسجيل انخفاض ملحوظ في عدد الإصابات الجديدة خلال الأسبوع الماضي.",
    "وقال المتحدث باسم الوزارة إن حملة التطعيم الوطنية ستتواصل في جميع المحافظات حتى نهاية الشهر المقبل.",
    "وأضاف أن المستشفيات الحكومية استقبلت عددا أقل من المرضى مقارنة بالفترة نفسها من العام الماضي.",
]
INDENTED = "\n".join("\x1a\x1a\x1a\x1a" + p for p in PARAGRAPHS)


def test_sub_indented_article_is_text():
    assert INDENTED.count("\x1a") / len(INDENTED) > 0.01  # the share that made it "binary" before
    d = decode(INDENTED.encode("utf-8"))
    assert d.controls == 12 and d.encoding == "utf-8"


def test_a_form_feed_and_c1_controls_are_counted():
    text = "صفحة أولى من التقرير\x0c\nصفحة ثانية\u0085 من التقرير\x7f"
    assert decode(text.encode("utf-8")).controls == 3


@pytest.mark.parametrize("data, reason", [
    (b"\x01\x02\x03 \x04\x05\x06 12 \x07\x08", "binary"),  # mostly controls
    ("\x1a\x1a 2018 - 11 \x1a\x1a 45 %".encode(), "binary"),  # no letter without them
    (codecs.BOM_UTF16_LE + "نص\x00عربي".encode("utf-16-le"), "binary"),  # a NUL, decoded from UTF-16
    (b"\x1a" + b" \n" * 10, "empty"),
])
def test_what_is_not_text_is_still_rejected(data, reason):
    with pytest.raises(Rejected) as e:
        decode(data)
    assert e.value.reason == reason


def test_build_keeps_the_article_without_its_controls_and_counts_them(tmp_path, hf_cache):
    dump = tmp_path / "dump"
    dump.mkdir()
    (dump / "001_00000000000000c1.txt").write_bytes(INDENTED.encode("utf-8"))
    (dump / "002_00000000000000c2.txt").write_bytes("\n".join(PARAGRAPHS[::-1]).encode("utf-8"))
    out = tmp_path / "out"
    corpuspack.build(dump, out, jobs=1, progress=False)
    report = json.loads((out / "versions" / "1.0.0" / "build_report.json").read_text())
    assert report["counts"]["included"] == 2 and not report["rejected"]
    assert report["control_characters_removed"] == {"documents": 1, "characters": 12}
    rows = {r["file_name"]: r for r in load_dataset(str(out), split="train", cache_dir=hf_cache)}
    assert rows["001_00000000000000c1.txt"]["text"] == "\n".join(PARAGRAPHS)
