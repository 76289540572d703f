"""Pass 2 (``plan(stage, options)``) of the corpuspack checkout in folder CODE, timed in this
process: prints its seconds and the stage's rows. One process per call, so that two checkouts can
be compared side by side (``benchmarks/dedup_pass2_bench.py``, or ``benchmarks/paired.py`` for CPU time and
peak memory):

    python benchmarks/paired.py -n 7 --a "python benchmarks/plan_timer.py . STAGE" --b "python benchmarks/plan_timer.py /tmp/old STAGE"
"""
import os
import sys
import time

code, stage = os.path.abspath(sys.argv[1]), sys.argv[2]
sys.path.insert(0, code)
import corpuspack  # noqa: E402
from corpuspack.builder.corpus import plan as P  # noqa: E402
from corpuspack.builder.corpus.stage import read_batches  # noqa: E402
from corpuspack.builder.options import BuildOptions  # noqa: E402

assert corpuspack.__file__.startswith(code), corpuspack.__file__  # the checkout asked for, not the installed one
t = time.perf_counter()
P.plan(stage, BuildOptions(jobs=1, progress=False))
print(time.perf_counter() - t, sum(b.num_rows for b in read_batches(stage, ["_controls"])))
