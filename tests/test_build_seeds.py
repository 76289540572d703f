"""The core acceptance: the five seeds become a dataset that the real
`datasets.load_dataset` reads, normal and streaming."""
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datasets import load_dataset

import corpuspack
from corpuspack import schema
from corpuspack.builder.document.clean import boilerplate_lines

TITLE_001 = "لافروف: سنسعى لرؤية نهج صادق من الولايات المتحدة وحلف الناتو بشأن الضمانات الأمنية"
TITLE_003 = "روسيا تطالب الغرب بإحترام السيادة السورية .. وتعاون أمريكي محتمل لمكافحة الإرهاب"


@pytest.fixture(scope="module")
def built(tmp_path_factory, seeds_dir=None):
    from conftest import SEEDS
    out = tmp_path_factory.mktemp("seeds") / "out"
    result = corpuspack.build(SEEDS, out, jobs=1, progress=False)
    return out, result


def test_five_rows_load_with_the_published_features(built, hf_cache):
    out, result = built
    ds = load_dataset(str(out), cache_dir=hf_cache)
    assert list(ds) == ["train"]
    train = ds["train"]
    assert train.num_rows == 5
    assert train.features == schema.features()
    assert train.features["date"].dtype == "date32"
    assert train.data.schema.field("date").type == pa.date32()
    assert set(train["language"]) == {"ar"}
    assert sorted(train["id"]) == ["1bc6e33470cacd38", "5224803d0337f076", "6f1d71e3aa0d6208",
                                   "8a7ab05ce1722336", "8de2ff6bbf66210d"]
    assert all(not n.startswith("/") for n in train["file_name"])
    assert result.counts == {"found": 5, "included": 5, "duplicate": 0, "rejected": 0}


def test_streaming_gives_the_same_rows_and_types(built, hf_cache):
    out, _ = built
    normal = load_dataset(str(out), split="train", cache_dir=hf_cache)
    stream = load_dataset(str(out), split="train", streaming=True, cache_dir=hf_cache)
    assert stream.features == normal.features
    assert list(stream) == list(normal)


def test_no_boilerplate_line_remains(built):
    out, _ = built
    table = _table(out)
    for text in table.column("text").to_pylist():
        lines = {" ".join(l.split()) for l in text.split("\n")}
        assert not lines & boilerplate_lines()


def test_repeated_titles_appear_once(built):
    out, _ = built
    rows = {r["id"]: r for r in _table(out).to_pylist()}
    t1 = rows["6f1d71e3aa0d6208"]["text"]
    t3 = " ".join(rows["5224803d0337f076"]["text"].split())
    assert t1.count(TITLE_001) == 1 and t1.startswith(TITLE_001)
    assert t3.count(TITLE_003) == 1 and t3.startswith(TITLE_003)
    assert rows["6f1d71e3aa0d6208"]["removed_lines"] >= 2  # the repeat and "أفكارك وتعليقاتك"


def test_provenance_columns(built):
    out, _ = built
    import hashlib
    from conftest import SEEDS
    for r in _table(out).to_pylist():
        raw = (SEEDS / r["file_name"]).read_bytes()
        assert r["sha256"] == hashlib.sha256(raw).hexdigest()
        assert r["encoding"] == "utf-8"
        assert r["num_chars"] == len(r["text"]) and r["num_words"] == len(r["text"].split())


def test_parquet_carries_the_datasets_features(built):
    out, result = built
    for info in result.manifest["splits"].values():
        for f in info["files"]:
            meta = pq.read_schema(out / f["path"]).metadata
            assert json.loads(meta[b"huggingface"])["info"]["features"] == schema.features().to_dict()


def test_card_declares_configs_and_dataset_info(built):
    import yaml
    out, _ = built
    text = (out / "README.md").read_text(encoding="utf-8")
    header = yaml.safe_load(text.split("---")[1])
    (cfg,) = header["configs"]
    assert cfg["config_name"] == "v1.0.0" and cfg["default"] is True
    assert all(p.startswith("data/v1.0.0/train-00000-of-00001-") for p in cfg["data_files"][0]["path"])
    (info,) = header["dataset_info"]
    assert [f["name"] for f in info["features"]] == list(schema.FIELD_NAMES)
    on_disk = sum((out / p).stat().st_size for p in cfg["data_files"][0]["path"])  # the shards' sizes
    assert info["splits"] == [{"name": "train", "num_bytes": on_disk, "num_examples": 5}]
    for f in schema.FIELDS:
        assert f.description in text


def test_report_accounts_for_every_file(built):
    out, _ = built
    report = json.loads((out / "versions" / "1.0.0" / "build_report.json").read_text())
    assert report["counts"] == {"found": 5, "included": 5, "duplicate": 0, "rejected": 0}


def _table(out):
    from corpuspack.builder.release import versions
    m = versions.read_manifest(str(out), versions.latest(str(out)))
    return pa.concat_tables(pq.read_table(out / f["path"]) for i in m["splits"].values() for f in i["files"])


def test_seed_metadata_table_end_to_end(built, hf_cache):
    out, _ = built
    rows = {r["file_name"][:3]: r for r in load_dataset(str(out), split="train", cache_dir=hf_cache)}
    expect = {
        "000": (None, None, None, ["rt"]),
        "001": (TITLE_001, "2022-02-18", "urdupoint", ["rt"]),
        "002": ("واشنطن: حققنا تقدّماً مع الروس ونعمل على إخراج الإيرانيين من سوريا", None, None, []),
        "003": (TITLE_003, None, None, []),
        "004": (None, None, "sana", ["rt", "tass"]),
    }
    for key, (title, date, source, cited) in expect.items():
        r = rows[key]
        got_title = " ".join(r["title"].split()) if r["title"] else None
        assert (got_title, str(r["date"]) if r["date"] else None, r["source"], r["cited_outlets"]) == (title, date, source, cited), key
    assert rows["001"]["agency"] == "sputnik" and rows["001"]["date_method"] == "dateline"
    assert rows["002"]["credit"] == "وكالات روسيّة"
    assert all(r["near_dup_cluster_size"] == 1 and r["near_dup_cluster"] is None for r in rows.values())
