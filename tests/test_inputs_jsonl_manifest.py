"""JSON lines with fields of their own and a sidecar ``--manifest``, in one build: both become
columns; where both give a document the same field, the manifest's value wins (a null or empty
one leaves the line's), and the report counts what it replaced. Real articles
(../shared/realdata/ant_multisource) written as a crawler's JSON Lines export, with a manifest
keyed by id made from the corpus's own metadata (its truth file)."""
import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from datasets import load_dataset

import corpuspack
from corpuspack.builder.corpus.sidecar import ManifestError
from dump_forms import build_report, published

REAL = Path(__file__).resolve().parents[1] / ".." / "shared" / "realdata"
CRAWLED = "2018-11-01"  # the date the crawler wrote in every line: when it fetched, not when published
# the gazetteer's ids of the outlets, written by hand from reference/arabic_outlets
OUTLET_IDS = {"France 24 Arabic": "france24", "CNN Arabic": "cnnarabic", "Al Arabiya": "alarabiya",
              "Sky News Arabia": "skynewsarabia", "BBC Arabic": "bbcarabic"}


@pytest.fixture
def articles():
    if not (REAL / "ant_multisource").is_dir():
        pytest.skip("../shared/realdata is absent")
    with open(REAL / "ant_multisource.truth.jsonl", encoding="utf-8") as f:
        truth = [json.loads(line) for line, _ in zip(f, range(24))]
    for t in truth:
        t["text"] = (REAL / "ant_multisource" / t["filename"]).read_text(encoding="utf-8")
    return truth


def _export(articles, path: Path, **extra) -> Path:
    """The crawler's export: id, text, url, its fetch date, its own source label, the category."""
    with open(path, "w", encoding="utf-8") as f:
        for a in articles:
            f.write(json.dumps({"id": a["docno"], "text": a["text"], "url": a["url"], "date": CRAWLED,
                                "source": "ant-crawl", "category": a["category"], **extra}, ensure_ascii=False) + "\n")
    return path


def test_line_fields_and_manifest_both_become_columns_the_manifest_winning(articles, tmp_path, hf_cache):
    dump = tmp_path / "dump"
    dump.mkdir()
    _export(articles, dump / "ant.jsonl")
    curated, blank_date = articles[:12], articles[3]["docno"]  # the manifest covers half; one of its dates is blank
    manifest = tmp_path / "curated.csv"
    with open(manifest, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "date", "source", "byline"])
        for a in curated:
            w.writerow([a["docno"], "" if a["docno"] == blank_date else a["date"], a["source"], a["byline"] or ""])
        w.writerow(["XX-not-in-the-dump-1", "2018-01-01", "BBC Arabic", ""])
    out = tmp_path / "out"
    result = corpuspack.build(dump, out, jobs=2, progress=False, manifest=str(manifest))
    assert result.counts == {"found": 24, "included": 24, "duplicate": 0, "rejected": 0}

    train = load_dataset(str(out), split="train", cache_dir=hf_cache)
    assert train.features["category"].dtype == "string" and train.features["byline"].dtype == "string"
    rows = {r["id"]: r for r in train}
    assert sorted(rows) == sorted(a["docno"] for a in articles)
    for k, a in enumerate(articles):
        row = rows[a["docno"]]
        assert row["file_name"] == f"ant.jsonl:{k + 1}"
        # the line's own fields, which the manifest does not give: always the line's
        assert (row["url"], row["category"]) == (a["url"], a["category"])
        assert row["date_method"] == row["source_method"] == "manifest"
        if a in curated:
            assert row["source"] == row["publisher"] == OUTLET_IDS[a["source"]]
            assert row["byline"] == a["byline"]  # None where the truth has none (an empty cell)
            want = CRAWLED if a["docno"] == blank_date else a["date"]
            assert row["date"] == dt.date.fromisoformat(want)
        else:
            assert (row["source"], row["byline"], row["date"]) == ("ant-crawl", None, dt.date.fromisoformat(CRAWLED))

    report = build_report(out)["manifest"]
    assert report["rows_matching_no_file"] == ["XX-not-in-the-dump-1"]
    assert report["files_without_manifest_row"] == 0  # every line has fields of its own
    # 12 sources replaced, 11 dates (the blank one replaced nothing); no truth date is the crawl date
    assert report["line_values_replaced"] == {"date": 11, "source": 12}
    assert CRAWLED not in {a["date"] for a in curated}


def test_the_same_build_without_the_manifest_keeps_the_lines_values(articles, tmp_path):
    """The reference for the test above: the lines alone give every row the crawler's values."""
    _export(articles, tmp_path / "ant.jsonl")
    corpuspack.build(tmp_path / "ant.jsonl", tmp_path / "out", jobs=1, progress=False)
    rows = published(tmp_path / "out").to_pylist()
    assert {(r["source"], r["date"]) for r in rows} == {("ant-crawl", dt.date.fromisoformat(CRAWLED))}
    assert "byline" not in rows[0]
    assert "line_values_replaced" not in build_report(tmp_path / "out")["manifest"]


def test_a_column_of_two_types_is_refused_naming_both(articles, tmp_path):
    """A line field and a manifest column of the same name must fit one type: a number in the
    lines and text in the manifest stop the build, naming the column and where each type is."""
    _export(articles[:4], tmp_path / "ant.jsonl", views=120)
    manifest = tmp_path / "curated.jsonl"
    manifest.write_text("".join(json.dumps({"id": a["docno"], "views": "many"}) + "\n" for a in articles[:2]))
    with pytest.raises(ManifestError) as e:
        corpuspack.build(tmp_path / "ant.jsonl", tmp_path / "out", jobs=1, progress=False, manifest=str(manifest))
    said = str(e.value)
    assert "'views'" in said and "int64 in the JSON lines" in said and f"string in {manifest}" in said
    assert not (tmp_path / "out" / "versions" / "1.0.0").exists()
