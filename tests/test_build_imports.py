"""What a build's own process imports: with a process pool, none of the per-document code (the
workers run it) nor the fingerprints' character tables it would build, no quality module unless --drop-quality names warnings, no tqdm when silent.

Each build runs in a fresh interpreter, which prints the modules it holds at the end; the same
check on a ``--jobs 1`` build (which runs the per-document code itself) shows it can fail."""
import json
import os
import subprocess
import sys

import pytest

from conftest import REPO, SEEDS

WATCHED = ["corpuspack.builder.document.steps", "corpuspack.builder.document.metadata",
           "corpuspack.builder.document.language", "corpuspack.builder.document.quality",
           "corpuspack.builder.engines.batch", "tqdm", "pandas", "fingerprint tables"]

CHILD = """
import json, sys
import corpuspack
kwargs = json.loads(sys.argv[3])
corpuspack.build(sys.argv[1], sys.argv[2], version="1.0.0", **kwargs)
fp = sys.modules.get("corpuspack.builder.document.fingerprint")
held = set(sys.modules) | ({"fingerprint tables"} if fp is not None and fp.tables.cache_info().currsize else set())
print(json.dumps(sorted(m for m in json.loads(sys.argv[4]) if m in held)))
"""


def loaded(tmp_path, **kwargs) -> set[str]:
    out = tmp_path / f"out-{len(os.listdir(tmp_path))}"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    r = subprocess.run([sys.executable, "-c", CHILD, str(SEEDS), str(out), json.dumps(kwargs), json.dumps(WATCHED)],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    return set(json.loads(r.stdout.strip().splitlines()[-1]))


def test_a_build_with_workers_loads_no_per_document_code(tmp_path):
    assert loaded(tmp_path, jobs=2, progress=False) == set()


def test_a_build_without_workers_loads_it_itself(tmp_path):
    mods = loaded(tmp_path, jobs=1, progress=False)
    assert {"corpuspack.builder.document.steps", "corpuspack.builder.document.metadata",
            "corpuspack.builder.document.language", "corpuspack.builder.document.quality", "corpuspack.builder.engines.batch",
            "fingerprint tables"} <= mods


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_quality_module_only_for_drop_quality(tmp_path, jobs):
    mods = loaded(tmp_path, jobs=jobs, progress=False, drop_quality=["tiny"])
    assert "corpuspack.builder.document.quality" in mods


def test_a_build_with_progress_loads_tqdm(tmp_path):
    assert "tqdm" in loaded(tmp_path, jobs=2, progress=True)
