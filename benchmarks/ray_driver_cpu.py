"""The Ray engine's driver: CPU time and bytes written by the build's own process (every thread:
Ray's core worker in it included), the whole build and pass by pass, on a running Ray instance
whose workers a build of the seeds warmed first.

    python benchmarks/ray_driver_cpu.py --docs 20000 --repeat 3 [--next] [--ray-shuffle-min-docs N]
    PYTHONPATH=/tmp/base python benchmarks/ray_driver_cpu.py --docs 20000   # other code (its workers too)

Driver CPU: ``time.process_time()`` of this process around ``corpuspack.build``; bytes written:
``wchar`` of ``/proc/self/io`` (files, pipes and sockets). Wall time and the build's own pass timings
are printed beside them. One JSON line per build, then the medians.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402


def _written() -> int:
    with open("/proc/self/io") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("wchar:"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=20_000, help="documents of the generated dump")
    ap.add_argument("--dump", help="a dump folder to build instead of a generated one")
    ap.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--next", action="store_true", help="after each build, the next version of the same dump "
                    "(every shard reused; the version's changes counted)")
    ap.add_argument("--ray-shuffle-min-docs", type=int, help="the build option (default: the build's default); "
                    "above the corpus's size, pass 2's groupings in the driver")
    args = ap.parse_args()
    more = {} if args.ray_shuffle_min_docs is None else {"ray_shuffle_min_docs": args.ray_shuffle_min_docs}
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    import corpuspack
    import psutil
    import ray

    corpus = Path(args.dump) if args.dump else run.make_corpus(args.docs, 1, run.WORK / f"corpus-{args.docs}-1")
    ray.init(num_cpus=args.jobs, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    rows = []
    with tempfile.TemporaryDirectory(dir=run.WORK) as tmp:
        corpuspack.build(Path(__file__).resolve().parents[1] / "examples" / "seeds", Path(tmp) / "warm",
                         engine="ray", progress=False)
        for i in range(args.repeat):
            out = Path(tmp) / f"out-{i}"
            for build in ("first", "next") if args.next else ("first",):
                cpu, wrote, wall = time.process_time(), _written(), time.perf_counter()
                result = corpuspack.build(corpus, out, engine="ray", progress=False, **more,
                                          **({"version": "1.0.1"} if build == "next" else {}))
                row = {"code": os.path.dirname(corpuspack.__file__), "build": build,
                       "seconds": round(time.perf_counter() - wall, 2),
                       "driver_cpu_seconds": round(time.process_time() - cpu, 2),
                       "driver_written_mb": round((_written() - wrote) / 2**20, 1),
                       "stage_kept_mb": round(sum(p.stat().st_size for p in (out / ".cache").glob("stage-*")) / 2**20, 1),
                       "timings": result.timings, "load": round(psutil.getloadavg()[0], 1)}
                rows.append(row)
                print(json.dumps(row), flush=True)
    ray.shutdown()
    for build in ("first", "next"):
        for key in ("seconds", "driver_cpu_seconds", "driver_written_mb"):
            values = sorted(r[key] for r in rows if r["build"] == build)
            if values:
                print(f"median {build} {key}: {values[len(values) // 2]}")


if __name__ == "__main__":
    main()
