"""The peak resident memory of each pass of one build: the sum over the build's process and its
children (the workers, the painter), sampled every 0.1 s, and the build's own process's.

    python benchmarks/pass_peaks.py DUMP OUT [--version 1.0.0] [--jobs 2]

Prints one JSON line: ``{pass: [peak of the tree, peak of the build's process]}`` in MiB and the
pipeline's timings (a pass shorter than the 0.1 s between samples may show 0). ``benchmarks/run.py``
gives the whole build's peak; this says which pass holds it (round 34: pass 2's near-duplicate
bands beside the exact groupings at 1,000,000 documents).
"""
from __future__ import annotations

import argparse
import json
import threading

import psutil

import corpuspack
from corpuspack.builder import pipeline


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dump")
    ap.add_argument("out")
    ap.add_argument("--version", default=None)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    me, peak, laps, stop = psutil.Process(), {"tree": 0, "own": 0}, {}, threading.Event()

    def sample() -> None:
        while not stop.wait(0.1):
            rss = []
            for p in [me, *me.children(recursive=True)]:
                try:
                    rss.append(p.memory_info().rss)
                except psutil.Error:
                    pass
            peak["tree"], peak["own"] = max(peak["tree"], sum(rss)), max(peak["own"], rss[0])

    class Clock(pipeline._Clock):  # each pass's peaks read as the pipeline times it
        def lap(self, name: str) -> None:
            super().lap(name)
            laps[name] = [round(peak["tree"] / 2**20), round(peak["own"] / 2**20)]
            peak["tree"] = peak["own"] = 0

    pipeline._Clock = Clock
    threading.Thread(target=sample, daemon=True).start()
    result = corpuspack.build(args.dump, args.out, version=args.version, jobs=args.jobs, progress=False)
    stop.set()
    print(json.dumps({"peak_tree_own_MiB": laps, "timings": result.timings}))


if __name__ == "__main__":
    main()
