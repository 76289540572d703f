"""Pass 2's near-duplicate bands are hashed and sorted in a thread (``duplicates.Here.begin``)
beside the groupings before them when they fit in ``duplicates.BESIDE_BYTES``: checked here from
outside, on a real build of the seeds in one process (``jobs=1``), by slowing down the reading of
the staged band hashes (``duplicates._band_matrix``, which that thread runs).
The output's bytes with the thread are those of builds without it: the byte-for-byte tests of
the engines and of ``--jobs`` (tests/test_jobs_identical.py, tests/test_engine_ray.py)."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

import corpuspack
from corpuspack.builder.corpus import duplicates

SEEDS = Path(__file__).resolve().parent.parent / "examples" / "seeds"


def _slow_bands(monkeypatch, events, seconds):
    band_matrix = duplicates._band_matrix

    def slow(*args):
        events.append(("bands begun", threading.current_thread().name))
        time.sleep(seconds)
        out = band_matrix(*args)
        events.append(("bands done", None))
        return out

    monkeypatch.setattr(duplicates, "_band_matrix", slow)


def _bands_threads():
    return [t for t in threading.enumerate() if t.name.startswith("corpuspack-bands")]


def test_the_bands_are_made_beside_the_exact_groupings(tmp_path, monkeypatch):
    events = []
    _slow_bands(monkeypatch, events, 0.5)
    published = duplicates.Here.published

    def recorded(self, *args, **kwargs):
        events.append(("published begun", None))
        out = published(self, *args, **kwargs)
        events.append(("published done", None))
        return out

    monkeypatch.setattr(duplicates.Here, "published", recorded)
    corpuspack.build(SEEDS, tmp_path / "out", jobs=1, progress=False)
    kinds = [e[0] for e in events]
    # the exact grouping on published texts ran while the (slowed) band reading was still sleeping
    assert kinds.index("bands begun") < kinds.index("published done") < kinds.index("bands done"), kinds
    assert events[0][1].startswith("corpuspack-bands")
    assert _bands_threads() == []


def test_a_grouping_that_fails_waits_for_the_bands_thread(tmp_path, monkeypatch):
    events = []
    _slow_bands(monkeypatch, events, 1.0)

    def fails(self, *args, **kwargs):
        raise RuntimeError("grouping failed")

    monkeypatch.setattr(duplicates.Here, "published", fails)
    with pytest.raises(RuntimeError, match="grouping failed"):
        corpuspack.build(SEEDS, tmp_path / "out", jobs=1, progress=False)
    # the build ended only once the band reading it started had ended: no thread of it goes on
    assert [e[0] for e in events] == ["bands begun", "bands done"]
    assert _bands_threads() == []


def test_bands_over_the_memory_budget_wait_for_the_groupings(tmp_path, monkeypatch):
    """A stage whose band hashes would not fit in ``BESIDE_BYTES`` (here: set to 0) has them made after
    the exact groupings, as before the thread: not held beside the groupings' own columns."""
    events = []
    _slow_bands(monkeypatch, events, 0.2)
    published = duplicates.Here.published

    def recorded(self, *args, **kwargs):
        out = published(self, *args, **kwargs)
        events.append(("published done", None))
        return out

    monkeypatch.setattr(duplicates.Here, "published", recorded)
    monkeypatch.setattr(duplicates, "BESIDE_BYTES", 0)
    corpuspack.build(SEEDS, tmp_path / "out", jobs=1, progress=False)
    assert [e[0] for e in events] == ["published done", "bands begun", "bands done"]
    assert _bands_threads() == []
