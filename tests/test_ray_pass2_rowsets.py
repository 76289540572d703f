"""Pass 2's masks as row sets (round 33), then the row sets in Ray's object store (round 37): while
pass 2 runs on the Ray engine, the driver holds sorted row sets of the rows the decisions concern
(the id copies, the staged copies, the rows left empty, the exact duplicates, the dropped rows),
never an array of one entry per staged row, and sends each map task only its run's rows of them.

Measured from outside the code, over a whole Ray build of 6,000 generated documents with few
duplicates (0.3% exact, 0.3% near):

* the numpy buffers this process allocates while ``plan_rows`` runs (tracemalloc, which numpy reports
  its buffers to, with Python's own allocators given back so that only numpy's are counted:
  :func:`numpy_traced`) peak well under a byte per staged row (until round 33: ``keep_id``,
  ``staged_copy``, the exclusion, ``empty``, ``takes_part``, ``drop``, a byte per row each);
  the counter-case, a ``np.ones(rows, bool)`` made inside the same window, is caught;
* the row payloads of the tasks' arguments (numpy arrays and bytes) while ``plan_rows`` runs stay
  under one bit per staged row (until round 33: five masks of a bit per row, 0.625 B per row);

and the output is the local engine's, byte for byte."""
from __future__ import annotations

import ctypes
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

ray = pytest.importorskip("ray")

import corpuspack  # noqa: E402
from conftest import output_files  # noqa: E402
from corpus_gen import generate_corpus  # noqa: E402
from ray_driver_io import CountedRay, local_ray, payload  # noqa: E402,F401 - local_ray: a fixture
from corpuspack.builder.corpus.dedup import choose_bands  # noqa: E402
from corpuspack.builder.engines import ray as ray_engine, ray_decisions, ray_pass2  # noqa: E402
from corpuspack.builder.options import BuildOptions  # noqa: E402

DOCS = 6000


class _Allocator(ctypes.Structure):
    """CPython's ``PyMemAllocatorEx``."""
    _fields_ = [("ctx", ctypes.c_void_p), ("malloc", ctypes.c_void_p), ("calloc", ctypes.c_void_p),
                ("realloc", ctypes.c_void_p), ("free", ctypes.c_void_p)]


_API = ctypes.pythonapi
_API.PyMem_GetAllocator.argtypes = _API.PyMem_SetAllocator.argtypes = [ctypes.c_int, ctypes.POINTER(_Allocator)]
_API.PyMem_GetAllocator.restype = _API.PyMem_SetAllocator.restype = None
_DOMAINS = (0, 1, 2)  # PYMEM_DOMAIN_RAW, _MEM, _OBJ


def _allocators() -> list[_Allocator]:
    held = [_Allocator() for _ in _DOMAINS]
    for domain, allocator in zip(_DOMAINS, held):
        _API.PyMem_GetAllocator(domain, ctypes.byref(allocator))
    return held


def _set(allocators: list[_Allocator]) -> None:
    for domain, allocator in zip(_DOMAINS, allocators):
        _API.PyMem_SetAllocator(domain, ctypes.byref(allocator))


@contextmanager
def numpy_traced():
    """tracemalloc counting numpy's buffers only: tracing on (numpy reports each buffer it allocates
    and frees, ``PyTraceMalloc_Track``), Python's own allocators given back (Ray's objects in this
    process, ~1.2 MB at the peak of pass 2, are not counted). Yields a dict that holds, at the end,
    the peak and the current bytes above those traced at the start."""
    if tracemalloc.is_tracing():
        raise RuntimeError("tracemalloc is already tracing")
    plain = _allocators()
    tracemalloc.start()
    hooked = _allocators()
    _set(plain)
    measured: dict[str, int] = {}
    try:
        tracemalloc.reset_peak()
        start = tracemalloc.get_traced_memory()[0]
        yield measured
    finally:
        current, peak = tracemalloc.get_traced_memory()
        measured.update(peak=peak - start, current=current - start)
        _set(hooked)
        tracemalloc.stop()


def test_numpy_traced_counts_numpy_buffers_only():
    with numpy_traced() as python:
        held = [bytes(100_000) for _ in range(5)]
        del held
    with numpy_traced() as mask:
        held = np.ones(10_000, bool)
        del held
    assert python["peak"] < 1000, python
    assert 10_000 <= mask["peak"] < 11_000 and mask["current"] < 100, mask


@pytest.fixture(scope="module")
def few_duplicates(tmp_path_factory) -> Path:
    """6,000 generated documents in two folders, few duplicates (0.3% exact, 0.3% near)."""
    d = tmp_path_factory.mktemp("few") / "dump"
    for i, (_, text, _) in enumerate(generate_corpus(DOCS, 5, dup_rate=0.003, near_dup_rate=0.003)):
        folder = d / f"part{i % 2}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"doc_{i:05d}.txt").write_text(text, encoding="utf-8")
    return d


def _measured(monkeypatch, dense: bool = False) -> dict[str, list]:
    """Per call of pass 2's decisions on Ray in this process (``ray_decisions.plan`` since round 37,
    ``corpus.plan_rows`` before): numpy's peak and current bytes (above the start) while it runs, its
    staged rows and the row payloads (numpy arrays and bytes) of the arguments of the Ray tasks started
    meanwhile. ``dense``: a mask of every staged row (``np.ones(rows, bool)``) made and held inside the
    window (the counter-case)."""
    real_plan = ray_decisions.plan
    counts: dict[str, list] = {"peak": [], "current": [], "rows": [], "sent_rows": []}
    on = [False]

    def plan(stage_path, *a, **k):
        counts["sent_rows"].append(0)
        on[0] = True
        try:
            with numpy_traced() as measured:
                held = np.ones(sum(ray_engine.batch_sizes(stage_path)), bool) if dense else None
                result = real_plan(stage_path, *a, **k)
                del held
        finally:
            on[0] = False
        counts["peak"].append(measured["peak"])
        counts["current"].append(measured["current"])
        counts["rows"].append(sum(result.sizes))
        return result

    def seen(args, kwargs):
        if on[0]:
            counts["sent_rows"][-1] += payload((args, kwargs))

    monkeypatch.setattr(ray_decisions, "plan", plan)
    monkeypatch.setattr(ray_pass2, "ray", CountedRay(seen))
    monkeypatch.setattr(ray_engine, "ray", CountedRay(seen))
    return counts


def test_plan_rows_holds_row_sets_not_masks(local_ray, few_duplicates, tmp_path, monkeypatch):
    options = BuildOptions()
    choose_bands(options.near_dup_candidate_threshold, options.num_perm)  # cached: ~13 KB of numpy, once
    kw = dict(progress=False, batch_size=100, rows_per_shard=500)
    counts = _measured(monkeypatch)
    build = corpuspack.build(few_duplicates, tmp_path / "ray", engine="ray", **kw)
    monkeypatch.undo()
    dense = _measured(monkeypatch, dense=True)
    corpuspack.build(few_duplicates, tmp_path / "dense", engine="ray", **kw)
    monkeypatch.undo()
    rows = counts["rows"][0]
    print(f"pass 2's decisions on Ray, {rows} staged rows: numpy peak {counts['peak']} B "
          f"(held at the end {counts['current']}), row payloads sent {counts['sent_rows']} B; "
          f"with a dense mask: peak {dense['peak']} B")
    assert rows == DOCS and 10 < build.counts["duplicate"] < 60, build.counts
    # measured (this dump, 53 rows decided): since round 37 (the row sets in the object store,
    # ray_decisions.py) numpy peak 976 B, none held at the end, row payloads sent 0 B. Round 33: numpy peak 2,331 B (0.39 B
    # per row; held at the end, the decisions' rows, 1,274 B), row payloads sent 168 B (0.03 B per row).
    # Before (f71afd6, this test run with PYTHONPATH on its code): peak 37,503 B (6.25 B per row), row
    # payloads sent 3,760 B (0.63 B per row: five masks of a bit per row); a dense mask: +6,000 B
    assert counts["peak"][0] < 0.25 * rows and counts["current"][0] < 0.01 * rows, counts
    assert counts["sent_rows"][0] == 0, counts
    # the counter-case: a mask of every row made in the window is seen
    assert dense["peak"][0] >= counts["peak"][0] + rows * 0.9, (dense, counts)
    local = corpuspack.build(few_duplicates, tmp_path / "local", jobs=2, **kw)
    assert local.counts == build.counts
    assert output_files(tmp_path / "ray") == output_files(tmp_path / "local") == output_files(tmp_path / "dense")
