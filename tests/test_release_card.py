"""The published output as a researcher receives it (issue #16): the card (YAML the Hub
reads, user fields kept across rebuilds, statistics, charts), croissant.json, a folder per
version that any Parquet tool reads, and `validate` catching broken outputs."""
from __future__ import annotations

import json
import os
import shutil
from collections import Counter

import pyarrow.parquet as pq
import pytest
import yaml
from datasets import load_dataset
from huggingface_hub import DatasetCard

import corpuspack
from corpuspack.builder.release import cardfields, versions
from corpuspack.cli import main
from conftest import SEEDS
from corpus_gen import generate_corpus, write_corpus

DESCRIPTION = "Generated Arabic and English news articles, for the tests."
CITATION = "@misc{gen2026, title = {A generated corpus}, year = {2026}}"


@pytest.fixture(scope="module")
def multi(tmp_path_factory):
    """A generated multilingual dump (Arabic and ~30% English) built as 1.0.0 with a license
    and card fields, then grown by 20 new articles (named to sort last) and built as 1.1.0
    with no card option."""
    root = tmp_path_factory.mktemp("multi")
    docs = generate_corpus(120, seed=16, other_lang_rate=0.3, dup_rate=0.03, near_dup_rate=0.05,
                           article_words=(60, 120))
    docs += [(f"9{name}", text, truth) for name, text, truth in
             generate_corpus(20, seed=99, other_lang_rate=0.3, dup_rate=0, near_dup_rate=0, article_words=(60, 120))]
    dump, out = root / "dump", root / "out"
    write_corpus(dump, docs[:120])
    # no repeated-line removal: with 120 documents of a few sites, 20 more would move lines over the
    # threshold and change old rows, and this fixture wants shards shared between the versions
    opts = dict(jobs=1, progress=False, rows_per_shard=25, splits=(("train", 0.8), ("test", 0.2)),
                repeated_line_min_docs=10**6)
    corpuspack.build(dump, out, version="1.0.0", license="cc-by-4.0",
                     card_fields=(("description", DESCRIPTION), ("citation", CITATION),
                                  ("homepage", "https://example.org/gen"), ("annotations_creators", ["machine-generated"])),
                     **opts)
    v1 = (out / "README.md").read_text(encoding="utf-8")
    write_corpus(dump, docs[120:])
    corpuspack.build(dump, out, version="1.1.0", **opts)
    return out, docs, v1


def _yaml(out) -> dict:
    return DatasetCard.load(out / "README.md").data.to_dict()


def _ids(rows) -> list[str]:
    return sorted(rows)


# -- the card --------------------------------------------------------------------------------

def test_card_parses_and_holds_what_the_hub_needs(multi):
    out, docs, _ = multi
    data = _yaml(out)
    assert data["license"] == "cc-by-4.0"
    assert data["pretty_name"] == "dump"
    assert data["task_categories"] == ["text-generation"]
    assert data["annotations_creators"] == ["machine-generated"]
    assert data["homepage"] == "https://example.org/gen"
    # both languages are in the dump, each well above the small share
    truth = Counter(t["lang"] for _, _, t in docs)
    assert truth["en"] > 20 and set(data["language"]) == {"ar", "en"}
    m2 = versions.read_manifest(str(out), "1.1.0")
    assert data["size_categories"] == ["n<1K"]
    configs = {c["config_name"]: c for c in data["configs"]}
    assert list(configs) == ["v1.0.0", "v1.1.0"] and configs["v1.1.0"].get("default") is True
    assert "default" not in configs["v1.0.0"]
    for c in data["configs"]:
        for df in c["data_files"]:
            assert all(p.startswith(f"data/{c['config_name']}/{df['split']}-") for p in df["path"])
    # the prose: description, citation, the field table from the schema, statistics, changelog
    text = (out / "README.md").read_text(encoding="utf-8")
    assert DESCRIPTION in text and CITATION in text
    for f in corpuspack.schema.FIELDS:
        assert f"| `{f.name}` |" in text
    assert "since 1.0.0: added 20" in text.replace(",", "")
    assert f"{m2['counts']['included']:,} documents" in text


def test_card_statistics_match_the_rows(multi):
    """Per-language documents and characters in the card against pandas over the version's files."""
    import pandas as pd
    out, _, _ = multi
    df = pd.read_parquet(out / "data" / "v1.1.0", columns=["language", "num_chars", "date"])
    text = (out / "README.md").read_text(encoding="utf-8")
    for lang, group in df.groupby("language"):
        n, chars = len(group), int(group["num_chars"].sum())
        share = f"{100 * n / len(df):.1f}%"
        assert f"| `{lang}` | {n:,} | {share} | {chars:,} |" in text
    years = pd.to_datetime(df["date"].dropna()).dt.year.value_counts()
    for year, n in years.items():
        assert f"| `{year}` | {n:,} |" in text


def test_user_card_fields_survive_a_rebuild_and_can_be_removed(multi, tmp_path):
    out, _, v1 = multi
    before, after = yaml.safe_load(v1.split("---")[1]), _yaml(out)
    for key in ("license", "homepage", "annotations_creators"):
        assert after[key] == before[key]  # 1.1.0 was built with no card option
    info = load_dataset(str(out), "v1.1.0", split="train", cache_dir=str(tmp_path / "hf")).info
    assert (info.license, info.description, info.citation) == ("cc-by-4.0", DESCRIPTION, CITATION)
    # a third version: one field removed (KEY=), one changed, from the command line
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    dump = out.parent / "dump"
    assert main(["build", str(dump), str(copy), "--version", "1.1.1", "--jobs", "1", "--quiet",
                 "--card-field", "homepage=", "--license", "cc-by-sa-4.0", "--splits", "train=0.8,test=0.2",
                 "--repeated-line-min-docs", str(10**6)]) == 0
    data = _yaml(copy)
    assert "homepage" not in data and data["license"] == "cc-by-sa-4.0"
    assert data["annotations_creators"] == ["machine-generated"]
    assert DESCRIPTION in (copy / "README.md").read_text(encoding="utf-8")


def test_a_wrong_license_is_refused_before_any_work(tmp_path, capsys):
    with pytest.raises(ValueError, match="cc-by-5.0"):
        corpuspack.build(SEEDS, tmp_path / "out", jobs=1, progress=False, license="cc-by-5.0")
    assert main(["build", str(SEEDS), str(tmp_path / "o2"), "--license", "mit-ish", "--quiet"]) == 2
    assert "mit-ish" in capsys.readouterr().err
    assert not (tmp_path / "o2" / "versions").exists()


@pytest.mark.parametrize("n, bucket", [
    (0, "n<1K"), (999, "n<1K"), (1_000, "1K<n<10K"), (99_999, "10K<n<100K"), (5_000_000, "1M<n<10M"),
    (10_000_000, "10M<n<100M"), (250_000_000, "100M<n<1B"), (1_000_000_000, "1B<n<10B"),
    (99_999_999_999, "10B<n<100B"), (500_000_000_000, "100B<n<1T"), (1_000_000_000_000, "n>1T")])
def test_size_categories_at_every_size(n, bucket):
    assert cardfields.size_category(n) == bucket


def test_license_and_language_lists():
    assert cardfields.license_problem("apache-2.0") is None and cardfields.license_problem("Apache 2.0")
    assert cardfields.language_problem("ar") is None and cardfields.language_problem("fas") is None
    assert cardfields.language_problem("arabic") and cardfields.language_problem("xx")


# -- files a user can glob -----------------------------------------------------------------

def test_each_version_folder_holds_exactly_that_version(multi, tmp_path):
    import duckdb
    import pandas as pd
    import polars as pl
    out, _, _ = multi
    for config in ("v1.0.0", "v1.1.0"):
        ds = load_dataset(str(out), config, cache_dir=str(tmp_path / "hf"))
        expected = sorted(i for split in ds.values() for i in split["id"])
        folder = out / "data" / config
        assert sorted(pd.read_parquet(folder)["id"]) == expected
        assert sorted(pl.read_parquet(f"{folder}/*.parquet")["id"].to_list()) == expected
        assert sorted(r[0] for r in duckdb.sql(f"SELECT id FROM '{folder}/*.parquet'").fetchall()) == expected
        glob_ds = load_dataset("parquet", data_files=f"{folder}/*.parquet", split="train", cache_dir=str(tmp_path / "hf"))
        assert sorted(glob_ds["id"]) == expected
    v1 = set(pd.read_parquet(out / "data" / "v1.0.0")["id"])
    v2 = set(pd.read_parquet(out / "data" / "v1.1.0")["id"])
    assert v1 < v2 and len(v2 - v1) == 20


def test_unchanged_shards_are_one_file_on_disk(multi):
    out, _, _ = multi
    files = {v: {f["sha256"]: f["path"] for i in versions.read_manifest(str(out), v)["splits"].values()
                 for f in i["files"]} for v in ("1.0.0", "1.1.0")}
    shared = files["1.0.0"].keys() & files["1.1.0"].keys()
    assert shared
    for sha in shared:
        a, b = out / files["1.0.0"][sha], out / files["1.1.0"][sha]
        assert a.parent.name == "v1.0.0" and b.parent.name == "v1.1.0"
        assert os.path.samefile(a, b) and os.stat(a).st_nlink == 2


def test_parquet_is_written_the_way_the_hub_reads_it(multi):
    out, _, _ = multi
    m = versions.read_manifest(str(out), "1.1.0")
    path = out / m["splits"]["train"]["files"][0]["path"]
    meta = pq.ParquetFile(path).metadata
    rg = meta.row_group(0)
    cols = {rg.column(i).path_in_schema: rg.column(i) for i in range(rg.num_columns)}
    assert not cols["text"].is_stats_set and not cols["title"].is_stats_set
    assert cols["language"].is_stats_set and cols["date"].is_stats_set
    assert all(c.has_offset_index and c.has_column_index == c.is_stats_set for c in cols.values())
    cdc = m["parquet"]["content_defined_chunking"]
    assert json.loads(meta.metadata[b"content_defined_chunking"]) == cdc == {
        "min_chunk_size": 262144, "max_chunk_size": 1048576, "norm_level": 0}


# -- charts and Croissant -------------------------------------------------------------------

def test_charts_exist_are_referenced_and_byte_identical(tmp_path):
    pytest.importorskip("matplotlib")
    a, b = tmp_path / "a", tmp_path / "b"
    corpuspack.build(SEEDS, a, jobs=1, progress=False)
    corpuspack.build(SEEDS, b, jobs=2, progress=False)
    text = (a / "README.md").read_text(encoding="utf-8")
    names = sorted(os.listdir(a / "charts"))
    assert names == ["documents_per_language.png", "documents_per_month.png", "documents_per_source.png",
                     "length_histogram.png"]
    for name in names:
        assert f"(charts/{name})" in text
        data = (a / "charts" / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and data == (b / "charts" / name).read_bytes()
    for name in ("README.md", "croissant.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes()


def test_croissant_validates_and_loads_every_version(multi):
    mlc = pytest.importorskip("mlcroissant")
    out, _, _ = multi
    doc = json.loads((out / "croissant.json").read_text(encoding="utf-8"))
    assert doc["conformsTo"] == "http://mlcommons.org/croissant/1.1"
    files = {o["contentUrl"]: o["sha256"] for o in doc["distribution"] if o["@type"] == "cr:FileObject"}
    listed = {f["path"]: f["sha256"] for v in ("1.0.0", "1.1.0")
              for i in versions.read_manifest(str(out), v)["splits"].values() for f in i["files"]}
    assert files == listed
    fields = {f["name"]: f["dataType"] for f in doc["recordSet"][-1]["field"]}
    assert fields["date"] == "sc:Date" and fields["text"] == "sc:Text" and fields["num_chars"] == "cr:Int32"
    ds = mlc.Dataset(str(out / "croissant.json"))
    for config in ("v1.0.0", "v1.1.0"):
        rows = list(ds.records(config))
        expected = sorted(pq.read_table(out / "data" / config, columns=["id"]).column("id").to_pylist())
        assert sorted(r[f"{config}/id"].decode() for r in rows) == expected


def test_croissant_gives_dates_as_dates(tmp_path):
    """The generated dump has no dates the extractor finds; the seeds have one (2022-02-18)."""
    mlc = pytest.importorskip("mlcroissant")
    out = tmp_path / "seeds"
    corpuspack.build(SEEDS, out, jobs=1, progress=False)
    rows = list(mlc.Dataset(str(out / "croissant.json")).records("v1.0.0"))
    table = pq.read_table(out / "data" / "v1.0.0", columns=["id", "date"])
    expected = {i: d for i, d in zip(table.column("id").to_pylist(), table.column("date").to_pylist())}
    got = {r["v1.0.0/id"].decode(): r["v1.0.0/date"] for r in rows}
    assert [str(d) for d in expected.values() if d] == ["2022-02-18"]
    for i, d in expected.items():
        assert (got[i] is None) if d is None else (got[i].year, got[i].month, got[i].day) == (d.year, d.month, d.day)


# -- validate and inspect ------------------------------------------------------------------

def test_validate_passes_on_a_sound_output(multi, capsys):
    out, _, _ = multi
    assert corpuspack.validate(out) == []
    assert main(["validate", str(out)]) == 0


def _broken(out, tmp_path):
    copy = tmp_path / "broken"
    shutil.copytree(out, copy)
    return copy


def _first_file(out, version="1.1.0"):
    return versions.read_manifest(str(out), version)["splits"]["train"]["files"][0]["path"]


def test_validate_names_a_wrong_license(multi, tmp_path):
    out = _broken(multi[0], tmp_path)
    card = out / "README.md"
    card.write_text(card.read_text(encoding="utf-8").replace("license: cc-by-4.0", "license: cc-by-5.0", 1),
                    encoding="utf-8")
    problems = corpuspack.validate(out, load=False)
    assert any(p.startswith("README.md:") and "'cc-by-5.0' is not a Hugging Face license id" in p for p in problems)


def test_validate_names_a_file_missing_a_column(multi, tmp_path):
    out = _broken(multi[0], tmp_path)
    rel = _first_file(out)
    table = pq.read_table(out / rel)
    os.remove(out / rel)  # a hard link: write a new file, not through the link
    pq.write_table(table.drop_columns(["title"]), out / rel)
    problems = corpuspack.validate(out, load=False)
    assert any(p.startswith(f"{rel}:") and "missing columns title" in p for p in problems), problems
    assert any(rel in p and "SHA-256" in p for p in problems)


def test_validate_names_an_edited_parquet_file(multi, tmp_path, capsys):
    out = _broken(multi[0], tmp_path)
    rel = _first_file(out)
    data = bytearray((out / rel).read_bytes())
    data[len(data) // 2] ^= 0xFF
    os.remove(out / rel)
    (out / rel).write_bytes(bytes(data))
    assert main(["validate", str(out), "--skip-load"]) == 1
    err = capsys.readouterr().err
    assert rel in err and "SHA-256" in err


def test_validate_names_a_listed_file_that_is_not_there(multi, tmp_path):
    out = _broken(multi[0], tmp_path)
    rel = _first_file(out, "1.0.0")
    os.remove(out / rel)
    problems = corpuspack.validate(out, load=False)
    assert any(p.startswith(f"{rel}: listed by config v1.0.0") for p in problems), problems


def test_validate_names_a_wrong_size_bucket_and_language(multi, tmp_path):
    out = _broken(multi[0], tmp_path)
    card = out / "README.md"
    text = card.read_text(encoding="utf-8").replace("- n<1K", "- n>10M", 1).replace("- en\n", "- english\n", 1)
    card.write_text(text, encoding="utf-8")
    problems = corpuspack.validate(out, load=False)
    assert any("size_categories is ['n>10M'], expected ['n<1K']" in p for p in problems), problems
    assert any("'english' is not an ISO 639-1" in p for p in problems)


def test_validate_names_a_stray_file_in_a_version_folder(multi, tmp_path):
    out = _broken(multi[0], tmp_path)
    stray = out / "data" / "v1.0.0" / "train-99999-of-99999-0000.parquet"
    shutil.copyfile(out / _first_file(out), stray)
    problems = corpuspack.validate(out, load=False)
    assert any(p.startswith("data/v1.0.0/train-99999") and "not listed" in p for p in problems), problems


def test_inspect_shows_the_statistics(multi, capsys):
    import pandas as pd
    from rich.console import Console
    out, _, _ = multi
    console = Console(width=120, record=True)
    st = corpuspack.inspect(out, version="1.0.0", console=console)
    shown = console.export_text()
    df = pd.read_parquet(out / "data" / "v1.0.0", columns=["language"])
    assert st["documents"] == len(df)
    for lang, n in df["language"].value_counts().items():
        assert any(line.split("│")[1].strip() == lang and line.split("│")[2].strip() == f"{n:,}"
                   for line in shown.splitlines() if line.count("│") > 3)
    assert "█" in shown
    assert main(["inspect", str(out)]) == 0


def test_ds_info_has_a_description_and_citation_when_the_user_set_none(tmp_path):
    out = tmp_path / "seeds"
    corpuspack.build(SEEDS, out, jobs=1, progress=False)
    info = load_dataset(str(out), split="train", cache_dir=str(tmp_path / "hf")).info
    assert info.citation.startswith("@misc{seeds_1_0_0,") and "Version 1.0.0" in info.citation
    assert info.description.startswith("A text corpus built with corpuspack") and "5 documents" in info.description
    assert info.license == ""  # none set: the card says nothing it does not know
    assert "license" not in _yaml(out)
    problems = corpuspack.validate(out, load=False)
    assert problems == ["README.md: no license (rebuild with --license, one of corpuspack/data/hub_licenses.tsv)"]


def test_without_matplotlib_the_card_says_how_to_get_the_charts(tmp_path, monkeypatch):
    from corpuspack.builder.release import charts
    monkeypatch.setattr(charts, "available", lambda: False)
    out = tmp_path / "seeds"
    corpuspack.build(SEEDS, out, jobs=1, progress=False)
    text = (out / "README.md").read_text(encoding="utf-8")
    assert "pip install 'corpuspack[charts]'" in text and "](charts/" not in text
    assert not (out / "charts").exists()


def test_shards_are_copied_where_links_fail_and_the_summary_says_so(tmp_path, monkeypatch, capsys):
    from corpuspack.builder.release import layout

    def no_links(src, dst):
        raise OSError(18, "Invalid cross-device link")
    monkeypatch.setattr(layout.os, "link", no_links)
    dump = tmp_path / "dump"
    shutil.copytree(SEEDS, dump)
    out = tmp_path / "out"
    opts = dict(jobs=1, rows_per_shard=2)
    corpuspack.build(dump, out, version="1.0.0", progress=False, **opts)
    (dump / "009_ffffffffffffffff.txt").write_text((SEEDS / "000_8de2ff6bbf66210d.txt").read_text(encoding="utf-8")
                                                   + "\nسطر إضافي.\n", encoding="utf-8")
    capsys.readouterr()
    r = corpuspack.build(dump, out, version="1.1.0", progress=True, **opts)
    shared = r.manifest["work"]["shards_reused"]
    assert shared >= 1
    assert f"{shared} unchanged shard(s) copied into data/v1.1.0/" in capsys.readouterr().err
    old = {f["sha256"]: f["path"] for f in files_of(out, "1.0.0")}
    for f in files_of(out, "1.1.0"):
        if f["sha256"] in old:
            assert not os.path.samefile(out / f["path"], out / old[f["sha256"]])
            assert (out / f["path"]).read_bytes() == (out / old[f["sha256"]]).read_bytes()
    from corpuspack.builder.release.verify import verify
    assert verify(str(out)) == []


def files_of(out, version):
    return [f for i in versions.read_manifest(str(out), version)["splits"].values() for f in i["files"]]


@pytest.mark.parametrize("cut", [7, 3, 1])
def test_documents_per_month_named_and_counted_as_written_by_hand(cut):
    """The card's and the month chart's months (``stats._by_month``, grouped on the month's number,
    summed over batches cut at ``cut``) against values written by hand: undated documents left out,
    months in order, characters summed."""
    import datetime as dt

    import pyarrow as pa
    import pyarrow.compute as pc

    from corpuspack.builder.release import stats

    d = dt.date
    dates = pa.array([d(2022, 2, 18), d(2022, 2, 1), None, d(1999, 12, 31), d(2022, 3, 1), d(2022, 2, 28), None])
    chars = pa.array([100, 20, 5, 7, 1, 3, 9], pa.int32())
    months = stats._Sums()
    for part in (slice(0, cut), slice(cut, None)):
        number = pc.add(pc.multiply(pc.year(dates[part]), 12), pc.subtract(pc.month(dates[part]), 1))
        months.add(number, chars[part], dates[part])
    assert stats._by_month(months) == [["1999-12", 1, 7], ["2022-02", 3, 123], ["2022-03", 1, 1]]


@pytest.mark.parametrize("cut", [7, 4, 1])
def test_documents_per_value_counted_as_written_by_hand(cut):
    """The card's per-language, per-source and per-year rows (``stats._Sums``, summed over batches
    cut at ``cut``) against values written by hand: a null value is a row of its own (sorted as ""),
    a null length counts as no document and no characters, most documents first, ties by value."""
    import pyarrow as pa

    from corpuspack.builder.release import stats

    def ranked(key):
        sums = stats._Sums()
        for part in (slice(0, cut), slice(cut, None)):
            sums.add(key[part], chars[part])
        return sums.ranked()

    chars = pa.array([10, 20, None, 4, 5, 6, 7], pa.int32())
    assert ranked(pa.array(["ar", None, "ar", "fa", None, "ar", "en"])) == [
        [None, 2, 25], ["ar", 2, 16], ["en", 1, 7], ["fa", 1, 4]]
    assert ranked(pa.array([2022, 2021, 2022, None, 2021, 2021, 2022])) == [
        [2021, 3, 31], [2022, 2, 17], [None, 1, 4]]
    assert stats._Sums().ranked() == []
