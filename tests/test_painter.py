"""The card's charts drawn by the painter process of a build with workers (release/painter.py):
the same bytes as those the build's own process draws (a --jobs 1 build), and drawn by it
when the painter cannot."""
from __future__ import annotations

import os

import pytest

import corpuspack
from corpuspack.builder.release import charts, painter
from conftest import SEEDS

pytest.importorskip("matplotlib")


def _charts(out) -> dict[str, bytes]:
    folder = out / charts.CHARTS_DIR
    return {name: (folder / name).read_bytes() for name in sorted(os.listdir(folder))}


@pytest.fixture(scope="module")
def drawn_here(tmp_path_factory):
    """The charts of the seeds as the build's own process draws them (no painter with --jobs 1)."""
    out = tmp_path_factory.mktemp("here") / "out"
    corpuspack.build(SEEDS, out, jobs=1, progress=False)
    return _charts(out)


def test_the_painter_draws_the_charts(tmp_path, monkeypatch, drawn_here):
    def not_here(*args, **kwargs):
        raise AssertionError("the build's process drew the charts")

    monkeypatch.setattr(charts, "draw", not_here)  # in this process only; the painter has its own
    corpuspack.build(SEEDS, tmp_path / "out", jobs=2, progress=False)
    assert _charts(tmp_path / "out") == drawn_here
    assert len(drawn_here) == len(charts.CHARTS)


def test_the_card_is_written_while_the_painter_draws(tmp_path, monkeypatch, drawn_here):
    """The build hands the painter its job, writes the card's text and croissant.json, and only
    then waits for the charts: when the wait begins, both files are there and no chart yet is
    known to be done by this process; the charts are those the build's own process draws."""
    seen = []
    done = painter.Painter.done

    def waited(self):
        out = tmp_path / "out"
        seen.append(((out / "README.md").is_file(), (out / "croissant.json").is_file()))
        return done(self)

    monkeypatch.setattr(painter.Painter, "done", waited)
    corpuspack.build(SEEDS, tmp_path / "out", jobs=2, progress=False)
    assert seen == [(True, True)]
    assert _charts(tmp_path / "out") == drawn_here


def test_a_card_that_fails_ends_the_painter_and_draws_nothing(tmp_path, monkeypatch):
    """Writing the card fails while the painter holds its job: the error is the build's, the
    painter is ended (not waited for), and no chart is drawn in the build's process."""
    from corpuspack.builder.release import card

    drew = []
    monkeypatch.setattr(charts, "draw", lambda *a, **k: drew.append(1))
    monkeypatch.setattr(painter.Painter, "done", lambda self: pytest.fail("waited for the painter"))
    monkeypatch.setattr(card, "card_text", lambda *a, **k: (_ for _ in ()).throw(OSError(28, "No space left")))
    with pytest.raises(OSError, match="No space left"):
        corpuspack.build(SEEDS, tmp_path / "out", jobs=2, progress=False)
    assert drew == []
    assert painter._current is None


@pytest.mark.parametrize("serve", ["raise SystemExit(3)", "import sys; sys.stdin.buffer.read(); print('no')"])
def test_a_failed_painter_leaves_the_charts_to_the_build(tmp_path, monkeypatch, drawn_here, serve):
    monkeypatch.setattr(painter, "_SERVE", serve)
    drew = []
    draw = charts.draw
    monkeypatch.setattr(charts, "draw", lambda *a: drew.append(1) or draw(*a))
    corpuspack.build(SEEDS, tmp_path / "out", jobs=2, progress=False)
    assert drew == [1]
    assert _charts(tmp_path / "out") == drawn_here


LINGERS = ("import pickle, sys, time; sys.path[:] = pickle.load(sys.stdin.buffer); "
           "from corpuspack.builder.release import charts, painter; "
           "assert sys.stdin.buffer.read(len(painter.GO)) == painter.GO; charts.prepare(); "
           "root, stats = pickle.load(sys.stdin.buffer); charts.draw(root, stats); "
           "sys.stdout.buffer.write(painter.DONE); sys.stdout.buffer.flush(); time.sleep(120)")


def test_the_build_goes_on_when_the_painter_says_done_not_at_its_exit(tmp_path, monkeypatch, drawn_here):
    """A painter that draws, says it is done, then lingers (as an interpreter's teardown would, with
    matplotlib loaded): the build takes its charts at once, ends it, and does not wait for its exit."""
    import time

    monkeypatch.setattr(painter, "_SERVE", LINGERS)
    monkeypatch.setattr(charts, "draw", lambda *a, **k: pytest.fail("drawn in the build's process"))
    started = time.monotonic()
    corpuspack.build(SEEDS, tmp_path / "out", jobs=2, progress=False)
    assert time.monotonic() - started < 60  # the painter would have held it 120 s
    assert _charts(tmp_path / "out") == drawn_here


STARTS = """
import json, sys
if sys.argv[3] == "no-matplotlib":
    sys.modules["matplotlib"] = None  # importlib finds no matplotlib: as if it were not installed
import corpuspack
from corpuspack.builder.release import painter
started = []
init = painter.Painter.__init__
painter.Painter.__init__ = lambda self: started.append(1) or init(self)
error = None
try:
    corpuspack.build(sys.argv[1], sys.argv[2], version="1.0.0", jobs=int(sys.argv[4]), progress=False,
                     **json.loads(sys.argv[5]))
except Exception as e:
    error = type(e).__name__
import psutil
left = [" ".join(p.cmdline()) for p in psutil.Process().children(recursive=True)]
print(json.dumps({"started": len(started), "error": error, "painters": sum("painter" in c for c in left)}))
"""


def _starts(tmp_path, name, matplotlib="yes", jobs=2, dump=SEEDS, **kwargs) -> dict:
    import json
    import subprocess
    import sys

    from conftest import REPO

    r = subprocess.run([sys.executable, "-c", STARTS, str(dump), str(tmp_path / name), matplotlib, str(jobs),
                        json.dumps(kwargs)], capture_output=True, text=True, timeout=300,
                       env={**os.environ, "PYTHONPATH": str(REPO)})
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_a_build_with_workers_starts_one_painter_and_leaves_none(tmp_path):
    assert _starts(tmp_path, "ok") == {"started": 1, "error": None, "painters": 0}


def test_no_painter_without_workers_or_without_matplotlib(tmp_path):
    assert _starts(tmp_path, "one", jobs=1) == {"started": 0, "error": None, "painters": 0}
    assert _starts(tmp_path, "none", matplotlib="no-matplotlib") == {"started": 0, "error": None, "painters": 0}


@pytest.mark.parametrize("fails", ["options", "input", "manifest"])
def test_a_failed_build_leaves_no_painter(tmp_path, fails):
    kwargs = {"options": {"near_dedup": "nonsense"}, "input": {}, "manifest": {"manifest": str(tmp_path / "no.csv")}}[fails]
    dump = tmp_path / "missing" if fails == "input" else SEEDS
    got = _starts(tmp_path, "failed", dump=dump, **kwargs)
    assert got["error"] is not None and got["started"] == 1 and got["painters"] == 0


def _has_matplotlib(pid: int) -> bool:
    with open(f"/proc/{pid}/maps", encoding="utf-8", errors="replace") as f:  # its compiled modules, once imported
        return "matplotlib" in f.read()


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc/PID/maps")
def test_the_painter_imports_matplotlib_only_when_told():
    """Started with the build, the painter waits for :func:`painter.go` (the build's own imports done)
    before it imports matplotlib, then imports it without being handed a job."""
    import time

    p = painter.Painter()
    try:
        time.sleep(1.5)  # ~3x what the import takes
        assert p._proc.poll() is None and not _has_matplotlib(p._proc.pid)
        p.go()
        deadline = time.monotonic() + 30
        while not _has_matplotlib(p._proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _has_matplotlib(p._proc.pid)
    finally:
        p.close()


def test_the_painter_runs_at_a_lower_priority():
    """The painter lowers its own priority as it starts (its import of matplotlib takes the cores the
    build leaves): its niceness, read by psutil, is the build's plus ``painter.NICE`` (at most 19)."""
    import time

    import psutil

    p = painter.Painter()
    try:
        own = psutil.Process().nice()
        deadline = time.monotonic() + 30
        while psutil.Process(p._proc.pid).nice() == own and time.monotonic() < deadline:
            time.sleep(0.05)
        assert psutil.Process(p._proc.pid).nice() == min(19, own + painter.NICE)
        assert painter.NICE >= 5
    finally:
        p.close()
