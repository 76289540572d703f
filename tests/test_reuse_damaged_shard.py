"""A next version reuses a previous shard only if its file is still the one written (round 38).
Before, a shard whose bytes were changed in place was linked into the new version as it was (the new
version failed ``verify`` from its first day), and a shard file deleted stopped every later build
(FileNotFoundError). Reference: the same two versions built into an output no one touched; the
file's state is checked from outside (inodes, ``verify``, Parquet read by pyarrow)."""
import json
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import corpuspack
from conftest import edited_seeds
from ray_driver_io import local_ray  # noqa: F401 - a fixture
from corpuspack.builder.release import write

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"


def _changed(tmp_path) -> Path:
    """The seeds with the first article edited (its shard is written again in any case)."""
    return edited_seeds(tmp_path / "changed")


def _shards(out: Path, version: str) -> list[Path]:
    return sorted((out / "data" / f"v{version}").glob("*.parquet"))


def _rows(out: Path, version: str) -> list[dict]:
    rows = [r for f in _shards(out, version) for r in pq.read_table(f).to_pylist()]
    return sorted(rows, key=lambda r: r["id"])


def _work(out: Path, version: str) -> dict:
    return json.loads((out / "versions" / version / "manifest.json").read_text(encoding="utf-8"))["work"]


def _two_versions(tmp_path, name: str, damage=None, **opts) -> Path:
    out = tmp_path / name
    corpuspack.build(SEEDS, out, progress=False, jobs=1, rows_per_shard=2, **opts)
    if damage:
        damage(_shards(out, "1.0.0")[1])  # the second shard: its two rows unchanged in 1.1.0
    corpuspack.build(_changed(tmp_path / f"{name}-dump"), out, version="1.1.0", progress=False, jobs=1, rows_per_shard=2, **opts)
    return out


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one byte changed in place: the same size, the same inode
    with open(path, "r+b") as f:
        f.write(data)


@pytest.mark.parametrize("damage", ["flipped", "deleted"])
def test_a_damaged_shard_is_written_again(tmp_path, damage):
    clean = _two_versions(tmp_path, "clean")
    out = _two_versions(tmp_path, "damaged", _flip if damage == "flipped" else Path.unlink)
    def inodes(o, version):
        return [s.stat().st_ino for s in _shards(o, version)]

    assert set(inodes(clean, "1.0.0")[1:]) < set(inodes(clean, "1.1.0"))  # untouched: both reused (linked)
    assert _work(clean, "1.1.0")["shards_reused"] == 2
    assert _rows(out, "1.1.0") == _rows(clean, "1.1.0")
    problems = corpuspack.verify(out)
    assert problems and all("1.0.0" in p for p in problems)  # the new version is sound
    work = _work(out, "1.1.0")
    assert work["shards_reused"] == 1  # the third shard still reused
    assert work["shards_damaged"] == [_shards(clean, "1.0.0")[1].relative_to(clean).as_posix()]
    if damage == "flipped":
        assert inodes(out, "1.0.0")[1] not in inodes(out, "1.1.0")
    assert inodes(out, "1.0.0")[-1] in inodes(out, "1.1.0")  # the third shard


def test_a_shard_touched_but_unchanged_is_hashed_once_and_reused(tmp_path, monkeypatch):
    hashed = []
    real = write.file_sha256
    monkeypatch.setattr(write, "file_sha256", lambda p: hashed.append(Path(p).name) or real(p))
    touched = []

    def touch(path: Path) -> None:  # copied without its times kept, say: a new time, the same bytes
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
        touched.append(path.name)

    out = _two_versions(tmp_path, "out", touch)
    assert touched[0] in hashed  # read once to know it is the same file
    work = _work(out, "1.1.0")
    assert (work["shards_reused"], "shards_damaged" in work) == (2, False)
    assert corpuspack.verify(out) == []
    hashed.clear()
    again = _changed(tmp_path / "again")
    (again / "new.txt").write_text("PARIS (AFP) - Le gouvernement a présenté mercredi son projet de budget.\n",
                                   encoding="utf-8")
    corpuspack.build(again, out, version="1.2.0", progress=False, jobs=1, rows_per_shard=2)
    assert touched[0] not in hashed  # its time recorded: not read again
    assert _work(out, "1.2.0")["shards_reused"] >= 2


def test_ray_writes_a_damaged_shard_again(tmp_path, local_ray):
    clean = _two_versions(tmp_path, "clean")
    out = _two_versions(tmp_path, "ray", _flip, engine="ray")
    assert _rows(out, "1.1.0") == _rows(clean, "1.1.0")
    assert all("1.0.0" in p for p in corpuspack.verify(out))
    assert len(_work(out, "1.1.0")["shards_damaged"]) == 1
