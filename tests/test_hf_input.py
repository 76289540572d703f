"""A dump in a Hugging Face Hub dataset repository (``hf://datasets/...``, read through
``huggingface_hub``'s fsspec filesystem, which pyarrow wraps), built with both engines, against the
same folder on a local disk. There is no network here: the Hub is a local stand-in serving the
folder through the Hub's HTTP API (tests/hub_server.py), started by the test; ``HF_ENDPOINT``
points ``huggingface_hub`` at it, in a fresh CLI process as a user runs it.

The Hub recommends at most 10,000 entries a folder and 100,000 files a repository
(https://huggingface.co/docs/hub/en/repositories-recommendations), so a dump there comes in subfolders: the top folder is listed by the build's
process (one level), each subfolder by a task of the engine (recursively); the listing's pages
(the Hub's cursor, a ``Link`` header) are followed."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

pytest.importorskip("huggingface_hub")

import corpuspack  # noqa: E402
from conftest import output_files  # noqa: E402
from corpus_gen import generate_corpus  # noqa: E402
from dump_forms import build_report, write_dump  # noqa: E402
from hub_server import HubServer  # noqa: E402


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """(the local dump, the Hub serving it)."""
    dump = tmp_path_factory.mktemp("hub") / "dump"
    write_dump(dump, n=40)  # the seeds, articles in subfolders, hidden and version-control files
    for name, text, _ in generate_corpus(130, seed=5, article_words=(40, 80)):  # more than a page
        (dump / "crawl" / "2024").mkdir(parents=True, exist_ok=True)
        (dump / "crawl" / "2024" / name).write_text(text, encoding="utf-8")
    server = HubServer(dump, "lab/dump", page=50)
    yield dump, server
    server.close()


def _cli(uri: str, out: Path, server: HubServer, *extra: str) -> subprocess.CompletedProcess:
    """``corpuspack build URI OUT`` in a fresh process pointed at the stand-in Hub."""
    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_OFFLINE"}  # (the Hub here is local)
    env.update({"HF_ENDPOINT": server.endpoint, "HF_DATASETS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"})
    return subprocess.run([sys.executable, "-m", "corpuspack.cli", "build", uri, str(out), "--quiet", *extra],
                          env=env, capture_output=True, text=True, timeout=600)


def _cli_build(uri: str, out: Path, server: HubServer, *extra: str) -> None:
    done = _cli(uri, out, server, *extra)
    assert done.returncode == 0, done.stderr[-3000:]


def _trees(server: HubServer, since: int) -> list[str]:
    """The tree listings asked for since request ``since``: ``folder?recursive`` (no page cursors)."""
    out = []
    for method, path in server.requests[since:]:
        if "/tree/main" in path and "cursor=" not in path:
            folder, _, query = path.split("/tree/main", 1)[1].partition("?")
            out.append(f"{folder.lstrip('/')}?{'recursive' if 'recursive=true' in query.lower() else 'one level'}")
    return out


def test_an_hf_dump_gives_the_local_folders_bytes(hub, tmp_path):
    dump, server = hub
    corpuspack.build(dump, tmp_path / "local", jobs=2, progress=False)
    before = len(server.requests)
    _cli_build("hf://datasets/lab/dump", tmp_path / "remote", server, "--jobs", "2")
    a, b = output_files(tmp_path / "local"), output_files(tmp_path / "remote")
    assert sorted(a) == sorted(b) and [n for n in a if a[n] != b[n]] == []
    counts = build_report(tmp_path / "remote")["counts"]
    assert counts["found"] >= 175 and counts["included"] > 150
    trees = _trees(server, before)
    assert "?one level" in trees and "?recursive" not in trees  # the top: one level, never the dump whole
    folders = sorted(p.name for p in dump.iterdir() if p.is_dir())
    deep = {unquote(t.split("?")[0]).split("/")[0] for t in trees if t.endswith("?recursive")}
    assert sorted(deep) == folders  # each folder listed by a task
    assert any("cursor=" in path for _, path in server.requests[before:])  # pages followed
    assert sum("/resolve/main/" in path for _, path in server.requests[before:]) >= counts["found"] - 10


def test_an_hf_dump_on_ray_gives_the_local_engines_bytes(hub, tmp_path):
    pytest.importorskip("ray")
    dump, server = hub
    corpuspack.build(dump, tmp_path / "local", jobs=2, progress=False)
    _cli_build("hf://datasets/lab/dump", tmp_path / "ray", server, "--engine", "ray", "--jobs", "2")
    a, b = output_files(tmp_path / "local"), output_files(tmp_path / "ray")
    assert sorted(a) == sorted(b) and [n for n in a if a[n] != b[n]] == []


def test_a_missing_hf_folder_is_an_error_naming_it(hub, tmp_path):
    dump, server = hub
    done = _cli("hf://datasets/lab/dump/nowhere", tmp_path / "out", server)
    assert done.returncode != 0 and "nowhere" in done.stderr and "Traceback" not in done.stderr
