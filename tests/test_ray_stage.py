"""Pass 1's stage on Ray, written by the tasks: the build's process (the driver) writes none of
the rows (measured from outside the code: the bytes the process writes, ``/proc/self/io``), a
task that fails leaves no partial file, and a build that fails leaves no stage anywhere. That
the stage and the kept cache hold the local engine's bytes: tests/test_engine_ray.py."""
import os
import shutil
import sys
from pathlib import Path

import pyarrow as pa
import pytest

ray = pytest.importorskip("ray")
if not os.path.exists("/proc/self/io"):
    pytest.skip("needs /proc/self/io (Linux)", allow_module_level=True)

import corpuspack  # noqa: E402
from ray_driver_io import article_dump, local_ray, written  # noqa: E402,F401 - local_ray: a fixture
from conftest import output_files  # noqa: E402
from corpuspack.builder import pipeline  # noqa: E402
from corpuspack.builder.corpus.stage import (STAGE_SCHEMA, StageReader, StageWriter, Stopped, gather, read_layout,  # noqa: E402
                                             write_part)
from corpuspack.builder.document.storage import open_storage  # noqa: E402
from corpuspack.builder.engines.local import process_batch  # noqa: E402
from corpuspack.builder.engines.ray import RayEngine  # noqa: E402
from corpuspack.builder.options import BuildOptions  # noqa: E402
from corpuspack.builder.release.incremental import StageCache  # noqa: E402
from corpuspack.builder.release.lock import TMP_PREFIX  # noqa: E402


@pytest.fixture(scope="module")
def dump(tmp_path_factory) -> Path:
    """300 articles of ~10 kB each (three generated ones per file): a stage of a few MB."""
    d = article_dump(tmp_path_factory.mktemp("dump") / "dump", 5)
    (d / "empty.txt").write_bytes(b"")
    return d


def _pass1(tmp_path: Path, dump: Path, cache: StageCache, held: list | None = None) -> tuple[str, int, pa.Table]:
    """Pass 1 on Ray as the pipeline runs it: the stage, the bytes this process wrote meanwhile, and
    the staged rows (read back); ``held``: the cache's rows of files looked up and not yet staged,
    counted as each batch is staged."""
    entries = [(p.name, str(p)) for p in sorted(dump.iterdir())]
    stage_path = str(tmp_path / "stage.arrow")
    with RayEngine(2, None, str(tmp_path)) as engine:
        before = written()
        with StageWriter(stage_path) as writer:
            for batch, records, rejections, outcomes in engine.documents(
                    pipeline._with_cached(cache, iter(entries), False), BuildOptions().doc_options(), batch_size=64,
                    storage=open_storage(dump), cache=cache):
                if held is not None:
                    held.append(len(cache._pending))
                cache.stage(writer, batch, records, outcomes)
        by_driver = written() - before
    with StageReader(stage_path) as r:
        staged = pa.Table.from_batches([r.get_batch(i) for i in range(r.num_record_batches)])
    return stage_path, by_driver, staged


def _expected(dump: Path) -> pa.Table:
    """The rows the per-document function makes of every file, here, in batches of 64."""
    items = [(p.name, str(p), None) for p in sorted(dump.iterdir())]
    reader = open_storage(dump).reader()
    opts = BuildOptions().doc_options()
    return pa.Table.from_batches([process_batch(items[k:k + 64], opts, reader)[0] for k in range(0, len(items), 64)],
                                 schema=STAGE_SCHEMA)


def _check_measure(tmp_path: Path, staged: pa.Table, stage_bytes: int) -> None:
    """The measure sees rows written by this process: the same rows written here once."""
    before = written()
    with StageWriter(str(tmp_path / "copy.arrow")) as copy:
        copy.write_table(staged)
    assert written() - before >= stage_bytes * 0.9


def test_driver_writes_no_rows(local_ray, dump, tmp_path):
    stage_path, by_driver, staged = _pass1(tmp_path, dump, StageCache(None))
    # the stage refers to the tasks' files only, and they hold the rows the per-document function makes here
    layout = read_layout(stage_path)
    assert layout and {os.path.dirname(f) for f, _ in layout} == {str(tmp_path / "parts")}
    assert staged.num_rows == 300 and staged.equals(_expected(dump))
    stage_bytes = sum(os.path.getsize(f) for f in {f for f, _ in layout})
    assert stage_bytes > 3_000_000
    _check_measure(tmp_path, staged, stage_bytes)
    assert by_driver < stage_bytes / 10, (by_driver, stage_bytes)


def test_driver_writes_no_rows_of_a_next_version(local_ray, dump, tmp_path):
    """With the last build's cache: the batches mixing cached and new rows are merged by the tasks
    (every 20th file changed), the unchanged batches referred to where the cache holds them."""
    changed = tmp_path / "dump"
    shutil.copytree(dump, changed)
    out = tmp_path / "out"
    corpuspack.build(changed, out, engine="ray", progress=False, batch_size=64)
    for k, p in enumerate(sorted(changed.iterdir())):
        if k % 20 == 7 and k < 200:  # the last batches unchanged
            p.write_text(p.read_text(encoding="utf-8") + "\nسطر أضيف في النسخة الثانية.\n", encoding="utf-8")
    [kept] = (out / ".cache").glob("stage-*.arrow")
    cache = StageCache(str(kept))
    work = tmp_path / "work"
    work.mkdir()
    held = []
    stage_path, by_driver, staged = _pass1(work, changed, cache, held)
    assert cache.reused == 300 - 10  # the empty file rejected
    # the whole listing is looked up before the first batch returns; the files' cached rows go to
    # the tasks with the listing and come back with their batch, this process keeps none of them
    assert len(held) == 5 and held == [0] * 5, held
    assert staged.equals(_expected(changed))
    files = {os.path.dirname(f) for f, _ in read_layout(stage_path)}
    assert files == {str(work / "parts"), str(out / ".cache")}  # the tasks' files and the cache's
    stage_bytes = sum(os.path.getsize(f) for f in (work / "parts").iterdir())
    assert stage_bytes > 2_000_000
    _check_measure(work, staged, stage_bytes)
    assert by_driver < stage_bytes / 10, (by_driver, stage_bytes)


def test_failed_part_leaves_no_tmp_file(local_ray, tmp_path):
    """A task whose write fails (here a batch the stage's schema cannot hold) raises and leaves
    nothing in the folder, in this process or as a Ray task."""
    bad = pa.RecordBatch.from_pydict({"text": ["a"]})
    with pytest.raises((pa.ArrowInvalid, ValueError, KeyError, TypeError)):
        write_part(str(tmp_path / "0.arrow"), bad)
    assert os.listdir(tmp_path) == []
    folder = tmp_path / "parts"
    folder.mkdir()
    with pytest.raises(ray.exceptions.RayTaskError):
        ray.get(ray.remote(write_part).options(max_retries=0).remote(str(folder / "0.arrow"), bad))
    assert os.listdir(folder) == []
    # the check can fail: a good batch leaves its file, and no other
    good = pa.RecordBatch.from_pylist([], schema=STAGE_SCHEMA)
    assert write_part(str(folder / "1.arrow"), good) is None and os.listdir(folder) == []


def test_failed_build_leaves_no_stage_file(local_ray, dump, tmp_path, monkeypatch):
    """A Ray build failing in pass 3 (after pass 2 started copying the tasks' files into the
    stage): no work folder, no stage, no part file anywhere in OUT, also once the copy would have ended."""
    started = []
    real_plan = RayEngine.plan

    def plan(self, *a, **k):
        result = real_plan(self, *a, **k)
        started.append(self._gathering is not None)
        return result

    def fail(*a, **k):
        raise RuntimeError("injected failure in pass 3")

    monkeypatch.setattr(RayEngine, "plan", plan)
    monkeypatch.setattr(RayEngine, "finish_keys", fail)
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="injected"):
        corpuspack.build(dump, out, engine="ray", progress=False)
    assert started == [True]
    import time
    time.sleep(2)
    left = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    assert not [p for p in left if TMP_PREFIX in p or "stage" in p or p.endswith(".arrow")], left
    # the same build without the failure keeps its stage, the local engine's bytes
    monkeypatch.undo()
    corpuspack.build(dump, out, engine="ray", progress=False)
    corpuspack.build(dump, tmp_path / "local", jobs=2, progress=False)
    kept = sorted((out / ".cache").glob("stage-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == (tmp_path / "local" / ".cache" / kept[0].name).read_bytes()
    assert not [p for p in out.iterdir() if p.name.startswith(TMP_PREFIX)]


def test_archive_reordered_by_a_task(local_ray, dump, tmp_path, monkeypatch):
    """An archive whose members are in reverse order: its staged rows are put in the folder's
    order by a Ray task, the driver writing none of them (the same reorder run by the driver, the
    local engine's way, is seen writing them), and the output is the local engine's."""
    from dump_forms import pack_tar
    from corpuspack.builder.engines import base

    archive = pack_tar(dump, tmp_path / "dump.tar.gz")
    seen = []

    def measured(real):
        def reorder(self, stage_path, *a):
            before = written()
            real(self, stage_path, *a)
            seen.append((written() - before, os.path.getsize(stage_path)))
        return reorder

    monkeypatch.setattr(RayEngine, "reorder", measured(RayEngine.reorder))
    corpuspack.build(archive, tmp_path / "ray", engine="ray", progress=False, batch_size=32)
    monkeypatch.setattr(RayEngine, "reorder", measured(base.Engine.reorder))
    corpuspack.build(archive, tmp_path / "driver", engine="ray", progress=False, batch_size=32)
    monkeypatch.undo()
    [(by_driver, stage_bytes), (by_driver_itself, _)] = seen
    print(f"reorder: the driver wrote {by_driver:,} B (reordering itself: {by_driver_itself:,} B); the stage {stage_bytes:,} B")
    assert stage_bytes > 3_000_000
    assert by_driver_itself >= stage_bytes * 0.9, (by_driver_itself, stage_bytes)  # the measure sees the rows
    assert by_driver < stage_bytes / 20, (by_driver, stage_bytes)
    corpuspack.build(archive, tmp_path / "local", jobs=2, progress=False, batch_size=32)
    local = output_files(tmp_path / "local")
    assert output_files(tmp_path / "ray") == local == output_files(tmp_path / "driver")


def test_gather_writes_the_stage_the_local_engine_writes(tmp_path):
    """A stage mixing its own batches, parts and a batch of another file (the last build's cache):
    gathered, it is byte for byte the stage written with the same rows in place of the parts, and
    refers to the other file only."""
    folder = tmp_path / "dump"
    folder.mkdir()
    for k in range(5):
        (folder / f"{k}.txt").write_text(f"خبر رقم {k}\n" + "نص عربي طويل " * (20 + k), encoding="utf-8")
    batches = [process_batch([(f"{k}.txt", str(folder / f"{k}.txt"), None)], BuildOptions().doc_options(),
                             open_storage(folder).reader())[0] for k in range(5)]
    other = str(tmp_path / "cache.arrow")
    with StageWriter(other) as w:
        w.write_table(pa.Table.from_batches([batches[0]]))
        w.write_table(pa.Table.from_batches([batches[3]]))
    (tmp_path / "parts").mkdir()
    stage = str(tmp_path / "stage.arrow")
    with StageWriter(stage) as w:  # part, own, cache, part, own
        w.refer(write_part(str(tmp_path / "parts" / "0.arrow"), batches[1]), 0)
        w.write_table(pa.Table.from_batches([batches[2]]))
        w.refer(other, 1)
        w.refer(write_part(str(tmp_path / "parts" / "3.arrow"), batches[4]), 0)
        w.write_table(pa.Table.from_batches([batches[0]]))
    layout = gather(stage, stage + ".whole", str(tmp_path / "parts"))
    expected = str(tmp_path / "expected.arrow")
    with StageWriter(expected) as w:
        for b in (batches[1], batches[2]):
            w.write_table(pa.Table.from_batches([b]))
        w.refer(other, 1)
        for b in (batches[4], batches[0]):
            w.write_table(pa.Table.from_batches([b]))
    assert Path(stage + ".whole").read_bytes() == Path(expected).read_bytes()
    assert layout == [(stage, 0), (stage, 1), (other, 1), (stage, 2), (stage, 3)]
    assert [(os.path.basename(f), i) for f, i in read_layout(expected)] == [("expected.arrow", 0), ("expected.arrow", 1),
                                                                          ("cache.arrow", 1), ("expected.arrow", 2),
                                                                          ("expected.arrow", 3)]
    # told to stop (its build failed: the file ``stop`` made), the copy stops, raising; not before
    stop = tmp_path / "stop"
    assert gather(stage, stage + ".again", str(tmp_path / "parts"), str(stop)) == layout
    assert Path(stage + ".again").read_bytes() == Path(expected).read_bytes()
    stop.touch()
    with pytest.raises(Stopped):
        gather(stage, stage + ".stopped", str(tmp_path / "parts"), str(stop))


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
