"""Which shingles and which similarity tell a copy edited by a copy desk from a distinct article
sharing page furniture? Measured on real Arabic articles with the copies of
``dedup_inject`` (fixed seed):

    python benchmarks/dedup_study.py [--dump ../shared/realdata/ant_multisource]

For each shingle choice (word n-grams, character n-grams of the folded text) it prints the
lowest Jaccard and containment of each kind of edited copy with its original, the highest of
the pairs that must not merge (the furniture-only pairs, and each original's most similar other
original in the dump: the real wire copies among them are listed apart), so a threshold can be
read between the two.
"""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import xxhash

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dedup_inject import inject, load_dump  # noqa: E402

from corpuspack.builder.document.fingerprint import normalise_exact, tokens, _fold  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def word_shingles(text: str, n: int) -> set[int]:
    t = tokens(text)
    return {xxhash.xxh3_64_intdigest(" ".join(t[i:i + n]).encode()) for i in range(max(1, len(t) - n + 1))}


def char_shingles(text: str, n: int) -> set[int]:
    t = " ".join(_fold(normalise_exact(text)).split())
    return {xxhash.xxh3_64_intdigest(t[i:i + n].encode()) for i in range(max(1, len(t) - n + 1))}


CHOICES = {f"word {n}-gram": (word_shingles, n) for n in (2, 3, 5)} | {
    f"char {n}-gram": (char_shingles, n) for n in (5, 8, 12)}


def sims(a: set, b: set) -> tuple[float, float]:
    inter = len(a & b)
    return inter / max(len(a | b), 1), inter / max(min(len(a), len(b)), 1)


def related_pairs(sets: dict[str, set], max_df: int = 30, min_shared: int = 3) -> list[tuple[str, str]]:
    """Pairs of documents sharing at least ``min_shared`` word 4-grams found in at most
    ``max_df`` documents: every pair that could pass for a duplicate, the same for each choice."""
    names = sorted(sets)
    posting = defaultdict(list)
    for i, n in enumerate(names):
        for h in sets[n]:
            posting[h].append(i)
    count = defaultdict(int)
    for docs in posting.values():
        if 1 < len(docs) <= max_df:
            for x in range(len(docs)):
                for y in range(x + 1, len(docs)):
                    count[(docs[x], docs[y])] += 1
    return [(names[i], names[j]) for (i, j), c in count.items() if c >= min_shared]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", default=str(ROOT / ".." / "shared" / "realdata" / "ant_multisource"))
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    originals, titles = load_dump(Path(args.dump))
    files, made = inject(originals, titles, args.seed)
    texts = {**originals, **files}
    copies = {m.name for m in made if m.kind != "furniture_only"}
    pairs = related_pairs({k: word_shingles(t, 4) for k, t in texts.items() if k not in copies})
    print(f"{len(pairs)} pairs of the dump's own articles share >= 3 rare word 4-grams", flush=True)
    for label, (fn, n) in CHOICES.items():
        sets = {name: fn(t, n) for name, t in texts.items()}
        print(f"\n{label}")
        for kind in ("words", "sentence", "paragraph", "furniture", "furniture_only"):
            v = np.array([sims(sets[m.name], sets[m.original]) for m in made if m.kind == kind])
            q = "min" if kind != "furniture_only" else "max"
            pick = v.min(axis=0) if q == "min" else v.max(axis=0)
            print(f"  {kind:15s} {q} Jaccard {pick[0]:.3f} containment {pick[1]:.3f}   "
                  f"p1/p5 Jaccard {np.percentile(v[:, 0], 1):.3f}/{np.percentile(v[:, 0], 5):.3f}")
        v = sorted((sims(sets[a], sets[b]) + (a, b) for a, b in pairs), reverse=True)
        print("  dump's own pairs, top Jaccard/containment: " + " ".join(f"{j:.2f}/{c:.2f}" for j, c, *_ in v[:10]))
        v = sorted(((c, j) for j, c, *_ in v), reverse=True)
        print("  dump's own pairs, top containment/Jaccard: " + " ".join(f"{c:.2f}/{j:.2f}" for c, j in v[:10]), flush=True)


if __name__ == "__main__":
    main()
