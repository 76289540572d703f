"""CPU time the build's own process spends per document to produce the input's entries (pass 1's
listing), a folder against the same dump as a .tar.gz and a .zip, side by side. The folder's
entries are names (its workers read the files); an archive's carry the bytes, read here, which is
the archive path's extra cost over the folder (the per-document function is the same for both).

    python benchmarks/archive_read_cpu.py                      # ../shared/realdata/ant_multisource
    python benchmarks/archive_read_cpu.py --folder DIR --rounds 5

CPU time of this process (``time.process_time``), so other processes on a loaded machine change
it less than wall time; the forms alternate and the median of the rounds is printed.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

from corpuspack.builder.document.inputs import InputOptions, Tally, entries

REAL = Path(__file__).resolve().parents[1] / ".." / "shared" / "realdata" / "ant_multisource"


def cpu_per_entry(path: Path) -> tuple[float, int]:
    t0, n = time.process_time(), 0
    for _ in entries(str(path), InputOptions(), Tally()):
        n += 1
    return (time.process_time() - t0) / n, n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--folder", type=Path, default=REAL)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tgz = Path(tmp) / "dump.tar.gz"
        subprocess.run(["tar", "czf", str(tgz), "--sort=name", "-C", str(args.folder), "."], check=True)
        zpath = Path(tmp) / "dump.zip"
        with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as z:
            for f in sorted(args.folder.rglob("*")):
                if f.is_file():
                    z.write(f, f.relative_to(args.folder).as_posix())
        forms = {"folder": args.folder, "tar.gz": tgz, "zip": zpath}
        times: dict[str, list[float]] = {k: [] for k in forms}
        for _ in range(args.rounds):
            for name, path in forms.items():
                per, n = cpu_per_entry(path)
                times[name].append(per)
        print(f"{n} documents of {args.folder}; CPU of this process per document, median of {args.rounds}:")
        for name, values in times.items():
            print(f"  {name:7s} {statistics.median(values) * 1e6:7.1f} us   (rounds: "
                  + ", ".join(f"{v * 1e6:.1f}" for v in values) + ")")


if __name__ == "__main__":
    main()
