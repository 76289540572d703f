"""Statistics of a version, from its Parquet files (a few small columns, never `text`)
and its build report: what the card, its charts and ``corpuspack inspect`` show."""
from __future__ import annotations

import os
from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import report as report_mod, versions

COLUMNS = ("language", "source", "date", "num_chars", "date_method", "source_method", "removed_lines")
#: Upper bounds (characters) of the length histogram's bins; the last bin is open.
LENGTH_BINS = (100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000)
TOP = 20


def shard_paths(root: str, manifest: dict) -> list[str]:
    return [os.path.join(root, f["path"]) for info in manifest["splits"].values() for f in info["files"]]


#: rows of a version's shards read at a time for its statistics
BATCH_ROWS = 65_536


def _batches(root: str, manifest: dict, columns=COLUMNS):
    """The version's rows as record batches of ``columns`` (those it has), ``BATCH_ROWS`` at most."""
    present = [c for c in columns if c in manifest["features"]]
    for path in shard_paths(root, manifest):
        yield from pq.ParquetFile(path).iter_batches(batch_size=BATCH_ROWS, columns=present)


class _Sums:
    """[documents, characters] (and the first date) per value of a key, added batch by batch."""

    def __init__(self) -> None:
        self.by: dict = {}

    def add(self, key: pa.Array, chars: pa.Array, dates: pa.Array | None = None) -> None:
        aggs = [("c", "count"), ("c", "sum")] + ([("d", "min")] if dates is not None else [])
        cols = {"k": key, "c": chars, **({"d": dates} if dates is not None else {})}
        g = pa.table(cols).group_by("k", use_threads=False).aggregate(aggs)
        firsts = g["d_min"].to_pylist() if dates is not None else [None] * g.num_rows
        for k, n, c, d in zip(g["k"].to_pylist(), g["c_count"].to_pylist(), g["c_sum"].to_pylist(), firsts):
            was = self.by.setdefault(k, [0, 0, None])
            was[0] += n
            was[1] += c or 0
            was[2] = _either(min, was[2], d)

    def ranked(self) -> list[list]:
        """[value, documents, characters] per value, most documents first (ties by value)."""
        rows = [[k, int(n), int(c)] for k, (n, c, _) in self.by.items()]
        return sorted(rows, key=lambda r: (-r[1], "" if r[0] is None else str(r[0])))


def _either(pick, a, b):
    """``pick(a, b)`` of two values that may be None (None only when both are)."""
    return b if a is None else a if b is None else pick(a, b)


def _by_month(months: _Sums) -> list[list]:
    """[``YYYY-MM``, documents, characters] per month that has a dated document, by month. Grouped
    on the month's number (``strftime`` of every date cost ~10x as much); each month named by
    ``strftime`` of one of its dates, so the names are those of the dates themselves."""
    named = pc.strftime(pa.array([d for _, _, d in months.by.values()], pa.date32()), "%Y-%m").to_pylist()
    return sorted([name, int(n), int(c)] for name, (n, c, _) in zip(named, months.by.values()) if name is not None)


def _bin_counts(chars: np.ndarray) -> np.ndarray:
    """Documents per bin of :data:`LENGTH_BINS`."""
    edges = np.array(LENGTH_BINS)
    return np.bincount(np.searchsorted(edges, chars, side="right"), minlength=len(edges) + 1)


def _histogram(counts: np.ndarray) -> list[list]:
    """[label, documents] per bin of :data:`LENGTH_BINS`."""
    labels = [f"< {LENGTH_BINS[0]:,}"] + [f"{a:,}-{b - 1:,}" for a, b in zip(LENGTH_BINS, LENGTH_BINS[1:])] + [f">= {LENGTH_BINS[-1]:,}"]
    return [[label, int(n)] for label, n in zip(labels, counts)]


def _merged_counts(counts: tuple[np.ndarray, np.ndarray], values: np.ndarray, n: np.ndarray):
    """(values, documents) sorted by value: ``counts``' and a batch's (``np.unique``'s) added."""
    merged, at = np.unique(np.concatenate([counts[0], values]), return_inverse=True)
    docs = np.zeros(len(merged), np.int64)
    np.add.at(docs, at, np.concatenate([counts[1], n]))
    return merged, docs


def _percentiles(lengths: tuple[np.ndarray, np.ndarray], n: int) -> dict:
    """``numpy.percentile(chars, q, method="lower")`` for q in 0, 10, 50, 90, 100, from the
    documents of each length (sorted by length): the value at the same index of the sorted lengths."""
    values, ends = lengths[0], np.cumsum(lengths[1])  # documents up to each length
    out = {}
    for q in (0, 10, 50, 90, 100):
        at = int(np.floor((n - 1) * np.true_divide(q, 100)).astype(np.intp))  # numpy's own index for "lower"
        out[f"p{q}"] = int(values[np.searchsorted(ends, at, side="right")])
    return out


def version_stats(root: str, manifest: dict) -> dict:
    """A version's statistics, its shards read a batch at a time (sums, not rows, are kept: per
    language, source, year, month, length and method) and its report's counts."""
    languages, sources, years, months = _Sums(), _Sums(), _Sums(), _Sums()
    lengths = (np.empty(0, np.int64), np.empty(0, np.int64))  # each length that occurs, and its documents
    bins = np.zeros(len(LENGTH_BINS) + 1, np.int64)
    date_methods, source_methods = {}, {}
    n = total = with_date = removed = 0
    first = last = None
    for b in _batches(root, manifest):
        t = pa.Table.from_batches([b])
        n += t.num_rows
        chars, dates = t["num_chars"].combine_chunks(), t["date"].combine_chunks()
        char_np = chars.to_numpy(zero_copy_only=False).astype(np.int64)
        total += int(char_np.sum())
        lengths = _merged_counts(lengths, *np.unique(char_np, return_counts=True))
        bins += _bin_counts(char_np)
        year = pc.year(dates)
        languages.add(t["language"].combine_chunks(), chars)
        sources.add(t["source"].combine_chunks(), chars)
        years.add(year, chars)
        months.add(pc.add(pc.multiply(year, 12), pc.subtract(pc.month(dates), 1)), chars, dates)
        with_date += len(dates) - dates.null_count
        lo, hi = pc.min_max(dates).as_py().values()
        first, last = _either(min, first, lo), _either(max, last, hi)
        for counts, column in ((date_methods, "date_method"), (source_methods, "source_method")):
            for r in pc.value_counts(t[column].combine_chunks()).to_pylist():
                counts[r["values"]] = counts.get(r["values"], 0) + r["counts"]
        removed += int(pc.sum(t["removed_lines"]).as_py() or 0)
    report = read_report(root, manifest["version"])
    return {
        "version": manifest["version"],
        "documents": n,
        "characters": total,
        "by_language": languages.ranked(),
        "by_source": sources.ranked(),
        "by_year": sorted(years.ranked(), key=lambda r: (r[0] is None, r[0] or 0)),
        "by_month": _by_month(months) if n else [],
        "dates": {"with_date": with_date, "first": first and first.isoformat(), "last": last and last.isoformat()},
        "length": {
            "mean": round(total / n, 1) if n else 0,
            **(_percentiles(lengths, n) if n else {}),
            "histogram": _histogram(bins),
        },
        "date_method": report_mod.ranked(date_methods),
        "source_method": report_mod.ranked(source_methods),
        "removed_lines": removed,
        "counts": manifest["counts"],
        "rejected_by_reason": report.get("rejected_by_reason", {}),
        "duplicates_by_kind": (report["duplicates_by_kind"] if "duplicates_by_kind" in report  # (a report before it)
                               else report_mod.ranked(Counter(d.get("kind") for d in report.get("duplicates", [])))),
        "repeated_line_patterns": len(report.get("repeated_lines_removed", [])),
        "repeated_lines_removed": sum(r["count"] for r in report.get("repeated_lines_removed", [])),
    }


#: suffix of a report written before its version's manifest (kept in step with commit._PENDING)
PENDING = ".next"


def read_report(root: str, version: str) -> dict:
    """The version's build report without its named rows (:func:`.report.read_head`); while the
    version is being committed, its new report (written beside the old one until the manifest is
    in place, see :mod:`.commit`)."""
    path = os.path.join(root, versions.VERSIONS_DIR, version, "build_report.json")
    if os.path.isfile(path + PENDING):
        path += PENDING
    elif not os.path.isfile(path):
        return {}
    return report_mod.read_head(path)
