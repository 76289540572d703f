"""What a build with a sidecar manifest holds: the peak memory of the build's processes, beside the
manifest's own sizes.

    python benchmarks/manifest_memory.py DUMP [--rows N] [--unfetched K] [--tree PATH ...] [--jobs 2]

Writes (once, in ``benchmarks/_work``) ``DUMP-manifest-N-K.parquet``: a crawl manifest with a row for each of the
first N files of DUMP (``file_name, url, date, source, title, crawl_id``; N defaults to all) and K rows
of pages the crawl listed but the dump does not hold (``unfetched/NNNNNNN.txt``: the report names
them as rows matching no file), then, for
each ``--tree`` (a checkout of the code, default this one), builds DUMP with ``--manifest`` in a child
process and samples every 0.1 s its process tree: the peak of the sum of their proportional set sizes
(PSS: a page shared by several processes, such as a memory-mapped file, counted once in all), the
largest single process's resident size, and the wall time. The references printed with them: the
manifest's Parquet file, its Arrow table as read, and the by-hand recipe's Python dict of row dicts
(``{row[key]: row for row in table.to_pylist()}``), each measured in this process.
"""
from __future__ import annotations

import argparse
import gc
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]


def manifest_for(dump: Path, rows: int | None, unfetched: int) -> Path:
    names = sorted(p.name for p in dump.iterdir() if p.is_file())[:rows]
    path = REPO / "benchmarks" / "_work" / f"{dump.name}-manifest-{len(names)}-{unfetched}.parquet"
    names += [f"unfetched/{i:07d}.txt" for i in range(unfetched)]
    if not path.exists():
        n = len(names)
        pq.write_table(pa.table({
            "file_name": names,
            "url": [f"https://www.alwatan.com.sa/article/{1_000_000 + i}" for i in range(n)],
            "date": [f"2022-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(n)],
            "source": ["Al Watan"] * n,
            "title": [f"عنوان المقال رقم {i} من أرشيف الموقع" for i in range(n)],
            "crawl_id": list(range(n))}), path)
    return path


def _rss_mib() -> float:
    return psutil.Process().memory_info().rss / 2**20


def references(path: Path) -> dict:
    gc.collect()
    before = _rss_mib()
    table = pq.read_table(path)
    arrow = table.nbytes / 2**20
    rows = {r["file_name"]: r for r in table.to_pylist()}
    dicts = _rss_mib() - before
    del rows, table
    return {"parquet file MiB": round(path.stat().st_size / 2**20, 1), "Arrow table MiB": round(arrow, 1),
            "dict of row dicts (by hand), this process's growth MiB": round(dicts, 1)}


def build(tree: Path, dump: Path, manifest: Path, jobs: int) -> dict:
    out = Path(tempfile.mkdtemp(dir=REPO / "benchmarks" / "_work")) / "out"
    env = {**os.environ, "PYTHONPATH": str(tree)}
    cmd = [sys.executable, "-m", "corpuspack.cli", "build", str(dump), str(out), "--manifest", str(manifest),
           "--jobs", str(jobs), "--quiet"]
    t = time.perf_counter()
    # run from the tree: ``python -m`` puts the working folder first on the path, before PYTHONPATH
    proc = subprocess.Popen(cmd, env=env, cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    root, peak, stop = psutil.Process(proc.pid), {"pss": 0.0, "largest": 0.0}, threading.Event()
    each: dict[int, float] = {}  # each process's peak proportional set size

    def sample() -> None:
        while not stop.wait(0.1):
            pss, largest = 0, 0
            for p in [root, *root.children(recursive=True)]:
                try:
                    info = p.memory_full_info()
                except psutil.Error:
                    continue
                pss += info.pss
                largest = max(largest, info.rss)
                each[p.pid] = max(each.get(p.pid, 0.0), info.rss / 2**20)
            peak["pss"] = max(peak["pss"], pss / 2**20)
            peak["largest"] = max(peak["largest"], largest / 2**20)

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t
    stop.set()
    watcher.join()
    shutil.rmtree(out.parent, ignore_errors=True)
    if proc.returncode:
        raise SystemExit(f"build failed ({proc.returncode}): {err.decode()[-2000:]}")
    return {"wall s": round(wall, 1), "peak PSS of all processes MiB": round(peak["pss"]),
            "largest process peak RSS MiB": round(peak["largest"]),
            "each process's peak RSS MiB (the build's first)": [round(each.pop(proc.pid, 0))]
            + sorted((round(v) for v in each.values()), reverse=True)[:4]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dump", type=Path)
    ap.add_argument("--rows", type=int, default=None)
    ap.add_argument("--unfetched", type=int, default=0)
    ap.add_argument("--tree", type=Path, action="append", default=None)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    manifest = manifest_for(args.dump.resolve(), args.rows, args.unfetched)
    print(f"manifest {manifest.name}: {pq.ParquetFile(manifest).metadata.num_rows:,} rows")
    for k, v in references(manifest).items():
        print(f"  {k}: {v}")
    for tree in args.tree or [REPO]:
        print(f"build --manifest, code {tree}: {build(tree.resolve(), args.dump.resolve(), manifest, args.jobs)}")


if __name__ == "__main__":
    main()
