"""Versions: loadable side by side, comparable, stable splits, shared shards, checked numbers."""
import hashlib
import json
import os
import random
import shutil

import numpy as np
import pytest
from datasets import load_dataset

import corpuspack
from corpuspack.builder.release import versions
from corpuspack.builder.corpus.split import assign_split
from corpuspack.cli import main
from conftest import SEEDS

WORDS = ("الحكومة الوزير الاقتصاد المدينة الشركة الرئيس البرلمان المدرسة الطلاب الجامعة المستشفى الطريق "
         "السوق الأسعار المطر الزراعة المياه الكهرباء النفط الغاز التجارة السياحة الفريق المباراة").split()


def article(i: int) -> str:
    # words drawn at random (seed i): a cyclic walk through the list made articles i and i + 5
    # near duplicates (same word pairs), which near-duplicate detection rightly clusters
    rng = random.Random(i)
    words = [rng.choice(WORDS) for _ in range(60)]
    return f"خبر رقم {i} عن {WORDS[i % len(WORDS)]}\n" + " ".join(words) + f" {i} {i * 31}.\n"


@pytest.fixture
def dump(tmp_path):
    d = tmp_path / "dump"
    d.mkdir()
    for i in range(12):
        (d / f"{i:03d}_{i:016x}.txt").write_text(article(i), encoding="utf-8")
    return d


def _ids(ds):
    return sorted(ds["id"])


def test_two_versions_load_diff_and_share_storage(dump, tmp_path, hf_cache):
    out = tmp_path / "out"
    opts = dict(jobs=1, progress=False, rows_per_shard=3, row_group_size=3,
                splits=(("train", 0.5), ("test", 0.5)))
    corpuspack.build(dump, out, version="1.0.0", **opts)
    v1_splits = {split: _ids(load_dataset(str(out), "v1.0.0", split=split, cache_dir=hf_cache)) for split in ("train", "test")}

    os.remove(dump / f"003_{3:016x}.txt")                                   # removed
    (dump / f"005_{5:016x}.txt").write_text(article(500), encoding="utf-8")  # edited
    (dump / f"100_{100:016x}.txt").write_text(article(100), encoding="utf-8")  # added
    r2 = corpuspack.build(dump, out, version="1.1.0", **opts)

    # both versions load, the latest is the default
    v1 = load_dataset(str(out), "v1.0.0", cache_dir=hf_cache)
    v2 = load_dataset(str(out), cache_dir=hf_cache)
    assert {s: _ids(v1[s]) for s in v1} == v1_splits
    all_v2 = sorted(_ids(v2["train"]) + _ids(v2["test"]))
    assert all_v2 == sorted([f"{i:016x}" for i in range(12) if i != 3] + [f"{100:016x}"])
    assert _ids(load_dataset(str(out), "v1.1.0", split="train", cache_dir=hf_cache)) == _ids(v2["train"])

    # diff reports exactly the changes, from the CLI too
    from corpuspack.builder.release.compare import diff
    changes = diff(str(out), "1.0.0", "1.1.0")
    assert changes == {"added": [f"{100:016x}"], "removed": [f"{3:016x}"], "changed": [f"{5:016x}"]}
    assert r2.manifest["changes"] == {"added": 1, "removed": 1, "changed": 1}

    # splits never move
    for split in ("train", "test"):
        for doc in _ids(v2[split]):
            assert assign_split(doc, opts["splits"]) == split
            if doc in v1_splits["train"] + v1_splits["test"]:
                assert doc in v1_splits[split]

    # unchanged shards are shared (one file on disk: the same inode under both versions' folders);
    # only changed rows were processed again
    m1, m2 = versions.read_manifest(str(out), "1.0.0"), versions.read_manifest(str(out), "1.1.0")
    files1 = {f["sha256"]: f["path"] for i in m1["splits"].values() for f in i["files"]}
    files2 = {f["sha256"]: f["path"] for i in m2["splits"].values() for f in i["files"]}
    shared = files1.keys() & files2.keys()
    assert shared, "no shard shared between versions"
    for sha in shared:
        assert files1[sha].startswith("data/v1.0.0/") and files2[sha].startswith("data/v1.1.0/")
        assert os.path.samefile(out / files1[sha], out / files2[sha])
    assert m2["work"]["processed"] == 2 and m2["work"]["reused"] == 10
    assert m2["work"]["shards_reused"] == len(shared)
    shared_rows = sum(f["num_rows"] for i in m2["splits"].values() for f in i["files"] if f["sha256"] in files1)
    assert m2["work"]["rows_reused"] == shared_rows > 0  # rows of shared shards were not finished again
    on_disk = {f"{p.parent.name}/{p.name}" for p in (out / "data").glob("*/*")}
    assert {p.split("/", 1)[1] for p in [*files1.values(), *files2.values()]} == on_disk

    # versions listing
    assert versions.list_versions(str(out)) == ["1.0.0", "1.1.0"]


def test_cli_versions_and_diff(dump, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["build", str(dump), str(out), "--version", "1.0.0", "--jobs", "1", "--quiet"]) == 0
    (dump / f"200_{200:016x}.txt").write_text(article(200), encoding="utf-8")
    assert main(["build", str(dump), str(out), "--version", "1.0.1", "--jobs", "1", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["versions", str(out)]) == 0
    listing = capsys.readouterr().out
    assert "1.0.0" in listing and "v1.0.1" in listing and "13" in listing
    assert main(["diff", str(out), "1.0.0", "1.0.1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"added": [f"{200:016x}"], "removed": [], "changed": []}


def test_version_numbers_are_checked(dump, tmp_path, capsys):
    out = tmp_path / "out"
    corpuspack.build(dump, out, version="1.2.0", jobs=1, progress=False)
    for bad in ("1.1.9", "1.2.0", "v1.3", "1.3"):
        assert main(["build", str(dump), str(out), "--version", bad, "--jobs", "1", "--quiet"]) == 2
        err = capsys.readouterr().err
        assert "version" in err and bad in err
    # no version given for an existing output: a clear error, nothing written
    assert main(["build", str(dump), str(out), "--jobs", "1", "--quiet"]) == 2
    assert "pass --version" in capsys.readouterr().err
    assert versions.list_versions(str(out)) == ["1.2.0"]


def test_schema_change_needs_a_major_bump(dump, tmp_path):
    out = tmp_path / "out"
    corpuspack.build(dump, out, version="1.0.0", jobs=1, progress=False)
    # pretend 1.0.0 was published with a column this schema no longer has
    path = versions.manifest_path(str(out), "1.0.0")
    m = json.loads(open(path, encoding="utf-8").read())
    m["features"]["old_column"] = {"dtype": "string", "_type": "Value"}
    versions.write_json_atomic(path, m)
    with pytest.raises(versions.VersionError, match="must bump the major version"):
        corpuspack.build(dump, out, version="1.1.0", jobs=1, progress=False)
    assert versions.list_versions(str(out)) == ["1.0.0"]
    corpuspack.build(dump, out, version="2.0.0", jobs=1, progress=False)
    assert versions.list_versions(str(out)) == ["1.0.0", "2.0.0"]


def test_row_digests_match_the_stored_rows(tmp_path):
    """The per-shard row index (a cache) agrees with digests recomputed from the shards, so
    diff gives the same answers when .cache/ is gone (shards are then not reused)."""
    from corpus_gen import generate_corpus
    from corpuspack.builder.release import reuse
    dump = tmp_path / "dump"
    dump.mkdir()
    for name, text, _ in generate_corpus(120, 5, dup_rate=0.0, near_dup_rate=0.05):
        (dump / name).write_text(text, encoding="utf-8")  # shared footers: rows edited in pass 3
    out = tmp_path / "out"
    corpuspack.build(dump, out, jobs=1, progress=False, repeated_line_min_docs=3)
    m = versions.read_manifest(str(out), "1.0.0")
    for info in m["splits"].values():
        for f in info["files"]:
            cached = reuse.read_index(str(out), f)
            os.rename(reuse.index_path(str(out), f["sha256"]), str(tmp_path / "moved"))
            recomputed = reuse.read_index(str(out), f)
            assert cached.select(["id", "digest"]).equals(recomputed.select(["id", "digest"]))
            assert recomputed.column("key").null_count == recomputed.num_rows  # not reusable without the cache
            os.rename(str(tmp_path / "moved"), reuse.index_path(str(out), f["sha256"]))
    report = json.loads((out / "versions" / "1.0.0" / "build_report.json").read_text())
    assert report["repeated_lines_removed"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_unchanged_size_and_mtime_are_not_read_again_and_rehash_reads_all(dump, tmp_path, jobs):
    """The cache trusts an unchanged (size, mtime) like make/rsync; a touched file is
    hashed and found unchanged; --rehash reads and hashes every file."""
    from corpuspack.builder.release.compare import diff

    out, opts = tmp_path / "out", dict(jobs=jobs, progress=False)
    corpuspack.build(dump, out, version="1.0.0", **opts)

    touched = dump / f"000_{0:016x}.txt"
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
    r = corpuspack.build(dump, out, version="1.1.0", **opts)
    assert r.manifest["work"]["processed"] == 0 and r.manifest["work"]["reused"] == 12
    assert diff(str(out), "1.0.0", "1.1.0") == {"added": [], "removed": [], "changed": []}

    # an edit that keeps the size and the modification time is not seen without --rehash
    edited = dump / f"001_{1:016x}.txt"
    st = edited.stat()
    data = edited.read_bytes()
    new = data.replace("خبر".encode(), "نبأ".encode())
    assert new != data and len(new) == len(data)
    edited.write_bytes(new)
    os.utime(edited, ns=(st.st_atime_ns, st.st_mtime_ns))
    r = corpuspack.build(dump, out, version="1.2.0", **opts)
    assert r.manifest["work"]["processed"] == 0
    r = corpuspack.build(dump, out, version="1.3.0", rehash=True, **opts)
    assert r.manifest["work"]["processed"] == 1 and r.manifest["work"]["reused"] == 11
    assert diff(str(out), "1.2.0", "1.3.0")["changed"] == [f"{1:016x}"]


def test_a_version_with_an_empty_split_still_loads(tmp_path, hf_cache, capsys):
    """A 1% split of a small dump is empty; `datasets` cannot load an empty split, and one would make
    the whole version fail to load: the config lists the splits with rows, the manifest all of them."""
    out = tmp_path / "out"
    result = corpuspack.build(SEEDS, out, jobs=1, splits=(("train", 0.98), ("validation", 0.01), ("test", 0.01)))
    assert {s: i["num_examples"] for s, i in result.manifest["splits"].items()} == {"train": 5, "validation": 0, "test": 0}
    ds = load_dataset(str(out), cache_dir=hf_cache)
    assert list(ds) == ["train"] and ds["train"].num_rows == 5
    assert [len(list(v)) for v in load_dataset(str(out), streaming=True).values()] == [5]
    assert "split 'validation' holds no document" in capsys.readouterr().err
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "1.0.0: validation, test." in card and "train: 5, validation: 0, test: 0" in card


def test_a_build_that_includes_nothing_writes_no_version(tmp_path, hf_cache):
    """Nothing included (an empty dump, every file rejected or excluded): no version is written (one
    of no rows cannot be loaded by ``datasets`` and would become the default config, as it did until
    round 37); the error names the reasons and the files, and the report is kept in OUT/.cache. After
    a version with rows, a build that includes nothing leaves that version the default, loadable."""
    from corpuspack.builder.release import report

    dump = tmp_path / "dump"
    dump.mkdir()
    (dump / "a.txt").write_bytes(b"")
    (dump / "b.txt").write_bytes(b"\x00\x01\x02binary\x00" * 20)
    out = tmp_path / "out"
    with pytest.raises(ValueError, match="nothing to publish") as raised:
        corpuspack.build(dump, out, jobs=1, progress=False)
    message = str(raised.value)
    assert "none of the 2 files found" in message and "binary: 1, empty: 1" in message
    assert "! a.txt: empty" in message and "! b.txt: binary" in message
    kept = out / ".cache" / "refused_build_report.json"
    assert str(kept) in message and raised.value.path == str(kept)
    written = json.loads(kept.read_text(encoding="utf-8"))
    assert written["counts"] == {"found": 2, "included": 0, "duplicate": 0, "rejected": 2}
    assert sorted(r["file_name"] for r in written["rejected"]) == ["a.txt", "b.txt"]
    assert sorted(p.name for p in out.iterdir()) == [".cache"]  # no card, data, versions
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match=f"nothing to publish: {empty} holds no file to read"):
        corpuspack.build(empty, tmp_path / "out2", jobs=1, progress=False)
    # a version with rows, then one that includes nothing: the first stays the default
    (dump / "c.txt").write_text(article(7), encoding="utf-8")
    first = corpuspack.build(dump, out, jobs=1, progress=False)
    assert first.counts["included"] == 1 and not kept.exists()  # the refused build's report goes
    with pytest.raises(ValueError, match=r"no file of .*dump was read \(not read: excluded 3\)"):
        corpuspack.build(dump, out, version="1.1.0", include=("*.TXT",), jobs=1, progress=False)
    assert [p.name for p in (out / "versions").iterdir()] == ["1.0.0"]
    assert load_dataset(str(out), cache_dir=hf_cache)["train"].num_rows == 1
    assert report.REFUSED_NAME == kept.name


def test_the_cache_index_tells_apart_names_that_share_a_hash(dump, tmp_path, monkeypatch):
    """The previous build's rows are found by a 64-bit hash of the file name and confirmed on the
    name: with every name given one hash, each file still gets its own cached row."""
    from corpuspack.builder.corpus import hash_index
    from corpuspack.builder.release import incremental

    out, opts = tmp_path / "out", dict(jobs=1, progress=False)
    first = corpuspack.build(dump, out, version="1.0.0", **opts)
    monkeypatch.setattr(hash_index, "name_hashes", lambda names, count: np.full(count, 7, np.uint64))  # one hash for all
    (dump / f"005_{5:016x}.txt").write_text(article(500), encoding="utf-8")  # edited
    os.remove(dump / f"003_{3:016x}.txt")
    second = corpuspack.build(dump, out, version="1.1.0", **opts)
    assert second.manifest["work"]["processed"] == 1 and second.manifest["work"]["reused"] == 10
    assert second.manifest["changes"] == {"added": 0, "removed": 1, "changed": 1}
    cache = incremental.StageCache(incremental.cache_path(str(out), first.manifest["options_fingerprint"]))
    for i in (0, 4, 5, 11):
        name = f"{i:03d}_{i:016x}.txt"
        assert cache.known(name).sha256 == hashlib.sha256((dump / name).read_bytes()).hexdigest()
    assert cache.known(f"003_{3:016x}.txt") is None and cache.known("other.txt") is None


def test_bump_rules_for_added_retyped_and_removed_columns(dump, tmp_path):
    """README: an added column needs a new minor version, a retyped or removed one a new major
    version. Real builds: a sidecar manifest adds its extra columns (their type from its values)."""
    out, opts = tmp_path / "out", dict(jobs=1, progress=False)
    as_text = tmp_path / "text.csv"
    as_text.write_text(f"file_name,section\n000_{0:016x}.txt,سياسة\n", encoding="utf-8")
    as_int = tmp_path / "int.csv"
    as_int.write_text(f"file_name,section\n000_{0:016x}.txt,7\n", encoding="utf-8")
    corpuspack.build(dump, out, version="1.0.0", **opts)

    with pytest.raises(versions.VersionError) as e:  # "section" added: a patch release is not enough
        corpuspack.build(dump, out, version="1.0.1", manifest=str(as_text), **opts)
    assert str(e.value) == ("columns section were added since 1.0.0: version 1.0.1 must bump at least the minor "
                            "version (to 1.1.0)")
    corpuspack.build(dump, out, version="1.1.0", manifest=str(as_text), **opts)

    with pytest.raises(versions.VersionError) as e:  # "section" retyped, string -> int64
        corpuspack.build(dump, out, version="1.2.0", manifest=str(as_int), **opts)
    assert str(e.value) == ("columns section were removed or changed type since 1.1.0: version 1.2.0 must bump "
                            "the major version (to 2.0.0 or later)")
    corpuspack.build(dump, out, version="2.0.0", manifest=str(as_int), **opts)

    with pytest.raises(versions.VersionError, match="columns section were removed or changed type since 2.0.0"):
        corpuspack.build(dump, out, version="2.1.0", **opts)  # "section" removed
    corpuspack.build(dump, out, version="3.0.0", **opts)
    corpuspack.build(dump, out, version="3.0.1", **opts)  # same columns: a patch release is fine
    assert versions.list_versions(str(out)) == ["1.0.0", "1.1.0", "2.0.0", "3.0.0", "3.0.1"]
    types = {v: versions.read_manifest(str(out), v)["features"].get("section") for v in ("1.1.0", "2.0.0", "3.0.0")}
    assert types == {"1.1.0": {"dtype": "string", "_type": "Value"}, "2.0.0": {"dtype": "int64", "_type": "Value"},
                     "3.0.0": None}


def test_cli_build_that_includes_nothing_fails_with_the_reasons(tmp_path, capsys):
    dump = tmp_path / "dump"
    dump.mkdir()
    (dump / "only.txt").write_text("   \n\n", encoding="utf-8")
    assert main(["build", str(dump), str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("corpuspack build: error: nothing to publish: none of the 1 files found")
    assert "! only.txt: empty" in err and not (tmp_path / "out" / "versions").exists()
