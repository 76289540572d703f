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
    its pickles rebuild the batch from an IPC stream (pyarrow's own pickling, which a plain pickle
    uses, does not), and empty, sliced and nested batches come back equal."""
    import pickle
    import pickletools
    from multiprocessing.reduction import ForkingPickler

    import pyarrow as pa

    import corpuspack.builder.engines.local  # noqa: F401  (registers the reducer)
    from corpuspack.builder.corpus.stage import STAGE_SCHEMA

    def globals_named(data: bytes) -> set[str]:  # the callables a pickle calls to rebuild its object
        ops = list(pickletools.genops(data))
        return {str(arg) for op, arg, _ in ops if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "GLOBAL")}

    full = pa.record_batch({"a": [1, None, 3, 4], "b": [["x"], [], None, ["y", "z"]], "c": ["ا", "ب", None, "د"]})
    plain = pickle.dumps(full)  # made without the reducer
    assert "_batch_from_ipc" not in globals_named(plain)
    for batch in (pa.RecordBatch.from_pylist([], schema=STAGE_SCHEMA), full, full.slice(1, 2)):
        data = bytes(ForkingPickler.dumps(batch))
        assert {"corpuspack.builder.engines.local", "_batch_from_ipc"} <= globals_named(data)
        (stream,) = [arg for op, arg, _ in pickletools.genops(data) if isinstance(arg, bytes)]
        assert pa.ipc.open_stream(stream).read_all().equals(pa.Table.from_batches([batch]))  # an IPC stream
        back = pickle.loads(data)
        assert back.schema.equals(batch.schema) and back.equals(batch)
    nested = pickle.loads(ForkingPickler.dumps((full, [full.slice(2)])))
    assert nested[0].equals(full) and nested[1][0].equals(full.slice(2))
