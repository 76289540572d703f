"""An output folder touched by hand or by a killed build, and options datasets cannot load (found by a
torture run of version lifecycles, round 36): each command says what is wrong, naming the file,
without a traceback; nothing half-made is published. Checked against what the files hold, written
by hand, and against ``datasets.load_dataset``."""
import shutil
from pathlib import Path

import pytest

import corpuspack
from corpuspack.builder.release import validate as validate_mod
from corpuspack.cli import main

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory):
    out = tmp_path_factory.mktemp("two") / "out"
    corpuspack.build(SEEDS, out, progress=False, jobs=1)
    corpuspack.build(SEEDS, out, version="1.1.0", progress=False, jobs=1)
    return out


@pytest.mark.parametrize("text, said", [
    ("{}", "its version is None"), ("[]", "a JSON list"), ("null", "a JSON NoneType"),
    ('{"version": "1.0.0", "splits": "x"}', "no splits object"),
    ('{"version": "1.5.0", "splits": ', "not a readable manifest (JSONDecodeError"),
])
def test_a_manifest_that_is_not_one_is_said_by_every_command(two_versions, tmp_path, capsys, text, said):
    out = tmp_path / "out"
    shutil.copytree(two_versions, out)
    manifest = out / "versions" / "1.0.0" / "manifest.json"
    manifest.write_text(text, encoding="utf-8")
    for command in (["versions"], ["verify"], ["validate"], ["card"], ["diff", "_", "1.0.0", "1.1.0"],
                    ["build", str(SEEDS), "_", "--version", "1.2.0", "--quiet", "--jobs", "1"]):
        args = [str(out) if a == "_" else a for a in command]
        if len(args) == 1:
            args.append(str(out))
        capsys.readouterr()
        assert main(args) != 0, command
        err = capsys.readouterr().err
        assert f"{manifest}: " in err and said in err and "Traceback" not in err, (command, err)
    assert sorted(p.name for p in (out / "data").iterdir()) == ["v1.0.0", "v1.1.0"]  # the build wrote nothing


def test_data_files_no_version_lists_are_said_and_removed(two_versions, tmp_path, capsys):
    out = tmp_path / "out"
    shutil.copytree(two_versions, out)
    orphan = out / "data" / "v1.2.0" / "train-00000-of-00001-0123456789abcdef0123.parquet"
    orphan.parent.mkdir()
    shutil.copy(next((out / "data" / "v1.1.0").glob("*.parquet")), orphan)  # as a killed build leaves it
    problems = validate_mod.validate(str(out), load=False)
    assert [p for p in problems if "no version lists it" in p] == [
        "data/v1.2.0/train-00000-of-00001-0123456789abcdef0123.parquet: no version lists it (left by a build "
        "that did not finish? `corpuspack card OUT` removes it)"]
    assert main(["card", str(out)]) == 0  # holds the folder's lock: settles what a killed build left
    assert not orphan.exists() and not orphan.parent.exists()

    # a folder of the user's own (no version in it) is never cleaned
    mine = tmp_path / "mine"
    (mine / "data").mkdir(parents=True)
    shutil.copy(orphan.parent.parent / "v1.1.0" / next((out / "data" / "v1.1.0").glob("*.parquet")).name,
                mine / "data" / "table.parquet")
    assert main(["card", str(mine)]) != 0
    assert (mine / "data" / "table.parquet").exists()


@pytest.mark.parametrize("name", ["all", "ALL", "All"])
def test_a_split_named_all_is_refused(tmp_path, capsys, name):
    assert main(["build", str(SEEDS), str(tmp_path / "out"), "--splits", f"{name}=1", "--quiet"]) != 0
    assert "the name datasets gives every split together" in capsys.readouterr().err
    assert not (tmp_path / "out" / "versions").exists()


def test_a_card_file_that_is_not_yaml_is_named(tmp_path, capsys):
    bad = tmp_path / "fields.yaml"
    bad.write_text("license: [mit\n", encoding="utf-8")
    assert main(["build", str(SEEDS), str(tmp_path / "out"), "--card-file", str(bad), "--quiet"]) != 0
    err = capsys.readouterr().err
    assert f"--card-file {bad}: not a YAML file" in err and "Traceback" not in err


def test_the_readmes_splits_on_a_small_dump_validate_and_load(tmp_path, hf_cache, monkeypatch):
    """The README's own ``--splits`` on 5 documents: two empty splits, their (empty) files in the
    version's folder and out of its config; validate finds nothing, and loads the data though the
    card lacks a license (a problem of what the card says, not of the data)."""
    from datasets import load_dataset

    out = tmp_path / "out"
    corpuspack.build(SEEDS, out, progress=False, jobs=1, splits=(("train", 0.98), ("validation", 0.01), ("test", 0.01)),
                     license="mit")
    assert validate_mod.validate(str(out)) == []
    assert load_dataset(str(out), cache_dir=hf_cache)["train"].num_rows == 5

    loads = []
    real = validate_mod._load
    monkeypatch.setattr(validate_mod, "_load", lambda root, data: loads.append(root) or real(root, data))
    bare = tmp_path / "bare"
    corpuspack.build(SEEDS, bare, progress=False, jobs=1)
    problems = validate_mod.validate(str(bare))
    assert any("no license" in p for p in problems) and loads == [str(bare)]
