"""Pass 2's duplicate groupings on a running Ray instance: in the driver (``Here``: the exact
keys and band hashes read into the driver, the texts' fingerprints and shingles as Ray tasks) against
Ray tasks partitioned by key hash (``Partitioned``, as ``--engine ray`` runs them from
``ray_shuffle_min_docs`` documents on), step by step, runs alternated; wall time and CPU time
(the whole process tree: this process, Ray's and its workers).

    python benchmarks/ray_dedup_bench.py --docs 20000
    python benchmarks/ray_dedup_bench.py --dump ../shared/realdata/ant_multisource

The stage file is that of a local build of the dump (its cache of staged rows).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402


def tree_cpu() -> float:
    me = psutil.Process()
    total = 0.0
    for p in [me, *me.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=20_000)
    ap.add_argument("--dump")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-ray-data", action="store_true", help="skip the Ray Data groupby (~15 s a run here)")
    args = ap.parse_args()
    import ray

    import corpuspack
    from corpuspack.builder.corpus.dedup import cluster_labels
    from corpuspack.builder.corpus.duplicates import Here
    from corpuspack.builder.corpus.plan import repeated_here
    from corpuspack.builder.corpus.published import PublishedContext
    from corpuspack.builder.engines.ray import RayEngine
    from corpuspack.builder.engines.ray_pass2 import Partitioned, components, edge_parts
    from corpuspack.builder.options import BuildOptions

    corpus = Path(args.dump) if args.dump else run.make_corpus(args.docs, 1, run.WORK / f"corpus-{args.docs}-1")
    run.WORK.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=run.WORK) as tmp:
        corpuspack.build(corpus, Path(tmp) / "out", jobs=args.jobs, progress=False)
        stage = str(next((Path(tmp) / "out" / ".cache").glob("stage-*")))
        reader = pa.ipc.open_file(stage)
        sizes = [reader.get_batch(i).num_rows for i in range(reader.num_record_batches)]
        n = sum(sizes)
        options = BuildOptions()
        ray.init(num_cpus=args.jobs, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
        engine = RayEngine(args.jobs, None, tmp).__enter__()
        width = 2 * args.jobs
        ways = {"driver": Here(engine.map), "partitioned": Partitioned(width, width)}
        copies = Here(engine.map).staged_copies(stage, sizes)
        ctx = PublishedContext(stage, repeated_here(stage, copies, options))
        none = np.empty(0, np.int64)  # no row rejected for its id
        steps = {
            "duplicate ids": lambda w: w.id_copies(stage, sizes),
            "staged copies (exact keys as staged)": lambda w: w.staged_copies(stage, sizes),
            "exact duplicates of the published texts": lambda w: w.published(stage, sizes, ctx, none),
            "near-duplicate clusters (LSH, verification, components)":
                lambda w: w.near_clusters(stage, sizes, copies, options, ctx),
        }
        figures = {(s, w): [] for s in steps for w in ways}
        pairs = {}
        for w in ways:  # a first run of each, not timed (the workers import the code)
            for step in steps.values():
                step(ways[w])
        for _ in range(args.repeat):
            for s, step in steps.items():
                for w, way in ways.items():
                    c0, t0 = tree_cpu(), time.perf_counter()
                    result = step(way)
                    figures[s, w].append((time.perf_counter() - t0, tree_cpu() - c0))
                    if s.startswith("near"):
                        pairs[w] = len(result[0])  # rows in a cluster
        # Ray Data instead of plain tasks, a lower bound: a groupby of the same (key, row) rows that
        # only counts each key's rows (the duplicates would still have to be picked out of the groups)
        key_rows = pa.table({"k": pa.array(np.frombuffer(b"".join(reader.read_all().column("_exact_key").to_pylist()),
                                                          "<i8")[::2]), "row": pa.array(np.arange(n))})
        blocks = [key_rows.slice(i * (n // width + 1), n // width + 1) for i in range(width)]
        ray_data = [0.0]
        for _ in range(0 if args.no_ray_data else args.repeat + 1):  # the first run not counted
            t0 = time.perf_counter()
            ray.data.from_arrow(blocks).groupby("k", num_partitions=width).count().materialize()
            ray_data.append(time.perf_counter() - t0)
        u, v = Here(engine.map).near_pairs(stage, sizes, copies, options, ctx)
        union, in_tasks = [], []
        for _ in range(args.repeat):  # the connected components alone, of the same pairs
            c0, t0 = tree_cpu(), time.perf_counter()
            cluster_labels(u, v)
            union.append((time.perf_counter() - t0, tree_cpu() - c0))
            parts = [[ray.put(e) for e in edge_parts(u, v, width)]]
            c0, t0 = tree_cpu(), time.perf_counter()
            components(parts, width)
            in_tasks.append((time.perf_counter() - t0, tree_cpu() - c0))
        ray.shutdown()
    print(f"\n{n:,} staged documents from {corpus}, {args.jobs} CPUs, median of {args.repeat} (runs alternated), "
          f"load average {psutil.getloadavg()[0]:.1f}\n")
    print("| step | driver: wall s | driver: CPU s | partitioned: wall s | partitioned: CPU s |")
    print("|---|---|---|---|---|")
    for s in steps:
        cells = []
        for w in ways:
            runs = sorted(figures[s, w])
            wall = sorted(r[0] for r in runs)[len(runs) // 2]
            cpu = sorted(r[1] for r in runs)[len(runs) // 2]
            cells += [f"{wall:.2f}", f"{cpu:.2f}"]
        print(f"| {s} | " + " | ".join(cells) + " |")
    print(f"\nrows in a near-duplicate cluster: {pairs}; verified pairs: {len(u):,}; documents: {n:,}")
    print("connected components of those pairs alone, wall / CPU s: union-find in the driver "
          f"{_median(union)}, Large-Star/Small-Star in Ray tasks {_median(in_tasks)}")
    if not args.no_ray_data:
        print(f"Ray Data groupby(key).count() of the same (key, row) rows (lower bound of an exact grouping on "
              f"Ray Data), median: {sorted(ray_data[1:])[len(ray_data[1:]) // 2]:.2f} s")


def _median(runs: list[tuple[float, float]]) -> str:
    return " / ".join(f"{sorted(r[i] for r in runs)[len(runs) // 2]:.2f}" for i in (0, 1))


if __name__ == "__main__":
    main()
