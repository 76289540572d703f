"""Pass 2 (the corpus-level duplicate and repeated-line decisions) of this code against another
checkout of corpuspack, side by side on one stage file, one process each (no pool), alternately:

    git archive be314df | tar -x -C /tmp/old && cp corpuspack/builder/_kernels*.so /tmp/old/corpuspack/builder/
    python benchmarks/dedup_pass2_bench.py DUMP --other /tmp/old [--rounds 3]

The dump is built once with this code (its stage file is kept in OUT/.cache); each round times
``plan(stage, options)`` of each code in a fresh interpreter and prints µs per document, with
the per-document fingerprint step of pass 1 (this code's ``fingerprints``, the same in both)
measured on the dump's first 2,000 texts, so the whole duplicate step can be compared.
"""
from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMER = str(Path(__file__).resolve().parent / "plan_timer.py")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dump")
    ap.add_argument("--other", required=True, help="folder of the other corpuspack checkout (with its kernels)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    import time

    import corpuspack
    from corpuspack.builder.document.fingerprint import fingerprints

    out = tempfile.mkdtemp(prefix="pass2-bench-")
    corpuspack.build(args.dump, out, jobs=2, progress=False)
    stage = next(p for p in glob.glob(os.path.join(out, ".cache", "**", "*.arrow"), recursive=True))
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(Path(args.dump).rglob("*.txt"))[:2000]]
    t = time.perf_counter()
    for text in texts:
        fingerprints(text)
    fp_us = (time.perf_counter() - t) / len(texts) * 1e6
    env = {**os.environ, "PYTHONPATH": ""}
    print(f"fingerprints (pass 1, both codes): {fp_us:.1f} µs/doc")
    print("| round | code | pass 2 s | µs/doc | step µs/doc (fingerprints + pass 2) |")
    print("|---|---|---|---|---|")
    for r in range(args.rounds):
        for label, code in (("other", args.other), ("this", str(ROOT))):
            res = subprocess.run([sys.executable, TIMER, code, stage], capture_output=True, text=True,
                                 env={**env, "PYTHONPATH": code}, check=True)
            dt, n = res.stdout.split()
            us = float(dt) / int(n) * 1e6
            print(f"| {r + 1} | {label} | {float(dt):.2f} | {us:.1f} | {fp_us + us:.1f} |", flush=True)
    shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
