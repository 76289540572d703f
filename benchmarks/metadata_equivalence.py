"""Check that ``extract_metadata`` (and the metadata functions the tests call) give exactly the
outputs of a stored baseline: run once with --write before a change, then with --check after it.

    python benchmarks/metadata_equivalence.py --record /tmp/metadata-calls.pkl
    python benchmarks/metadata_equivalence.py --write /tmp/metadata-baseline.pkl --calls /tmp/metadata-calls.pkl
    python benchmarks/metadata_equivalence.py --check /tmp/metadata-baseline.pkl --calls /tmp/metadata-calls.pkl

Inputs: the benchmark corpus (benchmarks/_work/corpus-20000-1, as the builder sees it:
``normalize(decode(bytes).text)``), the seeds, the Fars News articles of ../shared/realdata
(each both as the builder sees it and as the benchmark reads it), and optionally the calls the
metadata tests make (--calls: a pickle of (function, args, kwargs) that --record writes while it
runs tests/test_metadata_*.py), and corpus documents with each one-line argument of those calls
put at their top, bottom or in a dateline ("synthetic").
For every document, ``gazetteer().cited`` of the whole text is compared too.
"""
from __future__ import annotations

import argparse
import os
import pickle
import sys
import unicodedata
from pathlib import Path

from corpuspack.builder.document.clean import normalize
from corpuspack.builder.document.decode import decode
from corpuspack.builder.document.metadata import extract_metadata
from corpuspack.builder.document.metadata import dates, sources, title
from corpuspack.builder.document.metadata.outlets import gazetteer

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "benchmarks" / "_work" / "corpus-20000-1"
SEEDS = [ROOT / "examples" / "seeds", ROOT.parent / "shared" / "seeds"]
FARS = Path(os.environ.get("CORPUSPACK_FARSNEWS", str(ROOT.parent / "shared" / "realdata" / "farsnews")))


def builder_text(path: Path) -> str:
    return normalize(decode(path.read_bytes()).text)


def bench_text(path: Path) -> str:
    return unicodedata.normalize("NFC", path.read_text(encoding="utf-8").replace("\r\n", "\n"))


def documents() -> dict[str, list[tuple[str, str]]]:
    """Input set name -> (document name, text)."""
    sets: dict[str, list[tuple[str, str]]] = {}
    sets["corpus"] = [(p.name, builder_text(p)) for p in sorted(CORPUS.glob("*.txt"))]
    sets["seeds"] = [(f"{folder.parent.name}/{p.name}/{how.__name__}", how(p)) for folder in SEEDS if folder.is_dir()
                     for p in sorted(folder.glob("*.txt")) for how in (builder_text, bench_text)]
    sets["farsnews"] = [(f"{p.name}/{how.__name__}", how(p)) for p in sorted(FARS.glob("*.txt"))
                        for how in (builder_text, bench_text)]
    return sets


def call(key: str, args: tuple, kwargs: tuple):
    g = gazetteer()
    fns = {
        "extract_metadata": extract_metadata, "extract_title": title.extract_title,
        "parse_date": dates.parse_date, "parse_dates": dates.parse_dates, "marker_date": dates.marker_date,
        "date_line_date": dates.date_line_date, "find_credit": sources.find_credit,
        "cited_outlets": sources.cited_outlets, "is_bare_dateline": sources.is_bare_dateline,
        "gaz.cited": g.cited, "gaz.mentions": g.mentions, "gaz.resolve": g.resolve, "gaz.by_name": g.by_name,
    }
    try:
        out = fns[key](*args, **dict(kwargs))
        return repr(sorted(out)) if isinstance(out, (set, frozenset)) else repr(out)  # no hash order
    except Exception as e:  # an exception is an output too
        return f"raised {type(e).__name__}: {e}"


def synthetic(calls: list, corpus: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Corpus documents with each one-string argument of the recorded date/credit calls (date
    lines, marker lines, datelines, credit lines...) put at their top, after their first line,
    at their bottom, and in a "City، <line> (Agency) -" dateline: the corpus alone holds no date
    the rules accept."""
    lines = sorted({a[0] for key, a, _ in calls if key in (
        "parse_date", "parse_dates", "marker_date", "date_line_date", "is_bare_dateline", "gaz.resolve",
        "gaz.by_name") and a and isinstance(a[0], str) and "\n" not in a[0]})
    docs = []
    for i, line in enumerate(lines):
        _, text = corpus[i % len(corpus)]
        first, _, rest = text.partition("\n")
        docs += [(f"{i}/top", line + "\n" + text), (f"{i}/second", first + "\n" + line + "\n" + rest),
                 (f"{i}/bottom", text + "\n" + line),
                 (f"{i}/dateline", first + "\nالقاهرة، " + line + " (رويترز) - " + rest)]
    return docs


def outputs(calls_file: str | None) -> dict[str, list[tuple[str, str]]]:
    """Input set name -> (input name, repr of the outputs)."""
    g = gazetteer()
    res: dict[str, list[tuple[str, str]]] = {}
    sets = documents()
    calls = []
    if calls_file:
        with open(calls_file, "rb") as fh:
            calls = pickle.load(fh)
        sets["synthetic"] = synthetic(calls, sets["corpus"])
    for name, docs in sets.items():
        res[name] = [(doc, repr(extract_metadata(text)) + " | cited " + repr(sorted(g.cited(text))))
                     for doc, text in docs]
    if calls:
        res["tests"] = [(repr(c), call(*c)) for c in calls]
    return res


RECORDED = ("extract_metadata", "extract_title", "parse_date", "parse_dates", "marker_date", "date_line_date",
            "find_credit", "cited_outlets", "is_bare_dateline", "gaz.cited", "gaz.mentions", "gaz.resolve",
            "gaz.by_name")


def record(out: str) -> None:
    """Run the metadata tests with the functions of RECORDED wrapped, and keep their arguments."""
    import pytest

    from corpuspack.builder.document import metadata
    from corpuspack.builder.document.metadata.outlets import Gazetteer
    calls: list = []

    def wrapped(f, key, method=False):
        def w(*a, **k):
            calls.append((key, a[1:] if method else a, tuple(sorted(k.items()))))
            return f(*a, **k)
        return w

    modules = {"extract_metadata": metadata, "extract_title": title, "find_credit": sources,
               "cited_outlets": sources, "is_bare_dateline": sources}
    saved = []
    for key in RECORDED:
        if key.startswith("gaz."):
            owner, name, method = Gazetteer, key[4:], True
        else:
            owner, name, method = modules.get(key, dates), key, False
        saved.append((owner, name, getattr(owner, name)))
        setattr(owner, name, wrapped(getattr(owner, name), key, method))
    try:
        pytest.main(["-q", "-p", "no:xdist", "-p", "no:cacheprovider", *map(str, sorted(ROOT.glob("tests/test_metadata_*.py")))])
    finally:
        for owner, name, f in saved:
            setattr(owner, name, f)
    seen, unique = set(), []
    for c in calls:
        if repr(c) not in seen:
            seen.add(repr(c))
            unique.append(c)
    with open(out, "wb") as fh:
        pickle.dump(unique, fh)
    print(f"recorded {len(unique)} distinct calls")


def main() -> None:
    ap = argparse.ArgumentParser()
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", metavar="BASELINE")
    mode.add_argument("--check", metavar="BASELINE")
    mode.add_argument("--record", metavar="CALLS", help="run the metadata tests and keep their calls")
    ap.add_argument("--calls", help="pickle of recorded test calls")
    args = ap.parse_args()
    if args.record:
        record(args.record)
        return
    got = outputs(args.calls)
    if args.write:
        with open(args.write, "wb") as fh:
            pickle.dump(got, fh)
        print("written:", {k: len(v) for k, v in got.items()})
        return
    with open(args.check, "rb") as fh:
        base = pickle.load(fh)
    bad = 0
    for name, rows in base.items():
        new = dict(got.get(name, []))
        diffs = [(doc, out, new.get(doc)) for doc, out in rows if new.get(doc) != out]
        print(f"{name}: {len(rows)} compared, {len(diffs)} different")
        for doc, old, now in diffs[:5]:
            print(f"  {doc}\n    before {old}\n    after  {now}")
        bad += len(diffs)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
