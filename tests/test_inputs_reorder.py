"""Archive rows restaged in the folder's order: the order (by hand) and the rewrite (against one
take of the whole table)."""
import multiprocessing
import os
import random
from concurrent.futures import ProcessPoolExecutor

import pyarrow as pa
import pytest

from corpuspack.builder.corpus.reorder import folder_order, reorder_stage
from corpuspack.builder.corpus.stage import STAGE_SCHEMA, read_batches


def test_folder_order_is_the_walk_order_not_string_order():
    keys = [("b.txt", 0), ("a/z.txt", 0), ("a.txt", 0), ("x.jsonl", 10), ("x.jsonl", 2), ("a-b/c.txt", 0)]
    order = folder_order(keys)
    # the walk: names of one folder sorted, a folder's files where its name sorts ("a" < "a-b" < "a.txt"),
    # lines of one file in their order within it
    assert [keys[i] for i in order] == [("a/z.txt", 0), ("a-b/c.txt", 0), ("a.txt", 0), ("b.txt", 0),
                                        ("x.jsonl", 2), ("x.jsonl", 10)]
    assert folder_order([("a/z.txt", 0), ("a.txt", 0), ("b", 1), ("b", 3)]) is None
    assert folder_order([]) is None


def test_folder_order_sorts_as_the_path_components_do():
    """Against Python's own sort of the components (code points), on random names mixing folders,
    punctuation below and above '/', accents, Arabic and characters beyond the BMP."""
    rng = random.Random(3)
    letters = ["a", "b", "/", "-", ".", " ", "A", "0", "é", "ب", "\U0001F600", "~"]
    for _ in range(300):
        keys = list(dict.fromkeys(
            ("/".join(p for p in "".join(rng.choice(letters) for _ in range(rng.randint(1, 7))).split("/") if p) or "x",
             rng.randint(0, 3)) for _ in range(rng.randint(2, 40))))
        by_hand = sorted(range(len(keys)), key=lambda i: (keys[i][0].split("/"), keys[i][1]))
        order = folder_order(keys)
        assert (list(range(len(keys))) if order is None else list(order)) == by_hand, keys


def _stage(path, n):
    rng = random.Random(5)
    rows = [{f.name: None for f in STAGE_SCHEMA} | {
        "id": f"{i:016x}", "file_name": f"f{i}.txt", "text": "نص " * rng.randint(1, 50), "language": "ar",
        "language_score": 1.0, "language_method": "cld2", "sha256": "0" * 64, "encoding": "utf-8",
        "removed_lines": 0, "num_chars": 1, "num_words": 1, "num_lines": 1, "mean_line_length": 1.0,
        "arabic_script_ratio": 1.0, "quality_warnings": [], "_line_hashes": [i], "_line_index": [0],
        "_size": i, "_mtime_ns": -1, "_markup": False} for i in range(n)]
    with pa.ipc.new_file(str(path), STAGE_SCHEMA) as w:
        for s in range(0, n, 9):
            w.write_table(pa.Table.from_pylist(rows[s:s + 9], schema=STAGE_SCHEMA))
    return pa.Table.from_pylist(rows, schema=STAGE_SCHEMA)


def test_the_rewrite_takes_the_rows_in_order_across_many_mappings(tmp_path):
    path = tmp_path / "stage.arrow"
    whole = _stage(path, 100)
    order = list(range(100))
    random.Random(1).shuffle(order)
    reorder_stage(str(path), order, batch_rows=8, bucket_rows=13)
    got = pa.Table.from_batches(list(read_batches(str(path))), schema=STAGE_SCHEMA)
    assert got.equals(whole.take(pa.array(order)))


@pytest.mark.parametrize("parts", [1, 2, 3])
def test_the_rewrite_split_over_worker_processes_gives_the_same_file(tmp_path, parts):
    """Through a process pool's map (the scatter split ``parts`` ways): the rows in order, in the
    same record batches as the rewrite in this process, and no file left beside the stage."""
    order = list(range(100))
    random.Random(2).shuffle(order)
    whole = _stage(tmp_path / "here.arrow", 100)
    reorder_stage(str(tmp_path / "here.arrow"), order, batch_rows=8, bucket_rows=13)
    _stage(tmp_path / "pool.arrow", 100)
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("forkserver")) as pool:
        def map_(fn, tasks, *common):
            for task in list(tasks):
                yield task, pool.submit(fn, task, *common).result()

        reorder_stage(str(tmp_path / "pool.arrow"), order, batch_rows=8, bucket_rows=13, map_=map_, parts=parts)
    here, there = (list(read_batches(str(tmp_path / f"{n}.arrow"))) for n in ("here", "pool"))
    assert [b.num_rows for b in there] == [b.num_rows for b in here]
    assert pa.Table.from_batches(there).equals(whole.take(pa.array(order)))
    assert sorted(os.listdir(tmp_path)) == ["here.arrow", "pool.arrow"]


def _write_calls() -> int:
    """This process's write system calls so far, as the kernel counts them."""
    with open("/proc/self/io") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("syscw:"))


def test_the_rewrite_writes_through_buffers_the_same_bytes_in_few_calls(tmp_path, monkeypatch):
    """The bucket and stage files written through buffers: the same stage file, byte for byte,
    as with pyarrow's own writer to the file (each buffer of a batch a write call), and the
    writes, as the kernel counts them, at most a tenth of that writer's."""
    from corpuspack.builder.corpus import reorder

    order = list(range(300))
    random.Random(4).shuffle(order)
    _stage(tmp_path / "buffered.arrow", 300)
    before = _write_calls()
    reorder_stage(str(tmp_path / "buffered.arrow"), order, batch_rows=8, bucket_rows=13)
    buffered = _write_calls() - before
    monkeypatch.setattr(reorder, "buffered_file", lambda path, schema, _: pa.ipc.new_file(path, schema))
    _stage(tmp_path / "plain.arrow", 300)
    before = _write_calls()
    reorder_stage(str(tmp_path / "plain.arrow"), order, batch_rows=8, bucket_rows=13)
    plain = _write_calls() - before
    assert (tmp_path / "buffered.arrow").read_bytes() == (tmp_path / "plain.arrow").read_bytes()
    assert buffered * 10 < plain, (buffered, plain)
    assert sorted(os.listdir(tmp_path)) == ["buffered.arrow", "plain.arrow"]
