"""What the Ray-driver tests share (tests/test_ray_stage.py, tests/test_ray_finish.py,
tests/test_ray_driver_rows.py, tests/test_ray_pass2_rowsets.py): a local Ray instance, a dump of 300
articles of ~10 kB, the bytes this process has written so far, and the arguments of the tasks it starts."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

import pytest
import ray

from corpus_gen import generate_corpus


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield
    ray.shutdown()


def article_dump(folder: Path, seed: int) -> Path:
    """300 articles of ~10 kB each (three generated ones per file) in ``folder``: a stage, and
    finished rows, of a few MB."""
    folder.mkdir()
    docs = generate_corpus(900, seed, dup_rate=0.02, near_dup_rate=0.02, other_lang_rate=0.0)
    for i in range(300):
        text = "\n\n".join(t for _, t, _ in docs[3 * i:3 * i + 3])
        (folder / f"article_{i:04d}.txt").write_text(text, encoding="utf-8")
    return folder


def written() -> int:
    """Bytes this process has asked the kernel to write so far (files, pipes, sockets: every thread)."""
    with open("/proc/self/io") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("wchar:"))


class CountedRay:
    """A stand-in for an engine module's ``ray`` (``monkeypatch.setattr(module, "ray", CountedRay(seen))``):
    Ray's own, but the remote functions it makes hand each call's ``(args, kwargs)`` to ``seen`` first."""

    def __init__(self, seen):
        self._seen = seen

    def __getattr__(self, name):
        return getattr(ray, name)

    def remote(self, *a, **k):
        return _CountedRemote(ray.remote(*a, **k), self._seen)


class _CountedRemote:
    def __init__(self, fn, seen):
        self._fn, self._seen = fn, seen

    def options(self, *a, **k):
        return _CountedRemote(self._fn.options(*a, **k), self._seen)

    def remote(self, *args, **kwargs):
        self._seen(args, kwargs)
        return self._fn.remote(*args, **kwargs)


def payload(value) -> int:
    """The bytes of the numpy arrays and bytes objects in ``value`` (tuples, lists, dicts, dataclasses):
    what a task's arguments carry of the rows (masks, row sets)."""
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, (bytes, bytearray)):
        return len(value)
    if isinstance(value, (tuple, list)):
        return sum(payload(v) for v in value)
    if isinstance(value, dict):
        return sum(payload(v) for v in value.values())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sum(payload(getattr(value, f.name)) for f in dataclasses.fields(value))
    return 0
