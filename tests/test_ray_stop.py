"""How a failing Ray build stops its tasks (``engines/ray.py: _stop``, round 33): no task is cancelled
with ``ray.cancel`` (in Ray 2.60 it aborts the driver when it meets a task's completion or an
argument's resolution, both seen in this project's tests); every task is waited for, and a map's
tasks that had not begun when it failed do nothing (its stop mark, checked by ``ray._call``).
Checked from outside: the calls to ``ray.cancel`` recorded, the tasks' ends, and marks the tasks leave."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

from ray_driver_io import local_ray  # noqa: E402,F401 - a fixture
from corpuspack.builder.engines import ray as ray_engine, ray_pass2  # noqa: E402

ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the test's task functions, sent to the workers


def _slow(seconds: float) -> int:
    time.sleep(seconds)
    return 1


def _after(x: int) -> int:
    return x + 1


def test_stop_cancels_nothing_and_waits_for_every_task(local_ray, monkeypatch):
    """Pass 2's tasks as ``ray_pass2._task`` records them (one on plain values, one on its output):
    ``_stop`` calls no ``ray.cancel`` and returns once both have ended, the second with its result."""
    started: list = []
    root = ray_pass2._task(_slow, started)(2.0)
    child = ray_pass2._task(_after, started)(root)  # takes the root's output: Ray resolves it
    assert started == [root, child]
    cancelled = []
    monkeypatch.setattr(ray, "cancel", lambda ref, **k: cancelled.append(ref))
    t = time.monotonic()
    ray_engine._stop(started)
    assert cancelled == []
    assert time.monotonic() - t > 1.0  # the root was waited out (it sleeps 2 s), not interrupted
    ready, pending = ray.wait([root, child], num_returns=2, timeout=0)
    assert len(ready) == 2 and not pending
    assert ray.get(child) == 2


def _marked(task: int, marks: str, seconds: float) -> int:
    """A map's task: task 0 fails once task 1 has begun (its ``began-1`` mark; at most 60 s, so a slow
    worker start cannot make task 1 one that had not begun), the others leave ``began-N``, sleep
    ``seconds`` and leave their mark ``N``."""
    if task == 0:
        deadline = time.monotonic() + 60
        while not Path(marks, "began-1").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)
        raise RuntimeError("injected failure")
    Path(marks, f"began-{task}").touch()
    time.sleep(seconds)
    Path(marks, str(task)).touch()
    return task


def _ended(marks: Path) -> set:
    return set(p.name for p in marks.iterdir() if not p.name.startswith("began-"))


def _failing_map(engine, marks: Path) -> tuple[set, set]:
    """The map of tasks 0-3 (all four in its window, two CPUs): the end marks when its failure reaches
    this process, and 3 s later."""
    marks.mkdir()
    with pytest.raises(Exception, match="injected failure"):
        for _ in engine.map(_marked, range(4), str(marks), 2.0):
            pass
    done = _ended(marks)
    time.sleep(3)
    return done, _ended(marks)


def test_a_stopped_map_begins_no_more_tasks(local_ray, tmp_path, monkeypatch):
    """Tasks 0 and 1 run on the two CPUs; task 0 fails once task 1 has begun, so task 2 may begin (Ray starts it on
    the freed CPU before or after the map's stop mark is made), but task 3 waits for a CPU until task 1 ends 2 s later:
    by then the mark exists, and it does nothing. Task 1 runs to its end, before the failure reaches
    the caller."""
    cancelled = []
    monkeypatch.setattr(ray, "cancel", lambda ref, **k: cancelled.append(ref))
    engine = ray_engine.RayEngine(2, None, str(tmp_path / "work"))
    done, later = _failing_map(engine, tmp_path / "marks")
    assert "1" in done and "3" not in done and later == done, (done, later)
    assert cancelled == []
    # the check can fail: tasks waited for without the stop mark all run, task 3 too
    real_stop = ray_engine._stop
    monkeypatch.setattr(ray_engine, "_stop", lambda refs, mark=None: real_stop(refs))
    done, later = _failing_map(engine, tmp_path / "marks2")
    assert done == later == {"1", "2", "3"}, (done, later)
