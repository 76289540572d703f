"""Pass 1 with workers: the status of the files the cache knows is taken in the workers, a group of
batches ahead (engines/local.py: _StatAhead, stat_task). Checked against the build's process's own
test of each batch (local.unchanged) on real files, and a next version built with 2 workers
against the same build in one process, with a file changed (same size, other bytes) among
unchanged ones."""
from __future__ import annotations

import os

import pytest

import corpuspack
from corpuspack.builder.engines import local
from corpuspack.builder.engines.local import Known, Workers, stat_task, unchanged
from corpuspack.builder.document.inputs import Payload
from corpuspack.builder.options import BuildOptions
from conftest import output_files
from corpus_gen import generate_corpus


def _files(folder, n):
    folder.mkdir()
    out = []
    for i in range(n):
        p = folder / f"f{i:03d}.txt"
        p.write_text(f"document {i} " * (i + 1), encoding="utf-8")
        out.append(str(p))
    return out


def _known(path, *, size=0, mtime=0, trust=True):
    st = os.lstat(path)
    return Known("x" * 64, st.st_size + size, st.st_mtime_ns + mtime, trust)


def test_stat_task_tells_each_file(tmp_path):
    a, b, c = _files(tmp_path / "d", 3)
    os.symlink(a, tmp_path / "link")
    st = [os.lstat(p) for p in (a, b, c)]
    paths = [a, b, c, str(tmp_path / "link"), str(tmp_path / "missing"), None]
    sizes = [st[0].st_size, st[1].st_size + 1, st[2].st_size, st[0].st_size, 1, 0]
    times = [st[0].st_mtime_ns, st[1].st_mtime_ns, st[2].st_mtime_ns + 1, st[0].st_mtime_ns, 1, 0]
    assert stat_task(paths, sizes, times) == [True, False, False, False, False, False]


def test_batches_settled_as_the_build_process_would(tmp_path, monkeypatch):
    monkeypatch.setattr(local, "STAT_AHEAD", 7)  # groups of 2 batches of 4 files, the last alone
    paths = _files(tmp_path / "d", 20)
    items = [(os.path.basename(p), p, _known(p)) for p in paths]
    items[5] = (items[5][0], paths[5], _known(paths[5], mtime=1))  # touched since
    items[9] = (items[9][0], paths[9], None)  # not cached
    items[13] = (items[13][0], paths[13], _known(paths[13], trust=False))  # --rehash
    os.remove(paths[18])  # gone since it was listed
    batches = [items[i:i + 4] for i in range(0, 20, 4)]
    with Workers(2, str(tmp_path)) as engine:
        assert engine.ready.wait(120)  # the workers started: the groups' status taken by tasks
        handed, check = engine.settling(iter(batches), local.Reader())
        got = []
        for batch in handed:
            got.append((batch, check(batch)))
    assert [b for b, _ in got] == batches
    expected = [unchanged(b) for b in batches]
    assert [r is None for _, r in got] == [r is None for r in expected] == [False, True, True, True, True]
    assert got[0][1][2] == ["cached"] * 4 and got[0][1][0].num_rows == 0


def test_next_version_with_workers_is_the_one_process_build(tmp_path):
    docs = generate_corpus(120, 31)
    dump = tmp_path / "dump"
    dump.mkdir()
    for name, text, _ in docs:
        (dump / name).write_text(text, encoding="utf-8")
    for out, jobs in (("one", 1), ("two", 2)):
        corpuspack.build(dump, tmp_path / out, version="1.0.0", jobs=jobs, batch_size=16, progress=False)
    changed = dump / docs[50][0]
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text[::-1], encoding="utf-8")  # the same size, other bytes
    for name, text, _ in generate_corpus(3, 77):
        (dump / f"zz_{name}").write_text(text, encoding="utf-8")
    results = {out: corpuspack.build(dump, tmp_path / out, version="1.1.0", jobs=jobs, batch_size=16,
                                     progress=False) for out, jobs in (("one", 1), ("two", 2))}
    assert results["two"].manifest["work"]["processed"] == 4 == results["one"].manifest["work"]["processed"]
    assert output_files(tmp_path / "two") == output_files(tmp_path / "one")


def test_status_taken_here_while_the_workers_start(tmp_path, monkeypatch):
    """Before the pool's workers run (Workers.ready not set), no status task is handed over (the
    build's process would wait for the fork server): each batch is tested here, with the same results."""
    monkeypatch.setattr(local, "STAT_AHEAD", 7)
    paths = _files(tmp_path / "d", 12)
    items = [(os.path.basename(p), p, _known(p)) for p in paths]
    items[6] = (items[6][0], paths[6], _known(paths[6], size=1))  # changed size
    batches = [items[i:i + 4] for i in range(0, 12, 4)]
    expected = [unchanged(b) is None for b in batches]
    assert expected == [False, True, False]
    with Workers(2, str(tmp_path)) as engine:
        assert engine.ready.wait(120)
        submitted = []
        real = engine._pool.submit
        monkeypatch.setattr(engine._pool, "submit", lambda fn, *a: submitted.append(fn) or real(fn, *a))
        for ready, tasks in ((False, 0), (True, 2)):
            ahead = local._StatAhead(engine._pool, local.Reader(), local.threading.Event())
            if ready:
                ahead.ready.set()
            got = [ahead.unchanged(b) is None for b in ahead.batches(iter(batches))]
            assert got == expected
            assert submitted.count(stat_task) == tasks


def _handed_before_the_first_result(engine, batches, monkeypatch, new_ahead):
    """Run pass 1's hand-over of ``batches`` through the engine's map; the batches handed to the pool
    (process_batch) before the first batch was handed on (its ``local`` check called), and every
    (batch, result)."""
    submitted = []
    real = engine._pool.submit

    def submit(fn, *args):
        if fn is local.process_batch:
            submitted.append(args[0])
        return real(fn, *args)

    monkeypatch.setattr(engine._pool, "submit", submit)
    opts = BuildOptions().doc_options()
    handed, check = engine.settling(iter(batches), local.Reader(), opts if new_ahead else None)
    before, got = [], []

    def first_checked(task):
        if not before:
            before.append(list(submitted))
        return check(task)

    for task, result in engine.map(local.process_batch, handed, opts, local.Reader(), local=first_checked):
        got.append((task, result))
    return before[0], got


def _as_one_process(task):
    """process_batch's result for a batch, run in this process (no pool, no hand-over)."""
    from corpuspack.builder.engines.batch import process_batch

    records, rejections, outcomes = process_batch(task, BuildOptions().doc_options(), local.Reader())
    return records.to_pylist(), rejections, outcomes


@pytest.mark.parametrize("new_ahead", [True, False])
def test_a_next_versions_new_files_go_to_the_workers_as_the_walk_finds_them(tmp_path, monkeypatch, new_ahead):
    """In a next version, a batch with a file the cache does not know (the last here, as a grown dump's
    new files come last) is handed to the workers while the walk runs ahead, before the batches before it
    are handed on; without ``new_ahead`` (the counter-case, a first build's path) only when its turn comes.
    The results are process_batch's in this process either way."""
    monkeypatch.setattr(local, "STAT_AHEAD", 7)  # groups of 2 batches of 4 files
    monkeypatch.setattr(local, "LOOK_AHEAD", 1000)
    paths = _files(tmp_path / "d", 24)
    items = [(os.path.basename(p), p, _known(p)) for p in paths]
    items[21] = (items[21][0], paths[21], None)  # a new file, in the last batch
    batches = [items[i:i + 4] for i in range(0, 24, 4)]
    with Workers(2, str(tmp_path)) as engine:
        assert engine.ready.wait(120)
        before, got = _handed_before_the_first_result(engine, batches, monkeypatch, new_ahead)
    assert before == ([batches[5]] if new_ahead else [])
    assert [task for task, _ in got] == batches
    for task, (records, rejections, outcomes) in got:
        assert (records.to_pylist(), rejections, outcomes) == _as_one_process(task)
    assert got[5][1][2] == ["cached", "new", "cached", "cached"]


def test_batches_handed_over_ahead_are_at_most_twice_the_workers(tmp_path, monkeypatch):
    """Every batch new (none of their files cached): 4 handed over ahead for 2 workers before the
    first is taken, the others as those are taken; results in order and the same as in this process."""
    monkeypatch.setattr(local, "STAT_AHEAD", 7)
    monkeypatch.setattr(local, "LOOK_AHEAD", 1000)
    paths = _files(tmp_path / "d", 24)
    batches = [[(os.path.basename(p), p, None) for p in paths[i:i + 4]] for i in range(0, 24, 4)]
    with Workers(2, str(tmp_path)) as engine:
        assert engine.ready.wait(120)
        before, got = _handed_before_the_first_result(engine, batches, monkeypatch, True)
    assert before == batches[:4]
    assert [task for task, _ in got] == batches
    for task, (records, rejections, outcomes) in got:
        assert (records.to_pylist(), rejections, outcomes) == _as_one_process(task)


@pytest.mark.parametrize("new_ahead, streamed", [(True, False), (False, False), (True, True)])
def test_the_walk_runs_ahead_by_at_most_look_ahead_files(tmp_path, monkeypatch, new_ahead, streamed):
    """How far the batches walked run ahead of those handed on (what the build's process holds):
    in a next version more than one group but at most LOOK_AHEAD files and the group being walked
    (here 20 + 8), else one group ahead (2 groups held: 16), as before; documents read from a
    stream (their bytes held: JSON lines) never run ahead more than that either. Counted on the
    batches the walk yields."""
    monkeypatch.setattr(local, "STAT_AHEAD", 7)  # groups of 2 batches of 4 files
    monkeypatch.setattr(local, "LOOK_AHEAD", 20)
    paths = _files(tmp_path / "d", 100)
    batches = [[(os.path.basename(p), Payload(b"x") if streamed else p, None if streamed else _known(p))
                for p in paths[i:i + 4]] for i in range(0, 100, 4)]
    walked, ahead = [0], []

    def walk():
        for b in batches:
            walked[0] += len(b)
            yield b

    with Workers(2, str(tmp_path)) as engine:
        assert engine.ready.wait(120)
        handed, check = engine.settling(walk(), local.Reader(), BuildOptions().doc_options() if new_ahead else None)
        on = 0
        for batch in handed:
            if not streamed:
                assert check(batch) is not None  # every file unchanged: settled here
            ahead.append(walked[0] - on)
            on += len(batch)
    assert (16 < max(ahead) <= 20 + 8) if new_ahead and not streamed else max(ahead) == 16
