"""Reading some columns of the stage file must not keep the rest (the text) in memory."""
import gc

import pyarrow as pa

from corpuspack.builder.stage import read_batches


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
