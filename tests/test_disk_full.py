"""A build whose output folder's disk fills up, for real: the output lives on a small tmpfs mounted
by the test (root only; else the build's file size is capped with RLIMIT_FSIZE, so its writes fail
with EFBIG as they would on a full disk), holding version 1.0.0 with too little room left for 1.1.0.
The build must stop with one clear line naming the problem, leave no half-written version, work
folder or .tmp file, the previous version must still load with `datasets.load_dataset`, and once
there is room again the same command must give the bytes of a build that never ran out of space."""
from __future__ import annotations

import glob
import os
import resource
import shutil
import subprocess
import sys

import pytest
from datasets import load_dataset

import corpuspack
from conftest import REPO, output_files
from corpus_gen import generate_corpus, write_corpus
from corpuspack.builder.release.verify import verify

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _du(folder) -> int:
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(folder) for f in fs)


class Tmpfs:
    """A tmpfs of a given size at ``path`` (mount needs root and a kernel that allows it here)."""

    def __init__(self, path, size: int):
        self.path = path
        path.mkdir()
        try:
            done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                                  capture_output=True, text=True)
        except OSError:  # no mount command
            self.mounted = False
        else:
            self.mounted = done.returncode == 0

    def grow(self, size: int) -> None:
        subprocess.run(["mount", "-o", f"remount,size={size}", str(self.path)], check=True)

    def close(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.path)], check=False)


def _build(dump, out, limit: int | None = None):
    def cap():  # the fallback: no file of the build may grow past ``limit`` bytes
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return subprocess.run([sys.executable, "-m", "corpuspack.cli", "build", str(dump), str(out), "--version", "1.1.0",
                           "--jobs", "2", "--quiet"], capture_output=True, text=True, timeout=900,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, preexec_fn=cap if limit else None)


@pytest.mark.parametrize("room", [0.0, 0.85])  # share of what 1.1.0 needs left free: full at once, or late
def test_a_full_disk_leaves_the_previous_version_and_a_rerun_completes(tmp_path, room):
    docs = generate_corpus(600, seed=21)
    write_corpus(tmp_path / "small", docs[:60])
    write_corpus(tmp_path / "grown", docs)
    ref = tmp_path / "ref"  # 1.0.0 then 1.1.0 on a disk with room
    corpuspack.build(tmp_path / "small", ref, version="1.0.0", jobs=2, progress=False)
    base = _du(ref)
    shutil.copytree(ref, tmp_path / "base")
    corpuspack.build(tmp_path / "grown", ref, version="1.1.0", jobs=2, progress=False)
    grown = _du(ref) - base
    assert grown > 200_000  # 1.1.0 needs room: its shards, its stage and the cache

    disk = Tmpfs(tmp_path / "disk", base + 128 * 1024 + int(room * grown))  # too little room for 1.1.0
    try:
        out = disk.path / "out" if disk.mounted else tmp_path / "out"
        shutil.copytree(tmp_path / "base", out)
        before = output_files(out)
        full = _build(tmp_path / "grown", out, limit=None if disk.mounted else 64 * 1024 + int(room * grown))
        want = "No space left on device" if disk.mounted else "File too large"
        assert full.returncode == 2, full.stderr
        lines = full.stderr.strip().splitlines()
        assert len(lines) == 1 and want in lines[0] and "Traceback" not in full.stderr, full.stderr
        if disk.mounted:
            assert "the disk is full" in lines[0] and "free some space" in lines[0], lines[0]  # says what to do

        assert output_files(out) == before  # nothing of 1.1.0, nothing of 1.0.0 touched
        assert not glob.glob(str(out / ".corpuspack-tmp-*"))
        assert not glob.glob(str(out / "**" / "*.tmp"), recursive=True)
        assert verify(str(out)) == []
        rows = load_dataset(str(out), split="train", cache_dir=str(tmp_path / "hf"))
        v1 = load_dataset(str(tmp_path / "base"), split="train", cache_dir=str(tmp_path / "hf"))
        assert sorted(rows["id"]) == sorted(v1["id"])

        if disk.mounted:
            disk.grow(base + grown + (64 << 20))
        again = _build(tmp_path / "grown", out)
        assert again.returncode == 0, again.stderr
        got, ref_files = output_files(out), output_files(ref)
        assert got.keys() == ref_files.keys()
        assert [k for k in ref_files if got[k] != ref_files[k]] == []
    finally:
        disk.close()
