"""The command line refuses what it cannot use before any work, naming the option and what it
allows; paths that are not what a command needs are named as such; push without a network is one
line; every command is also a Python function."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

import corpuspack
from conftest import REPO, SEEDS
from corpuspack.cli import main


@pytest.mark.parametrize("args, option, allowed", [
    (["--jobs", "-3"], "--jobs", "1 or more"),
    (["--jobs", "0"], "--jobs", "1 or more"),
    (["--jobs", "two"], "--jobs", "1 or more"),
    (["--drop-quality", "bogus"], "--drop-quality", "tiny"),
    (["--near-dup-threshold", "5"], "--near-dup-threshold", "at most 1"),
    (["--near-dup-threshold", "0"], "--near-dup-threshold", "above 0"),
    (["--splits", "train=abc"], "--splits", "'abc'"),
    (["--splits", "train=0.5"], "--splits", "add up to 1"),
    (["--repeated-line-min-docs", "1"], "--repeated-line-min-docs", "2 or more"),
    (["--repeated-line-min-fraction", "1.5"], "--repeated-line-min-fraction", "from 0 to 1"),
    (["--max-file-size", "12Q"], "--max-file-size", "64M"),
    (["--max-file-size", "0"], "--max-file-size", "64M"),
    (["--encoding", "klingon"], "--encoding", "cp1256"),
    (["--version", "1.0"], "--version", "MAJOR.MINOR.PATCH"),
    (["--near-dedup", "delete"], "--near-dedup", "annotate"),
])
def test_every_bad_option_is_refused_before_any_work_naming_it(tmp_path, capsys, args, option, allowed):
    out = tmp_path / "out"
    assert main(["build", str(SEEDS), str(out), *args]) == 2
    err = capsys.readouterr().err
    assert option in err and allowed in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize("kwargs, option", [
    ({"jobs": 0}, "--jobs"), ({"drop_quality": ("bogus",)}, "--drop-quality"),
    ({"near_dup_threshold": 5}, "--near-dup-threshold"), ({"max_file_size": -1}, "--max-file-size"),
    ({"encoding": "klingon"}, "--encoding"), ({"splits": (("train", 0.5),)}, "--splits"),
])
def test_the_python_api_checks_the_same_options(tmp_path, kwargs, option):
    with pytest.raises(ValueError, match=option):
        corpuspack.build(SEEDS, tmp_path / "out", progress=False, **kwargs)
    assert not (tmp_path / "out").exists()


def test_paths_that_are_not_what_the_command_needs_are_named(tmp_path, capsys):
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("x")
    assert main(["build", str(a_file), str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err  # a file that is no archive nor JSON Lines
    assert "input is not a folder, an archive (" in err and err.rstrip().endswith(f": {a_file}")
    assert main(["build", str(SEEDS), str(a_file)]) == 2
    assert f"the output folder {a_file} is a file, not a folder" in capsys.readouterr().err
    for command in (["card"], ["verify"], ["versions"], ["diff", "1.0.0", "1.0.0"]):
        assert main([command[0], str(tmp_path / "nowhere"), *command[1:]]) == 2
        err = capsys.readouterr().err
        assert "output folder not found" in err and ".tmp" not in err
    assert main(["card", str(tmp_path)]) == 2
    assert "holds no committed version" in capsys.readouterr().err
    assert main(["build", str(SEEDS), str(tmp_path / "out"), "--manifest", str(tmp_path / "none.csv")]) == 2
    assert "--manifest" in capsys.readouterr().err


def test_version_of_the_program(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith(f"corpuspack {corpuspack.__version__} (compiled kernels")


def test_push_without_a_network_is_one_line(tmp_path):
    """A real connection to a closed local port (nothing listens on port 9 here)."""
    out = tmp_path / "out"
    corpuspack.build(SEEDS, out, jobs=1, progress=False)
    env = {**os.environ, "HF_HUB_OFFLINE": "0", "HF_ENDPOINT": "http://127.0.0.1:9", "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "corpuspack.cli", "push", str(out), "user/dataset", "--token", "hf_x"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "could not reach the Hugging Face Hub" in lines[0] and "run push again" in lines[0]


def test_every_command_is_a_python_function(tmp_path, seeds_dir):
    out = tmp_path / "out"
    corpuspack.build(seeds_dir, out, version="1.0.0", jobs=1, progress=False)
    (tmp_path / "grown").mkdir()
    for p in sorted(seeds_dir.glob("*.txt"))[:3]:
        (tmp_path / "grown" / p.name).write_bytes(p.read_bytes())
    corpuspack.build(tmp_path / "grown", out, version="1.1.0", jobs=1, progress=False)
    assert [m["version"] for m in corpuspack.versions(out)] == ["1.0.0", "1.1.0"]
    n_seeds = len(list(seeds_dir.glob("*.txt")))
    assert corpuspack.versions(out)[0]["counts"]["found"] == n_seeds
    changes = corpuspack.diff(out, "1.0.0", "1.1.0")
    assert (len(changes["added"]), len(changes["removed"]), len(changes["changed"])) == (0, n_seeds - 3, 0)
    assert corpuspack.verify(out) == []
    card = out / "README.md"
    card.write_text("stale")
    assert corpuspack.verify(out) != []
    assert corpuspack.card(out) == str(card) and corpuspack.verify(out) == []
