"""Statistics of a version, from its Parquet files (a few small columns, never `text`)
and its build report: what the card, its charts and ``corpuspack inspect`` show."""
from __future__ import annotations

import json
import os

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import versions

COLUMNS = ("language", "source", "date", "num_chars", "date_method", "source_method", "removed_lines")
#: Upper bounds (characters) of the length histogram's bins; the last bin is open.
LENGTH_BINS = (100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000)
TOP = 20


def shard_paths(root: str, manifest: dict) -> list[str]:
    return [os.path.join(root, f["path"]) for info in manifest["splits"].values() for f in info["files"]]


def read_columns(root: str, manifest: dict, columns=COLUMNS) -> pa.Table:
    """The ``columns`` of every shard of ``manifest``. Read file by file with ``ParquetFile``:
    ``pq.read_table`` imports ``pyarrow.dataset`` on its first call (~0.27 s), which nothing else in
    a build's process needs, and the card's statistics are the last thing a build waits for."""
    present = [c for c in columns if c in manifest["features"]]
    tables = []
    for path in shard_paths(root, manifest):
        with pq.ParquetFile(path) as f:
            tables.append(f.read(columns=present))
    return pa.concat_tables(tables) if tables else pa.table({})


def _groups(key: pa.Array, chars: pa.Array) -> tuple[pa.Array, np.ndarray, np.ndarray, np.ndarray]:
    """The distinct values of ``key`` (null among them), each row's value's index, and per value the
    documents (rows with ``chars``) and their characters. NumPy over ``dictionary_encode``'s indices,
    not Arrow's ``group_by``: its engine (``pyarrow.acero``) imports ``pyarrow.dataset`` on first use
    (~0.27 s), which nothing else in a build's process needs."""
    encoded = pc.dictionary_encode(key, null_encoding="encode")
    index = encoded.indices.to_numpy(zero_copy_only=False)
    valid = ~np.asarray(chars.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    weights = chars.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    n = len(encoded.dictionary)
    docs = np.bincount(index[valid], minlength=n)
    sums = np.zeros(n, np.int64)
    np.add.at(sums, index, weights)
    return encoded.dictionary, index, docs, sums


def _grouped(key: pa.Array, chars: pa.Array) -> list[list]:
    """[value, documents, characters] per value of ``key``, most documents first (ties by value)."""
    if not len(key):
        return []
    values, _, docs, sums = _groups(key, chars)
    rows = [[k, int(n), int(c)] for k, n, c in zip(values.to_pylist(), docs, sums)]
    return sorted(rows, key=lambda r: (-r[1], "" if r[0] is None else str(r[0])))


def _counts(column: pa.Array) -> dict:
    rows = pc.value_counts(column).to_pylist() if len(column) else []
    return {("none" if r["values"] is None else r["values"]): r["counts"]
            for r in sorted(rows, key=lambda r: (-r["counts"], str(r["values"])))}


def _by_month(dates: pa.Array, year: pa.Array, chars: pa.Array) -> list[list]:
    """[``YYYY-MM``, documents, characters] per month that has a dated document, by month. Grouped
    on the month's number (``strftime`` of every date cost ~10x as much); each month named by
    ``strftime`` of its first date, so the names are those of the dates themselves."""
    number = pc.add(pc.multiply(year, 12), pc.subtract(pc.month(dates), 1))
    values, index, docs, sums = _groups(number, chars)
    days = dates.cast(pa.int32()).fill_null(np.iinfo(np.int32).max).to_numpy(zero_copy_only=False)
    first = np.full(len(values), np.iinfo(np.int32).max, np.int32)
    np.minimum.at(first, index, days)
    named = pc.strftime(pa.array(first, pa.int32()).cast(pa.date32()), "%Y-%m").to_pylist()
    return sorted([name, int(n), int(c)] for k, name, n, c in zip(values.to_pylist(), named, docs, sums)
                  if k is not None)


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
        "duplicates_by_kind": _counts(pa.array([d.get("kind") for d in report.get("duplicates", [])], pa.string())),
        "repeated_line_patterns": len(report.get("repeated_lines_removed", [])),
        "repeated_lines_removed": sum(r["count"] for r in report.get("repeated_lines_removed", [])),
    }


#: suffix of a report written before its version's manifest (kept in step with commit._PENDING)
PENDING = ".next"


def read_report(root: str, version: str) -> dict:
    """The version's build report; while the version is being committed, its new report (written
    beside the old one until the manifest is in place, see :mod:`.commit`)."""
    path = os.path.join(root, versions.VERSIONS_DIR, version, "build_report.json")
    if os.path.isfile(path + PENDING):
        path += PENDING
    elif not os.path.isfile(path):
        return {}
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)
