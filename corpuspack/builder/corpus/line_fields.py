"""The fields of JSON lines other than the text and id, as a sidecar manifest: written while the
input is streamed (one row per line, keyed by the line's ``file_name``), then typed here and read
by :func:`.sidecar.load_manifest` (as Parquet), so they reach the dataset as any crawl manifest's
columns do (``url``, ``date``, ``source``, ``title``, ``language`` with method ``manifest``; others
as columns).

Typed here, not by a JSON reader's inference, because a crawler's lines are not uniform and one odd
line must not stop the build (round 36's torture run): a field's column is ``int64`` when every
value is a whole number that fits, ``float64`` when every value is a number, ``bool`` when every
one is a boolean, else ``string``: text as it is, another value (a number among texts, a list, an
object) as its JSON text. The known columns take text (a number as its digits; a list or an object,
which names no one value, gives nothing); a ``date`` is read as a manifest's dates are (its first ten
characters when they are an ISO date: the day as written, whatever the time zone after it; else the
metadata step's date reader), and one no reader understands gives nothing (counted:
:attr:`LineFields.dates_unread`), so the text's own date may fill it. Nothing is inferred from the
look of a text (``"2022-02-18"`` in a title stays that text).

With a ``--manifest`` as well, both are read as one (:func:`with_line_fields`): the lines' fields
first, the manifest's values replacing theirs where both give a document the same field."""
from __future__ import annotations

import itertools
import json
import os

import pyarrow as pa
import pyarrow.parquet as pq

from .sidecar import KNOWN_COLUMNS, Layered, Manifest, ManifestError, _to_date, layered, load_manifest

_INT64 = (-(1 << 63), (1 << 63) - 1)


def _kind(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int" if _INT64[0] <= value <= _INT64[1] else "text"
    if isinstance(value, float):
        return "float"
    return "str" if isinstance(value, str) else "text"


def _column_type(kinds: set[str]) -> pa.DataType:
    if kinds == {"int"}:
        return pa.int64()
    if kinds and kinds <= {"int", "float"}:
        return pa.float64()
    if kinds == {"bool"}:
        return pa.bool_()
    return pa.string()


def _as_text(value) -> str | None:
    return value if value is None or isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _known(value) -> str | None:
    """A known column's value as text: a number as its digits; a list, an object or a boolean: None."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return json.dumps(value)
    return None


_CHUNK = 65_536  # lines


class LineFields:
    def __init__(self, path: str):
        self.path = path
        self.rows = 0
        self.dates_unread = 0  # lines whose date no reader understood (left to the text's own)
        self._kinds: dict[str, set[str]] = {}  # extra field -> the kinds of its values
        self._f = None

    def add(self, file_name: str, fields: dict) -> None:
        if self._f is None:
            self._f = open(self.path, "w", encoding="utf-8")
        for k, v in fields.items():
            if k not in KNOWN_COLUMNS:
                kinds = self._kinds.setdefault(k, set())  # (a field only ever null: a text column)
                if (kind := _kind(v)) is not None:
                    kinds.add(kind)
        self._f.write(json.dumps({"file_name": file_name, **fields}, ensure_ascii=False) + "\n")
        self.rows += 1

    def manifest(self) -> Manifest | None:
        """The manifest of what was written, or None if no line had other fields."""
        if self._f is None:
            return None
        self._f.close()
        known = [k for k in KNOWN_COLUMNS if k != "date"]
        types = {k: _column_type(kinds) for k, kinds in self._kinds.items()}
        schema = pa.schema([("file_name", pa.string()), *((k, pa.string()) for k in known), ("date", pa.date32()),
                            *types.items()])
        path = os.path.splitext(self.path)[0] + ".parquet"
        with open(self.path, encoding="utf-8") as fh, pq.ParquetWriter(path, schema) as writer:
            n = 0
            while lines := list(itertools.islice(fh, _CHUNK)):  # a chunk of lines as Python values at a time
                cols: dict[str, list] = {name: [] for name in schema.names}
                for n, line in enumerate(lines, n + 1):
                    row = json.loads(line)
                    cols["file_name"].append(row["file_name"])
                    for k in known:
                        cols[k].append(_known(row.get(k)))
                    cols["date"].append(self._date(row.get("date"), n))
                    for k, t in types.items():
                        v = row.get(k)
                        cols[k].append(_as_text(v) if t == pa.string() else v)
                writer.write_table(pa.table(cols, schema=schema))
        return load_manifest(path)

    def _date(self, value, n: int):
        """Line ``n``'s date as a manifest's is read (blank: None); one no reader understands, or
        not a text (an epoch number, a list): None, counted."""
        if value is None:
            return None
        if isinstance(value, str):
            try:
                return _to_date(value, self.path, n)
            except ManifestError:
                pass
        self.dates_unread += 1
        return None


def with_line_fields(fields: Manifest, manifest: Manifest) -> Layered:
    """The JSON lines' fields and the ``--manifest`` as one manifest. Where both give a document
    a field, the manifest wins: it is the file the user named for this build, while a line's
    fields are whatever its crawler wrote; a null or empty manifest value leaves the line's. Both
    fill the known columns with method ``manifest``; the report counts the values the manifest
    replaced, by field. A column both have must fit one type (ManifestError otherwise)."""
    try:
        return layered(fields, manifest)
    except ManifestError as e:
        raise ManifestError(f"the fields of the JSON lines and --manifest {manifest.path} cannot be combined: "
                            + str(e).replace(fields.path, "the JSON lines")) from None
