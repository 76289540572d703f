"""What a +1% version adds on disk and would upload, Parquet written as before issue #16
("today": min/max statistics for every column, no page index, no content-defined chunking)
against the way `datasets` writes it for the Hub ("hub": page index, content-defined
chunking, no statistics for free text), on real articles.

    python benchmarks/card_bench.py [--dump ../shared/realdata/ant_multisource] [--rows-per-shard 10000 500]

For each writer and shard size: version 1.0.0 is built from the first 99% of the files (sorted
by name), 1.1.0 from all of them (jobs=1, so the writer settings patched here are the ones used);
then again with 1% of the earlier files edited too (a line of its own added at the end, so that
cleaning does not remove it as a line repeated across documents), either every 100th file
(`spread`) or 1% of consecutive files in the middle (`clustered`).
Printed per row: the bytes of 1.1.0's files; the bytes it adds on disk (files that are not a
link to, or the same file as, a 1.0.0 file); the bytes a whole-file upload sends (git LFS: files
whose SHA-256 the repository does not hold yet); an estimate of the bytes a chunk-deduplicating
upload sends (the Hub's Xet storage: the files cut into content-defined chunks of ~64 KiB with
FastCDC, `pip install -e '.[bench]'`, and the chunks 1.0.0's files do not hold counted); and the
footer size of the first shard.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pyarrow.parquet as pq

import corpuspack
from corpuspack.builder.release import versions, write

ROOT = Path(__file__).resolve().parents[1]
CHANGES = {"none": "+1% new", "spread": "+1% new, 1% edited (every 100th)",
           "clustered": "+1% new, 1% edited (consecutive)"}
TODAY = dict(compression="zstd", compression_level=3, use_dictionary=True, write_statistics=True,
             data_page_version="2.0", version="2.6")


def without_cdc(settings: dict) -> dict:
    return {k: v for k, v in settings.items() if k != "use_content_defined_chunking"}


def files_of(out: str, version: str) -> list[dict]:
    return [f for i in versions.read_manifest(out, version)["splits"].values() for f in i["files"]]


def chunks(path: str) -> list[tuple[str, int]]:
    from fastcdc import fastcdc

    data = Path(path).read_bytes()
    return [(hashlib.sha256(data[c.offset:c.offset + c.length]).hexdigest(), c.length)
            for c in fastcdc(data, min_size=8 * 1024, avg_size=64 * 1024, max_size=128 * 1024, fat=False)]


def measure(out: str) -> dict:
    old, new = files_of(out, "1.0.0"), files_of(out, "1.1.0")
    old_inodes = {os.stat(os.path.join(out, f["path"])).st_ino for f in old}
    old_sha = {f["sha256"] for f in old}
    old_chunks = {h for f in old for h, _ in chunks(os.path.join(out, f["path"]))}
    added_disk = sum(f["num_bytes"] for f in new if os.stat(os.path.join(out, f["path"])).st_ino not in old_inodes)
    lfs = sum(f["num_bytes"] for f in new if f["sha256"] not in old_sha)
    xet, seen = 0, set(old_chunks)
    for f in new:
        if f["sha256"] in old_sha:
            continue
        for h, n in chunks(os.path.join(out, f["path"])):
            if h not in seen:
                xet += n
                seen.add(h)
    footer = pq.ParquetFile(os.path.join(out, new[0]["path"])).metadata.serialized_size
    return {"files": len(new), "bytes": sum(f["num_bytes"] for f in new), "disk": added_disk, "lfs": lfs, "xet": xet,
            "footer": footer}


def build_pair(dump: Path, work: Path, rows_per_shard: int, edit: str) -> str:
    names = sorted(os.listdir(dump))
    cut = len(names) * 99 // 100
    src = work / "dump"
    src.mkdir()
    for n in names[:cut]:
        os.link(dump / n, src / n) if os.stat(dump).st_dev == os.stat(work).st_dev else shutil.copyfile(dump / n, src / n)
    out = str(work / "out")
    opts = dict(jobs=1, progress=False, rows_per_shard=rows_per_shard)
    corpuspack.build(src, out, version="1.0.0", **opts)
    for n in names[cut:]:
        shutil.copyfile(dump / n, src / n)
    edited = {"none": [], "spread": names[:cut:100], "clustered": names[cut // 2:cut // 2 + cut // 100]}[edit]
    for n in edited:  # 1% of the earlier files corrected: a line added at the end (a new file, not a link)
        text = (src / n).read_text(encoding="utf-8")
        os.remove(src / n)
        (src / n).write_text(text + f"\nتصحيح ({n[:4]}): عدلت هذه المقالة بعد نشرها.\n", encoding="utf-8")
    corpuspack.build(src, out, version="1.1.0", **opts)
    return out


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--dump", default=str(ROOT / ".." / "shared" / "realdata" / "ant_multisource"))
    p.add_argument("--rows-per-shard", type=int, nargs="+", default=[10_000, 500])
    p.add_argument("--edits", nargs="+", default=["none", "spread", "clustered"], choices=["none", "spread", "clustered"])
    args = p.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    original = write.parquet_settings
    rows = []
    for edit in args.edits:
        for rps in args.rows_per_shard:
            for label in ("today", "hub", "hub, no CDC"):
                write.parquet_settings = {"today": lambda names: dict(TODAY), "hub": original,
                                          "hub, no CDC": lambda names: without_cdc(original(names))}[label]
                with tempfile.TemporaryDirectory(prefix="card-bench-") as tmp:
                    m = measure(build_pair(Path(args.dump), Path(tmp), rps, edit))
                rows.append((CHANGES[edit], rps, label, m))
    write.parquet_settings = original
    print(f"dump: {args.dump} ({len(os.listdir(args.dump)):,} files); +1% = the last 1% of the names")
    print("| change | rows per shard | writer | files of 1.1.0 | bytes of 1.1.0 | added on disk | whole-file upload (LFS) "
          "| chunk upload (Xet, est.) | footer of a shard |")
    print("|---|---|---|---|---|---|---|---|---|")
    for change, rps, label, m in rows:
        print(f"| {change} | {rps:,} | {label} | {m['files']} | {m['bytes']:,} | {m['disk']:,} | {m['lfs']:,} | {m['xet']:,} "
              f"| {m['footer']:,} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
