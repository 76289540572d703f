"""Reading some columns of the stage file must not keep the rest (the text) in memory."""
import gc

import pyarrow as pa

from corpuspack.builder.corpus.stage import read_batches


def test_selected_columns_do_not_pin_the_batch_bodies(tmp_path):
    path = str(tmp_path / "t.arrow")
    table = pa.table({"text": pa.array(["x" * 5000] * 4000), "n": pa.array(range(4000), pa.int64())})
    with pa.ipc.new_file(path, table.schema) as w:
        for b in table.to_batches(500):
            w.write_batch(b)
    del table, w, b
    gc.collect()
    before = pa.total_allocated_bytes()
    kept = list(read_batches(path, ["n"]))
    gc.collect()
    assert sum(b.num_rows for b in kept) == 4000
    assert pa.total_allocated_bytes() - before < 200_000  # the ints (32 kB), not the 20 MB of text


def test_record_batches_cross_processes_as_ipc_streams():
    """engine registers an IPC-stream reducer for record batches with multiprocessing's pickler:
    empty, sliced and nested batches come back equal."""
    import pickle
    from multiprocessing.reduction import ForkingPickler

    import pyarrow as pa

    import corpuspack.builder.engines.local  # noqa: F401  (registers the reducer)
    from corpuspack.builder.corpus.stage import STAGE_SCHEMA

    full = pa.record_batch({"a": [1, None, 3, 4], "b": [["x"], [], None, ["y", "z"]], "c": ["ا", "ب", None, "د"]})
    for batch in (pa.RecordBatch.from_pylist([], schema=STAGE_SCHEMA), full, full.slice(1, 2)):
        back = pickle.loads(ForkingPickler.dumps(batch))
        assert back.schema.equals(batch.schema) and back.equals(batch)
    nested = pickle.loads(ForkingPickler.dumps((full, [full.slice(2)])))
    assert nested[0].equals(full) and nested[1][0].equals(full.slice(2))
