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
from dataclasses import dataclass
from urllib.parse import urlsplit

import numpy as np
import pyarrow as pa

from ...schema.fields import FIELDS
from . import hash_index

KEY_COLUMNS = ("file_name", "id")
KNOWN_COLUMNS = ("url", "source", "date", "title", "language")
_PUBLISHED = frozenset(f.name for f in FIELDS)


class ManifestError(ValueError):
    """A manifest that cannot be used; the message names the file (and row)."""

    row: int | None = None  # the row (1-based) it names, where one is named


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


class Manifest:
    """A validated manifest, held as Arrow columns (round 39; until then a dict of Python dicts, ~1.4
    KB a row: a manifest, or JSON lines' fields, of 1,000,000 rows took 1,385 MiB in the build's
    process and as much in each finishing worker): ``keys``, its normalised keys in file order, and
    ``values``, each row's value columns (url, source, title, language as text, date as a date, then
    the extra columns as read), looked up by a sorted index of the keys' 64-bit hashes (a hash shared
    by two keys is told apart by the keys themselves)."""

    def __init__(self, path: str, key_column: str, keys: pa.Array, values: pa.Table, extra_schema: pa.Schema,
                 hashes: np.ndarray | None = None, index: tuple[np.ndarray, np.ndarray] | None = None,
                 saved: str | None = None):
        self.path, self.key_column, self.keys, self.values, self.extra_schema = path, key_column, keys, values, extra_schema
        self.saved = saved  # the file it was mapped from (:func:`open_saved`), if it was
        if index is None:  # (the keys' hashes sorted, the row of each)
            index = hash_index.sorted_index(hash_index.name_hashes(keys.to_pylist(), len(keys)) if hashes is None
                                            else hashes)
        self._hashes, self._order = index
        self._matched = np.zeros(len(keys), dtype=bool)  # the rows :meth:`rows_for` returned

    def __len__(self) -> int:
        return len(self.keys)

    def key_of(self, file_name: str, doc_id: str) -> str:
        return _rel(file_name) if self.key_column == "file_name" else doc_id

    def find(self, keys: list) -> np.ndarray:
        """The row of each key (``key_column``'s values, normalised), -1 where the manifest has none."""
        return hash_index.find((self._hashes, self._order), keys, lambda rows: self.keys.take(pa.array(rows)))

    def mark(self, keys: list, matched: np.ndarray) -> np.ndarray:
        """Flag in ``matched`` (a flag a row) the rows of these keys; returns :meth:`find`'s rows."""
        rows = self.find(keys)
        matched[rows[rows >= 0]] = True
        return rows

    def rows_for(self, file_names: list[str], doc_ids: list[str]) -> list[dict | None]:
        """The manifest row of each document (known columns normalised, extras as read), or None;
        the rows found are remembered for :meth:`unmatched`."""
        rows = self.mark([self.key_of(name, doc_id) for name, doc_id in zip(file_names, doc_ids)], self._matched)
        present = rows >= 0
        if not self.values.num_columns:  # a manifest of keys only: each row found is an empty one
            return [{} if p else None for p in present]
        values = iter(self.values.take(pa.array(rows[present])).to_pylist())
        return [next(values) if p else None for p in present]

    def lookup(self, file_name: str, doc_id: str) -> dict | None:
        """:meth:`rows_for` of one document."""
        return self.rows_for([file_name], [doc_id])[0]

    def unmatched(self, seen_keys=None) -> list[str]:
        """Keys of rows that matched no file: those not in ``seen_keys`` (file names or ids,
        per :attr:`key_column`), or, without it, those never returned by :meth:`rows_for`."""
        if seen_keys is None:
            return self.unmatched_rows(self._matched)
        matched = np.zeros(len(self.keys), dtype=bool)
        self.mark(list(seen_keys), matched)
        return self.unmatched_rows(matched)

    def unmatched_rows(self, matched: np.ndarray) -> list[str]:
        """The keys, sorted, of the rows not marked in ``matched`` (a flag a row)."""
        return sorted(self.keys.filter(pa.array(~matched)).to_pylist())

    def save(self, path: str) -> str:
        """Write the manifest as read and checked, with its index, to ``path`` (an Arrow IPC file, not
        compressed) for :func:`open_saved`; returns ``path``."""
        meta = {b"path": self.path.encode("utf-8"), b"key_column": self.key_column.encode(),
                b"extra_schema": self.extra_schema.serialize().to_pybytes()}
        table = pa.Table.from_arrays(  # (a manifest of keys only has no value column)
            [*self.values.columns, self.keys, pa.array(self._hashes), pa.array(self._order)],
            names=[*self.values.column_names, "_key", "_hash", "_order"]).combine_chunks()
        with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, table.schema.with_metadata(meta)) as writer:
            writer.write_table(table, max_chunksize=len(table) or None)
        return path

    @property
    def layers(self) -> tuple[Manifest, ...]:
        return (self,)

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.path,)


def open_saved(path: str) -> Manifest:
    """A manifest :meth:`Manifest.save` wrote, memory-mapped: its columns and index are the file's
    pages, which every process that opens it shares (the build's finishing workers), nothing read
    or checked again."""
    table = pa.ipc.open_file(pa.memory_map(path)).read_all()  # one record batch: a chunk a column
    meta = table.schema.metadata
    values = table.drop_columns(["_key", "_hash", "_order"]).replace_schema_metadata(None)
    index = (table.column("_hash").chunk(0).to_numpy(), table.column("_order").chunk(0).to_numpy())
    return Manifest(meta[b"path"].decode("utf-8"), meta[b"key_column"].decode(), table.column("_key").chunk(0),
                    values, pa.ipc.read_schema(pa.py_buffer(meta[b"extra_schema"])), index=index, saved=path)


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

    def rows_for(self, file_names: list[str], doc_ids: list[str]) -> list[dict | None]:
        """:meth:`Manifest.rows_for` of the layers, each document's rows made one (see the class)."""
        return [_union(found) for found in zip(*(m.rows_for(file_names, doc_ids) for m in self.layers))]

    def lookup(self, file_name: str, doc_id: str) -> dict | None:
        return self.rows_for([file_name], [doc_id])[0]

    def replaced(self, file_names, doc_ids) -> dict[str, int]:
        """For each field, the documents (by file name and id) whose value from one layer a later
        layer replaced with a different value: what the report says was overridden."""
        counts: dict[str, int] = {}
        for found in zip(*(m.rows_for(file_names, doc_ids) for m in self.layers)):
            rows = [row for row in found if row is not None]
            for k in {k for i, row in enumerate(rows[1:], 1) for k, v in row.items() if v is not None
                      and any(earlier.get(k) is not None and earlier[k] != v for earlier in rows[:i])}:
                counts[k] = counts.get(k, 0) + 1
        return dict(sorted(counts.items()))


def _union(found) -> dict | None:
    """A document's rows (None: the layer has none) as one, later ones winning but for null values."""
    found = [row for row in found if row is not None]
    if len(found) < 2:
        return found[0] if found else None
    row: dict = {}
    for layer in found:
        row.update((k, v) for k, v in layer.items() if v is not None or k not in row)
    return row


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
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ManifestError(f"manifest {path}: column(s) {', '.join(twice)} given more than once")
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
    errors: list[tuple[int, int, str]] = []  # (row, order within a row, message): the first one is raised
    key_parts: list[pa.Array] = []
    hash_parts: list[np.ndarray] = []
    for first, values in _chunks(table.column(key_column)):  # a chunk's Python values at a time, never the whole column's
        keys = [_as_string(v) for v in values]
        empty = keys.index(None) if None in keys else None
        if empty is not None:
            errors.append((first + empty + 1, 0, f"manifest {path}: row {first + empty + 1}: empty {key_column}"))
            keys = keys[:empty]  # the rows before it: a duplicate there is said first
        if key_column == "file_name":
            keys = [_rel(k) for k in keys]
        key_parts.append(pa.array(keys, pa.string()))
        hash_parts.append(hash_index.name_hashes(keys, len(keys)))
        if empty is not None:
            break
    keys = pa.concat_arrays(key_parts)
    hashes = np.concatenate(hash_parts)
    dup = _first_repeat(keys, hashes)
    if dup is not None:
        errors.append((dup, 1, f"manifest {path}: row {dup}: duplicate {key_column} {keys[dup - 1].as_py()!r}"))
    columns = {k: _converted(table.column(k), _as_string, pa.string()) for k in ("url", "source", "title", "language")
               if k in names}
    if "date" in names:
        try:
            columns["date"] = _converted(table.column("date"), lambda v, row: _to_date(v, path, row), pa.date32(),
                                         numbered=True)
        except ManifestError as e:
            errors.append((e.row, 2, str(e)))
    if errors:
        raise ManifestError(min(errors)[2])
    for n in extras:
        columns[n] = table.column(n)
    return Manifest(path, key_column, keys, pa.table(columns), extra_schema, hashes)


_CHUNK = 65_536


def _chunks(column: pa.ChunkedArray):
    """(first row, the Python values of rows first .. first + :data:`_CHUNK`) of a column."""
    for first in range(0, len(column), _CHUNK):
        yield first, column.slice(first, _CHUNK).to_pylist()


def _converted(column: pa.ChunkedArray, fn, type_: pa.DataType, numbered: bool = False) -> pa.Array:
    """``fn(value)`` (``numbered``: ``fn(value, row)``, the row 1-based) of each value, as an array of
    ``type_``, converted a chunk at a time; a :class:`ManifestError` raised gets its ``row``."""
    parts = []
    for first, values in _chunks(column):
        if not numbered:
            parts.append(pa.array([fn(v) for v in values], type_))
            continue
        out: list = []
        try:
            for row, v in enumerate(values, first + 1):
                out.append(fn(v, row))
        except ManifestError as e:
            e.row = first + len(out) + 1
            raise
        parts.append(pa.array(out, type_))
    return pa.concat_arrays(parts) if parts else pa.array([], type_)


def _first_repeat(keys: pa.Array, hashes: np.ndarray) -> int | None:
    """The first row (1-based) whose key an earlier row has, or None: only the rows whose key's hash
    another row shares are compared (in row order)."""
    order = np.argsort(hashes, kind="stable")
    same = hashes[order][1:] == hashes[order][:-1]
    shared = np.zeros(len(hashes), dtype=bool)
    shared[order[1:][same]] = True
    shared[order[:-1][same]] = True
    rows = np.flatnonzero(shared)
    seen: set[str] = set()
    for row, key in zip(rows, keys.take(pa.array(rows)).to_pylist()):
        if key in seen:
            return int(row) + 1
        seen.add(key)
    return None


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
