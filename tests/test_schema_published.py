"""What a build writes without importing `datasets` or `huggingface_hub.DatasetCard` is what they
give: the published schema and features (schema.published), the card's features list
(schema.yaml_list) and the card's text (card.card_text, compared with str(DatasetCard(text)))."""
from __future__ import annotations

import json

import pyarrow as pa
import pytest
from datasets import Features
from huggingface_hub import DatasetCard

import corpuspack
from corpuspack import schema
from conftest import SEEDS

PLAIN = [pa.bool_(), pa.int8(), pa.int16(), pa.int32(), pa.int64(), pa.uint8(), pa.uint16(), pa.uint32(),
         pa.uint64(), pa.float16(), pa.float32(), pa.float64(), pa.string(), pa.large_string(), pa.binary(),
         pa.large_binary(), pa.date32(), pa.date64()]
OTHER = [pa.timestamp("ms"), pa.timestamp("us", tz="UTC"), pa.struct([("a", pa.int32())]), pa.large_list(pa.string()),
         pa.list_(pa.list_(pa.int64())), pa.list_(pa.int32(), 3), pa.dictionary(pa.int32(), pa.string()),
         pa.decimal128(10, 2), pa.null()]
EXTRAS = [None,
          pa.schema([pa.field(f"x{i}", t) for i, t in enumerate(PLAIN)]),
          pa.schema([pa.field(f"l{i}", pa.list_(t)) for i, t in enumerate(PLAIN)]),
          pa.schema([pa.field("strict", pa.int64(), nullable=False), pa.field("items", pa.list_(pa.field("element", pa.string(), nullable=False)))]),
          *[pa.schema([pa.field("a", pa.string()), pa.field("odd", t)]) for t in OTHER]]


@pytest.mark.parametrize("extra", EXTRAS, ids=lambda e: "none" if e is None else str(e.types[-1]))
def test_published_is_what_datasets_gives(extra):
    ours, theirs = schema.published(extra), Features.from_arrow_schema(schema.arrow_schema(extra))
    assert json.dumps(ours.to_dict()) == json.dumps(theirs.to_dict())  # key order too
    assert ours.arrow_schema.equals(theirs.arrow_schema, check_metadata=True)
    assert ours.arrow_schema.metadata == theirs.arrow_schema.metadata
    assert schema.yaml_list(ours.to_dict()) == Features.from_dict(theirs.to_dict())._to_yaml_list()


def test_plain_columns_need_no_datasets():
    extra = pa.schema([pa.field("a", pa.int64()), pa.field("b", pa.list_(pa.string()))])
    assert isinstance(schema.published(extra), schema.Published)
    assert isinstance(schema.published(pa.schema([pa.field("t", pa.timestamp("ms"))])), Features)


def test_the_card_is_the_text_datasetcard_gives(tmp_path):
    out = tmp_path / "out"
    fields = (("description", "A corpus.\n\nWith: colons, 'quotes', \"doubles\" and # hashes\n- and a dash line"),
              ("citation", "@misc{x,\n  title={A: b},\n  year={2020}\n}"), ("homepage", "https://example.org/a?b=c#d"),
              ("tags", ["yes", "no", "2020-01-01", "1e3", "null", "~"]), ("pretty_name", "on"))
    corpuspack.build(SEEDS, out, jobs=1, progress=False, license="cc-by-4.0", card_fields=fields)
    corpuspack.build(SEEDS, out, jobs=1, progress=False, version="1.1.0")
    text = (out / "README.md").read_text(encoding="utf-8")
    assert "2020-01-01" in text and "colons" in text
    assert str(DatasetCard(text)).rstrip("\n") + "\n" == text
