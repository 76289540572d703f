"""Dedup cost per document and index memory on a generated corpus.

    /work/venv/bin/python benchmarks/dedup_bench.py [--docs 100000] [--workers 1]

Prints a table: fingerprints and quality_signals (us/doc, per worker), exact
pass, LSH pass and repeated-line pass (us/doc), remove_repeated_lines per
document that holds a repeated line, index bytes per document (numpy nbytes of
the band hashes + union-find labels) and the peak of Python-tracked allocations
(tracemalloc, numpy included) during the LSH pass, plus rensa vs datasketch
signature cost on a sample, and the measured quality of the result.
"""
from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from collections import Counter
from multiprocessing import Pool
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from corpus_gen import generate_corpus  # noqa: E402

from corpuspack.builder.document import fingerprint as fp  # noqa: E402
from corpuspack.builder.corpus.dedup import exact_duplicates, near_duplicates  # noqa: E402
from corpuspack.builder.document.fingerprint import fingerprints, iter_line_keys, shingle_hashes, tokens  # noqa: E402
from corpuspack.builder.document.quality import quality_signals  # noqa: E402
from corpuspack.builder.corpus.repeated_lines import find_repeated_lines, remove_repeated_lines  # noqa: E402


def _fp(text: str) -> dict:
    return fingerprints(text)


def _minhash_libs(texts: list[str]) -> dict[str, float]:
    """us/doc of the signature step alone, tokens and 5-grams prepared."""
    from datasketch import MinHash
    from rensa import RMinHash

    toks = [tokens(t) for t in texts]
    grams = [[" ".join(t[i : i + 5]) for i in range(max(1, len(t) - 4))] for t in toks]
    out = {}
    t0 = time.perf_counter()
    for g in grams:
        m = RMinHash(num_perm=128, seed=0)
        m.update(g)
        m.digest()
    out["rensa RMinHash.update(5-gram str)"] = (time.perf_counter() - t0) / len(texts) * 1e6
    t0 = time.perf_counter()
    for g in grams:
        m = MinHash(num_perm=128, seed=0)
        m.update_batch([s.encode() for s in g])
        m.digest()
    out["datasketch MinHash.update_batch"] = (time.perf_counter() - t0) / len(texts) * 1e6
    hashed = [shingle_hashes(t) for t in toks]
    t0 = time.perf_counter()
    for h in hashed:
        RMinHash.digest_matrix_from_flat_token_hashes(h, [0, len(h)], 128, 0).to_rows()
    out["rensa from uint64 shingle hashes (used)"] = (time.perf_counter() - t0) / len(texts) * 1e6
    t0 = time.perf_counter()
    for t in texts:
        shingle_hashes(tokens(t))
    out["tokens() strings + shingle_hashes() (reference)"] = (time.perf_counter() - t0) / len(texts) * 1e6
    t0 = time.perf_counter()
    for t in texts:
        fp._shingles_of_scaled(fp._text_token_hashes(fp._prepare(t)), 5)
    out["clean + token/shingle hashes from text (used)"] = (time.perf_counter() - t0) / len(texts) * 1e6
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--threshold", type=float, default=0.8)
    args = ap.parse_args()
    n = args.docs

    t0 = time.perf_counter()
    docs = generate_corpus(n, args.seed, dup_rate=0.05, near_dup_rate=0.1, other_lang_rate=0.02)
    texts = [t for _, t, _ in docs]
    ids = pa.array([name.split("_")[1][:16] for name, _, _ in docs])
    t_gen = time.perf_counter() - t0
    chars = sum(map(len, texts)) / n

    t0 = time.perf_counter()
    if args.workers > 1:
        with Pool(args.workers) as pool:
            fps = pool.map(_fp, texts, chunksize=256)
    else:
        fps = [fingerprints(t) for t in texts]
    t_fp = time.perf_counter() - t0
    t0 = time.perf_counter()
    for t in texts[: min(n, 20_000)]:
        quality_signals(t)
    t_q = (time.perf_counter() - t0) / min(n, 20_000)

    keys = pa.array([f["exact_key"] for f in fps], type=pa.binary(16))
    mh = pa.array([f["minhash"] for f in fps], type=pa.binary())
    lines = pa.array([f["line_hashes"] for f in fps], type=pa.list_(pa.uint64()))
    del fps

    t0 = time.perf_counter()
    exact = exact_duplicates(keys, ids)
    t_exact = time.perf_counter() - t0
    drop = np.asarray(exact.is_valid())

    tracemalloc.start()
    t0 = time.perf_counter()
    cluster, size, rep, stats = near_duplicates(mh, ids, threshold=args.threshold, drop_mask=drop, return_stats=True)
    t_lsh = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    tracemalloc.start()
    t0 = time.perf_counter()
    batches = (mh.slice(s, 8192) for s in range(0, n, 8192))
    near_duplicates(batches, ids, threshold=args.threshold, drop_mask=drop)
    t_lsh_it = time.perf_counter() - t0
    _, peak_it = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    t0 = time.perf_counter()
    rl = find_repeated_lines([lines.slice(s, 8192) for s in range(0, n, 8192)], n, exclude_mask=drop)
    t_rl = time.perf_counter() - t0

    # per document, for documents that hold a repeated line (the corpus pass 3 hot path)
    hit_rows = [i for i, hs in enumerate(lines.to_pylist()) if rl.hashes.intersection(hs)][:5000]
    t0 = time.perf_counter()
    for i in hit_rows:
        remove_repeated_lines(texts[i], rl)
    t_rm = (time.perf_counter() - t0) / max(len(hit_rows), 1)
    t0 = time.perf_counter()
    for i in hit_rows:
        list(iter_line_keys(texts[i]))
    t_lk = (time.perf_counter() - t0) / max(len(hit_rows), 1)

    # quality of the result against the generator's truth
    truth = [t for _, _, t in docs]
    idl = ids.to_pylist()
    exact_ok = all((e is not None) == (t["kind"] == "exact_dup") for e, t in zip(exact.to_pylist(), truth))
    cl = cluster.to_pylist()
    label = [c if c is not None else idl[i] for i, c in enumerate(cl)]
    pred, tru, both = Counter(), Counter(), Counter()
    for i in np.flatnonzero(~drop):
        pred[label[i]] += 1
        tru[truth[i]["group"]] += 1
        both[(label[i], truth[i]["group"])] += 1
    pairs = lambda c: sum(v * (v - 1) // 2 for v in c.values())  # noqa: E731
    tp = pairs(both)
    nd = [i for i, t in enumerate(truth) if t["kind"] == "near_dup"]
    doc_recall = float(np.mean([label[i] == label[truth[i]["group"]] for i in nd]))

    libs = _minhash_libs(texts[:1000])

    w = args.workers
    print(f"\ncorpus: {n} docs, {chars:.0f} chars/doc avg, generated in {t_gen:.1f} s; "
          f"{int(drop.sum())} exact dups, {len(nd)} injected near dups")
    print(f"{'step':46s} {'us/doc':>10s}")
    print(f"{'fingerprints (exact key + minhash + lines)':46s} {t_fp / n * 1e6 * w:10.1f}   ({w} worker(s): wall {t_fp / n * 1e6:.1f})")
    print(f"{'quality_signals':46s} {t_q * 1e6:10.1f}")
    print(f"{'exact_duplicates pass':46s} {t_exact / n * 1e6:10.2f}")
    print(f"{'near_duplicates LSH pass (Arrow column)':46s} {t_lsh / n * 1e6:10.2f}")
    print(f"{'near_duplicates LSH pass (batch iterator)':46s} {t_lsh_it / n * 1e6:10.2f}")
    print(f"{'find_repeated_lines pass':46s} {t_rl / n * 1e6:10.2f}")
    print(f"{'remove_repeated_lines (%d docs with a hit)' % len(hit_rows):46s} {t_rm * 1e6:10.1f}")
    print(f"{'  of which iter_line_keys':46s} {t_lk * 1e6:10.1f}")
    for k, v in libs.items():
        print(f"{'  signature: ' + k:46s} {v:10.1f}")
    print(f"\n{'memory':46s} {'bytes/doc':>10s}")
    print(f"{'LSH index: %d bands x 8 B + int32 label' % stats.bands:46s} {stats.bytes_per_doc:10.1f}")
    print(f"{'  + 1 B/perm sketch (batch-iterator path)':46s} {stats.bytes_per_doc + stats.num_perm:10.1f}")
    print(f"{'tracemalloc peak, LSH pass (Arrow column)':46s} {peak / n:10.1f}")
    print(f"{'tracemalloc peak, LSH pass (batch iterator)':46s} {peak_it / n:10.1f}")
    print(f"{'minhash column (Arrow, not index state)':46s} {mh.nbytes / n:10.1f}")
    print(f"\nLSH: {stats.bands} bands x {stats.rows} rows, {stats.candidates} candidate pairs, {stats.verified} verified")
    print(f"exact duplicates all found: {exact_ok}; near dups: pair precision {tp / max(pairs(pred), 1):.4f}, "
          f"pair recall {tp / max(pairs(tru), 1):.4f}, per-doc recall {doc_recall:.4f}")
    print(f"repeated lines: {len(rl)} patterns (threshold {rl.threshold} docs)")


if __name__ == "__main__":
    main()
