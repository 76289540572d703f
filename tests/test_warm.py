"""The workers' fork server imports ``engines/warm.py`` before it forks any worker, so that each worker
inherits the per-document code and its tables instead of building them on its first batch (a next
version's new documents come last, on workers that have done nothing yet: a first batch of 256
generated documents took 0.20 s where the next took 0.075, round 33, until the dateline gazetteer,
the place gazetteer, quality's table and CLD2 were added to the warm-up).

Checked from outside the code, in a new interpreter as a worker is: after ``warm`` (pandas hidden,
as in the workers), processing a batch of the seeds imports no module of the per-document code and
fills no one-entry cache (``functools.lru_cache`` with ``maxsize`` 1: the loaded tables) that was
still empty."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "examples" / "seeds"

_PROBE = r"""
import functools, gc, json, os, sys
from corpuspack.builder.engines import nopandas
with nopandas.hidden():
    WARM
    from corpuspack.builder.engines.local import process_batch
    from corpuspack.builder.options import BuildOptions
    from corpuspack.builder.document.storage import open_storage
    seeds = sys.argv[1]
    opts, reader = BuildOptions().doc_options(), open_storage(seeds).reader()
    items = [(n, os.path.join(seeds, n), None) for n in sorted(os.listdir(seeds))]
    caches = [o for o in gc.get_objects() if isinstance(o, functools._lru_cache_wrapper)
              and o.cache_info().maxsize == 1 and o.cache_info().currsize == 0]
    before = set(sys.modules)
    rows = process_batch(items, opts, reader)[0].num_rows
    print(json.dumps({"rows": rows,
                      "modules": sorted(m for m in set(sys.modules) - before if m != "corpuspack.data"),
                      "filled": sorted(f"{c.__module__}.{c.__qualname__}" for c in caches if c.cache_info().currsize)}))
"""


def _first_batch(warm: str) -> dict:
    code = _PROBE.replace("WARM", warm)
    out = subprocess.run([sys.executable, "-c", code, str(SEEDS)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_warm_worker_builds_nothing_on_its_first_batch():
    warm = _first_batch("from corpuspack.builder.engines import warm")
    assert warm["rows"] == len(list(SEEDS.iterdir())), warm
    assert warm["modules"] == [] and warm["filled"] == [], warm
    # the check can fail: without the warm-up, the first batch imports the per-document code (and its
    # tables: quality's is made as it is imported) and fills the caches that existed before it
    cold = _first_batch("from corpuspack.builder.document import clean")
    assert {"corpuspack.builder.document.quality", "corpuspack.builder.document.metadata.outlets"} <= set(cold["modules"])
    assert cold["filled"] == ["corpuspack.builder.document.clean._space_table"], cold
