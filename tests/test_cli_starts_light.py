"""The command line starts the workers' parent (and the card's painter) before the build's process
imports numpy and pyarrow (~0.2 s), so their imports run side by side: checked in a new interpreter,
where nothing was imported before."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import REPO, SEEDS

SCRIPT = """
import json, sys
from corpuspack.builder.engines import forkserver
seen = {}
real = forkserver.warm_up
def warm_up():  # (the build calls it again once the builder is imported: the first call counts)
    if not seen:
        seen.update(numpy="numpy" in sys.modules, pyarrow="pyarrow" in sys.modules)
    real()
forkserver.warm_up = warm_up
from corpuspack import cli
code = cli.main(["build", sys.argv[1], sys.argv[2], "--jobs", "2", "--quiet"])
print(json.dumps({"code": code, **seen}))
"""


def _run(code: str, *args) -> str:
    r = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300,
                       env={**os.environ, "PYTHONPATH": str(REPO)})
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout.strip().splitlines()[-1]


def test_importing_the_command_line_imports_neither_numpy_nor_pyarrow():
    got = _run("import sys, corpuspack.cli; print(sorted(m for m in ('numpy', 'pyarrow') if m in sys.modules))")
    assert got == "[]"


def test_a_build_starts_the_workers_parent_before_numpy_and_pyarrow(tmp_path):
    got = json.loads(_run(SCRIPT, str(SEEDS), str(tmp_path / "out")))
    assert got == {"code": 0, "numpy": False, "pyarrow": False}
    assert (tmp_path / "out" / "README.md").is_file()
