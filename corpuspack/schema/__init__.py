"""The published dataset schema (see :mod:`corpuspack.schema.fields`)."""
from __future__ import annotations

import json

import pyarrow as pa

from .fields import FIELDS, Field

#: Bump the major part when a column is removed, renamed or retyped;
#: the minor part when a column is added.
SCHEMA_VERSION = "1.1.0"  # 1.1.0: dateline_place, dateline_place_method

FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
#: Columns of free text: no min/max statistics in the Parquet footers (they would hold whole articles).
FREE_TEXT: frozenset[str] = frozenset({"text", "title", "credit"})


def arrow_schema(extra: pa.Schema | None = None) -> pa.Schema:
    """The Arrow schema of the published rows, plus any extra (manifest) columns."""
    fields = [f.arrow() for f in FIELDS]
    if extra is not None:
        fields += [f for f in extra if f.name not in BY_NAME]
    return pa.schema(fields)


def features(extra: pa.Schema | None = None):
    """The `datasets.Features` matching :func:`arrow_schema`."""
    from datasets import Features

    return Features.from_arrow_schema(arrow_schema(extra))


class Published:
    """What a build needs of :func:`features`: its ``arrow_schema`` (with the ``huggingface``
    metadata) and ``to_dict()``, made without importing `datasets` (~0.4 s) for columns of plain
    types (those of :data:`FIELDS` and the usual manifest columns: :data:`_DTYPES`, and lists of
    them); any other column type asks `datasets` (tests/test_schema_published.py compares the two)."""

    def __init__(self, arrow: pa.Schema, feature_dict: dict) -> None:
        self.arrow_schema, self._dict = arrow, feature_dict

    def to_dict(self) -> dict:
        return json.loads(json.dumps(self._dict))  # a copy, as `datasets` gives


#: Arrow types whose `datasets` feature is ``Value(<name>)``, which gives the same Arrow type back.
_DTYPES = {pa.bool_(): "bool", pa.int8(): "int8", pa.int16(): "int16", pa.int32(): "int32", pa.int64(): "int64",
           pa.uint8(): "uint8", pa.uint16(): "uint16", pa.uint32(): "uint32", pa.uint64(): "uint64",
           pa.float16(): "float16", pa.float32(): "float32", pa.float64(): "float64", pa.string(): "string",
           pa.large_string(): "large_string", pa.binary(): "binary", pa.large_binary(): "large_binary",
           pa.date32(): "date32", pa.date64(): "date64"}


def published(extra: pa.Schema | None = None):
    """:func:`features`, as a :class:`Published` when every column is of a plain type."""
    fields, feature_dict = [], {}
    for f in arrow_schema(extra):
        t = f.type
        if t in _DTYPES:
            feature_dict[f.name] = {"dtype": _DTYPES[t], "_type": "Value"}
        elif pa.types.is_list(t) and t.value_type in _DTYPES:
            t = pa.list_(t.value_type)
            feature_dict[f.name] = {"feature": {"dtype": _DTYPES[t.value_type], "_type": "Value"}, "_type": "List"}
        else:
            return features(extra)
        fields.append(pa.field(f.name, t))
    meta = {"huggingface": json.dumps({"info": {"features": feature_dict}})}
    return Published(pa.schema(fields, metadata=meta), feature_dict)


def yaml_list(feature_dict: dict) -> list:
    """``datasets.Features.from_dict(feature_dict)._to_yaml_list()`` (the card's ``features``),
    without `datasets` for columns of the forms :func:`published` writes."""
    out = []
    for name, feat in feature_dict.items():
        if feat.keys() == {"dtype", "_type"} and feat["_type"] == "Value":
            out.append({"name": name, "dtype": feat["dtype"]})
        elif (feat.keys() == {"feature", "_type"} and feat["_type"] == "List"
              and feat["feature"].keys() == {"dtype", "_type"} and feat["feature"]["_type"] == "Value"):
            out.append({"name": name, "list": feat["feature"]["dtype"]})
        else:
            from datasets import Features

            return Features.from_dict(feature_dict)._to_yaml_list()
    return out


def schema_major(version: str) -> int:
    return int(version.split(".")[0])


__all__ = ["FIELDS", "FIELD_NAMES", "BY_NAME", "FREE_TEXT", "Field", "SCHEMA_VERSION", "arrow_schema", "features", "published", "yaml_list", "schema_major"]
