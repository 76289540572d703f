"""The shards do not depend on how pass 1 batched the documents (``batch_size``, the rows of a stage
record batch, which passes 2 and 3 work on a batch at a time) nor on how it cut a batch into worker
tasks (``engines.base.TASK_DOCS``).

Parquet's writer decides when a column chunk's dictionary is full (1 MiB) after each piece of the
data it is given: a row group handed over in the stage's batches ended its dictionary at another
row, and gave other bytes, for each batch size (until round 42). Here each row group holds ~2.5 MB
of text, so the dictionary fills inside every group."""

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import corpuspack
from conftest import output_files
from corpus_gen import generate_corpus
from corpuspack.builder.engines import base
from corpuspack.builder.options import BuildOptions

N = 900
OPTS = dict(rows_per_shard=600, row_group_size=300, progress=False)


@pytest.fixture(scope="module")
def dump(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dump")
    for name, text, _ in generate_corpus(N, 5, article_words=(700, 1100)):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_shards_same_bytes_whatever_the_batch_size(dump, tmp_path):
    # 97: batches cut into no task; 700: cut into tasks of 256, 256 and 188; the default (512): tasks of 256
    outs = {size: tmp_path / f"b{size}" for size in (97, 700, None)}
    for size, out in outs.items():
        corpuspack.build(dump, out, jobs=2, **OPTS, **({"batch_size": size} if size else {}))
    assert BuildOptions().batch_size > base.TASK_DOCS  # the default batch is cut into tasks

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


def test_a_batch_cut_into_tasks_and_joined_in_order():
    """:meth:`base.Engine.documents` over an engine that runs each task here: the tasks hold at most
    ``TASK_DOCS`` items, and each batch comes back whole, its results in input order."""
    seen = []

    class Here(base.Engine):
        def map(self, fn, tasks, *common, local=None):
            for task in tasks:
                seen.append(len(task))
                yield task, (pa_batch([item[0] for item in task if item[0] % 3]), [{"file_name": str(item[0])}
                             for item in task if item[0] % 7 == 0], ["new" if item[0] % 3 else "rejected" for item in task])

        def settling(self, batches, reader):
            return batches, None

    class Storage:
        def reader(self):
            return None

    items = [(i, f"/d/{i}", None) for i in range(1300)]
    got = list(Here().documents(iter(items), None, batch_size=600, storage=Storage()))
    assert seen == [256, 256, 88, 256, 256, 88, 100]
    assert [len(b[0]) for b in got] == [600, 600, 100]
    assert [b[0] for b in got] == [items[:600], items[600:1200], items[1200:]]
    for batch, records, rejections, outcomes in got:
        numbers = [item[0] for item in batch]
        assert records.column("n").to_pylist() == [n for n in numbers if n % 3]
        assert rejections == [{"file_name": str(n)} for n in numbers if n % 7 == 0]
        assert outcomes == ["new" if n % 3 else "rejected" for n in numbers]


def pa_batch(numbers):
    return pa.RecordBatch.from_pydict({"n": pa.array(numbers, pa.int64())})
