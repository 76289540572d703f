"""Statistics of a version, from its Parquet files (a few small columns, never `text`)
and its build report: what the card, its charts and ``corpuspack inspect`` show."""
from __future__ import annotations

import os

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


def read_columns(root: str, manifest: dict, columns=COLUMNS) -> pa.Table:
    present = [c for c in columns if c in manifest["features"]]
    tables = [pq.read_table(p, columns=present) for p in shard_paths(root, manifest)]
    return pa.concat_tables(tables) if tables else pa.table({})


def _grouped(key: pa.Array, chars: pa.Array) -> list[list]:
    """[value, documents, characters] per value of ``key``, most documents first (ties by value)."""
    if not len(key):
        return []
    g = pa.table({"k": key, "c": chars}).group_by("k", use_threads=False).aggregate([("c", "count"), ("c", "sum")])
    rows = [[k, int(n), int(c or 0)] for k, n, c in zip(g["k"].to_pylist(), g["c_count"].to_pylist(), g["c_sum"].to_pylist())]
    return sorted(rows, key=lambda r: (-r[1], "" if r[0] is None else str(r[0])))


def _counts(column: pa.Array) -> dict:
    rows = pc.value_counts(column).to_pylist() if len(column) else []
    return report_mod.ranked({r["values"]: r["counts"] for r in rows})


def _by_month(dates: pa.Array, year: pa.Array, chars: pa.Array) -> list[list]:
    """[``YYYY-MM``, documents, characters] per month that has a dated document, by month. Grouped
    on the month's number (``strftime`` of every date cost ~10x as much); each month named by
    ``strftime`` of one of its dates, so the names are those of the dates themselves."""
    number = pc.add(pc.multiply(year, 12), pc.subtract(pc.month(dates), 1))
    g = pa.table({"k": number, "c": chars, "d": dates}).group_by("k", use_threads=False).aggregate(
        [("c", "count"), ("c", "sum"), ("d", "min")])
    named = pc.strftime(g["d_min"], "%Y-%m").to_pylist()
    return sorted([name, int(docs), int(c or 0)] for name, docs, c
                  in zip(named, g["c_count"].to_pylist(), g["c_sum"].to_pylist()) if name is not None)


def length_histogram(chars: np.ndarray) -> list[list]:
    """[label, documents] per bin of :data:`LENGTH_BINS`."""
    edges = np.array(LENGTH_BINS)
    counts = np.bincount(np.searchsorted(edges, chars, side="right"), minlength=len(edges) + 1)
    labels = [f"< {LENGTH_BINS[0]:,}"] + [f"{a:,}-{b - 1:,}" for a, b in zip(LENGTH_BINS, LENGTH_BINS[1:])] + [f">= {LENGTH_BINS[-1]:,}"]
    return [[label, int(n)] for label, n in zip(labels, counts)]


def version_stats(root: str, manifest: dict) -> dict:
    t = read_columns(root, manifest)
    n = t.num_rows
    chars = t["num_chars"].combine_chunks() if n else pa.array([], pa.int32())
    char_np = chars.to_numpy(zero_copy_only=False).astype(np.int64)
    dates = t["date"].combine_chunks() if n else pa.array([], pa.date32())
    year = pc.year(dates) if n else pa.array([], pa.int64())
    months = _by_month(dates, year, chars) if n else []
    known = [d for d in pc.min_max(dates).as_py().values()] if n else [None, None]
    report = read_report(root, manifest["version"])
    return {
        "version": manifest["version"],
        "documents": n,
        "characters": int(char_np.sum()),
        "by_language": _grouped(t["language"].combine_chunks(), chars) if n else [],
        "by_source": _grouped(t["source"].combine_chunks(), chars) if n else [],
        "by_year": sorted(_grouped(year, chars), key=lambda r: (r[0] is None, r[0] or 0)),
        "by_month": months,
        "dates": {"with_date": n - dates.null_count, "first": known[0] and known[0].isoformat(),
                  "last": known[1] and known[1].isoformat()},
        "length": {
            "mean": round(float(char_np.mean()), 1) if n else 0,
            **({f"p{q}": int(np.percentile(char_np, q, method="lower")) for q in (0, 10, 50, 90, 100)} if n else {}),
            "histogram": length_histogram(char_np),
        },
        "date_method": _counts(t["date_method"].combine_chunks()) if n else {},
        "source_method": _counts(t["source_method"].combine_chunks()) if n else {},
        "removed_lines": int(pc.sum(t["removed_lines"]).as_py() or 0) if n else 0,
        "counts": manifest["counts"],
        "rejected_by_reason": report.get("rejected_by_reason", {}),
        "duplicates_by_kind": (report["duplicates_by_kind"] if "duplicates_by_kind" in report  # (a report before it)
                               else _counts(pa.array([d.get("kind") for d in report.get("duplicates", [])], pa.string()))),
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
