"""No pandas in the processes of a local build (engines/nopandas.py): pyarrow's own imports of it are
refused there, an import written in Python is not, and pyarrow's pandas support is whole again once
pandas is imported. Each case runs in a fresh interpreter; the reference is the same code in an
interpreter that hid nothing."""
import json
import os
import subprocess
import sys

from conftest import REPO, SEEDS

ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests")])}


def run(code: str, *args) -> dict:
    r = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, env=ENV,
                       timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


IN_BUILD = """
import json, sys
import corpuspack
from corpuspack.builder.engines import local
import nopandas_probe
corpuspack.build(sys.argv[1], sys.argv[2], version="1.0.0", jobs=2, progress=False)
build = "pandas" in sys.modules
with local.Workers(2) as workers:  # a pool as the build makes it: forked from the preloaded server
    in_workers = [r for _, r in workers.map(nopandas_probe.converts_then_holds_pandas, range(4))]
print(json.dumps({"build": build, "workers": in_workers}))
"""

PLAIN = """
import json, nopandas_probe
print(json.dumps({"plain": nopandas_probe.converts_then_holds_pandas(0)}))
"""


def test_no_pandas_in_the_build_process_nor_its_workers(tmp_path):
    got = run(IN_BUILD, SEEDS, tmp_path / "out")
    assert got == {"build": False, "workers": [False] * 4}
    assert run(PLAIN) == {"plain": True}  # pyarrow does import pandas when nothing hides it


USE = """
import glob, json, sys
import pyarrow as pa, pyarrow.parquet as pq
if len(sys.argv) > 2:
    import corpuspack
    corpuspack.build(sys.argv[1], sys.argv[2], version="1.0.0", jobs=int(sys.argv[3]), progress=False)
    assert "pandas" not in sys.modules
    table = pq.read_table(sorted(glob.glob(sys.argv[2] + "/data/**/*.parquet", recursive=True))[0])
else:
    table = pa.table({"id": ["a", "b"], "n": [1, 2]})
frame = table.to_pandas()  # pandas imported by pyarrow itself, with nothing hiding it any more
import pandas as pd
cat = pa.array(pd.Series(pd.Categorical(["x", "y", "x"])))
back = pa.Table.from_pandas(pd.DataFrame({"d": pd.to_datetime(["2026-01-02"]), "c": pd.Categorical(["u"])}))
print(json.dumps({"frame": type(frame).__name__, "rows": len(frame) > 0, "categorical": str(cat.type),
                  "from_pandas": str(back.schema), "have_pandas": pa.lib._pandas_api.have_pandas}))
"""


def test_pandas_works_after_a_build_as_without_one(tmp_path):
    reference = run(USE, "-")
    assert reference["categorical"].startswith("dictionary<")
    for jobs in (1, 2):
        assert run(USE, SEEDS, tmp_path / f"out{jobs}", jobs) == reference


EXPLICIT = """
import json, sys
import pyarrow as pa
from corpuspack.builder.engines import nopandas
with nopandas.hidden():
    pa.array([1, 2])  # pyarrow's probes: refused
    before = "pandas" in sys.modules
    import pandas as pd  # written in Python: imported
    cat = str(pa.array(pd.Series(pd.Categorical(["x"]))).type)
print(json.dumps({"before": before, "after": "pandas" in sys.modules, "categorical": cat}))
"""


def test_an_import_written_in_python_is_not_refused():
    got = run(EXPLICIT)
    assert got["before"] is False and got["after"] is True and got["categorical"].startswith("dictionary<")


DATASETS = """
import json, sys
import pyarrow as pa
from corpuspack.builder.engines import nopandas
with nopandas.hidden():
    pa.array([1, 2])
    import datasets  # imports pandas itself (a build needs it for a manifest column of another type)
    frame = datasets.Dataset.from_dict({"a": [1, 2]}).to_pandas()
print(json.dumps({"rows": len(frame), "have_pandas": pa.lib._pandas_api.have_pandas}))
"""


def test_datasets_imports_and_uses_pandas_while_it_is_hidden_from_pyarrow():
    assert run(DATASETS) == {"rows": 2, "have_pandas": True}


DATASET_MODULE = """
import json, sys
import pyarrow as pa
from corpuspack.builder.engines import nopandas
with nopandas.hidden():
    pa.array([1, 2])
    import pyarrow.dataset  # its extension module probes for pandas as it starts (seen to deadlock)
    before = "pandas" in sys.modules
    import pandas as pd
    cat = str(pa.array(pd.Series(pd.Categorical(["x"]))).type)
print(json.dumps({"before": before, "categorical": cat.split("<")[0]}))
"""


def test_an_extension_module_starting_under_an_import_statement_is_refused_too():
    """pyarrow.dataset's statement imports pyarrow._dataset, whose start probes for pandas: a probe,
    not an import of pandas written in Python (allowed, it deadlocked on pyarrow's probe lock)."""
    assert run(DATASET_MODULE) == {"before": False, "categorical": "dictionary"}
