"""Duplicates on real text: copies of real Arabic articles, edited as republishers edit them
(``dedup_inject``), injected into a real dump, built with corpuspack, and each copy checked.

    python benchmarks/dedup_eval.py [--dump ../shared/realdata/ant_multisource] [--seed 13] [--jobs 2]

Prints, per kind of copy, how many were linked to their original (dropped as its duplicate, or
in its near-duplicate cluster), the links that join documents of different families (false
merges), the furniture-only pairs merged, the texts published twice, and the pairs the build
linked among the dump's own articles (real wire copies: printed with their similarity and
openings, to be judged by reading).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dedup_inject import KINDS, inject, load_dump  # noqa: E402

import corpuspack  # noqa: E402
from corpuspack.builder.document.fingerprint import normalise_exact, shingle_similarity, verify_shingles  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _id(name: str) -> str:
    return name.split("_", 1)[1].split(".")[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", default=str(ROOT / ".." / "shared" / "realdata" / "ant_multisource"))
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep", help="build into this folder and keep it")
    args = ap.parse_args()
    originals, titles = load_dump(Path(args.dump))
    files, made = inject(originals, titles, args.seed)
    work = Path(args.keep or tempfile.mkdtemp(prefix="dedup-eval-"))
    dump, out = work / "dump", work / "out"
    shutil.rmtree(work, ignore_errors=True)
    dump.mkdir(parents=True)
    texts = {**originals, **files}
    for name, text in texts.items():
        (dump / name).write_text(text, encoding="utf-8")
    t0 = time.perf_counter()
    result = corpuspack.build(dump, out, jobs=args.jobs, progress=False)
    seconds = time.perf_counter() - t0
    report = json.loads((out / "versions" / result.version / "build_report.json").read_text())
    rows = [r for p in sorted(out.rglob("*.parquet"))
            for r in pq.read_table(p, columns=["id", "file_name", "text", "near_dup_cluster"]).to_pylist()]
    by_id = {r["id"]: r for r in rows}
    dropped = {_id(d["file_name"]): (d["duplicate_of"], d["kind"]) for d in report["duplicates"]}

    # families: an original and its copies; furniture-only pairs are two families of one each
    family = {_id(n): _id(n) for n in texts}
    for m in made:
        if m.kind != "furniture_only":
            family[_id(m.name)] = _id(m.original)
    links = [(doc, of, kind) for doc, (of, kind) in dropped.items()]
    links += [(r["id"], r["near_dup_cluster"], "cluster") for r in rows
              if r["near_dup_cluster"] is not None and r["near_dup_cluster"] != r["id"]]
    furnished = {_id(n) for m in made if m.kind == "furniture_only" for n in (m.name, m.original)}

    def root(doc: str) -> str:
        """The published document a document's group is represented by."""
        while doc in dropped:
            doc = dropped[doc][0]
        return by_id[doc]["near_dup_cluster"] or doc if doc in by_id else doc

    def linked(a: str, b: str) -> bool:
        return root(a) == root(b)

    print(f"dump: {args.dump} ({len(originals)} real articles), seed {args.seed}: "
          f"{len(files)} files injected or furnished; build {seconds:.1f} s, jobs {args.jobs}\n")
    print("| kind of copy | copies | linked to the original | recall | how |")
    print("|---|---|---|---|---|")
    total = hit = 0
    for kind in KINDS[:-1]:
        ms = [m for m in made if m.kind == kind]
        ok = [m for m in ms if linked(_id(m.name), _id(m.original))]
        how = Counter("exact drop" if dropped.get(_id(m.name), (0, ""))[1] == "exact" else "near cluster" for m in ok)
        total, hit = total + len(ms), hit + len(ok)
        print(f"| {kind} | {len(ms)} | {len(ok)} | {len(ok) / len(ms):.3f} | "
              f"{', '.join(f'{v} {k}' for k, v in sorted(how.items()))} |")
    own_ids = {_id(n) for n in originals}
    across = [(a, b, k) for a, b, k in links if family[a] != family[b] and not (a in own_ids and b in own_ids)]
    # a copy that joins another family's group because its original is linked to that family (an own
    # link, listed below to judge by reading) is right if that own link is: counted apart, not wrong
    via_own = [lk for lk in across if linked(family[lk[0]], family[lk[1]])]
    wrong = [lk for lk in across if lk not in via_own]
    own = [(a, b, k) for a, b, k in links if family[a] != family[b] and a in own_ids and b in own_ids
           and not (a in furnished and b in furnished)]
    right = [lk for lk in links if family[lk[0]] == family[lk[1]]]
    furn = [lk for lk in links if lk[0] in furnished and lk[1] in furnished]
    exact_kinds = [m for m in made if m.kind in ("exact", "republished")]
    named = sum(dropped.get(_id(m.name)) == (_id(m.original), "exact") for m in exact_kinds)
    counts = Counter(r["text"] for r in rows)
    folded = Counter(normalise_exact(r["text"]) for r in rows)
    print(f"\nall copies: {hit}/{total} linked ({hit / total:.3f}); exact and republished copies dropped "
          f"naming their original: {named}/{len(exact_kinds)}")
    print(f"links made: {len(links)}; within a family: {len(right)}; across families with an injected "
          f"copy: {len(across)}, of which through the original's own link (right if that link is): "
          f"{len(via_own)}, false merges: {len(wrong)}; precision on injected copies "
          f"{len(right) / max(len(right) + len(wrong), 1):.3f}")
    print(f"furniture-only pairs merged: {len(furn)} of {sum(m.kind == 'furniture_only' for m in made)}")
    print(f"texts published twice: {sum(c > 1 for c in counts.values())} (identical), "
          f"{sum(c > 1 for c in folded.values())} (identical after the exact key's folding); "
          f"rows {len(rows)}, counts {report['counts']}")
    print(f"\nlinks among the dump's own articles ({len(own)}), to judge by reading:")
    for a, b, k in own:
        ta, tb = (texts[next(n for n in texts if _id(n) == x)] for x in (a, b))
        sim = shingle_similarity(verify_shingles(ta), verify_shingles(tb), min_jaccard=0.0)
        print(f"- {a} -> {b} ({k}, containment {sim:.2f}, {len(ta)} / {len(tb)} chars)\n"
              f"    {ta[:110]!r}\n    {tb[:110]!r}")
    for a, b, k in via_own:
        print(f"through an own link: {a} (a copy of {family[a]}) -> {b} ({k})")
    for a, b, k in wrong:
        print(f"FALSE MERGE {a} -> {b} ({k})")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
