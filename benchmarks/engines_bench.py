"""The Ray engine against the local engine: wall time and peak memory (resident memory of the
build's process and all its children, Ray's own processes included), and whether the two
outputs are byte-identical.

    python benchmarks/engines_bench.py --docs 20000                              # generated dump
    python benchmarks/engines_bench.py --dump ../shared/realdata/ant_multisource  # real text

Each build runs in its own process (see run.py's ``measure``). ``ray``: the whole command
``corpuspack build --engine ray`` without ``--address``, which starts a local Ray instance of
``--jobs`` CPUs (~10-20 s here) whose workers import the per-document code; ``ray, Ray running``:
the same build timed alone in a process where Ray runs and a build of the seeds warmed its workers
(peak memory: the whole process tree, that warm-up included).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def same_outputs(local: Path, ray: Path) -> bool:
    """Every file of the two outputs holds the same bytes, the caches for the next build included,
    but the pass-2 scans only the local engine keeps (``corpus/scans.py``, since round 40; Ray's tasks
    count the lines themselves), compared where both hold them (as tests/test_engine_ray.py does)."""
    from corpuspack.builder.corpus.scans import kept_scan_files

    a, b = tree_bytes(local), tree_bytes(ray)
    for name in set(kept_scan_files(a)) ^ set(kept_scan_files(b)):
        a.pop(name, None)
        b.pop(name, None)
    return a == b


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=20_000, help="documents of the generated dump")
    ap.add_argument("--dump", help="a dump folder to build instead of a generated one")
    ap.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--repeat", type=int, default=1, help="builds per engine (the figures are the medians)")
    args = ap.parse_args()
    corpus = Path(args.dump) if args.dump else run.make_corpus(args.docs, 1, run.WORK / f"corpus-{args.docs}-1")
    docs = sum(1 for p in corpus.rglob("*") if p.is_file())
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")  # the same release date in both outputs
    run.WORK.mkdir(exist_ok=True)
    figures: dict[str, list[dict]] = {"corpuspack": [], "corpuspack_ray": [], "corpuspack_ray_running": []}
    with tempfile.TemporaryDirectory(dir=run.WORK) as tmp:
        for i in range(args.repeat):
            for method in figures:
                out = Path(tmp) / f"{method}-{i}"
                figures[method].append(run.measure(method, corpus, out, args.jobs))
                print(f"  {method}: {figures[method][-1]['seconds']:.1f} s, CPU {figures[method][-1]['cpu_seconds']:.1f} s",
                      file=sys.stderr, flush=True)
        same = same_outputs(Path(tmp) / "corpuspack-0" / "dataset", Path(tmp) / "corpuspack_ray-0" / "dataset")

    def median(method: str, key: str) -> float:
        values = sorted(r[key] for r in figures[method])
        return values[len(values) // 2]

    import psutil

    print(f"\n{docs:,} documents from {corpus}, {args.jobs} jobs, median of {args.repeat} (runs alternated), "
          f"load average at the end {psutil.getloadavg()[0]:.1f}\n")
    print("| engine | seconds | CPU seconds | docs/s | peak RSS (MiB) | time vs local | memory vs local |")
    print("|---|---|---|---|---|---|---|")
    for method, label in (("corpuspack", "local (process pool)"),
                          ("corpuspack_ray", "ray: `--engine ray` (starts Ray, cold workers)"),
                          ("corpuspack_ray_running", "ray: the build alone (Ray running, workers warm)")):
        s, m = median(method, "seconds"), median(method, "peak_rss")
        print(f"| {label} | {s:.1f} | {median(method, 'cpu_seconds'):.1f} | {docs / s:,.0f} | {m / 2**20:,.0f} | "
              f"{s / median('corpuspack', 'seconds'):.2f}x | {m / median('corpuspack', 'peak_rss'):.2f}x |")
    print(f"\nbyte-identical outputs: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
