"""Where a build's CPU goes, process by process: the build's own process, the workers' fork
server, each worker, the card's painter, multiprocessing's resource tracker.

    python benchmarks/cpu_by_process.py DUMP [--jobs 2] [--python PYTHON]

Runs ``corpuspack.build(DUMP, <temporary folder>, jobs=...)`` in a child process (``--python``: another
interpreter, e.g. one whose path holds another commit's code), samples every 50 ms the CPU times
and resident memory of it and all its descendants (psutil), and prints each process's CPU
seconds by role, their sum, the peak of the summed resident memory, the wall time and the
build's own stage timings (wall). Figures of processes that end between two samples are those of
their last sample. Use it for before/after pairs (alternate the two, quote the load).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import psutil

CHILD = """
import json, sys, time
t = time.perf_counter()
import corpuspack
r = corpuspack.build(sys.argv[1], sys.argv[2], version="1.0.0", jobs=int(sys.argv[3]), progress=False)
print(json.dumps({"seconds": time.perf_counter() - t, "laps": r.timings}))
"""


def role(proc: psutil.Process, build_pid: int, server_pids: set[int]) -> str:
    if proc.pid == build_pid:
        return "build process"
    try:
        cmd = " ".join(proc.cmdline())
        parent = proc.ppid()
    except psutil.Error:
        return "?"
    if "resource_tracker" in cmd:
        return "resource tracker"
    if parent in server_pids:  # forked by the server: its command line is the server's
        return "worker"
    if "forkserver" in cmd:
        server_pids.add(proc.pid)
        return "fork server"
    if "painter" in cmd:
        return "painter"
    return "other"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dump")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--python", default=sys.executable)
    args = ap.parse_args()
    out = tempfile.mkdtemp(prefix="cpu-by-process-")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TQDM_DISABLE": "1"}
    start = time.perf_counter()
    proc = subprocess.Popen([args.python, "-c", CHILD, os.path.abspath(args.dump), os.path.join(out, "ds"), str(args.jobs)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=out)
    root = psutil.Process(proc.pid)
    cpu: dict[int, float] = {}
    roles: dict[int, str] = {}
    servers: set[int] = set()
    peak = 0
    try:
        while proc.poll() is None:
            try:
                tree = [root] + root.children(recursive=True)
            except psutil.Error:
                tree = [root]
            rss = 0
            for p in tree:
                try:
                    t = p.cpu_times()
                    cpu[p.pid] = t.user + t.system
                    rss += p.memory_info().rss
                    if p.pid not in roles:
                        roles[p.pid] = role(p, proc.pid, servers)
                except psutil.Error:
                    pass
            peak = max(peak, rss)
            time.sleep(0.05)
        stdout, stderr = proc.communicate()
    finally:
        shutil.rmtree(out, ignore_errors=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"the build failed:\n{stderr[-3000:]}")
    result = json.loads(stdout.strip().splitlines()[-1])
    for pid in sorted(cpu):
        print(f"{roles.get(pid, '?'):18s} pid {pid:>8}  {cpu[pid]:7.2f} CPU s")
    print(f"all processes: {sum(cpu.values()):.2f} CPU s; wall {wall:.2f} s (build call {result['seconds']:.2f} s); "
          f"peak RSS of all processes {peak / 2**20:.0f} MiB; load average {os.getloadavg()[0]:.1f}")
    print("stages (wall s):", json.dumps(result["laps"]))


if __name__ == "__main__":
    main()
