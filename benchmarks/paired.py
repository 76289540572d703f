"""Two commands timed in turn, A B A B ..., as whole processes: wall time, CPU time of the process
and every process it waited for, and the largest peak RSS among them; each pair's ratio A/B, so
a comparison holds while the machine's speed drifts (the medians are the figures to quote).

    python benchmarks/paired.py -n 3 --a "CMD_A" --b "CMD_B"

Each command runs through ``sh -c`` (so ``rm -rf OUT && ...`` works); what it prints is thrown
away. CPU and peak come from ``os.wait4``'s resource usage of the shell and its children
(``ru_maxrss`` is the largest single process among them, as the kernel keeps it); ``tree_mib``: the
peak of the resident memory summed over the shell and all its descendants, sampled every 50 ms
(psutil; a fork server's workers included), as ``benchmarks/run.py`` reports a build's peak.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time


def run(cmd: str) -> dict:
    import threading

    import psutil

    start = time.perf_counter()
    proc = subprocess.Popen(["sh", "-c", cmd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tree, done = [0], threading.Event()

    def sample() -> None:
        try:
            shell = psutil.Process(proc.pid)
        except psutil.Error:  # already ended
            return
        while not done.wait(0.05):
            try:
                tree[0] = max(tree[0], sum(p.memory_info().rss for p in [shell, *shell.children(recursive=True)]))
            except psutil.Error:
                pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    sampler.join()
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mib": usage.ru_maxrss / 1024,
            "tree_mib": tree[0] / 2**20, "exit": proc.returncode}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=3, help="pairs (default 3)")
    ap.add_argument("--a", required=True, help="command A (the one measured)")
    ap.add_argument("--b", required=True, help="command B (the reference)")
    ap.add_argument("--warmup", type=int, default=0, help="pairs run first and not counted")
    args = ap.parse_args()
    for _ in range(args.warmup):
        run(args.a), run(args.b)
    pairs = [(run(args.a), run(args.b)) for _ in range(args.n)]
    bad = [(k, r["exit"]) for a, b in pairs for k, r in (("A", a), ("B", b)) if r["exit"] != 0]
    print(f"{args.n} pairs, load average {os.getloadavg()[0]:.1f} at the end" + (f"; FAILED runs: {bad}" if bad else ""))
    print(f"{'figure':10s} {'A median':>10s} {'B median':>10s} {'A/B median':>11s} {'A/B min-max':>14s}")
    for key in ("wall", "cpu", "peak_mib", "tree_mib"):
        a = statistics.median(p[0][key] for p in pairs)
        b = statistics.median(p[1][key] for p in pairs)
        ratios = [p[0][key] / p[1][key] for p in pairs if p[1][key]]
        print(f"{key:10s} {a:10.2f} {b:10.2f} {statistics.median(ratios):11.3f} "
              f"{min(ratios):6.3f}-{max(ratios):.3f}")


if __name__ == "__main__":
    main()
