"""Builds killed for real (SIGINT, SIGTERM, SIGKILL sent to a `corpuspack build` process, and
SIGKILL to one of its workers) at several moments: before and during the commit of a version.
After each kill the versions that existed still load with `datasets`, no process of the build is
left, and running the same command again gives the bytes of a build that was never interrupted."""
from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid

import psutil
import pytest
from datasets import load_dataset

import corpuspack
from conftest import REPO, default_sigint, output_files
from corpus_gen import generate_corpus, write_corpus
from corpuspack.builder.release.verify import verify

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def setting(tmp_path_factory):
    """A dump that grows (100 -> 500 documents), the output after its version 1.0.0, and the
    output of 1.0.0 then 1.1.0 built without interruption (the reference)."""
    root = tmp_path_factory.mktemp("faults")
    docs = generate_corpus(500, seed=14)
    write_corpus(root / "small", docs[:100])
    write_corpus(root / "grown", docs)
    ref = root / "ref"
    corpuspack.build(root / "small", ref, version="1.0.0", jobs=2, progress=False)
    shutil.copytree(ref, root / "base")
    corpuspack.build(root / "grown", ref, version="1.1.0", jobs=2, progress=False)
    v1 = load_dataset(str(ref), "v1.0.0", split="train", cache_dir=str(root / "hf"))
    return {"grown": root / "grown", "base": root / "base", "ref": ref, "v1_rows": sorted(v1["id"])}


def _start(dump, out, marker, *extra):
    env = {**os.environ, "CORPUSPACK_FAULT_TEST": marker, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "corpuspack.cli", "build", str(dump), str(out),
                             "--version", "1.1.0", "--jobs", "2", "--quiet", *extra],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=default_sigint)


def _processes(marker):
    """Live processes started for this run (the build, its fork server, workers, resource tracker)."""
    found = []
    for p in psutil.process_iter():
        try:
            if p.environ().get("CORPUSPACK_FAULT_TEST") == marker and p.status() != psutil.STATUS_ZOMBIE:
                found.append(p)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            pass
    return found


def _wait_until(build, ready, what):
    """Spin until ``ready()`` (a moment of the build), with the build still running."""
    while not ready():
        if build.poll() is not None:
            pytest.fail(f"the build ended before {what}: {build.stderr.read()[-2000:]}")
    if build.poll() is not None:
        pytest.fail(f"the build ended at {what}, before the signal")


def _none_left(marker):
    deadline = time.monotonic() + 60
    while (left := _processes(marker)) and time.monotonic() < deadline:
        time.sleep(0.2)
    for p in left:  # do not leave them to the rest of the suite; the assertion below reports them
        p.kill()
    return [" ".join(p.cmdline())[:100] for p in left]


MOMENTS = {
    # pass 1 running: its staging file exists
    "pass 1": lambda out: bool(glob.glob(str(out / ".corpuspack-tmp-*" / "stage.arrow"))),
    # the commit started: the journal is written, the card and manifest are on their way
    "commit started": lambda out: (out / ".cache" / "commit.json").exists(),
    # the version's manifest has just appeared
    "manifest written": lambda out: (out / "versions" / "1.1.0" / "manifest.json").exists(),
}


@pytest.mark.parametrize("sig, moment", [
    (signal.SIGINT, "pass 1"), (signal.SIGTERM, "pass 1"), (signal.SIGKILL, "pass 1"),
    (signal.SIGKILL, "commit started"), (signal.SIGKILL, "manifest written"),
])
def test_a_killed_build_leaves_loadable_versions_no_process_and_reruns_to_the_same_bytes(setting, tmp_path, sig, moment):
    out = tmp_path / "out"
    shutil.copytree(setting["base"], out)
    marker = uuid.uuid4().hex
    build = _start(setting["grown"], out, marker)
    _wait_until(build, lambda: MOMENTS[moment](out), moment)
    build.send_signal(sig)
    build.wait(timeout=120)
    err = build.stderr.read()
    assert build.returncode == {signal.SIGINT: -2, signal.SIGTERM: 143, signal.SIGKILL: -9}[sig], err
    assert "Traceback" not in err, err
    assert _none_left(marker) == []

    # the version that existed loads as before, killed build or not
    v1 = load_dataset(str(out), "v1.0.0", split="train", cache_dir=str(tmp_path / "hf"))
    assert sorted(v1["id"]) == setting["v1_rows"]
    committed = (out / "versions" / "1.1.0" / "manifest.json").exists()
    if sig != signal.SIGKILL:  # unwound: nothing of the new version, no work folder, no .tmp file
        assert not committed and not (out / "versions" / "1.1.0").exists()
        assert not glob.glob(str(out / ".corpuspack-tmp-*")) and not glob.glob(str(out / "**" / "*.tmp"), recursive=True)
        assert verify(str(out)) == []

    # the same command again: completes (or, when the version was committed before the kill, says so)
    again = _start(setting["grown"], out, marker)
    _, err = again.communicate(timeout=600)
    if committed:
        assert again.returncode == 2 and "not greater than the latest version 1.1.0" in err, err
    else:
        assert again.returncode == 0, err
    assert _none_left(marker) == []
    assert not glob.glob(str(out / ".corpuspack-tmp-*"))
    assert not glob.glob(str(out / "**" / "*.tmp"), recursive=True)
    assert not (out / ".cache" / "commit.json").exists()
    assert verify(str(out)) == []
    assert output_files(out) == output_files(setting["ref"])


def test_a_killed_worker_stops_the_build_with_an_error_naming_its_files(setting, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(setting["base"], out)
    marker = uuid.uuid4().hex
    build = _start(setting["grown"], out, marker)
    me = psutil.Process(build.pid)

    def workers():
        try:
            server = [c for c in me.children() if "forkserver" in " ".join(c.cmdline())]
            return server[0].children() if server else []
        except (psutil.NoSuchProcess, psutil.ZombieProcess, IndexError):
            return []

    _wait_until(build, lambda: MOMENTS["pass 1"](out) and workers(), "pass 1")
    workers()[0].kill()
    _, err = build.communicate(timeout=120)
    assert build.returncode == 2, err
    assert "Traceback" not in err and "BrokenProcessPool" not in err
    assert "a worker process ended abruptly" in err and "process_batch" in err
    assert ".txt" in err  # the files of the batch it was processing
    assert _none_left(marker) == []
    assert not (out / "versions" / "1.1.0").exists()
    assert load_dataset(str(out), "v1.0.0", split="train", cache_dir=str(tmp_path / "hf")).num_rows == len(setting["v1_rows"])
