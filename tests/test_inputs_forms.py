"""One small corpus built from each input form a researcher may receive: a folder, archives
(tar.gz, GNU tar, zip, tar.zst) read in place, and JSON Lines (plain, gzip, zstd). The archives
give byte-identical shards; JSON Lines the same rows (ids, texts, metadata) under other names."""
import gzip
import json
import shutil
import subprocess

import pytest
from datasets import load_dataset

import corpuspack
from dump_forms import build_report, pack_tar, pack_tar_zst, pack_zip, published, shard_files, write_dump


@pytest.fixture(scope="module")
def dump(tmp_path_factory):
    base = tmp_path_factory.mktemp("forms")
    names = write_dump(base / "dump")
    out = base / "from-folder"
    corpuspack.build(base / "dump", out, jobs=1, progress=False)
    return base, names, out


def _build(src, out, **kw):
    return corpuspack.build(src, out, jobs=kw.pop("jobs", 1), progress=False, **kw)


def test_the_folder_build_reads_the_documents_and_counts_what_it_skips(dump, hf_cache):
    base, names, out = dump
    report = build_report(out)
    assert report["counts"]["found"] == len(names)
    assert report["inputs"]["by_form"] == {"file": len(names)}
    assert report["inputs"]["skipped"] == {"hidden": 1, "vcs": 2}  # .DS_Store; .git/config, .git/hooks/*
    rows = load_dataset(str(out), split="train", cache_dir=hf_cache)
    assert not any(n.startswith(".") or "/." in n for n in rows["file_name"])


@pytest.mark.parametrize("form", ["tar.gz", "zip", "tar.zst", "gnu-tar"])
def test_an_archive_gives_the_folders_shards_byte_for_byte(dump, form):
    base, names, folder_out = dump
    if form == "gnu-tar":
        if shutil.which("tar") is None:
            pytest.skip("no tar command")
        archive = base / "gnu.tgz"  # written in the order the file system lists the folder
        subprocess.run(["tar", "czf", str(archive), "-C", str(base / "dump"), "."], check=True)
    else:
        archive = {"tar.gz": pack_tar, "zip": pack_zip, "tar.zst": pack_tar_zst}[form](
            base / "dump", base / f"dump.{form}")
    out = base / f"from-{form}"
    result = _build(archive, out, jobs=2)
    assert result.counts == build_report(folder_out)["counts"]
    assert shard_files(out) == shard_files(folder_out)
    report = build_report(out)
    assert sum(report["inputs"]["by_form"].values()) == len(names)
    assert report["inputs"]["skipped"] == {"hidden": 1, "vcs": 2}
    assert result.manifest["name"] == ("gnu" if form == "gnu-tar" else "dump")  # the extensions dropped


def _jsonl_lines(base, folder_out) -> list[bytes]:
    """One line per published row of the folder build, in its order: the id the folder build gave
    the file and the file's text as read from disk (its bytes are UTF-8)."""
    rows = published(folder_out).select(["id", "file_name"]).to_pylist()
    return [json.dumps({"id": r["id"], "text": (base / "dump" / r["file_name"]).read_text(encoding="utf-8")},
                       ensure_ascii=False).encode() + b"\n" for r in rows]


@pytest.mark.parametrize("suffix", ["jsonl", "jsonl.gz", "jsonl.zst"])
def test_json_lines_give_the_same_rows_under_their_line_names(dump, suffix):
    base, names, folder_out = dump
    data = b"".join(_jsonl_lines(base, folder_out))
    path = base / f"docs.{suffix}"
    if suffix.endswith(".gz"):
        data = gzip.compress(data)
    elif suffix.endswith(".zst"):
        import zstandard
        data = zstandard.ZstdCompressor().compress(data)
    path.write_bytes(data)
    out = base / f"from-{suffix}"
    _build(path, out)
    folder, lines = published(folder_out), published(out)
    assert lines.num_rows == folder.num_rows
    assert lines.column("file_name").to_pylist() == [f"docs.{suffix}:{i}" for i in range(1, folder.num_rows + 1)]
    rest = [c for c in folder.column_names if c != "file_name"]
    assert lines.select(rest).to_pylist() == folder.select(rest).to_pylist()
    assert build_report(out)["inputs"]["by_form"] == {"jsonl": folder.num_rows}


def test_json_lines_without_an_id_field_take_ids_from_their_names(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps({"text": "تقرير قصير عن الأمطار الغزيرة التي هطلت على المدينة أمس."}, ensure_ascii=False) + "\n")
    _build(path, tmp_path / "out")
    import hashlib
    row = published(tmp_path / "out").to_pylist()[0]
    assert row["file_name"] == "x.jsonl:1"
    assert row["id"] == hashlib.sha256(b"x.jsonl:1").hexdigest()[:16]
