"""A larger dump of real text, without inventing any: each real article repeated under new names.

    python benchmarks/make_real_corpus.py [--docs 30000] [--seed 1]
    python benchmarks/run.py --corpus benchmarks/_work/real-30000-1

Reads the articles of ../shared/realdata/ant_multisource (3,000 real Arabic news articles; the
folder is read, never copied into the repository) and writes --docs files into
benchmarks/_work/real-DOCS-SEED/: every article as often as --docs allows (10 times for 30,000),
each copy under a new name ``NNNNNNN_<the article's name>``, the copies' order shuffled with a
fixed seed, so the same command makes the same bytes under the same names. The bytes of each
file are those of one real article, unchanged: a build finds ~90% of them exact duplicates of an
earlier name (they are read, decoded, cleaned and fingerprinted like any document, then dropped
and named in the report), while the by-hand recipe keeps every copy.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent / ".." / "shared" / "realdata" / "ant_multisource"


def make_real_corpus(docs: int, seed: int, source: Path = SOURCE, work: Path = HERE / "_work") -> Path:
    folder = work / f"real-{docs}-{seed}"
    done = folder.parent / (folder.name + ".complete")  # beside the dump, never inside it
    if done.exists():
        return folder
    articles = sorted(p for p in source.iterdir() if p.name.endswith(".txt"))
    if not articles:
        raise SystemExit(f"{source}: no articles (../shared/realdata is beside the repository)")
    picks = [articles[i % len(articles)] for i in range(docs)]
    random.Random(seed).shuffle(picks)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    size = 0
    for i, path in enumerate(picks):
        data = path.read_bytes()
        (folder / f"{i:07d}_{path.name}").write_bytes(data)
        size += len(data)
    done.write_text(json.dumps({"docs": docs, "bytes": size, "source": str(source.resolve())}))
    return folder


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=30_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    print(make_real_corpus(args.docs, args.seed))


if __name__ == "__main__":
    main()
