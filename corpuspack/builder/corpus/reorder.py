"""Rows of an archive staged in the order of the unpacked folder.

A folder is walked depth-first with each folder's names sorted (see document/discover.py), so
its rows come in that order. An archive's members come in the order they were written (GNU tar
writes them in the order the file system lists them), so the stage is put in the folder's order
after pass 1 when it is not: the dataset does not depend on how the archive was made.
"""
from __future__ import annotations

import os

import shutil

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..heap import give_back
from .stage import STAGE_SCHEMA, read_batches


class OrderKeys:
    """The (member path, line) of each staged row read from an archive, gathered batch by batch
    as Arrow arrays: a Python tuple per row, held to the end of pass 1 among the build's other
    objects, left its small blocks in the heap after it was freed."""

    def __init__(self):
        self.paths: list[pa.Array] = []
        self.lines: list[pa.Array] = []

    def add(self, keys: list[tuple[str, int]]) -> None:
        if keys:
            paths, lines = zip(*keys)
            self.paths.append(pa.array(paths, pa.string()))
            self.lines.append(pa.array(lines, pa.int64()))

    def order(self) -> np.ndarray | None:
        """:func:`folder_order` of the keys added."""
        order = _order(pa.chunked_array(self.paths, pa.string()), pa.chunked_array(self.lines, pa.int64()))
        self.paths, self.lines = [], []
        return order


def folder_order(keys: list[tuple[str, int]]) -> np.ndarray | None:
    """The permutation that puts rows with ``keys`` (member path, line within the member) in
    the folder's order, or None when they are in it already."""
    collected = OrderKeys()
    collected.add(keys)
    return collected.order()


def _order(paths: pa.ChunkedArray, lines: pa.ChunkedArray) -> np.ndarray | None:
    """The folder's order compares paths by their components, then lines. A path with its ``/`` as
    NUL (below any other character, and in no name) compares as its list of components, and
    UTF-8 bytes compare as the code points, so one stable Arrow sort gives that order without a
    Python list per key (sorting by ``path.split("/")`` left ~30 MiB of freed small objects in
    the build's process to its end at 100,000 members)."""
    if not len(paths):
        return None
    table = pa.table({"path": pc.replace_substring(paths, "/", "\x00"), "line": lines})
    order = pc.sort_indices(table, sort_keys=[("path", "ascending"), ("line", "ascending")]).to_numpy()
    return None if (order == np.arange(len(order))).all() else order


def reorder_stage(stage_path: str, order: list[int], batch_rows: int, bucket_rows: int = 2048,
                  max_buckets: int = 256) -> None:
    """Rewrite the stage file with its rows taken in ``order``, by an external bucket sort that
    reads and writes every file in sequence: the staged rows, in runs of a bucket's width, are put
    in their new order (one ``take`` per run) and each bucket's slice of the run appended to that
    bucket (``bucket_rows`` consecutive places per bucket, more when there would be over
    ``max_buckets`` files open), then each bucket is read whole, put in order and written.
    Memory: one run, then one bucket (~13 MB for 2,048 rows of 6 kB documents, a few times
    that while it is sorted), never the whole stage. (A ``take`` per staged batch and bucket
    instead, ~50 small writes per batch, cost 4.5x the CPU outside the kernel at 100,000
    documents. Taking the rows where they lie, through a memory map, touches a page of every
    column of every row read, which all counts in the resident memory while mapped: ~500 MB per
    4,096 rows at 100,000 documents; a ``take`` over the whole file as one table also copies every
    column whole first.)"""
    n = len(order)
    width = max(bucket_rows, -(-n // max_buckets))
    place = np.empty(n, np.int64)
    place[np.asarray(order, np.int64)] = np.arange(n)  # where each staged row goes
    folder = stage_path + ".buckets"
    os.makedirs(folder, exist_ok=True)
    try:
        names = [os.path.join(folder, f"{b}.arrow") for b in range(-(-n // width))]
        schema = STAGE_SCHEMA.append(pa.field("_to", pa.int64()))  # a row's place in the new order
        writers = [pa.ipc.new_file(name, schema) for name in names]
        try:
            start = 0
            for run in _runs(stage_path, width):
                to = place[start:start + run.num_rows]
                start += run.num_rows
                by = np.argsort(to, kind="stable")
                to = to[by]
                run = run.take(pa.array(by)).append_column("_to", pa.array(to))
                cuts = np.searchsorted(to, np.arange(len(names) + 1) * width)
                for b in np.flatnonzero(cuts[1:] > cuts[:-1]):
                    writers[b].write_table(run.slice(cuts[b], cuts[b + 1] - cuts[b]))
                del run
        finally:
            for w in writers:
                w.close()
        tmp = stage_path + ".reordered"
        with pa.ipc.new_file(tmp, STAGE_SCHEMA) as out:
            for name in names:
                with pa.OSFile(name) as f:
                    part = pa.ipc.open_file(f).read_all()
                part = part.take(pc.sort_indices(part.column("_to"))).drop_columns(["_to"])
                out.write_table(part, max_chunksize=batch_rows)
                del part
                os.remove(name)
        os.replace(tmp, stage_path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        give_back()  # what the runs and buckets took, else kept by the pool to the build's end


def _runs(stage_path: str, rows: int):
    """The staged batches joined in tables of ``rows`` rows or a batch more (the last fewer)."""
    held, count = [], 0
    for batch in read_batches(stage_path):
        held.append(batch)
        count += batch.num_rows
        if count >= rows:
            yield pa.Table.from_batches(held)
            held, count = [], 0
    if held:
        yield pa.Table.from_batches(held)
