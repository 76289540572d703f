"""``RayEngine.map``'s cost per task, with a small and a 200 kB common argument (round 32: the common
arguments' references handed inside a tuple and got by the task, not resolved by Ray as arguments):
the wall time of ``--tasks`` trivial tasks, best of ``--repeat``, on a local Ray of ``--jobs`` CPUs.

    python benchmarks/ray_map_overhead.py --tasks 400 --repeat 5
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time


def _task(task: int, small: int, big: bytes) -> int:
    return task + small + len(big)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=400)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    import ray
    from corpuspack.builder.engines.ray import RayEngine

    ray.init(num_cpus=args.jobs, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    with tempfile.TemporaryDirectory() as tmp:
        engine = RayEngine(args.jobs, None, tmp)
        big = b"x" * 200_000
        times = []
        for _ in range(args.repeat + 1):  # the first warms the workers
            t = time.perf_counter()
            got = [r for _, r in engine.map(_task, range(args.tasks), 1, big)]
            times.append(time.perf_counter() - t)
            assert got == [i + 1 + len(big) for i in range(args.tasks)]
    ray.shutdown()
    best = min(times[1:])
    print(json.dumps({"tasks": args.tasks, "best_s": round(best, 3), "ms_per_task": round(1000 * best / args.tasks, 3),
                      "runs_s": [round(x, 3) for x in times[1:]]}))


if __name__ == "__main__":
    main()
