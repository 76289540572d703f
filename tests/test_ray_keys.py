"""Pass 3a's finish keys on Ray stay in tasks (round 28): the build's process (the driver) does not
receive them, measured from outside the engine's code (the pickled size of everything ``ray.get``
hands this process while pass 3a runs, against the kept keys file's size); the same build with the
keys brought back to the driver (the engines' default ``Engine.finish_keys``) is seen receiving them,
so the measure can fail. A first build and a next version reusing shards, each the local engine's
bytes (the kept finish keys included)."""
import os
import pickle
import shutil
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

import corpuspack  # noqa: E402
from ray_driver_io import local_ray  # noqa: E402,F401 - a fixture
from conftest import output_files  # noqa: E402
from corpus_gen import generate_corpus  # noqa: E402
from corpuspack.builder.engines import ray as ray_engine  # noqa: E402
from corpuspack.builder.engines.base import Engine  # noqa: E402


@pytest.fixture(scope="module")
def dump(tmp_path_factory) -> Path:
    """2,000 generated documents in two folders, with duplicates and near duplicates."""
    d = tmp_path_factory.mktemp("dump") / "dump"
    for i, (_, text, _) in enumerate(generate_corpus(2000, 11, dup_rate=0.05, near_dup_rate=0.05)):
        folder = d / f"part{i % 2}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"doc_{i:05d}.txt").write_text(text, encoding="utf-8")
    return d


def _received_in_pass_3a(monkeypatch, finish_keys) -> list[int]:
    """Patches the engine so that pass 3a runs ``finish_keys`` and counts the bytes (pickled) of what
    ``ray.get`` returns meanwhile; returns the list the count of each build is appended to."""
    real_get = ray.get
    counts, on = [], [False]

    def get(refs, *a, **k):
        result = real_get(refs, *a, **k)
        if on[0]:
            counts[-1] += len(pickle.dumps(result, protocol=5))
        return result

    def measured(self, *a, **k):
        counts.append(0)
        on[0] = True
        try:
            return finish_keys(self, *a, **k)
        finally:
            on[0] = False

    monkeypatch.setattr(ray, "get", get)
    monkeypatch.setattr(ray_engine.ray, "get", get)
    monkeypatch.setattr(ray_engine.RayEngine, "finish_keys", measured)
    return counts


def _two_versions(dump: Path, out: Path, **kw) -> None:
    """Version 1.0.0 of ``dump``, then 1.1.0 of it with one file changed (the other shards reused)."""
    corpuspack.build(dump, out, version="1.0.0", progress=False, batch_size=100, rows_per_shard=200, **kw)
    changed = dump.parent / "changed"
    if not changed.exists():
        shutil.copytree(dump, changed)
        (changed / "part0" / "doc_00000.txt").write_text("A new text for the second version.\n" * 3, encoding="utf-8")
    corpuspack.build(changed, out, version="1.1.0", progress=False, batch_size=100, rows_per_shard=200, **kw)


def _kept_keys_bytes(out: Path) -> int:
    [kept] = (out / ".cache").glob("keys-*")
    return os.path.getsize(kept)


def test_finish_keys_stay_in_tasks(local_ray, dump, tmp_path, monkeypatch):
    received = _received_in_pass_3a(monkeypatch, ray_engine.RayEngine.finish_keys)
    _two_versions(dump, tmp_path / "ray", engine="ray")
    monkeypatch.undo()
    keys = _kept_keys_bytes(tmp_path / "ray")
    manifest = corpuspack.builder.release.versions.read_manifest(str(tmp_path / "ray"), "1.1.0")
    assert manifest["work"]["shards_reused"] >= 1  # the next version reused shards: the match ran
    print(f"pass 3a, bytes received by the driver: {received} (kept keys {keys} B)")
    assert len(received) == 2 and all(r < keys / 20 for r in received), (received, keys)

    # the measure sees keys brought back to the driver
    received_back = _received_in_pass_3a(monkeypatch, Engine.finish_keys)
    _two_versions(dump, tmp_path / "back", engine="ray")
    monkeypatch.undo()
    print(f"the keys back in the driver: {received_back}")
    assert received_back[0] >= 0.9 * keys, (received_back, keys)

    _two_versions(dump, tmp_path / "local", jobs=2)
    for other in ("back", "local"):
        assert output_files(tmp_path / "ray") == output_files(tmp_path / other)
        kept = {p.name: p.read_bytes() for p in (tmp_path / other / ".cache").glob("keys-*")}
        assert kept == {p.name: p.read_bytes() for p in (tmp_path / "ray" / ".cache").glob("keys-*")}
