"""A sidecar crawl manifest joined into a real build."""
import json

import pyarrow as pa
import pytest
from datasets import load_dataset

import corpuspack
from corpuspack.builder.corpus.sidecar import ManifestError
from conftest import SEEDS


def test_manifest_values_win_and_extras_are_carried(tmp_path, hf_cache):
    manifest = tmp_path / "crawl.csv"
    manifest.write_text(
        "file_name,url,date,title,crawl_depth,section\n"
        "000_8de2ff6bbf66210d.txt,https://sana.sy/?p=1,2021-12-25,عنوان من البيان,2,سياسة\n"
        "001_6f1d71e3aa0d6208.txt,https://www.urdupoint.com/arabic/news/1.html,,,3,دولي\n"
        "999_ffffffffffffffff.txt,https://example.org/x,,,1,غير موجود\n", encoding="utf-8")
    out = tmp_path / "out"
    corpuspack.build(SEEDS, out, jobs=1, progress=False, manifest=str(manifest))
    train = load_dataset(str(out), split="train", cache_dir=hf_cache)
    assert train.features["crawl_depth"].dtype == "int64"
    assert train.features["section"].dtype == "string"
    rows = {r["file_name"]: r for r in train}
    r0 = rows["000_8de2ff6bbf66210d.txt"]
    assert (r0["title"], r0["title_method"]) == ("عنوان من البيان", "manifest")
    assert str(r0["date"]) == "2021-12-25" and r0["date_method"] == "manifest"
    assert (r0["source"], r0["source_method"], r0["url"]) == ("sana", "url", "https://sana.sy/?p=1")
    assert (r0["crawl_depth"], r0["section"]) == (2, "سياسة")
    r1 = rows["001_6f1d71e3aa0d6208.txt"]
    assert r1["date_method"] == "dateline" and r1["title_method"] == "repeated_line"  # nothing to override
    assert r1["source"] == "urdupoint"
    r4 = rows["004_1bc6e33470cacd38.txt"]
    assert r4["crawl_depth"] is None and r4["url"] is None and r4["source"] == "sana"
    report = json.loads((out / "versions" / "1.0.0" / "build_report.json").read_text())
    assert report["manifest"]["rows_matching_no_file"] == ["999_ffffffffffffffff.txt"]
    assert report["manifest"]["files_without_manifest_row"] == 3


@pytest.mark.parametrize("content, message", [
    ("url,title\nhttps://a,b\n", "file_name"),
    ("file_name,date\n000_8de2ff6bbf66210d.txt,not a date\n", "date"),
    ("file_name,title\na.txt,x\na.txt,y\n", "a.txt"),
    ("", "empty"),
])
def test_a_malformed_manifest_fails_before_any_work(tmp_path, content, message):
    manifest = tmp_path / "bad.csv"
    manifest.write_text(content, encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(ManifestError) as e:
        corpuspack.build(SEEDS, out, jobs=1, progress=False, manifest=str(manifest))
    assert "bad.csv" in str(e.value) and message in str(e.value)
    assert not (out / "data").exists() and not (out / "versions").exists()


def test_jsonl_and_parquet_manifests_keyed_by_id(tmp_path, hf_cache):
    import pyarrow.parquet as pq
    rows = [{"id": "1bc6e33470cacd38", "source": "Reuters", "language": "ar", "score": 0.5}]
    jl = tmp_path / "m.jsonl"
    jl.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    pqf = tmp_path / "m.parquet"
    pq.write_table(pa.Table.from_pylist(rows), pqf)
    for i, m in enumerate((jl, pqf)):
        out = tmp_path / f"out{i}"
        corpuspack.build(SEEDS, out, jobs=1, progress=False, manifest=str(m))
        r = {x["id"]: x for x in load_dataset(str(out), split="train", cache_dir=hf_cache)}["1bc6e33470cacd38"]
        assert (r["source"], r["source_method"], r["language_method"], r["score"]) == ("reuters", "manifest", "manifest", 0.5)
