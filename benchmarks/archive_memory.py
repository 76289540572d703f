"""Peak memory of each process of a build: a folder, and a .tar.gz of it read by a process of its
own (the spool, the default with --jobs > 1), members in the folder's order (``tar --sort=name``)
and in the order the file system lists them (restaged after pass 1); with ``--in-process``, also
the sorted archive read in the build's process (the way before the spool).

    python benchmarks/archive_memory.py --docs 20000 --rounds 3
    python benchmarks/archive_memory.py --docs 100000 --rounds 2

The builds alternate for ``--rounds`` rounds, each in its own process, on the corpus and the
archives of benchmarks/archive_bench.py. Per build: the build's own process's peak (its
``ru_maxrss``, exact), the largest peak among the other processes (the workers, their fork server,
the archive's reader: ``VmHWM`` read every 0.05 s), the peak of the sum of all (sampled), the wall
seconds, and whether the shards are the folder's. Medians of the rounds, and ratios to the folder.

``--child spool|in-process|folder SRC OUT JOBS`` runs one build (for a paired timing from outside).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from archive_bench import pack, shards  # noqa: E402
from run import WORK, make_corpus  # noqa: E402


def child(method: str, src: str, out: str, jobs: int) -> None:
    import corpuspack
    from corpuspack.builder.engines import base, local

    if method == "in-process":  # the archive read in the build's process, as before the spool
        local.Workers.entries = base.Engine.entries
    t0 = time.perf_counter()
    corpuspack.build(src, Path(out) / "dataset", version="1.0.0", jobs=jobs, progress=False,
                     **({} if method == "folder" else {"name": Path(src).name.split(".")[0]}))
    print(json.dumps({"seconds": time.perf_counter() - t0,
                      "own_peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))


def _hwm(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run(method: str, src: Path, out: Path, jobs: int) -> dict:
    import psutil

    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TQDM_DISABLE": "1"}
    proc = subprocess.Popen([sys.executable, __file__, "--child", method, str(src), str(out), str(jobs)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    root, peaks, peak_sum = psutil.Process(proc.pid), {}, 0
    while proc.poll() is None:
        try:
            tree = root.children(recursive=True)
        except psutil.Error:
            tree = []
        rss = 0
        for p in tree:
            peaks[p.pid] = max(peaks.get(p.pid, 0), _hwm(p.pid))
            try:
                rss += p.memory_info().rss
            except psutil.Error:
                pass
        try:
            rss += root.memory_info().rss
        except psutil.Error:
            pass
        peak_sum = max(peak_sum, rss)
        time.sleep(0.05)
    stdout, stderr = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"{method} failed:\n{stderr[-3000:]}")
    done = json.loads(stdout.strip().splitlines()[-1])
    return {**done, "other_peak": max(peaks.values(), default=0), "sum_peak": peak_sum}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--in-process", action="store_true", help="also the sorted archive read in the build's process")
    args = ap.parse_args()
    WORK.mkdir(exist_ok=True)
    folder = make_corpus(args.docs, args.seed, WORK / f"corpus-{args.docs}-{args.seed}")
    forms = {"folder": ("folder", folder), "tar.gz, spool": ("spool", pack(folder, sort=True)),
             "tar.gz, file-system order": ("spool", pack(folder, sort=False))}
    if args.in_process:
        forms["tar.gz, in-process"] = ("in-process", pack(folder, sort=True))
    results: dict[str, list] = {k: [] for k in forms}
    same = True
    with tempfile.TemporaryDirectory(dir=WORK) as tmp:
        for r in range(args.rounds):
            seen = []
            for form, (method, src) in forms.items():
                out = Path(tmp) / f"{r}-{list(forms).index(form)}"
                x = run(method, src, out, args.jobs)
                results[form].append(x)
                seen.append(shards(out))
                shutil.rmtree(out)
                print(f"  round {r + 1} {form}: {x['seconds']:.1f} s, the build's process {x['own_peak'] / 2**20:,.0f} MiB, "
                      f"largest other {x['other_peak'] / 2**20:,.0f} MiB, sum {x['sum_peak'] / 2**20:,.0f} MiB "
                      f"(load average {os.getloadavg()[0]:.1f})",
                      file=sys.stderr, flush=True)
            same = same and all(s == seen[0] for s in seen)
    print(f"\n{args.docs:,} documents, {args.jobs} jobs, medians of {args.rounds} alternating rounds\n")
    print("| input | seconds | build's process peak (MiB) | largest other process (MiB) | sum of all (MiB) "
          "| build's process vs folder | sum vs folder |")
    print("|---|---|---|---|---|---|---|")
    med = {form: {k: statistics.median(x[k] for x in runs) for k in runs[0]} for form, runs in results.items()}
    base = med["folder"]
    for form, m in med.items():
        print(f"| {form} | {m['seconds']:.1f} | {m['own_peak'] / 2**20:,.1f} | {m['other_peak'] / 2**20:,.0f} "
              f"| {m['sum_peak'] / 2**20:,.0f} | {m['own_peak'] / base['own_peak']:.3f}x | {m['sum_peak'] / base['sum_peak']:.3f}x |")
    print(f"\nshards identical to the folder's: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        main()
