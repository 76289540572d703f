"""Versions built one after another into an output folder named by a relative path, as the README's
commands do (``corpuspack build dump out/``). A version whose every row came from the last build's
stage (the same dump built again) kept a stage that referred to its own file under another spelling
of its path; the file was replaced, and every later build of that folder failed ("Batch number 0 out
of range", found by a torture run, round 36). The same versions built into an absolute path are the
reference: the same bytes, every build succeeding."""
import os
import shutil
from pathlib import Path

import pytest

import corpuspack
from conftest import output_files

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"


@pytest.fixture
def dumps(tmp_path):
    a = tmp_path / "a"
    shutil.copytree(SEEDS, a)
    b = tmp_path / "b"
    shutil.copytree(SEEDS, b)
    first = sorted(b.iterdir())[0]
    first.write_bytes(first.read_bytes() + "\nوأضاف المتحدث أن الاجتماع المقبل سيعقد في دمشق.\n".encode("utf-8"))
    return a, b


@pytest.mark.parametrize("jobs", [1, 2])
def test_versions_into_a_relative_path_are_those_into_an_absolute_one(tmp_path, dumps, monkeypatch, jobs):
    a, b = dumps
    steps = [(a, "1.0.0"), (a, "1.1.0"), (b, "1.2.0"), (b, "1.3.0"), (a, "1.4.0")]  # unchanged, changed, back
    for dump, version in steps:
        corpuspack.build(dump, tmp_path / "absolute", version=version, progress=False, jobs=jobs)
    monkeypatch.chdir(tmp_path)
    for dump, version in steps:
        corpuspack.build(os.path.relpath(dump), os.path.join("relative", "out"), version=version, progress=False,
                         jobs=jobs)
    assert output_files(tmp_path / "relative" / "out") == output_files(tmp_path / "absolute")
