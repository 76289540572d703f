"""For tests/test_nopandas.py: a task run in a build's worker."""
import sys

import pyarrow as pa


def converts_then_holds_pandas(_task) -> bool:
    """Convert Python values with pyarrow (which looks for pandas then), then: is pandas imported?"""
    pa.RecordBatch.from_pylist([{"a": 1}])
    pa.array(["x"]).to_pylist()
    return "pandas" in sys.modules
