"""Pass 2's LSH band hashes handed to the local engine's workers as the pass starts
(corpus/duplicates.py: Here.begin, Ahead), collected by a thread of the build's process while it
counts ids, copies and lines. Checked against the plan made without it (in this process, in the
old order), on the stage of a real build with near duplicates; the thread's errors reach the
build's thread; a next version built with workers gives the files of the same build in one process."""
from __future__ import annotations

import shutil
import threading

import numpy as np
import pytest

import corpuspack
from corpuspack.builder.corpus import duplicates, plan as corpus_plan
from corpuspack.builder.corpus.duplicates import Ahead, Here, map_here
from corpuspack.builder.corpus.stage import read_batches
from corpuspack.builder.engines.local import Workers
from corpuspack.builder.options import BuildOptions
from conftest import output_files
from corpus_gen import generate_corpus

OPTIONS = BuildOptions(repeated_line_min_docs=4)
FIELDS = ("id_dup", "exact_rows", "cluster_rows", "cluster_size", "not_representative")


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    """A build of 400 generated documents (near duplicates among them) in stage batches of 16 rows."""
    root = tmp_path_factory.mktemp("ahead")
    dump = root / "dump"
    dump.mkdir()
    for name, text, _ in generate_corpus(400, 31, dup_rate=0.05, near_dup_rate=0.15):
        (dump / name).write_text(text, encoding="utf-8")
    corpuspack.build(dump, root / "out", jobs=1, batch_size=16, progress=False, repeated_line_min_docs=4)
    stage = str(min((root / "out" / ".cache").glob("stage-*.arrow"), key=lambda p: len(p.name)))
    sizes = [b.num_rows for b in read_batches(stage, ["_controls"])]
    return stage, sizes, root


@pytest.fixture
def workers(tmp_path, monkeypatch):
    monkeypatch.setattr(duplicates, "BAND_CHUNK_ROWS", 40)  # ranges of 3 batches: 9 band tasks
    with Workers(2, str(tmp_path)) as engine:
        yield engine.map


def _same_plan(a, b) -> None:
    for f in FIELDS:
        assert getattr(a, f).tolist() == getattr(b, f).tolist(), f
    for f in ("id_owner", "exact_of", "cluster"):
        assert getattr(a, f).to_pylist() == getattr(b, f).to_pylist(), f
    assert a.repeated == b.repeated and a.controls == b.controls


def test_plan_with_bands_ahead_is_the_plan_made_here(staged, workers, monkeypatch):
    stage, _, _ = staged
    threads = []
    real = duplicates._band_matrix

    def band_matrix(*args):  # which thread asks for the band hashes
        threads.append(threading.current_thread() is threading.main_thread())
        return real(*args)

    monkeypatch.setattr(duplicates, "_band_matrix", band_matrix)
    ahead = corpus_plan.plan(stage, OPTIONS, workers, duplicates=Here(workers, ahead=True))
    assert threads == [False]  # by the thread begin started
    here = corpus_plan.plan(stage, OPTIONS)  # in this process, the band hashes when the pairs need them
    assert threads == [False, True]
    assert len(here.cluster_rows) > 20 and len(here.exact_rows) > 5
    _same_plan(ahead, here)


def test_bands_started_before_the_ids_are_counted(staged, workers):
    stage, _, _ = staged
    seen = []

    class Recorded(Here):
        def id_copies(self, *args):
            seen.append(isinstance(self._bands, Ahead))  # begin ran first, and started the thread
            return super().id_copies(*args)

    corpus_plan.plan(stage, OPTIONS, workers, duplicates=Recorded(workers, ahead=True))
    corpus_plan.plan(stage, OPTIONS, workers, duplicates=Recorded(workers))  # not ahead (the default)
    assert seen == [True, False]


def test_an_error_in_the_thread_is_raised_in_the_builds_thread(staged):
    stage, sizes, _ = staged

    def failing(fn, tasks, *common):
        if fn is duplicates.band_task:
            raise OSError("disk gone")
        return map_here(fn, tasks, *common)

    here = Here(failing, ahead=True)
    here.begin(stage, sizes, OPTIONS)
    drop = np.zeros(sum(sizes), bool)
    ctx = duplicates.PublishedContext(stage, ())
    with pytest.raises(OSError, match="disk gone"):
        here.near_pairs(stage, sizes, drop, OPTIONS, ctx)
    with pytest.raises(ZeroDivisionError):
        Ahead(lambda: 1 / 0).result()
    assert Ahead(lambda a, b: a + b, 2, 3).result() == 5


def test_next_version_with_workers_is_the_one_in_one_process(staged, tmp_path):
    _, _, root = staged
    dump = tmp_path / "dump"
    shutil.copytree(root / "dump", dump)
    for name, text, _ in generate_corpus(40, 77, dup_rate=0.1, near_dup_rate=0.3):
        (dump / f"z{name}").write_text(text, encoding="utf-8")
    outs = []
    for jobs in (2, 1):
        out = tmp_path / f"out{jobs}"
        shutil.copytree(root / "out", out)
        corpuspack.build(dump, out, jobs=jobs, batch_size=16, progress=False, repeated_line_min_docs=4,
                         version="1.1.0")
        outs.append(output_files(out))
    assert outs[0] == outs[1]
    assert any("1.1.0" in name for name in outs[0])
