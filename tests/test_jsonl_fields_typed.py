"""The fields of JSON lines as a crawler writes them, not uniform from line to line (found by a
torture run, round 36: each of these once stopped the whole build after pass 1, or changed a value):
a date the calendar lacks or given as an epoch number, a field that is a number on one line and text
on another, an empty object, a field of more than 1 MiB (pyarrow's JSON reader's block), a date with
a time zone (read as UTC, the day moved), a list where one URL or title is wanted, a title that looks
like a date (made a timestamp). Values written by hand, read back with ``datasets.load_dataset``."""
import datetime as dt
import json

from datasets import load_dataset

import corpuspack

_TEXT = "أعلنت وزارة الزراعة اليوم عن خطة جديدة لدعم المزارعين في المحافظات الشمالية رقم {}.\n" * 3

LINES = [
    {"id": "n1", "date": "2022-02-18T01:00:00+03:00", "category": "سياسة", "score": 1, "views": 120,
     "tags": ["سوريا", "اقتصاد"], "meta": {}, "url": "https://sana.sy/?p=1"},
    {"id": "n2", "date": "2022-02-30", "score": "high", "views": 7, "meta": {"a": {}}, "title": 2022},
    {"id": "n3", "date": 1645142400, "url": ["https://sana.sy/?p=3", "https://sana.sy/?p=33"], "title": "2022-02-18",
     "views": 3.5, "html": "<p>" + "ن" * (1 << 20) + "</p>"},
    {"id": "n4", "source": {"name": "سانا"}, "language": ["ar"]},
]


def test_fields_typed_from_all_lines(tmp_path, hf_cache):
    dump = tmp_path / "crawl.jsonl"
    dump.write_text("".join(json.dumps({"text": _TEXT.replace("{}", str(i)), **line}, ensure_ascii=False) + "\n"
                            for i, line in enumerate(LINES)), encoding="utf-8")
    out = tmp_path / "out"
    corpuspack.build(dump, out, progress=False, jobs=2)
    report = json.loads((out / "versions" / "1.0.0" / "build_report.json").read_text(encoding="utf-8"))
    assert report["counts"]["included"] == 4
    assert report["inputs"]["line_dates_unread"] == 2  # 2022-02-30, and the epoch number

    ds = load_dataset(str(out), split="train", cache_dir=hf_cache)
    assert {k: ds.features[k].dtype for k in ("category", "score", "views", "tags", "meta", "html")} == {
        "category": "string", "score": "string", "views": "float64", "tags": "string", "meta": "string",
        "html": "string"}
    rows = {r["id"]: r for r in ds}
    n1, n2, n3, n4 = (rows[k] for k in ("n1", "n2", "n3", "n4"))
    assert (n1["date"], n1["date_method"]) == (dt.date(2022, 2, 18), "manifest")  # the day as written
    assert n2["date_method"] != "manifest" and n3["date_method"] != "manifest"
    assert [r["score"] for r in (n1, n2, n3, n4)] == ["1", "high", None, None]
    assert [r["views"] for r in (n1, n2, n3, n4)] == [120.0, 7.0, 3.5, None]
    assert json.loads(n1["tags"]) == ["سوريا", "اقتصاد"] and n1["meta"] == "{}" and n2["meta"] == '{"a": {}}'
    assert n3["html"] == "<p>" + "ن" * (1 << 20) + "</p>"
    assert (n2["title"], n2["title_method"]) == ("2022", "manifest")
    assert (n3["title"], n3["title_method"]) == ("2022-02-18", "manifest")
    assert n1["url"] == "https://sana.sy/?p=1" and n3["url"] is None  # two URLs name no one
    assert n4["source_method"] != "manifest" and n4["language_method"] != "manifest"
