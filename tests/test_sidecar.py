"""Sidecar manifests: formats, validation, look-ups and merging into extracted metadata."""
import datetime as dt
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from corpuspack.builder.document.metadata import extract_metadata
from corpuspack.builder.corpus.sidecar import ManifestError, apply_manifest, load_manifest


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


CSV = ("file_name,url,source,date,title,language,section,views\n"
       "a/001.txt,https://www.urdupoint.com/ar/world/1.html,,2022-02-18,,ar,world,10\n"
       "a/002.txt,,Sputnik,18/02/2022,عنوان من البيان,ar,politics,\n")


def test_csv_by_file_name(tmp_path):
    m = load_manifest(write(tmp_path, "m.csv", CSV))
    assert m.key_column == "file_name" and len(m) == 2
    row = m.lookup("a/001.txt", "whatever")
    assert row["date"] == dt.date(2022, 2, 18) and row["url"].startswith("https://www.urdupoint.com")
    assert row["section"] == "world" and row["views"] == 10
    assert m.lookup("./a/002.txt", "x")["date"] == dt.date(2022, 2, 18)
    assert m.lookup("a/999.txt", "x") is None
    assert m.extra_schema.names == ["section", "views"]
    assert m.extra_schema.field("views").type == pa.int64()


def test_unmatched(tmp_path):
    m = load_manifest(write(tmp_path, "m.csv", CSV))
    m.lookup("a/001.txt", "x")
    assert m.unmatched() == ["a/002.txt"]
    assert m.unmatched({"a/001.txt", "a/002.txt"}) == []
    assert m.unmatched(set()) == ["a/001.txt", "a/002.txt"]


def test_jsonl_by_id_keeps_types(tmp_path):
    lines = [{"id": "8de2ff6bbf66210d", "source": "روسيا اليوم", "score": 0.5, "tags": ["a", "b"], "date": "2021-12-24"},
             {"id": "6f1d71e3aa0d6208", "source": "Unknown Gazette", "score": 1.5, "tags": [], "date": None}]
    p = write(tmp_path, "m.jsonl", "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n")
    m = load_manifest(p)
    assert m.key_column == "id"
    assert m.extra_schema.field("score").type == pa.float64()
    assert m.extra_schema.field("tags").type == pa.list_(pa.string())
    row = m.lookup("x.txt", "8de2ff6bbf66210d")
    assert row["date"] == dt.date(2021, 12, 24) and row["tags"] == ["a", "b"]
    assert m.lookup("x.txt", "6f1d71e3aa0d6208")["date"] is None


def test_parquet(tmp_path):
    t = pa.table({"file_name": ["x.txt"], "date": pa.array([dt.date(2020, 1, 2)], pa.date32()),
                  "rank": pa.array([3], pa.int16())})
    pq.write_table(t, tmp_path / "m.parquet")
    m = load_manifest(tmp_path / "m.parquet")
    assert m.lookup("x.txt", "")["date"] == dt.date(2020, 1, 2)
    assert m.extra_schema.field("rank").type == pa.int16()


@pytest.mark.parametrize("name,text,needle", [
    ("m.csv", "", "empty"),
    ("m.csv", "file_name,url\n", "no rows"),
    ("m.csv", "path,url\nx.txt,http://a\n", "no key column"),
    ("m.csv", "file_name,url\nx.txt,a\nx.txt,b\n", "row 2: duplicate"),
    ("m.csv", "file_name,date\nx.txt,2022-02-18\ny.txt,not a date\n", "row 2: unparseable date"),
    ("m.csv", "file_name,date\nx.txt,2022-13-45\n", "row 1: unparseable date"),
    ("m.csv", "file_name,text\nx.txt,hello\n", "clash"),
    ("m.csv", "file_name,url\n,http://a\n", "row 1: empty file_name"),
    ("m.csv", "file_name,url,url\nx.txt,http://a,http://b\n", "column(s) url given more than once"),
    ("m.jsonl", "{not json\n", "cannot be read"),
    ("m.xlsx", "whatever", "unknown format"),
])
def test_errors_name_the_file(tmp_path, name, text, needle):
    p = write(tmp_path, name, text)
    with pytest.raises(ManifestError) as e:
        load_manifest(p)
    assert str(p) in str(e.value) and needle in str(e.value)


def test_missing_file(tmp_path):
    with pytest.raises(ManifestError, match="no such file"):
        load_manifest(tmp_path / "nope.csv")


BODY = "أكد الوزير في تصريح صحفي أن المحادثات جرت في أجواء بناءة وأن الجانبين اتفقا على مواصلة التعاون."


def test_apply_manifest_values_win():
    meta = extract_metadata("( أردو بوینت نتورك ۔ / سبوتنيك - 18 فبراير 2022ء) " + BODY)
    row = {"title": "عنوان", "date": dt.date(2020, 1, 1), "source": "Al Jazeera", "url": None,
           "language": "ar", "section": "x"}
    out = apply_manifest(meta, row)
    assert (out["title"], out["title_method"]) == ("عنوان", "manifest")
    assert (out["date"], out["date_method"]) == (dt.date(2020, 1, 1), "manifest")
    assert (out["source"], out["publisher"], out["source_method"]) == ("aljazeera", "aljazeera", "manifest")
    assert out["agency"] == "sputnik"  # still the credited agency
    assert out["language_method"] == "manifest" and out["section"] == "x"
    assert meta["source"] == "urdupoint"  # input not mutated


def test_apply_manifest_unknown_source_kept():
    out = apply_manifest(extract_metadata(BODY), {"source": "Unknown Gazette"})
    assert (out["source"], out["source_method"]) == ("Unknown Gazette", "manifest")


def test_apply_manifest_url_domain():
    out = apply_manifest(extract_metadata(BODY), {"url": "https://arabic.rt.com/world/123", "source": None})
    assert (out["source"], out["publisher"], out["source_method"], out["url"]) == (
        "rt", "rt", "url", "https://arabic.rt.com/world/123")
    out = apply_manifest(extract_metadata(BODY), {"url": "https://example.org/x"})
    assert out["source"] is None and out["source_method"] is None


def test_apply_manifest_none_row():
    meta = extract_metadata(BODY)
    assert apply_manifest(meta, None) == meta
    assert apply_manifest(meta, {"date": None, "title": None}) == meta
