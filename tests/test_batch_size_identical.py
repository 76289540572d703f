"""The shards do not depend on how pass 1 batched the documents (``batch_size``, the rows of a stage
record batch, which passes 2 and 3 work on a batch at a time).

Parquet's writer decides when a column chunk's dictionary is full (1 MiB) after each piece of the
data it is given: a row group handed over in the stage's batches ended its dictionary at another
row, and gave other bytes, for each batch size (until round 42). Here each row group holds ~2.5 MB
of text, so the dictionary fills inside every group."""

import pyarrow.parquet as pq
import pytest

import corpuspack
from conftest import output_files
from corpus_gen import generate_corpus

N = 900
OPTS = dict(rows_per_shard=600, row_group_size=300, progress=False)


@pytest.fixture(scope="module")
def dump(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dump")
    for name, text, _ in generate_corpus(N, 5, article_words=(700, 1100)):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_shards_same_bytes_whatever_the_batch_size(dump, tmp_path):
    outs = {size: tmp_path / f"b{size}" for size in (97, 700, None)}
    for size, out in outs.items():
        corpuspack.build(dump, out, jobs=2, **OPTS, **({"batch_size": size} if size else {}))

    files = {size: output_files(out) for size, out in outs.items()}
    shards = sorted(k for k in files[None] if k.endswith(".parquet"))
    assert len(shards) == 2
    # the precondition: each row group's text is larger than the dictionary Parquet's writer keeps
    meta = pq.ParquetFile(outs[None] / shards[0]).metadata
    text = meta.schema.to_arrow_schema().get_field_index("text")
    assert meta.num_row_groups == 2
    assert all(meta.row_group(g).column(text).total_uncompressed_size > 2 * 2**20 for g in range(2))
    for size in (97, 700):
        assert files[size].keys() == files[None].keys()
        assert [k for k in files[None] if files[size][k] != files[None][k]] == []
