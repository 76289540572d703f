"""Pass 3 on the Ray engine: what the driver receives from and sends to its tasks, and its CPU, for the
finish keys (pass 3a) and the finishing tasks (pass 3b), a first build and the next version (the same
dump again: every shard reused). ``--driver-keys`` runs pass 3a the engines' default way (the keys back
in the driver, :class:`corpuspack.builder.engines.keys.DriverKeys`) on the same code, for comparison.

    python benchmarks/ray_keys_bytes.py --docs 20000
    python benchmarks/ray_keys_bytes.py --docs 20000 --driver-keys
    python benchmarks/ray_keys_bytes.py --docs 20000 --ray-shuffle-min-docs 1000000000   # pass 2's groupings in the driver

Received: the pickled size of every object ``ray.get`` hands the driver while the pass runs (Ray
Data's are none: pass 1 is over). Put: the pickled size of what the driver ``ray.put``s meanwhile. Sent: the pickled size of each task's own argument (the common
arguments are put in the object store once: ``put_once``). Driver CPU: ``time.process_time()`` around the pass.
Per row: divided by the staged rows. One JSON line per build. Pinned (pass 2, round 31): the peak, sampled
every 10 ms from Ray's reference table (``core_worker.get_all_reference_counts``), of the objects this
process holds references to (their number, and their sizes summed: an object a reference pins stays in
Ray's object store, or in this process's own store when small).
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=20_000)
    ap.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--driver-keys", action="store_true", help="pass 3a with the keys back in the driver")
    ap.add_argument("--ray-shuffle-min-docs", type=int, help="the build option (default: the build's default)")
    args = ap.parse_args()
    more = {} if args.ray_shuffle_min_docs is None else {"ray_shuffle_min_docs": args.ray_shuffle_min_docs}
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    import corpuspack
    import psutil
    import ray
    from corpuspack.builder.engines import ray as ray_engine
    from corpuspack.builder import pipeline
    from corpuspack.builder.engines.base import Engine
    from corpuspack.builder.release import compare

    corpus = run.make_corpus(args.docs, 1, run.WORK / f"corpus-{args.docs}-1")
    ray.init(num_cpus=args.jobs, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    phase = [None]
    tally: dict[str, dict] = {}
    real_get, real_put, real_map = ray.get, ray.put, ray_engine.RayEngine.map

    def counted_get(refs, *a, **k):
        result = real_get(refs, *a, **k)
        if phase[0]:
            tally[phase[0]]["received"] += len(pickle.dumps(result, protocol=5))
        return result

    def counted_put(value, *a, **k):
        if phase[0]:
            tally[phase[0]]["put"] += len(pickle.dumps(value, protocol=5))
        return real_put(value, *a, **k)

    def counted_map(self, fn, tasks, *common, local=None):
        def sent(tasks):
            for task in tasks:
                if phase[0]:
                    tally[phase[0]]["sent"] += len(pickle.dumps(task, protocol=5))
                yield task
        if phase[0]:
            tally[phase[0]]["put_once"] += sum(len(pickle.dumps(c, protocol=5)) for c in common)
        return real_map(self, fn, sent(tasks), *common, local=local)

    def pinned(into: dict, stop: threading.Event) -> None:
        """Samples the objects this process references (count, bytes) into ``into``'s peaks."""
        core = ray._private.worker.global_worker.core_worker
        while not stop.wait(0.01):
            held = [k for k, v in core.get_all_reference_counts().items() if v.get("local", 0) or v.get("submitted", 0)]
            refs = [ray.ObjectRef(bytes.fromhex(k.decode() if isinstance(k, bytes) else k)) for k in held]
            size = sum(v.get("object_size") or 0 for v in core.get_local_object_locations(refs).values()) if refs else 0
            del refs
            into["pinned_peak_refs"] = max(into.get("pinned_peak_refs", 0), len(held))
            into["pinned_peak_bytes"] = max(into.get("pinned_peak_bytes", 0), size)

    def timed(name, method, bound=True):
        def wrapper(*a, **k):
            self, a = (a[0], a[1:]) if bound else (None, a)
            phase[0] = name
            tally[name] = {"received": 0, "sent": 0, "put_once": 0, "put": 0}
            stop = threading.Event()
            sampler = threading.Thread(target=pinned, args=(tally[name], stop), daemon=True) if name == "pass2" else None
            if sampler is not None:
                sampler.start()
            cpu = time.process_time()
            try:
                result = method(self, *a, **k) if bound else method(*a, **k)
                if name == "pass2":  # the Plan the driver holds (and puts once for pass 3)
                    tally[name]["plan_pickled"] = len(pickle.dumps(result, protocol=5))
                if name == "pass3b":  # a generator: consumed by the pipeline
                    result = list(result)
                return result
            finally:
                tally[name]["driver_cpu_s"] = round(time.process_time() - cpu, 3)
                if sampler is not None:
                    stop.set()
                    sampler.join()
                phase[0] = None
        return wrapper

    real_diff = compare.diff_tables

    def held_diff(old, new):  # (b) on the driver: the two versions' (id, digest) tables joined here
        if phase[0]:
            tally[phase[0]]["held"] = tally[phase[0]].get("held", 0) + old.nbytes + new.nbytes
        return real_diff(old, new)

    compare.diff_tables = held_diff
    ray.get, ray.put = counted_get, counted_put
    ray_engine.RayEngine.plan = timed("pass2", ray_engine.RayEngine.plan)
    if hasattr(Engine, "changes"):  # the version's changes an engine method (round 29)
        ray_engine.RayEngine.changes = timed("changes", ray_engine.RayEngine.changes)
    else:
        pipeline._changes = timed("changes", pipeline._changes, bound=False)
    ray_engine.ray.get = counted_get
    ray_engine.RayEngine.map = counted_map
    if hasattr(Engine, "finish_keys"):  # older code: pass 3a not an engine method (not measured)
        keys_method = Engine.finish_keys if args.driver_keys else ray_engine.RayEngine.finish_keys
        ray_engine.RayEngine.finish_keys = timed("pass3a", keys_method)
    real_rows = ray_engine.RayEngine.finish_rows
    ray_engine.RayEngine.finish_rows = timed("pass3b", lambda self, *a, **k: iter(list(real_rows(self, *a, **k))))
    with tempfile.TemporaryDirectory(dir=run.WORK) as tmp:
        out = Path(tmp) / "out"
        for build in ("first", "next"):
            wall = time.perf_counter()
            result = corpuspack.build(corpus, out, engine="ray", progress=False, **more,
                                      version="1.0.0" if build == "first" else "1.0.1")
            rows = result.counts.get("found") or args.docs
            row = {"build": build, "driver_keys": args.driver_keys, "docs": args.docs,
                   "seconds": round(time.perf_counter() - wall, 2),
                   "shards_reused": result.manifest["work"]["shards_reused"],
                   "kept_keys_bytes": sum(p.stat().st_size for p in (out / ".cache").glob("keys-*")),
                   "load": round(psutil.getloadavg()[0], 1)}
            for name, t in tally.items():
                row[name] = {**t, "received_per_row": round(t["received"] / rows, 1),
                             "sent_per_row": round(t["sent"] / rows, 1)}
            print(json.dumps(row), flush=True)
    ray.shutdown()


if __name__ == "__main__":
    main()
