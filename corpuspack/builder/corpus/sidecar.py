"""Sidecar crawl manifests: one row per document, keyed by ``file_name`` (relative path) or ``id``.

Formats by extension: ``.csv`` (pyarrow.csv), ``.jsonl``/``.json``/``.ndjson`` (pyarrow.json,
JSON Lines), ``.parquet``/``.pq`` (pyarrow.parquet). Known columns: url, source, date, title,
language; every other column is "extra" and is carried into the dataset with its Arrow type.

Everything is validated in :func:`load_manifest`, before any work starts: an unreadable or
empty file, a missing key column, an empty or duplicate key, an unparseable date, or an extra
column that would clash with a published column raise :class:`ManifestError` naming the file
(and the row, 1-based over data rows, where relevant).
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pyarrow as pa

from ...schema.fields import FIELDS

KEY_COLUMNS = ("file_name", "id")
KNOWN_COLUMNS = ("url", "source", "date", "title", "language")
_PUBLISHED = frozenset(f.name for f in FIELDS)


class ManifestError(ValueError):
    """A manifest that cannot be used; the message names the file (and row)."""


def _read_table(path: str) -> pa.Table:
    ext = os.path.splitext(path)[1].lower()
    if not os.path.isfile(path):
        raise ManifestError(f"manifest {path}: no such file")
    if os.path.getsize(path) == 0:
        raise ManifestError(f"manifest {path}: the file is empty")
    try:
        if ext in (".csv", ".tsv"):
            import pyarrow.csv as pacsv
            parse = pacsv.ParseOptions(delimiter="\t" if ext == ".tsv" else ",")
            convert = pacsv.ConvertOptions(column_types={k: pa.string() for k in (*KEY_COLUMNS, *KNOWN_COLUMNS)},
                                           strings_can_be_null=True)
            return pacsv.read_csv(path, parse_options=parse, convert_options=convert)
        if ext in (".jsonl", ".json", ".ndjson"):
            import pyarrow.json as pajson
            return pajson.read_json(path)
        if ext in (".parquet", ".pq"):
            import pyarrow.parquet as pq
            return pq.read_table(path)
    except (pa.ArrowInvalid, pa.ArrowException, OSError) as e:
        raise ManifestError(f"manifest {path}: cannot be read as {ext[1:]}: {e}") from e
    raise ManifestError(f"manifest {path}: unknown format {ext or '(no extension)'}; use .csv, .jsonl or .parquet")


def _rel(p: str) -> str:
    p = p.replace("\\", "/")
    while p.startswith("./"):
        p = p[2:]
    return p


def _as_string(value) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None


def _to_date(value, path: str, row: int) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = str(value).strip()
    if not s:
        return None
    try:
        return dt.date.fromisoformat(s[:10]) if len(s) >= 10 and s[4] == "-" else dt.date.fromisoformat(s)
    except ValueError:
        pass
    from ..document.metadata.dates import parse_date  # a date in another form: the metadata step's reader

    d = parse_date(s)
    if d is None:
        raise ManifestError(f"manifest {path}: row {row}: unparseable date {s!r}")
    return d


@dataclass
class Manifest:
    path: str
    key_column: str
    rows: dict[str, dict]
    extra_schema: pa.Schema
    seen: set[str] = field(default_factory=set)

    def __len__(self) -> int:
        return len(self.rows)

    def lookup(self, file_name: str, doc_id: str) -> dict | None:
        """The manifest row of a document (known columns normalised, extras as read), or None.
        The match is remembered for :meth:`unmatched`."""
        key = _rel(file_name) if self.key_column == "file_name" else doc_id
        row = self.rows.get(key)
        if row is not None:
            self.seen.add(key)
        return row

    def unmatched(self, seen_keys=None) -> list[str]:
        """Keys of rows that matched no file: those not in ``seen_keys`` (file names or ids,
        per :attr:`key_column`), or, without it, those never returned by :meth:`lookup`."""
        seen = self.seen if seen_keys is None else set(seen_keys)
        return sorted(k for k in self.rows if k not in seen)

    @property
    def layers(self) -> tuple[Manifest, ...]:
        return (self,)

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.path,)


@dataclass
class Layered:
    """Several manifests read as one (the fields of JSON lines under a ``--manifest``): a
    document's row is the union of its rows, a later layer's value replacing an earlier one's
    where both give the field; a null or empty value gives nothing, so it replaces nothing."""
    layers: tuple[Manifest, ...]
    extra_schema: pa.Schema

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(m.path for m in self.layers)

    def lookup(self, file_name: str, doc_id: str) -> dict | None:
        found = [row for m in self.layers if (row := m.lookup(file_name, doc_id)) is not None]
        if len(found) < 2:
            return found[0] if found else None
        row: dict = {}
        for layer in found:
            row.update((k, v) for k, v in layer.items() if v is not None or k not in row)
        return row

    def replaced(self, file_names, doc_ids) -> dict[str, int]:
        """For each field, the documents (by file name and id) whose value from one layer a later
        layer replaced with a different value: what the report says was overridden."""
        counts: dict[str, int] = {}
        for name, doc_id in zip(file_names, doc_ids):
            rows = [row for m in self.layers if (row := m.lookup(name, doc_id)) is not None]
            for k in {k for i, row in enumerate(rows[1:], 1) for k, v in row.items() if v is not None
                      and any(earlier.get(k) is not None and earlier[k] != v for earlier in rows[:i])}:
                counts[k] = counts.get(k, 0) + 1
        return dict(sorted(counts.items()))


def layered(*manifests: Manifest) -> Manifest | Layered:
    """The manifests as one, later ones winning (see :class:`Layered`); their extra columns
    united, a column both have taking the type both fit (an integer and a float: a float);
    :class:`ManifestError` when there is none (a number in one, text in the other)."""
    if len(manifests) == 1:
        return manifests[0]
    schemas = [m.extra_schema for m in manifests]
    for name in {n for schema in schemas for n in schema.names}:
        having = [(m.path, schema.field(name)) for m, schema in zip(manifests, schemas) if name in schema.names]
        try:
            pa.unify_schemas([pa.schema([f]) for _, f in having], promote_options="permissive")
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            raise ManifestError(f"column {name!r} has types that do not fit together: "
                                + ", ".join(f"{f.type} in {path}" for path, f in having)) from None
    return Layered(tuple(manifests), pa.unify_schemas(schemas, promote_options="permissive"))


def load_manifests(paths: tuple[str, ...]) -> Manifest | Layered:
    """The manifests at ``paths`` read as one, later ones winning (see :func:`layered`)."""
    return layered(*(load_manifest(p) for p in paths))


def load_manifest(path: str | os.PathLike) -> Manifest:
    """Read and validate a manifest; raises :class:`ManifestError` on any problem."""
    path = os.fspath(path)
    table = _read_table(path)
    if table.num_rows == 0:
        raise ManifestError(f"manifest {path}: no rows")
    names = table.column_names
    key_column = next((k for k in KEY_COLUMNS if k in names), None)
    if key_column is None:
        raise ManifestError(f"manifest {path}: no key column; need 'file_name' (relative path) or 'id' "
                            f"(columns: {', '.join(names)})")
    reserved = {*KEY_COLUMNS, *KNOWN_COLUMNS}
    extras = [n for n in names if n not in reserved]
    clash = [n for n in extras if n in _PUBLISHED or n.startswith("_")]
    if clash:
        raise ManifestError(f"manifest {path}: column(s) {', '.join(clash)} clash with published columns")
    extra_schema = pa.schema([table.schema.field(n) for n in extras])
    rows: dict[str, dict] = {}
    for i, rec in enumerate(table.to_pylist(), 1):
        key = _as_string(rec.get(key_column))
        if key is None:
            raise ManifestError(f"manifest {path}: row {i}: empty {key_column}")
        if key_column == "file_name":
            key = _rel(key)
        if key in rows:
            raise ManifestError(f"manifest {path}: row {i}: duplicate {key_column} {key!r}")
        row = {k: _as_string(rec.get(k)) for k in ("url", "source", "title", "language") if k in rec}
        if "date" in rec:
            row["date"] = _to_date(rec.get("date"), path, i)
        for n in extras:
            row[n] = rec.get(n)
        rows[key] = row
    return Manifest(path, key_column, rows, extra_schema)


def _domain_outlet(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url if "//" in url else "//" + url).hostname
    return _gazetteer().by_domain(host) if host else None


def apply_manifest(meta: dict, row: dict | None) -> dict:
    """``meta`` (extracted columns) updated from a manifest row: manifest values win and set the
    method column to ``manifest``; without a manifest source, a URL's domain known to the
    gazetteer sets the publisher and source (method ``url``). Extra columns are copied."""
    out = dict(meta)
    if not row:
        return out
    g = _gazetteer()
    if row.get("title"):
        out["title"], out["title_method"] = row["title"], "manifest"
    if row.get("date") is not None:
        out["date"], out["date_method"] = row["date"], "manifest"
    if row.get("url"):
        out["url"] = row["url"]
    if row.get("language"):
        out["language"], out["language_method"] = row["language"], "manifest"
        out["language_score"] = 1.0  # the manifest's word is taken as certain
    if row.get("source"):
        sid = g.resolve(row["source"]) or row["source"]
        out["source"], out["publisher"], out["source_method"] = sid, sid, "manifest"
    else:
        sid = _domain_outlet(row.get("url"))
        if sid:
            out["source"], out["publisher"], out["source_method"] = sid, sid, "url"
    if out.get("cited_outlets") and out.get("publisher"):
        out["cited_outlets"] = [c for c in out["cited_outlets"] if c != out["publisher"]]
    for k, v in row.items():
        if k not in ("url", "source", "date", "title", "language"):
            out[k] = v
    return out


def _gazetteer():
    """The metadata step's outlet gazetteer, imported only by a build with a manifest (its module
    loads the per-document metadata code)."""
    from ..document.metadata.outlets import gazetteer

    return gazetteer()
