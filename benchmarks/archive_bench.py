"""A dump built from its folder and from a .tar.gz of it, side by side (issue #15: within 1.2x of
the folder's time, peak memory no higher).

    python benchmarks/archive_bench.py --docs 100000            # generated corpus (benchmarks/run.py's)
    python benchmarks/archive_bench.py --real                   # ../shared/realdata/ant_multisource

Each build runs in its own process (benchmarks/run.py: measure), peak RSS summed over the build
and its workers; the forms alternate for ``--rounds`` rounds and the medians are printed. Two
archives, both by GNU tar: ``tar czf --sort=name`` (members in the folder's order) and plain
``tar czf`` (members in the order the file system lists them, restaged in the folder's order
after pass 1). The shards of all three builds are checked to be the same files.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import WORK, _marker, make_corpus, measure  # noqa: E402

REAL = HERE.parent / ".." / "shared" / "realdata" / "ant_multisource"


def child(method: str, src: str, out: str, jobs: int) -> None:
    import corpuspack

    t0 = time.perf_counter()
    corpuspack.build(src, Path(out) / "dataset", version="1.0.0", jobs=jobs, progress=False)
    print(json.dumps({"seconds": time.perf_counter() - t0}))


def pack(folder: Path, sort: bool) -> Path:
    """The folder as a .tar.gz beside it, made once with GNU tar: members sorted by name (the
    folder's order), or in the order the file system lists them."""
    path = folder.parent / f"{folder.name}{'-sorted' if sort else ''}.tar.gz"
    if not path.exists():
        tmp = path.with_suffix(".part")
        subprocess.run(["tar", "czf", str(tmp), *(["--sort=name"] if sort else []), "-C", str(folder), "."], check=True)
        tmp.rename(path)
    return path


def shards(out: Path) -> list:
    m = json.loads((out / "dataset" / "versions" / "1.0.0" / "manifest.json").read_text())
    return [(f["path"], f["sha256"]) for s in m["splits"].values() for f in s["files"]]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--real", action="store_true", help="the 3,000 real articles of ../shared/realdata/ant_multisource")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    args = ap.parse_args()
    WORK.mkdir(exist_ok=True)
    if args.real:
        folder = WORK / "ant_multisource"
        if not folder.exists():
            shutil.copytree(REAL.resolve(), folder)
        docs = len(os.listdir(folder))
    else:
        folder = make_corpus(args.docs, args.seed, WORK / f"corpus-{args.docs}-{args.seed}")
        docs = json.loads(_marker(folder).read_text())["docs"]
    forms = {"folder": folder, "tar.gz, sorted": pack(folder, sort=True), "tar.gz, file system order": pack(folder, sort=False)}
    results: dict[str, list] = {k: [] for k in forms}
    seen = {}
    with tempfile.TemporaryDirectory(dir=WORK) as tmp:
        for r in range(args.rounds):
            for form, src in forms.items():
                out = Path(tmp) / f"{r}-{list(forms).index(form)}"
                results[form].append(measure("build", src, out, args.jobs, script=__file__))
                seen[form] = shards(out)
                shutil.rmtree(out)
                x = results[form][-1]
                print(f"  round {r + 1} {form}: {x['seconds']:.1f} s, CPU {x['cpu_seconds']:.1f} s, "
                      f"peak RSS {x['peak_rss'] / 2**20:,.0f} MiB (at it, by process: "
                      + " + ".join(f"{b / 2**20:,.0f}" for b in x["at_peak"])
                      + f"; the build's own peak {x['own_peak'] / 2**20:,.0f})", file=sys.stderr, flush=True)
    same = all(s == seen["folder"] for s in seen.values())
    size = sum(p.stat().st_size for p in folder.iterdir())
    print(f"\n{docs:,} documents, {size / 1e6:,.0f} MB in the folder; archives "
          + ", ".join(f"{k} {v.stat().st_size / 1e6:,.0f} MB" for k, v in forms.items() if k != "folder")
          + f"; {args.jobs} jobs; medians of {args.rounds} alternating rounds\n")
    print("| input | seconds | docs/s | CPU s (all processes) | peak RSS (MiB) | time vs folder | CPU vs folder "
          "| peak RSS vs folder |")
    print("|---|---|---|---|---|---|---|---|")
    base = {k: statistics.median(x[k] for x in results["folder"]) for k in ("seconds", "cpu_seconds", "peak_rss")}
    for form, runs in results.items():
        t, c, m = (statistics.median(x[k] for x in runs) for k in ("seconds", "cpu_seconds", "peak_rss"))
        print(f"| {form} | {t:.1f} | {docs / t:,.0f} | {c:.1f} | {m / 2**20:,.0f} | {t / base['seconds']:.2f}x "
              f"| {c / base['cpu_seconds']:.2f}x | {m / base['peak_rss']:.2f}x |")
    print(f"\nshards identical to the folder's: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        main()
