"""An archive's rows restaged in the folder's order by the workers, not the build's process: what
the build's process read and wrote while it ran (the kernel's count, /proc/self/io) against the
stage's size, and the shards against the folder's."""
import os

import pytest

import corpuspack
from corpuspack.builder.engines import local
from dump_forms import pack_tar, shard_files, write_dump

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/io"), reason="needs Linux's /proc/self/io")


def _io() -> dict[str, int]:
    with open("/proc/self/io") as f:
        return {k: int(v) for k, v in (line.split(": ") for line in f)}


@pytest.fixture
def restages(monkeypatch):
    """Each restaging of the builds of a test: the stage's size, and what this process read and
    wrote (rchar, wchar: every read and write call, files and pipes) while it ran."""
    seen = []
    original = local.Workers.reorder

    def measured(self, stage_path, order, batch_rows):
        size, before = os.path.getsize(stage_path), _io()
        original(self, stage_path, order, batch_rows)
        after = _io()
        seen.append({"stage": size, "read": after["rchar"] - before["rchar"],
                     "written": after["wchar"] - before["wchar"]})

    monkeypatch.setattr(local.Workers, "reorder", measured)
    return seen


def test_the_restage_runs_in_the_workers_not_the_builds_process(tmp_path, restages):
    write_dump(tmp_path / "dump", 150)
    archive = pack_tar(tmp_path / "dump", tmp_path / "dump.tar.gz")  # reverse name order: restaged
    corpuspack.build(tmp_path / "dump", tmp_path / "folder", version="1.0.0", jobs=2, progress=False)
    corpuspack.build(archive, tmp_path / "archive", version="1.0.0", jobs=2, progress=False, name="dump",
                     batch_size=16)  # several batches per worker's share
    assert shard_files(tmp_path / "archive") == shard_files(tmp_path / "folder")
    [r] = restages
    assert r["stage"] > 300_000
    # restaged here, the rows would be read and written twice over (runs, then buckets)
    assert r["read"] < r["stage"] / 10 and r["written"] < r["stage"] / 10, r


def test_with_one_job_the_restage_runs_in_the_builds_process(tmp_path, restages):
    """The check above can fail: the same measure sees the rows go through the build's process
    when it restages them itself (--jobs 1)."""
    write_dump(tmp_path / "dump", 150)
    archive = pack_tar(tmp_path / "dump", tmp_path / "dump.tar.gz")
    corpuspack.build(tmp_path / "dump", tmp_path / "folder", version="1.0.0", jobs=1, progress=False)
    corpuspack.build(archive, tmp_path / "archive", version="1.0.0", jobs=1, progress=False, name="dump",
                     batch_size=16)
    assert shard_files(tmp_path / "archive") == shard_files(tmp_path / "folder")
    [r] = restages
    assert r["read"] > r["stage"] and r["written"] > r["stage"], r
