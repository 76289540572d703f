"""What the next version of a grown dump costs, in CPU of the build's process and its workers.

    python benchmarks/run.py --docs 20000 --only corpuspack corpuspack_incremental   # makes both dumps
    python benchmarks/incremental_bench.py benchmarks/_work/corpus-20000-1 benchmarks/_work/corpus-20000-1-plus1pct OUT [--profile] [--jobs 1]

Builds DUMP_A as version 1.0.0 into OUT (once: kept for later runs of the same code), copies OUT
(hard links) and builds DUMP_B into the copy as version 1.1.0, then prints the CPU seconds of
this process and all its children during that build (psutil, sampled every 50 ms), its wall
time, the pipeline's own timings and the manifest's ``work``. Imports are done before the clock
starts, so the figure is the build's own work (``benchmarks/run.py`` times whole processes).
``--profile``: the build's process under ``cProfile`` in CPU time (with ``--jobs 1`` the workers'
tasks run in it too), the corpuspack functions by cumulative time (``--profile-out FILE``: the
whole profile saved for ``pstats``). A change of the code changes
the options fingerprint, so OUT must be built again by the code measured.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import threading
import time

import psutil

import corpuspack
import corpuspack.builder.pipeline  # noqa: F401 - imported before the clock starts
from corpuspack.builder.release import charts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dump_a")
    ap.add_argument("dump_b")
    ap.add_argument("out")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--profile-out", help="with --profile: also save the profile there (pstats format)")
    args = ap.parse_args()
    charts.available()  # imports matplotlib when installed
    if not os.path.exists(args.out):
        corpuspack.build(args.dump_a, args.out, version="1.0.0", jobs=args.jobs, progress=False)
    work = args.out + "-next"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(args.out, work, copy_function=os.link)

    me, seen, stop = psutil.Process(), {}, threading.Event()

    def cpu_tree() -> float:
        for p in [me, *me.children(recursive=True)]:
            try:
                t = p.cpu_times()
                seen[p.pid] = t.user + t.system  # the last figure of each process, even once it ended
            except psutil.Error:
                pass
        return sum(seen.values())

    def sample() -> None:
        while not stop.wait(0.05):
            cpu_tree()

    start_cpu, start = cpu_tree(), time.perf_counter()
    sampler = threading.Thread(target=sample)
    sampler.start()
    profile = cProfile.Profile(time.process_time) if args.profile else None
    if profile:
        profile.enable()
    result = corpuspack.build(args.dump_b, work, version="1.1.0", jobs=args.jobs, progress=False)
    if profile:
        profile.disable()
    stop.set()
    sampler.join()
    print(f"CPU {cpu_tree() - start_cpu:.2f} s (this process and its children), wall {time.perf_counter() - start:.2f} s")
    print("timings", result.timings)
    print("work", result.manifest["work"])
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats("corpuspack/", 60)
        if args.profile_out:
            profile.dump_stats(args.profile_out)


if __name__ == "__main__":
    main()
