"""Language-ID benchmark: accuracy per kind and mean ms/doc.

    python benchmarks/langid_bench.py [--repeat 3] [--windows] [--real]

Detectors compared on tests/data/langid/eval.jsonl:
  langdetect-1000  langdetect.detect, DetectorFactory.seed = 0, first 1,000 characters (the
                   by-hand reference)
  langdetect-full  the same on the full text
  langdetect-rs-1000  langdetect_rs.detect (langdetect's algorithm in Rust), seed 0, first 1,000
                   characters
  cld2             pycld2.detect alone (top language; 'un' -> 'und')
  cld2+langdetect  corpuspack's rules with langdetect's own Python code as the fallback (the
                   combination before langdetect-rs)
  corpuspack       corpuspack.builder.document.language.detect_language (fallback: langdetect-rs)

--windows adds a larger synthetic sample: every long Persian/Arabic item of the eval set cut into
consecutive word-aligned windows of about 20, 40, 80 and 160 characters (truth = the item's).
Timing is wall time of a whole pass divided by the number of documents (best of --repeat passes,
after a warm-up pass), one process, one thread.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
EVAL = os.path.join(HERE, "..", "tests", "data", "langid", "eval.jsonl")


def load_eval(path=EVAL):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def real_articles():
    """The real articles of ../shared/realdata (each folder's truth file gives the language)."""
    root = os.path.join(HERE, "..", "..", "shared", "realdata")
    out = []
    for name in ("ant_multisource", "farsnews"):
        truth = os.path.join(root, name + ".truth.jsonl")
        if not os.path.exists(truth):
            continue
        with open(truth, encoding="utf-8") as fh:
            for line in fh:
                t = json.loads(line)
                with open(os.path.join(root, name, t["filename"]), encoding="utf-8") as doc:
                    out.append({"text": doc.read(), "language": t["language"], "kind": f"real_{name}"})
    return out


def seed_articles():
    seeds = os.path.join(HERE, "..", "examples", "seeds")
    out = []
    for name in sorted(os.listdir(seeds)):
        with open(os.path.join(seeds, name), encoding="utf-8") as fh:
            out.append({"text": fh.read(), "language": "ar", "kind": "arabic_seed_full"})
    return out


def windows(rows, sizes=(20, 40, 80, 160)):
    out = []
    for r in rows:
        if r["kind"] not in ("arabic", "persian", "persian_arabic_cp") or len(r["text"]) < 250:
            continue
        for size in sizes:
            words, cur = r["text"].split(), ""
            for w in words:
                cur += w + " "
                if len(cur) >= size:
                    out.append({"text": cur.strip(), "language": r["language"],
                                "kind": f"window{size}_{r['language']}"})
                    cur = ""
    return out


def make_detectors():
    import pycld2
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    from corpuspack.builder.document.language import _iso, detect_language

    DetectorFactory.seed = 0

    def ld(text):
        try:
            return _iso(detect(text))
        except LangDetectException:
            return "und"

    def cld2(text):
        try:
            _rel, _n, details = pycld2.detect(text, isPlainText=True)
        except pycld2.error:
            return "und"
        return _iso(details[0][1])

    import langdetect_rs

    from corpuspack.builder.document import language

    langdetect_rs.DetectorFactory.seed = 0

    def ld_rs(text):
        try:
            return _iso(langdetect_rs.detect(text))
        except langdetect_rs.LangDetectException:
            return "und"

    def python_fallback(text):  # corpuspack's rules with langdetect's own code as the fallback
        fast = language._factories.get(True)
        language._factories[True] = language._langdetect_factory(fast=False)
        try:
            return detect_language(text)[0]
        finally:
            language._factories[True] = fast

    return {
        "langdetect-1000": lambda t: ld(t[:1000]),
        "langdetect-full": ld,
        "langdetect-rs-1000": lambda t: ld_rs(t[:1000]),
        "cld2": cld2,
        "cld2+langdetect": python_fallback,
        "corpuspack": lambda t: detect_language(t)[0],
    }


def run(rows, detectors, repeat):
    results = {}
    for name, fn in detectors.items():
        preds = [fn(r["text"]) for r in rows]  # warm-up (loads profiles) and predictions
        best = float("inf")
        for _ in range(repeat):
            t0 = time.perf_counter()
            for r in rows:
                fn(r["text"])
            best = min(best, time.perf_counter() - t0)
        results[name] = (preds, best / len(rows) * 1000.0)
    return results


def fallback_share(rows):
    from corpuspack.builder.document.language import detect_language

    methods = collections.Counter(detect_language(r["text"])[2] for r in rows)
    return ", ".join(f"{m} {100.0 * n / len(rows):.1f}%" for m, n in sorted(methods.items()))


def table(rows, results, title):
    kinds = sorted({r["kind"] for r in rows}, key=lambda k: [r["kind"] for r in rows].index(k))
    names = list(results)
    width = max(len(k) for k in kinds + ["ALL", "ms/doc"]) + 2
    print(f"\n## {title} ({len(rows)} items)\n")
    print("| kind".ljust(width + 2) + " | n   | " + " | ".join(n.ljust(15) for n in names) + " |")
    print("|" + "-" * (width + 1) + "|-----|" + "|".join("-" * 17 for _ in names) + "|")
    for kind in kinds + ["ALL"]:
        idx = [i for i, r in enumerate(rows) if kind == "ALL" or r["kind"] == kind]
        cells = []
        for n in names:
            ok = sum(results[n][0][i] == rows[i]["language"] for i in idx)
            cells.append(f"{ok}/{len(idx)} {100.0 * ok / len(idx):5.1f}%".ljust(15))
        print(f"| {kind}".ljust(width + 2) + f" | {len(idx):<3} | " + " | ".join(cells) + " |")
    print("| ms/doc".ljust(width + 2) + " |     | "
          + " | ".join(f"{results[n][1]:.3f}".ljust(15) for n in names) + " |")
    print(f"\ncorpuspack decided by: {fallback_share(rows)}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--windows", action="store_true", help="also run the synthetic window sample")
    ap.add_argument("--real", action="store_true", help="also run the real articles of ../shared/realdata")
    ap.add_argument("--errors", action="store_true", help="list corpuspack's errors")
    args = ap.parse_args(argv)

    rows = load_eval()
    detectors = make_detectors()
    res = run(rows, detectors, args.repeat)
    table(rows, res, "eval set tests/data/langid/eval.jsonl")
    if args.errors:
        for i, r in enumerate(rows):
            if res["corpuspack"][0][i] != r["language"]:
                print("  wrong:", r["kind"], r["language"], "->", res["corpuspack"][0][i], repr(r["text"][:70]))

    long_rows = [r for r in rows if len(r["text"]) >= 600] + seed_articles()
    res_long = run(long_rows, detectors, args.repeat)
    table(long_rows, res_long, "long documents only (eval items >= 600 characters and the 5 full "
          f"seed articles; mean {sum(len(r['text']) for r in long_rows) // len(long_rows)} characters)")

    if args.real:
        real = real_articles()
        res_r = run(real, detectors, 1)
        table(real, res_r, "real articles of ../shared/realdata")

    if args.windows:
        win = windows(rows)
        res_w = run(win, detectors, 1)
        table(win, res_w, "synthetic windows of the long Arabic/Persian items")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(HERE, ".."))
    sys.exit(main())
