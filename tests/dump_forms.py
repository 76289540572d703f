"""A small dump written as a folder and packed by hand into the other input forms, for the
tests that build one corpus from each form (tests/test_inputs_*.py)."""
from __future__ import annotations

import io
import json
import shutil
import tarfile
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from conftest import SEEDS
from corpus_gen import generate_corpus

# where generated documents go: the root, a subfolder, a nested one, and one whose name sorts
# between a file and a folder of the same stem (`a.txt` / `a/...`: folder order, not string order)
_PLACES = ("", "world/", "world/africa/", "a/", "b-c/")


def write_dump(root: Path, n: int = 20) -> list[str]:
    """The five seeds and ``n`` generated articles (with duplicates), plus files that are not
    documents (hidden, version control); returns the relative paths of the documents."""
    root.mkdir(parents=True)
    names = []
    for seed in sorted(SEEDS.iterdir()):
        shutil.copyfile(seed, root / seed.name)
        names.append(seed.name)
    for i, (name, text, _) in enumerate(generate_corpus(n, seed=7, article_words=(60, 120))):
        rel = _PLACES[i % len(_PLACES)] + (name if i % 3 else f"story-{i}.txt")
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
        names.append(rel)
    (root / "a.txt").write_text("ملف باسم يسبق المجلد a في ترتيب المجلدات، وهذا نص قصير عن الطقس في المدينة.\n", encoding="utf-8")
    names.append("a.txt")
    (root / ".git" / "hooks").mkdir(parents=True)
    (root / ".git" / "config").write_text("[core]\n\trepositoryformatversion = 0\n")
    (root / ".git" / "hooks" / "pre-commit.sample").write_text("#!/bin/sh\nexit 0\n")
    (root / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    return names


def files_of(root: Path) -> list[str]:
    """Every file below ``root``, relative, in reverse name order (an archive order that is
    not the folder's)."""
    return sorted((p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()), reverse=True)


def pack_tar(root: Path, path: Path, mode: str = "w:gz") -> Path:
    with tarfile.open(path, mode) as tar:
        for rel in files_of(root):
            tar.add(root / rel, arcname="./" + rel)
    return path


def pack_zip(root: Path, path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for rel in files_of(root):
            z.write(root / rel, rel)
    return path


def pack_tar_zst(root: Path, path: Path) -> Path:
    import zstandard

    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for rel in files_of(root):
            tar.add(root / rel, arcname=rel)
    path.write_bytes(zstandard.ZstdCompressor().compress(raw.getvalue()))
    return path


def published(out: Path, version: str = "1.0.0") -> pa.Table:
    """Every published row of a version, read from its Parquet shards (in shard order)."""
    manifest = json.loads((out / "versions" / version / "manifest.json").read_text())
    files = [f["path"] for split in manifest["splits"].values() for f in split["files"]]
    return pa.concat_tables([pq.read_table(out / f) for f in files])


def shard_files(out: Path, version: str = "1.0.0") -> list[tuple[str, str]]:
    """(path, SHA-256) of the version's shards, as its manifest lists them."""
    manifest = json.loads((out / "versions" / version / "manifest.json").read_text())
    return [(f["path"], f["sha256"]) for split in manifest["splits"].values() for f in split["files"]]


def build_report(out: Path, version: str = "1.0.0") -> dict:
    return json.loads((out / "versions" / version / "build_report.json").read_text())

