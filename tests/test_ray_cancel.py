"""How a failing Ray build stops pass 2's tasks (``engines/ray.py: _cancel``): a task started on
another task's output (``ray_pass2.Dependent``, as ``ray_pass2._task`` records it) is waited for,
not cancelled (``ray.cancel`` on a task whose argument Ray is resolving can abort the driver: Ray's
reference-count check, seen in CI), and fails by itself once its input's task is cancelled; a task
on plain values is cancelled. Checked with the calls to ``ray.cancel`` recorded and the tasks' ends."""
from __future__ import annotations

import time

import pytest

ray = pytest.importorskip("ray")

from ray_driver_io import local_ray  # noqa: E402,F401 - a fixture
from corpuspack.builder.engines import ray as ray_engine, ray_pass2  # noqa: E402


def _slow(seconds: float) -> int:
    time.sleep(seconds)
    return 1


def _after(x: int) -> int:
    return x + 1


def test_dependent_tasks_are_waited_for_not_cancelled(local_ray, monkeypatch):
    started: list = []
    root = ray_pass2._task(_slow, started)(30.0)
    child = ray_pass2._task(_after, started)(root)  # takes the root's output: Ray resolves it
    assert started[0] == root and isinstance(started[1], ray_pass2.Dependent) and started[1].ref == child
    cancelled = []
    real_cancel = ray.cancel
    monkeypatch.setattr(ray, "cancel", lambda ref, **k: cancelled.append(ref) or real_cancel(ref, **k))
    t = time.monotonic()
    ray_engine._cancel(started)
    assert cancelled == [root]  # the root only
    assert time.monotonic() - t < 20  # the root was interrupted, not waited out
    ready, pending = ray.wait([root, child], num_returns=2, timeout=0)
    assert len(ready) == 2 and not pending  # both ended: the child failed with its input's error
    for ref in (root, child):
        with pytest.raises((ray.exceptions.TaskCancelledError, ray.exceptions.RayTaskError)):
            ray.get(ref)
