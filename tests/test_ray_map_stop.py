"""``RayEngine.map`` stops its window of tasks when a task or the build fails (``ray.py: _stop``):
no ``ray.cancel`` (round 33: in Ray 2.60 it aborted the driver in this file's stress test, 2 runs in
10, when it met a task's completion); each task is waited for, and one not yet begun does nothing.
Its common arguments are put once and handed to each task inside a tuple, not as arguments Ray
resolves. Checked from outside: the arguments of every task started (the engine module's ``ray.remote`` recorded: ``ray_driver_io.CountedRay``), and
40 maps failing in a row.
"""
from __future__ import annotations

import sys

import pytest

ray = pytest.importorskip("ray")

from ray_driver_io import CountedRay, local_ray  # noqa: E402,F401 - local_ray: a fixture
from corpuspack.builder.engines import ray as ray_engine  # noqa: E402

ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the test's task functions, sent to the workers


def _add(task: int, small: int, big: bytes) -> int:
    if task < 0:
        raise RuntimeError("injected failure")
    return task + small + len(big)


def test_map_tasks_take_no_argument_ray_resolves(local_ray, tmp_path, monkeypatch):
    """``RayEngine.map`` puts its common arguments once and hands each task their references inside a
    tuple: no task has an argument Ray resolves before it runs (a top-level ``ObjectRef``). The
    values still arrive (a small one, inlined by Ray, and one of 200 kB, kept in its shared store)."""
    calls: list[tuple] = []
    counted = CountedRay(lambda args, kwargs: calls.append(args))  # the engine's tasks' arguments, recorded
    monkeypatch.setattr(ray_engine, "ray", counted)
    engine = ray_engine.RayEngine(2, None, str(tmp_path))
    big = b"x" * 200_000
    got = [r for _, r in engine.map(_add, range(6), 1, big)]
    assert got == [t + 1 + len(big) for t in range(6)]
    assert len(calls) == 6
    assert not [a for args in calls for a in args if isinstance(a, ray.ObjectRef)]
    assert all(isinstance(r, ray.ObjectRef) for args in calls for r in args[-2])  # put once, handed inside
    # the check can fail: the references as arguments of their own (the map before round 32) are seen
    shared = [ray.put(1), ray.put(big)]
    ray.get(counted.remote(_add).remote(0, *shared))
    assert sum(isinstance(a, ray.ObjectRef) for a in calls[-1]) == 2


def test_failing_maps_stop_their_windows(local_ray, tmp_path):
    """Stress: 40 maps whose third task fails while the others run or wait in the window, each
    stopping its window (``_stop``): the driver survives every one, and each map's tasks have
    all ended when the failure reaches the caller."""
    engine = ray_engine.RayEngine(2, None, str(tmp_path))
    for round_ in range(40):
        with pytest.raises(Exception) as failed:
            for _ in engine.map(_add, [0, 1, -1, 3, 4, 5, 6, 7], round_, b"y" * (round_ * 5_000)):
                pass
        assert "injected failure" in str(failed.value), (round_, repr(failed.value))
    assert ray.get(ray.remote(_add).remote(1, 1, b"")) == 2  # Ray still answers
