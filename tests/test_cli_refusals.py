"""Commands refused before they touch anything (round 37: each was accepted before, see
docs/robustness.md): ``card`` and ``push`` on a folder that is no output left ``.cache/build.lock``
in it; ``--replace`` with a version that is not the latest added a version; ``--address`` without
``--engine ray`` was silently ignored."""
import os

import pytest

import corpuspack
from conftest import SEEDS
from corpuspack.cli import main


@pytest.mark.parametrize("command", [["card"], ["push", "{out}", "user/name"]])
def test_card_and_push_leave_a_folder_of_ones_own_untouched(tmp_path, capsys, command):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine\n", encoding="utf-8")
    argv = [a.replace("{out}", str(mine)) for a in command] + ([] if len(command) > 1 else [str(mine)])
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"{mine} holds no committed version" in err
    assert sorted(os.listdir(mine)) == ["notes.txt"]  # no .cache/build.lock


def test_replace_names_the_latest_version_only(tmp_path, capsys):
    out = tmp_path / "out"
    corpuspack.build(SEEDS, out, jobs=1, progress=False)
    for version in ("1.1.0", "0.9.0"):
        assert main(["build", str(SEEDS), str(out), "--version", version, "--replace", "--quiet"]) == 2
        err = capsys.readouterr().err
        assert f"--replace rewrites the latest version, 1.0.0, not {version}" in err
    assert sorted(os.listdir(out / "versions")) == ["1.0.0"]
    # the latest itself: rewritten (the check can pass)
    assert main(["build", str(SEEDS), str(out), "--version", "1.0.0", "--replace", "--jobs", "1", "--quiet"]) == 0


def test_address_without_the_ray_engine_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["build", str(SEEDS), str(out), "--address", "auto", "--quiet"]) == 2
    assert "--address: the Ray cluster to join, given with --engine ray only (the engine is 'local')" in capsys.readouterr().err
    assert not out.exists()
    with pytest.raises(ValueError, match="--address"):
        corpuspack.build(SEEDS, out, address="ray://head:10001", progress=False)
