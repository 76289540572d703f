"""Where the build's own process spends a next version's time: a sampling profile (the
process's CPU timer, a sample every 2 ms, each sample's Python stack) of the +1% build.

    python benchmarks/incremental_sample.py OUT_V1 DUMP_B [--top 40]

OUT_V1: version 1.0.0 built by this code (e.g. by ``benchmarks/incremental_bench.py``, which
keeps it); it is copied (hard links) and DUMP_B built into the copy as 1.1.0. Prints the build's
CPU seconds, its stage timings, then the functions by samples in which they are on the stack
(cumulative) and at its top (self), in milliseconds of samples. Unlike cProfile it adds ~1%, so
per-file Python steps are not inflated; samples a busy machine delays are lost (the figures are
shares, the CPU seconds the total).
"""
from __future__ import annotations

import argparse
import collections
import os
import shutil
import signal
import time

import corpuspack
import corpuspack.builder.pipeline  # noqa: F401 - imported before the clock starts
from corpuspack.builder.release import charts

INTERVAL = 0.002


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_v1")
    ap.add_argument("dump_b")
    ap.add_argument("--top", type=int, default=40)
    args = ap.parse_args()
    charts.available()
    work = args.out_v1.rstrip("/") + "-sample"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(args.out_v1, work, copy_function=os.link)
    own, cumulative = collections.Counter(), collections.Counter()

    def sample(signum, frame) -> None:
        stack = []
        while frame is not None:
            stack.append(f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_code.co_name}")
            frame = frame.f_back
        own[stack[0]] += 1
        cumulative.update(set(stack))

    signal.signal(signal.SIGPROF, sample)
    signal.setitimer(signal.ITIMER_PROF, INTERVAL, INTERVAL)
    cpu = time.process_time()
    result = corpuspack.build(args.dump_b, work, version="1.1.0", jobs=2, progress=False)
    signal.setitimer(signal.ITIMER_PROF, 0, 0)
    print(f"build's process CPU {time.process_time() - cpu:.2f} s, {sum(own.values())} samples; {result.timings}")
    for title, counts in (("cumulative", cumulative), ("self", own)):
        print(f"--- {title} (ms of samples)")
        for name, n in counts.most_common(args.top):
            print(f"{n * INTERVAL * 1000:7.0f}  {name}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
