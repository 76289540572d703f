"""Where a document's time goes: µs of one core per step, run stage by stage over batches as the
build's workers run them (see corpuspack.builder.document.process.process_documents).

    python benchmarks/run.py --docs 20000 --only floor     # once: generates the corpus
    python benchmarks/stages_bench.py [--corpus benchmarks/_work/corpus-20000-1] [--docs 3000]

Each step is timed over each batch of 256 documents in turn (best of three passes), then the whole
worker function (process_batch: reading, hashing, every step, records, the Arrow batch) on the same
files. Times are this process's CPU time (time.process_time), so a machine loaded by other work
slows the figures much less than it slows wall time.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from pathlib import Path

from corpuspack.builder.document.clean import clean_lines, normalize
from corpuspack.builder.document.decode import decode
from corpuspack.builder.document.process import text_stats
from corpuspack.builder.engines.local import process_batch
from corpuspack.builder.document.fingerprint import fingerprints
from corpuspack.builder.document.language import detect_language
from corpuspack.builder.document.metadata import extract_metadata
from corpuspack.builder.options import DocOptions

BATCH = 256


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=str(Path(__file__).resolve().parent / "_work" / "corpus-20000-1"))
    ap.add_argument("--docs", type=int, default=3000)
    args = ap.parse_args()
    if not os.path.isdir(args.corpus):
        print(f"{args.corpus}: no corpus; generate one with benchmarks/run.py", file=sys.stderr)
        return 1
    files = sorted(str(p) for p in Path(args.corpus).glob("*.txt"))[: args.docs]
    datas = [Path(f).read_bytes() for f in files]
    items = [(os.path.basename(f), f, None) for f in files]
    n, opts, best = len(datas), DocOptions(), {}
    for rep in range(3):
        spent: dict[str, float] = {}

        def timed(name, fn, xs):
            t0 = time.process_time()
            out = [fn(x) for x in xs]
            spent[name] = spent.get(name, 0.0) + time.process_time() - t0
            return out

        for i in range(0, n, BATCH):
            chunk = datas[i : i + BATCH]
            timed("sha256", lambda d: hashlib.sha256(d).hexdigest(), chunk)
            decoded = timed("decode", decode, chunk)
            normalized = timed("normalize", lambda d: normalize(d.text), decoded)
            cleaned = timed("clean", clean_lines, normalized)
            timed("metadata", extract_metadata, normalized)
            timed("language", lambda c: detect_language(c.text), cleaned)
            timed("fingerprints", lambda c: fingerprints(c.text), cleaned)
            timed("quality", lambda c: text_stats(c.text), cleaned)
        t0 = time.process_time()
        for i in range(0, n, BATCH):
            process_batch(items[i : i + BATCH], opts)
        spent["process_batch (all of it)"] = time.process_time() - t0
        for k, v in spent.items():
            best[k] = min(best.get(k, v), v)
    for k, v in best.items():
        print(f"{k:28s} {v / n * 1e6:7.0f} us/doc")
    return 0


if __name__ == "__main__":
    sys.exit(main())
