"""Per-field accuracy of the metadata a real build gives, against a truth file, per outlet.

    python benchmarks/metadata_eval.py DUMP [DUMP ...] [--truth FILE] [--jobs N]
    python benchmarks/metadata_eval.py examples/seeds ../shared/realdata/farsnews ../shared/realdata/ant_multisource

Each DUMP is built with ``corpuspack.build`` into a temporary folder and read back with
``datasets.load_dataset``; its truth is ``--truth``, else ``DUMP.truth.jsonl`` beside it, else
``benchmarks/truth/NAME.truth.jsonl``: one JSON object per line with ``filename`` and any of
``title``, ``date`` (YYYY-MM-DD), ``source`` (outlet id, name or domain), ``source_name``,
``byline``, ``language``. A null or missing truth value means "the text holds none".

What counts as right (printed per outlet, the truth's ``source``; P = right / emitted,
R = right / rows whose truth has a value):

* ``date``: within a day of the truth (moon sighting, time zones). Truth dates that the text does
  not state (ANT's RSS time, Fars's URL id) make R a floor, not a miss rate: the builder must
  never guess a date the text does not give.
* ``source``: the schema's ``source`` is the publisher named by the text, else the credited
  agency. It is right when it is the truth outlet (resolved through the outlet gazetteer), or an
  agency the truth ``byline`` credits (ANT's ``لندن - رويترز``: the body is Reuters copy). Any
  other outlet is wrong, even one the body quotes.
* ``title``: equal to the truth title after Unicode NFC and whitespace folding. R counts only the
  rows whose text holds the truth title as one of its first three lines (ANT bodies carry none,
  so there every emitted title is wrong and R is n/a).
* ``language``: equal to the truth (every row has one, so P = R = accuracy).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIELDS = ("date", "source", "title", "language")


def truth_file(dump: Path, given: str | None) -> Path | None:
    for p in ([Path(given)] if given else [dump.with_name(dump.name + ".truth.jsonl"),
                                          ROOT / "benchmarks" / "truth" / f"{dump.name}.truth.jsonl"]):
        if p.is_file():
            return p
    return None


def build_rows(dump: Path, jobs: int) -> dict[str, dict]:
    import corpuspack
    from datasets import load_dataset
    with tempfile.TemporaryDirectory(prefix="metadata-eval-") as out:
        corpuspack.build(str(dump), out, jobs=jobs, progress=False)
        ds = load_dataset(out, split="train")
        cols = ["file_name", "title", "date", "source", "language", "dateline_place"]
        return {r["file_name"]: r for r in ds.select_columns(cols)}


def _norm(s: str | None) -> str | None:
    return " ".join(unicodedata.normalize("NFC", s).split()) if s else None


def _title_in_text(text_head: list[str], title: str) -> bool:
    return any(line == title or line.endswith(" " + title) or line.endswith("/" + title) for line in text_head)


def judge(row: dict, truth: dict, text_head: list[str], g) -> dict[str, tuple[bool, bool, bool]]:
    """Per field: (emitted, right, counted in recall)."""
    out = {}
    d, td = row.get("date"), truth.get("date")
    td = dt.date.fromisoformat(td) if td else None
    out["date"] = (d is not None, d is not None and td is not None and abs((d - td).days) <= 1, td is not None)
    want = {x for x in (g.resolve(truth.get("source") or ""), g.resolve(truth.get("source_name") or "")) if x}
    credited = {m.outlet for m in g.mentions(_tokens(truth.get("byline") or "")) if g.kind(m.outlet) == "agency"}
    s = row.get("source")
    out["source"] = (s is not None, s is not None and (s in want or s in credited), bool(want))
    t, tt = _norm(row.get("title")), _norm(truth.get("title"))
    out["title"] = (t is not None, t is not None and t == tt, bool(tt) and _title_in_text(text_head, tt))
    lang, tl = row.get("language"), truth.get("language")
    out["language"] = (lang is not None, lang == tl, tl is not None)
    return out


def _tokens(s: str) -> list[str]:
    from corpuspack.builder.document.metadata.normalize import tokens
    return tokens(s)


def _head(path: Path) -> list[str]:
    from corpuspack.builder.document.clean import normalize
    from corpuspack.builder.document.decode import decode
    lines = [x for x in (_norm(x) for x in normalize(decode(path.read_bytes()).text).split("\n")) if x]
    return lines[:3]


def evaluate(dump: Path, truth_path: Path, jobs: int) -> list[str]:
    from corpuspack.builder.document.metadata.outlets import gazetteer
    g = gazetteer()
    truth = {r["filename"]: r for r in map(json.loads, truth_path.read_text(encoding="utf-8").splitlines()) if r}
    rows = build_rows(dump, jobs)
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: {f: [0, 0, 0, 0] for f in FIELDS})
    n: dict[str, int] = defaultdict(int)
    for name, t in sorted(truth.items()):
        row = rows.get(name)
        if row is None:
            continue
        outlet = t.get("source_name") or t.get("source") or "(none)"
        for key in (outlet, "all"):
            n[key] += 1
        for f, (emitted, right, wanted) in judge(row, t, _head(dump / name), g).items():
            for key in (outlet, "all"):
                c = counts[key][f]
                c[0] += emitted
                c[1] += right
                c[2] += wanted
                c[3] += right and wanted
    lines = [f"{dump.name}: {len(rows)} rows, {len(truth)} truth rows ({truth_path})",
             "| outlet | docs | " + " | ".join(f"{f} P | {f} R" for f in FIELDS) + " |",
             "|---|---:|" + "---:|---:|" * len(FIELDS)]
    for key in sorted(counts, key=lambda k: (k == "all", k)):
        cells = []
        for f in FIELDS:
            emitted, right, wanted, right_wanted = counts[key][f]
            cells.append(f"{right}/{emitted}" + (f" ({right / emitted:.3f})" if emitted else ""))
            cells.append(f"{right_wanted}/{wanted}" + (f" ({right_wanted / wanted:.3f})" if wanted else "") if wanted else "n/a")
        lines.append(f"| {key} | {n[key]} | " + " | ".join(cells) + " |")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dumps", nargs="+")
    ap.add_argument("--truth", help="truth file (one dump only)")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    for d in args.dumps:
        dump = Path(d).resolve()
        tp = truth_file(dump, args.truth)
        if tp is None or not dump.is_dir():
            print(f"{d}: skipped (no folder or no truth file)")
            continue
        print("\n".join(evaluate(dump, tp, args.jobs)))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
