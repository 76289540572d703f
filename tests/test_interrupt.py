"""Ctrl-C for real: a build in a subprocess, big enough to be mid-flight, is sent SIGINT at several
moments (to its process alone, as `kill -INT` does, or to its whole process group, as a terminal's
Ctrl-C does). Each time: the process ends by SIGINT after one line (a shell shows 130), no work
folder, no process of the build left, the previous version still the one `load_dataset` reads, and a
rerun gives the bytes of a build never interrupted.

SIGTERM and SIGKILL are the robustness issue's (#14): not tested here yet. Nor is SIGINT to the whole
group in pass 3: one such run, in a full suite on a machine under load ~28, did not end within 300 s
of the signal (a hang or extreme slowness, not reproduced alone); it is reported to #14."""
import glob
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time

import psutil
import pytest
from datasets import load_dataset

import corpuspack
from conftest import REPO, default_sigint, output_files
from corpus_gen import generate_corpus

DOCS = 1200  # ~10 batches of 256: pass 1 lasts long enough on 2 cores to be caught in its middle
SMALL = 40


@pytest.fixture(scope="module")
def dumps(tmp_path_factory):
    root = tmp_path_factory.mktemp("interrupt")
    small, big = root / "small", root / "big"
    small.mkdir()
    big.mkdir()
    for i, (name, text, _) in enumerate(generate_corpus(DOCS, 7, article_words=(60, 120))):
        (big / name).write_text(text, encoding="utf-8")
        if i < SMALL:
            (small / name).write_text(text, encoding="utf-8")
    kept = [name for name, _, truth in generate_corpus(SMALL, 7, article_words=(60, 120))
                  if truth["kind"] != "exact_dup"]  # the exact duplicates are dropped
    previous = root / "previous"  # the output holding 1.0.0 (the small dump), copied by each test
    corpuspack.build(small, previous, version="1.0.0", jobs=1, progress=False)
    reference = root / "reference"  # 1.0.0 then 1.1.0, never interrupted
    shutil.copytree(previous, reference)
    corpuspack.build(big, reference, version="1.1.0", jobs=2, progress=False)
    return big, previous, reference, kept


def _work_file(out, name):
    return glob.glob(os.path.join(out, ".corpuspack-tmp-*", name))


def _running_own_code(pid: int) -> bool:
    """The command runs its own imports (pyarrow's library is mapped): the interpreter's start is
    over. A Ctrl-C that falls inside that start (importing `site`, the standard streams) ends
    CPython its own way, before any code of this package ("Fatal Python error: init_import_site",
    status 1; or, in an import lock's callback, ignored), which no command can change."""
    try:
        with open(f"/proc/{pid}/maps") as f:
            return "libarrow" in f.read()
    except OSError:
        return False


MOMENTS = {  # when to send the signal: a condition polled on the output folder (and the build's pid)
    "at once": lambda out, pid: _running_own_code(pid),
    "work folder made": lambda out, pid: bool(glob.glob(os.path.join(out, ".corpuspack-tmp-*"))),
    "pass 1": lambda out, pid: any(os.path.getsize(f) > 200_000 for f in _work_file(out, "stage.arrow")),
    # pass 3b's first rows: the local engine's workers write them to files of their own (finished/), the
    # layout final.arrow names them comes once they are all written
    "pass 3": lambda out, pid: bool(_work_file(out, "finished/*.arrow") or _work_file(out, "final.arrow")),
}


def _cli_build(big, out, **popen):
    return subprocess.Popen([sys.executable, "-m", "corpuspack.cli", "build", str(big), str(out),
                             "--version", "1.1.0", "--jobs", "2", "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)}, preexec_fn=default_sigint, **popen)


def _gone(pids, timeout=60):
    """The processes among ``pids`` still running after ``timeout`` seconds (zombies are dead)."""
    procs = []
    for pid in pids:
        try:
            procs.append(psutil.Process(pid))
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(procs, timeout=timeout)
    running = []
    for p in alive:
        try:
            if p.status() != psutil.STATUS_ZOMBIE:
                running.append((p.pid, p.cmdline()))
        except psutil.NoSuchProcess:
            pass
    return running


@pytest.mark.parametrize("moment, group, rerun", [
    ("at once", True, False),
    ("work folder made", False, False),
    ("pass 1", False, True),
    ("pass 1", True, False),
    ("pass 3", False, True),
])
def test_sigint_leaves_the_previous_version_and_nothing_else(dumps, tmp_path, moment, group, rerun):
    big, previous, reference, kept = dumps
    out = tmp_path / "out"
    shutil.copytree(previous, out)
    before = output_files(out)
    build = _cli_build(big, out, start_new_session=True)  # its own process group, as a shell job
    children: set[int] = set()
    ready = MOMENTS[moment]
    while build.poll() is None and not ready(str(out), build.pid):
        try:
            children |= {c.pid for c in psutil.Process(build.pid).children(recursive=True)}
        except psutil.NoSuchProcess:
            pass
        time.sleep(0.002)
    assert build.poll() is None, f"the build ended before the moment '{moment}': make the dump bigger"
    os.killpg(build.pid, signal.SIGINT) if group else build.send_signal(signal.SIGINT)
    try:
        _, err = build.communicate(timeout=300)
    except subprocess.TimeoutExpired:  # a hang: say which processes were left, then end them
        left = _gone(children | {build.pid}, timeout=0)
        os.killpg(build.pid, signal.SIGKILL)
        build.communicate()
        pytest.fail(f"the build did not end within 300 s of SIGINT ({moment}); still running: {left}")

    # an interrupted command ends by SIGINT (a shell shows 130), whether it had started or not
    assert build.returncode == -signal.SIGINT, err
    if moment != "at once":  # maybe before main() runs: Python then dies by SIGINT without a word
        assert err.rstrip().endswith("corpuspack build: interrupted"), err
    assert not glob.glob(str(out / ".corpuspack-tmp-*"))
    assert _gone(children) == []
    assert output_files(out) == before  # nothing of 1.1.0 written, nothing of 1.0.0 touched
    rows = load_dataset(str(out), split="train", cache_dir=str(tmp_path / "hf"))
    assert sorted(rows["file_name"]) == sorted(kept)

    if rerun:
        again = _cli_build(big, out)
        _, err = again.communicate(timeout=600)
        assert again.returncode == 0, err
        got, want = output_files(out), output_files(reference)
        assert got.keys() == want.keys()
        assert [k for k in want if got[k] != want[k]] == []


INTERRUPTED_IN = """
import sys
import corpuspack.cli as cli

def interrupted(args):  # a Ctrl-C that falls in the build, as the signal handler raises it
    if sys.argv[1] == "eval":  # inside eval() of a string, as in every collections.namedtuple of an import
        eval("(_ for _ in ()).throw(KeyboardInterrupt())")
    raise KeyboardInterrupt

cli._build = interrupted
sys.argv[1:] = ["build", "in", "out"]
cli.run()
"""


@pytest.mark.parametrize("where", ["eval", "code"])
def test_an_interrupted_command_always_ends_by_sigint(tmp_path, where):
    """Wherever the KeyboardInterrupt was raised, the command ends the same way: one line, then
    death by SIGINT. (CPython ends a process whose KeyboardInterrupt passed through eval() of a
    string by SIGINT even when it was caught; the status then depended on where Ctrl-C fell: the
    rare -2 of test_sigint_leaves_the_previous_version_and_nothing_else[work folder made-...] where
    130 was expected, the signal having fallen while `datasets` was being imported.)"""
    done = subprocess.run([sys.executable, "-c", INTERRUPTED_IN, where], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, cwd=tmp_path, timeout=120)
    assert (done.returncode, done.stderr) == (-signal.SIGINT, "corpuspack build: interrupted\n")


def _reader_writing(build_pid):
    """The pid of the build's archive reader (the process holding a spool file open for writing), or None."""
    try:
        procs = psutil.Process(build_pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return None
    for p in procs:
        try:
            if any(f.path.endswith(".spool") and "w" in f.mode for f in p.open_files()):
                return p.pid
        except psutil.Error:
            pass
    return None


@pytest.mark.parametrize("group", [True, False])
def test_sigint_while_an_archive_is_read_ends_its_reader_process(dumps, tmp_path, group):
    """A .tar.gz built with workers is read by a process of its own (document/inputs/spool.py):
    Ctrl-C while it reads ends it with the build, and its spool goes with the work folder."""
    big, previous, _, kept = dumps
    archive = tmp_path / "big.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:  # 5 copies: the reader is still reading when caught
        for copy in range(5):
            tar.add(big, arcname=f"copy{copy}")
    out = tmp_path / "out"
    shutil.copytree(previous, out)
    before = output_files(out)
    build = _cli_build(archive, out, start_new_session=True)
    children: set[int] = set()
    reader = None
    while build.poll() is None and reader is None:
        try:
            children |= {c.pid for c in psutil.Process(build.pid).children(recursive=True)}
        except psutil.NoSuchProcess:
            pass
        reader = _reader_writing(build.pid)
        time.sleep(0.002)
    assert build.poll() is None and reader is not None, "the build ended before its reader was seen"
    children.add(reader)
    os.killpg(build.pid, signal.SIGINT) if group else build.send_signal(signal.SIGINT)
    try:
        _, err = build.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        left = _gone(children | {build.pid}, timeout=0)
        os.killpg(build.pid, signal.SIGKILL)
        build.communicate()
        pytest.fail(f"the build did not end within 300 s of SIGINT; still running: {left}")
    assert build.returncode == -signal.SIGINT, err
    assert err.rstrip().endswith("corpuspack build: interrupted"), err
    assert not glob.glob(str(out / ".corpuspack-tmp-*"))
    assert _gone(children) == []
    assert output_files(out) == before
    rows = load_dataset(str(out), split="train", cache_dir=str(tmp_path / "hf"))
    assert sorted(rows["file_name"]) == sorted(kept)
