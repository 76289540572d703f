"""JSON Lines: one document per line; other fields become columns through the sidecar
manifest machinery; a bad line is a rejection naming the file and line, not a failed build."""
import datetime as dt

import pytest
import json

from datasets import load_dataset

import corpuspack
from dump_forms import build_report, published

A = "أعلنت البلدية اليوم عن افتتاح حديقة عامة جديدة قرب السوق القديم في وسط المدينة."
B = "ارتفعت أسعار الخضار في الأسواق المحلية بعد موجة البرد التي ضربت المنطقة الأسبوع الماضي."
C = "قال مدير المستشفى إن الجناح الجديد سيستقبل المرضى اعتبارا من الشهر المقبل بعد اكتمال تجهيزه."


def _line(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)


def test_fields_become_columns_and_bad_lines_are_named(tmp_path, hf_cache):
    dump = tmp_path / "dump"
    dump.mkdir()
    (dump / "feed.jsonl").write_text("\n".join([
        _line({"id": "n1", "text": A, "url": "https://example.org/news/1", "date": "2024-05-12",
               "source": "Valley Herald", "category": "local", "views": 120}),
        "{not json",
        _line({"id": "n2", "body": B}),
        "",
        _line(["a", "list"]),
        _line({"id": "n3", "text": B, "category": "economy", "views": 7}),
        _line({"id": "n4", "text": 42}),
        _line({"id": "n5", "text": C, "sha256": "forged"}),
    ]) + "\n", encoding="utf-8")
    (dump / "plain.txt").write_text(C + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = corpuspack.build(dump, out, jobs=1, progress=False)

    rows = {r["id"]: r for r in published(out).to_pylist()}
    assert len(rows) == 3 and {"n1", "n3"} <= set(rows)
    n1, n3 = rows["n1"], rows["n3"]
    assert n1["file_name"] == "feed.jsonl:1" and n3["file_name"] == "feed.jsonl:6"
    assert (n1["url"], n1["date"], n1["date_method"]) == ("https://example.org/news/1", dt.date(2024, 5, 12), "manifest")
    assert (n1["source"], n1["source_method"]) == ("Valley Herald", "manifest")
    assert (n1["category"], n1["views"], n3["category"], n3["views"]) == ("local", 120, "economy", 7)
    assert n3["url"] is None and n3["date_method"] != "manifest"
    plain = next(r for r in rows.values() if r["file_name"] == "plain.txt")
    assert plain["category"] is None and plain["views"] is None

    rejected = {r["file_name"]: r for r in build_report(out)["rejected"]}
    assert {k: r["reason"] for k, r in rejected.items()} == {
        "feed.jsonl:2": "bad_line", "feed.jsonl:3": "bad_line", "feed.jsonl:5": "bad_line",
        "feed.jsonl:7": "bad_line", "feed.jsonl:8": "bad_line"}
    assert rejected["feed.jsonl:2"]["detail"].startswith("line 2 of feed.jsonl: not JSON")
    assert "'text'" in rejected["feed.jsonl:3"]["detail"] and "--text-field" in rejected["feed.jsonl:3"]["detail"]
    assert "sha256" in rejected["feed.jsonl:8"]["detail"]
    report = build_report(out)
    assert report["inputs"]["by_form"] == {"file": 1, "jsonl": 7}
    assert report["inputs"]["skipped"] == {"blank_line": 1}
    assert result.counts == {"found": 8, "included": 3, "duplicate": 0, "rejected": 5}

    ds = load_dataset(str(out), split="train", cache_dir=hf_cache)
    assert ds.features["views"].dtype == "int64" and ds.features["category"].dtype == "string"


def test_text_and_id_fields_are_options(tmp_path):
    path = tmp_path / "crawl.jsonl"
    path.write_text(_line({"doc": 17, "content": A}) + "\n" + _line({"doc": 18, "content": B}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    corpuspack.build(path, out, jobs=1, progress=False, text_field="content", id_field="doc")
    rows = published(out).select(["id", "file_name", "text"]).to_pylist()
    assert rows == [{"id": "17", "file_name": "crawl.jsonl:1", "text": A}, {"id": "18", "file_name": "crawl.jsonl:2", "text": B}]


@pytest.mark.parametrize("suffix", ["gz", "zst"])  # zst: zstandard's own reader ended quietly at the cut
def test_a_cut_compressed_file_keeps_its_lines_and_reports_the_rest(tmp_path, suffix):
    import gzip
    import hashlib

    import zstandard
    compress = gzip.compress if suffix == "gz" else zstandard.ZstdCompressor().compress
    # (a zstd frame's bytes come out a block, 128 KiB, at a time: lines long and varied enough that
    # half the file holds whole blocks)
    data = compress(("\n".join(_line({"id": f"d{i}", "text": f"{A} ({i}) " + hashlib.sha256(b"%d" % i).hexdigest() * 8})
                               for i in range(400)) + "\n").encode())
    path = tmp_path / f"cut.jsonl.{suffix}"
    path.write_bytes(data[: len(data) // 2])
    result = corpuspack.build(path, tmp_path / "out", jobs=1, progress=False)
    rejected = build_report(tmp_path / "out")["rejected"]
    read = published(tmp_path / "out").num_rows
    assert 0 < read < 400
    assert [(r["file_name"], r["reason"]) for r in rejected] == [(f"cut.jsonl.{suffix}:{read + 1}", "unreadable")]
    assert f"cut.jsonl.{suffix} cannot be read after line" in rejected[0]["detail"]
    assert result.counts["found"] == read + 1


def test_a_new_archive_of_a_grown_dump_reuses_unchanged_members(tmp_path):
    import tarfile
    from corpus_gen import generate_corpus
    docs = generate_corpus(30, seed=3, article_words=(60, 100))
    dump = tmp_path / "dump"
    dump.mkdir()
    for name, text, _ in docs[:25]:
        (dump / name).write_text(text, encoding="utf-8")

    def pack(path):
        with tarfile.open(path, "w:gz") as tar:
            tar.add(dump, arcname=".")
        return path

    out = tmp_path / "out"
    corpuspack.build(pack(tmp_path / "v1.tgz"), out, jobs=1, progress=False, version="1.0.0")
    for name, text, _ in docs[25:]:
        (dump / name).write_text(text, encoding="utf-8")
    (dump / docs[0][0]).write_text(docs[0][1] + "\nسطر أضيف لاحقا إلى هذا الخبر بعد نشره لتصحيح معلومة.\n", encoding="utf-8")
    grown = corpuspack.build(pack(tmp_path / "v2.tgz"), out, jobs=1, progress=False, version="1.1.0")
    assert grown.manifest["work"]["reused"] == 24  # 25 members, one of them changed
    assert grown.manifest["work"]["processed"] == 6  # 5 new and the changed one
    fresh = corpuspack.build(dump, tmp_path / "fresh", jobs=1, progress=False, version="1.1.0")
    assert published(out, "1.1.0").equals(published(tmp_path / "fresh", "1.1.0"))


def test_json_lines_inside_an_archive_are_read_line_by_line(tmp_path):
    import io
    import tarfile
    lines = (_line({"id": "x1", "text": A, "category": "local"}) + "\n" + _line({"id": "x2", "text": B}) + "\n").encode()
    archive = tmp_path / "dump.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in (("feeds/day1.jsonl", lines), ("notes/c.txt", (C + "\n").encode())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    corpuspack.build(archive, tmp_path / "out", jobs=1, progress=False)
    rows = published(tmp_path / "out").select(["id", "file_name", "text", "category"]).to_pylist()
    assert [(r["id"], r["file_name"], r["category"]) for r in rows[:2]] == [
        ("x1", "feeds/day1.jsonl:1", "local"), ("x2", "feeds/day1.jsonl:2", None)]
    assert rows[2]["file_name"] == "notes/c.txt" and rows[2]["text"] == C
    assert build_report(tmp_path / "out")["inputs"]["by_form"] == {"jsonl": 2, "tar": 1}
