"""A build of a folder never imports ``pyarrow.dataset`` in its own process (~0.27 s, most of it
on the card's critical path: the statistics read the shards last, and ``pq.read_table`` imports
it on its first call). Checked in a new interpreter, where nothing was imported before; the
statistics' columns are checked against ``pq.read_table``'s."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq

from conftest import REPO, SEEDS

SCRIPT = """
import json, sys
import corpuspack
r = corpuspack.build(sys.argv[1], sys.argv[2], jobs=2, progress=False)
first = "pyarrow.dataset" in sys.modules
r = corpuspack.build(sys.argv[1], sys.argv[2], version="1.1.0", jobs=2, progress=False)
seen = {"first": first, "next": "pyarrow.dataset" in sys.modules}
import pyarrow.parquet as pq
from corpuspack.builder.release import stats
pq.read_table(stats.shard_paths(sys.argv[2], r.manifest)[0], columns=["id"])  # the counter-case
seen["after_read_table"] = "pyarrow.dataset" in sys.modules
print(json.dumps(seen))
"""


def test_a_build_and_its_next_version_never_import_pyarrow_dataset(tmp_path):
    r = subprocess.run([sys.executable, "-c", SCRIPT, str(SEEDS), str(tmp_path / "out")], capture_output=True,
                       text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert r.returncode == 0, r.stderr[-3000:]
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert got == {"first": False, "next": False, "after_read_table": True}


def test_the_statistics_columns_are_read_table_s(tmp_path):
    from corpuspack.builder.release import stats

    for n, (a, b) in enumerate([(0, 3), (3, 5)]):
        pq.write_table(pa.table({"id": [str(i) for i in range(a, b)], "num_chars": list(range(a, b)),
                                 "language": ["ar", None, "fa"][: b - a], "text": ["x"] * (b - a)}),
                       tmp_path / f"s{n}.parquet", row_group_size=1)
    manifest = {"features": {"id": {}, "num_chars": {}, "language": {}, "text": {}},
                "splits": {"train": {"files": [{"path": "s0.parquet"}, {"path": "s1.parquet"}]}}}
    got = stats.read_columns(str(tmp_path), manifest)
    assert got.column_names == ["language", "num_chars"]
    assert got.to_pydict() == {"language": ["ar", None, "fa", "ar", None], "num_chars": [0, 1, 2, 3, 4]}
    assert got.equals(pa.concat_tables(pq.read_table(tmp_path / f"s{n}.parquet", columns=["language", "num_chars"])
                                       for n in range(2)))
