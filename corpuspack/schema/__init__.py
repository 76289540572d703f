"""The published dataset schema (see :mod:`corpuspack.schema.fields`)."""
from __future__ import annotations

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


def schema_major(version: str) -> int:
    return int(version.split(".")[0])


__all__ = ["FIELDS", "FIELD_NAMES", "BY_NAME", "FREE_TEXT", "Field", "SCHEMA_VERSION", "arrow_schema", "features", "schema_major"]
