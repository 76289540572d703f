"""Pass 2's steps timed inside a next version, in this process (the local engine).

    python benchmarks/pass2_steps.py OUT DUMP [--repeat 2]

OUT holds a first version (e.g. of ``benchmarks/_work/corpus-100000-1``); each run builds DUMP (e.g.
``benchmarks/_work/corpus-100000-1-plus1pct``) as version 1.1.0 into a hard-linked copy of OUT and
prints the build's own laps and the seconds spent in each of pass 2's steps (the groupings of
``corpus/duplicates.Here``, the repeated-line counts, the named plan), measured by wrapping them.
"""
import argparse
import functools
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import corpuspack  # noqa: E402
from corpuspack.builder.corpus import duplicates, plan  # noqa: E402

STEPS = {duplicates.Here: ("begin", "id_copies", "staged_copies", "published", "near_clusters", "end"),
         plan: ("stage_counts", "repeated_here", "_exact_decided"), plan.PlanRows: ("named",)}


def wrap(owner, name: str, spent: dict) -> None:
    fn = getattr(owner, name)

    @functools.wraps(fn)
    def timed(*a, **k):
        t = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - t
    setattr(owner, name, timed)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("dump")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    spent: dict[str, float] = {}
    for owner, names in STEPS.items():
        for name in names:
            wrap(owner, name, spent)
    for _ in range(args.repeat):
        spent.clear()
        with tempfile.TemporaryDirectory(dir=os.path.dirname(os.path.abspath(args.out))) as tmp:
            work = os.path.join(tmp, "out")
            shutil.copytree(args.out, work, copy_function=os.link)
            t = time.perf_counter()
            result = corpuspack.build(args.dump, work, version="1.1.0", progress=False)
            wall = time.perf_counter() - t
        laps = {k: round(v, 3) for k, v in result.timings.items()}
        print(f"build {wall:.2f} s, laps {laps}")
        print("pass 2 steps (s):", {k: round(v, 3) for k, v in sorted(spent.items(), key=lambda kv: -kv[1])})


if __name__ == "__main__":
    main()
