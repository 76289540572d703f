"""Time ``extract_metadata`` per document: the bundled seeds, and the 200 Persian Fars News
articles in ../shared/realdata/farsnews when present (title precision is reported too).

    python benchmarks/metadata_bench.py [--repeat N] [--cold]
    python benchmarks/metadata_bench.py --parts [--docs N] [--repeat N]
    python benchmarks/metadata_bench.py --dump ../shared/realdata/ant_multisource --cold --cpu [--repeat N]

--cold empties the per-string caches (fold, parsed dates) before every document, so repeating a
document reuses nothing: the figure for documents never seen before.
--cpu counts this process's CPU time (time.process_time) instead of the wall clock: on a shared
machine it moves less with the load of other processes. To compare two versions of the code, run
it alternately with each on PYTHONPATH and compare the medians.
--parts times each step of ``extract_metadata`` on the benchmark corpus (benchmarks/_work/
corpus-20000-1, made by benchmarks/run.py; texts as the builder sees them), best of --repeat.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import time
import unicodedata
from pathlib import Path

from corpuspack.builder.document import metadata as M
from corpuspack.builder.document.metadata import extract_metadata
from corpuspack.builder.document.metadata.normalize import fold_spaces

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "seeds"
FARS = Path(os.environ.get("CORPUSPACK_FARSNEWS", str(ROOT.parent / "shared" / "realdata" / "farsnews")))
CORPUS = ROOT / "benchmarks" / "_work" / "corpus-20000-1"


def load(folder: Path) -> dict[str, str]:
    return {p.name: unicodedata.normalize("NFC", p.read_text(encoding="utf-8").replace("\r\n", "\n"))
            for p in sorted(folder.glob("*.txt"))}


def string_caches() -> list:
    """The lru_caches keyed by strings in the metadata modules (fold, parsed dates)."""
    mods = [importlib.import_module(f"corpuspack.builder.document.metadata.{m}") for m in ("dates", "normalize")]
    return list({id(f): f for m in mods for f in vars(m).values() if hasattr(f, "cache_clear")}.values())


CLOCK = time.perf_counter


def bench(name: str, docs: dict[str, str], repeat: int, cold: bool = False) -> None:
    texts = list(docs.values())
    for t in texts:  # warm-up: gazetteer and regexes are built lazily once
        extract_metadata(t)
    caches = string_caches() if cold else []
    elapsed = 0.0
    for _ in range(repeat):
        for t in texts:
            for c in caches:
                c.cache_clear()
            start = CLOCK()
            extract_metadata(t)
            elapsed += CLOCK() - start
    n = repeat * len(texts)
    chars = sum(map(len, texts)) / len(texts)
    mode = " cold" if cold else ""
    print(f"{name}: {len(texts)} docs x {repeat}{mode}, mean {elapsed / n * 1e6:.1f} us/doc (mean {chars:.0f} chars/doc)")


def fars_titles(docs: dict[str, str]) -> None:
    truth_file = FARS.with_name(FARS.name + ".truth.jsonl")
    if not truth_file.exists():
        return
    truth = {r["filename"]: r for r in map(json.loads, truth_file.read_text(encoding="utf-8").splitlines())}
    given = correct = 0
    for name, text in docs.items():
        got = extract_metadata(text)["title"]
        if got is None or name not in truth:
            continue
        given += 1
        correct += fold_spaces(unicodedata.normalize("NFC", truth[name]["title"])) == got
    print(f"farsnews titles: {given}/{len(docs)} given, {correct} exactly right, "
          f"precision {correct / max(given, 1):.3f}, recall {correct / len(docs):.3f}")


def parts(docs: int, repeat: int) -> None:
    """Per-step time of extract_metadata, in the order it runs them (so caches behave the same)."""
    from corpuspack.builder.document.clean import normalize
    from corpuspack.builder.document.decode import decode
    texts = [normalize(decode(p.read_bytes()).text) for p in sorted(CORPUS.glob("*.txt"))[:docs]]
    if not texts:
        print(f"--parts: no corpus at {CORPUS} (make one with benchmarks/run.py)")
        return
    names = ("_head_tail", "extract_title", "find_credit", "find_publication_date", "cited_outlets")
    clock = time.perf_counter
    best: dict[str, float] = {}
    for rnd in range(repeat + 1):  # round 0 warms up
        spent = dict.fromkeys(names + ("extract_metadata",), 0.0)
        for t in texts:
            t0 = clock()
            head, tail = M._head_tail(t)
            t1 = clock()
            if not head:
                spent["_head_tail"] += t1 - t0
                continue
            title = M.extract_title(head)
            t2 = clock()
            body_head = [line for i, line in enumerate(head) if i not in title[2]]
            credit = M.find_credit(body_head, tail)
            t3 = clock()
            M.find_publication_date(body_head, tail, credit.dateline)
            t4 = clock()
            M.cited_outlets(t, credit)
            t5 = clock()
            for k, a, b in zip(names, (t0, t1, t2, t3, t4), (t1, t2, t3, t4, t5)):
                spent[k] += b - a
        for t in texts:
            t0 = clock()
            extract_metadata(t)
            spent["extract_metadata"] += clock() - t0
        if rnd:
            best = {k: min(v, best.get(k, v)) for k, v in spent.items()}
    chars = sum(map(len, texts)) / len(texts)
    print(f"corpus: {len(texts)} docs (mean {chars:.0f} chars), best of {repeat}, us/doc:")
    for k, v in best.items():
        print(f"  {k:24s} {v / len(texts) * 1e6:7.1f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=None, help="rounds (default 50; with --parts 3)")
    ap.add_argument("--cold", action="store_true", help="no cache reuse across documents")
    ap.add_argument("--parts", action="store_true", help="per-step times on the benchmark corpus")
    ap.add_argument("--docs", type=int, default=20000, help="with --parts: corpus documents used")
    ap.add_argument("--dump", help="time the documents of this folder instead (texts as the builder sees them)")
    ap.add_argument("--cpu", action="store_true", help="CPU time of this process, not wall time")
    args = ap.parse_args()
    if args.cpu:
        global CLOCK
        CLOCK = time.process_time
    if args.dump:
        from corpuspack.builder.document.clean import normalize
        from corpuspack.builder.document.decode import decode
        docs = {p.name: normalize(decode(p.read_bytes()).text) for p in sorted(Path(args.dump).glob("*.txt"))}
        bench(Path(args.dump).name, docs, args.repeat or 5, args.cold)
        return
    if args.parts:
        parts(args.docs, args.repeat or 3)
        return
    args.repeat = args.repeat or 50
    bench("seeds", load(SEEDS), args.repeat, args.cold)
    if FARS.is_dir():
        docs = load(FARS)
        bench("farsnews", docs, max(1, args.repeat // 10), args.cold)
        fars_titles(docs)
    else:
        print(f"farsnews: skipped ({FARS} not found)")


if __name__ == "__main__":
    main()
