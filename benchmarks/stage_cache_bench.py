"""CPU of the next version's cache look-ups: StageCache made from a kept stage, then every name
of the grown dump looked up in runs of 512 (as the pipeline's _with_cached does), best of 3.

    python benchmarks/incremental_bench.py DUMP_A DUMP_B OUT      # keeps OUT-next/.cache/stage-*
    python benchmarks/stage_cache_bench.py OUT-next DUMP_B

Run it with another checkout's code on PYTHONPATH to compare (the kept stage must be one that
code can read: same stage schema)."""
from __future__ import annotations

import argparse
import glob
import os
import time

from corpuspack.builder.document.inputs import Tally, folder
from corpuspack.builder.options import BuildOptions
from corpuspack.builder.release import incremental


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("dump")
    args = ap.parse_args()
    names = [rel for rel, _ in folder.entries(args.dump, BuildOptions().input_options(), Tally())]
    (stage,) = [p for p in glob.glob(os.path.join(args.out, ".cache", "stage-*.arrow"))
                if os.path.basename(p).count(".") == 1]
    init = lookups = float("inf")
    for _ in range(3):
        t0 = time.process_time()
        cache = incremental.StageCache(stage)
        t1 = time.process_time()
        found = sum(k is not None for s in range(0, len(names), 512) for k in cache.known_many(names[s:s + 512]))
        t2 = time.process_time()
        init, lookups = min(init, t1 - t0), min(lookups, t2 - t1)
    print(f"{len(names)} names, {found} cached: StageCache() {init:.3f} s, known_many {lookups:.3f} s (CPU, best of 3)")


if __name__ == "__main__":
    main()
