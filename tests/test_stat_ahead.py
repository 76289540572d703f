"""Pass 1 with workers: the status of the files the cache knows is taken in the workers, a group of
batches ahead (engines/local.py: _StatAhead, stat_task). Checked against the build's process's own
test of each batch (local.unchanged) on real files, and a next version built with 2 workers
against the same build in one process, with a file changed (same size, other bytes) among
unchanged ones."""
from __future__ import annotations

import os

import corpuspack
from corpuspack.builder.engines import local
from corpuspack.builder.engines.local import Known, Workers, stat_task, unchanged
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
    (tmp_path / "folder").mkdir()
    os.mkfifo(tmp_path / "fifo")
    odd = os.fsdecode(os.fsencode(str(tmp_path)) + b"/\xff\xfe-news.txt")  # a name that is not UTF-8
    arabic = str(tmp_path / "خبر عاجل.txt")
    for p in (odd, arabic):
        with open(p, "wb") as f:
            f.write(b"text")
    st = [os.lstat(p) for p in (a, b, c, odd, arabic)]
    folder = os.lstat(tmp_path / "folder")
    paths = [a, b, c, str(tmp_path / "link"), str(tmp_path / "missing"), None, str(tmp_path / "folder"),
             str(tmp_path / "fifo"), odd, arabic, arabic]
    sizes = [st[0].st_size, st[1].st_size + 1, st[2].st_size, st[0].st_size, 1, 0, folder.st_size, 0,
             4, 4, 4]
    times = [st[0].st_mtime_ns, st[1].st_mtime_ns, st[2].st_mtime_ns + 1, st[0].st_mtime_ns, 1, 0,
             folder.st_mtime_ns, os.lstat(tmp_path / "fifo").st_mtime_ns, st[3].st_mtime_ns, st[4].st_mtime_ns,
             st[4].st_mtime_ns - 1]
    answers = [bool(x) for x in stat_task(paths, sizes, times)]
    assert answers == [True, False, False, False, False, False, False, False, True, True, False]


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
