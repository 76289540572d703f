"""Pass 3's finished rows on Ray, written by the finishing tasks: the build's process (the driver)
writes none of them (measured from outside the code: the bytes the process writes,
``/proc/self/io``), a finishing task that fails leaves no partial file, and a build that fails
leaves no task of it running. That the shards hold the local engine's bytes: tests/test_engine_ray.py."""
import functools
import os
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ray = pytest.importorskip("ray")
if not os.path.exists("/proc/self/io"):
    pytest.skip("needs /proc/self/io (Linux)", allow_module_level=True)

import corpuspack  # noqa: E402
from ray_driver_io import article_dump, local_ray, written  # noqa: E402,F401 - local_ray: a fixture
from conftest import output_files  # noqa: E402
from corpuspack.builder import pipeline  # noqa: E402
from corpuspack.builder.corpus import finish  # noqa: E402
from corpuspack.builder.engines import finished_parts, ray as ray_engine  # noqa: E402
from corpuspack.builder.engines.base import Engine  # noqa: E402
from corpuspack.builder.release.lock import TMP_PREFIX  # noqa: E402

ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the test's task functions, sent to the workers


@pytest.fixture(scope="module")
def dump(tmp_path_factory) -> Path:
    """300 articles of ~10 kB each (three generated ones per file): finished rows of a few MB."""
    d = article_dump(tmp_path_factory.mktemp("dump") / "dump", 7)
    return d


def _build_measuring_pass_3b(dump: Path, out: Path, monkeypatch) -> int:
    """A Ray build of ``dump`` here; the bytes this process wrote while pass 3b ran (the engine's
    ``finish_rows`` from its first result to its end)."""
    seen = []
    real = ray_engine.RayEngine.finish_rows

    def measured(self, *a, **k):
        before = written()
        yield from real(self, *a, **k)
        seen.append(written() - before)

    monkeypatch.setattr(ray_engine.RayEngine, "finish_rows", measured)
    corpuspack.build(dump, out, engine="ray", progress=False, batch_size=32)
    monkeypatch.undo()
    [by_driver] = seen
    return by_driver


def _published_rows(out: Path) -> pa.Table:
    return pa.concat_tables([pq.read_table(p) for p in sorted(out.rglob("*.parquet"))])


def test_driver_writes_no_finished_rows(local_ray, dump, tmp_path, monkeypatch):
    by_driver = _build_measuring_pass_3b(dump, tmp_path / "ray", monkeypatch)
    rows = _published_rows(tmp_path / "ray")
    assert rows.num_rows > 250
    # the rows' size: the published rows written here as Arrow IPC (the measure sees them: >= 90%)
    before = written()
    with pa.ipc.new_file(str(tmp_path / "rows.arrow"), rows.schema) as w:
        w.write_table(rows)
    rows_bytes = os.path.getsize(tmp_path / "rows.arrow")
    assert rows_bytes > 2_500_000 and written() - before >= rows_bytes * 0.9
    print(f"pass 3b: the driver wrote {by_driver:,} B; the published rows {rows_bytes:,} B")  # -s shows it
    assert by_driver < rows_bytes / 20, (by_driver, rows_bytes)
    # the same build with the rows written by the driver (the local engine's way) is seen doing it
    monkeypatch.setattr(ray_engine.RayEngine, "finish_rows", Engine.finish_rows)
    real = Engine.finish_rows
    seen = []

    def measured(self, *a, **k):
        before = written()
        yield from real(self, *a, **k)
        seen.append(written() - before)

    monkeypatch.setattr(ray_engine.RayEngine, "finish_rows", measured)
    corpuspack.build(dump, tmp_path / "driver", engine="ray", progress=False, batch_size=32)
    print(f"pass 3b, rows written by the driver: {seen[0]:,} B")
    assert seen[0] >= rows_bytes * 0.9, (seen, rows_bytes)
    # and both give the local engine's bytes
    corpuspack.build(dump, tmp_path / "local", jobs=2, progress=False, batch_size=32)
    local = output_files(tmp_path / "local")
    assert output_files(tmp_path / "ray") == local == output_files(tmp_path / "driver")


def test_failed_finish_part_leaves_no_tmp_file(local_ray, tmp_path):
    """A finishing task whose write fails (rows the file's schema cannot hold) raises and leaves
    nothing in the folder, in this process or as a Ray task; a good one leaves its file only."""
    schema = pa.schema([("text", pa.string())])
    bad = finish.Finished(pa.RecordBatch.from_pydict({"n": [1, 2]}), [], None, 0)
    folder = tmp_path / "finished"
    folder.mkdir()
    with pytest.raises((pa.ArrowInvalid, ValueError, KeyError, TypeError)):
        finished_parts.finish_part((3, None), _given(bad), None, str(folder), schema)
    assert os.listdir(folder) == []
    remote = ray.remote(finished_parts.finish_part).options(max_retries=0)
    with pytest.raises(ray.exceptions.RayTaskError):
        ray.get(remote.remote((3, None), _given(bad), None, str(folder), schema))
    assert os.listdir(folder) == []
    # the check can fail: a good batch leaves its file (named by the task's stage batch), and no other
    good = finish.Finished(pa.RecordBatch.from_pydict({"text": ["a", "b"]}), [("included", "x")], None, 0)
    done, part = ray.get(remote.remote((3, None), _given(good), None, str(folder), schema))
    assert done.batch is None and done.events == [("included_rows", 1)]  # counted, not named
    assert part == str(folder / "3.arrow") and os.listdir(folder) == ["3.arrow"]
    with pa.OSFile(part) as f:
        assert pa.ipc.open_file(f).read_all().equals(pa.Table.from_batches([good.batch]))


def _given(result):
    return functools.partial(_return, result)


def _return(result, task, ctx):
    return result


_FINISH_PART = finished_parts.finish_part


def _slow_or_failing(marks: str, task, *args):
    """pass 3b's task (``engines/finished_parts.finish_part``), but batch 0 fails at once and the others start
    two seconds late (each leaving a mark when it does, before it reads anything of the work folder)."""
    if task[0] == 0:
        raise RuntimeError("injected failure in a finishing task")
    time.sleep(2)
    Path(marks, f"{task[0]}").touch()
    return _FINISH_PART(task, *args)


def _failing_build(dump: Path, out: Path, marks: Path, monkeypatch) -> tuple[set, set]:
    """A Ray build whose batch 0 fails in pass 3b: the batches finished when it failed, and 3 s later."""
    marks.mkdir()
    monkeypatch.setattr(finished_parts, "finish_part", functools.partial(_slow_or_failing, str(marks)))
    with pytest.raises(Exception, match="injected failure"):
        corpuspack.build(dump, out, engine="ray", progress=False, batch_size=32)
    done = set(os.listdir(marks))  # tasks Ray ran before the failing one (its order is not promised)
    time.sleep(3)
    return done, set(os.listdir(marks))


def test_failed_finishing_leaves_no_task_running(local_ray, dump, tmp_path, monkeypatch):
    """A finishing task fails: the build fails, and the tasks still in flight are stopped and
    ended before the work folder goes: none finishes (or writes) later, nothing is left in OUT."""
    out = tmp_path / "out"
    done, later = _failing_build(dump, out, tmp_path / "marks", monkeypatch)
    assert later == done
    left = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    assert not [p for p in left if TMP_PREFIX in p or p.endswith((".arrow", ".tmp", ".parquet"))], left
    # the check can fail: with the tasks in flight left running, some finish after the build failed
    monkeypatch.setattr(ray_engine, "_stop", lambda refs, mark=None: None)
    done, later = _failing_build(dump, tmp_path / "out2", tmp_path / "marks2", monkeypatch)
    assert later > done

if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
