"""Rows of an archive staged in the order of the unpacked folder.

A folder is walked depth-first with each folder's names sorted (see document/discover.py), so
its rows come in that order. An archive's members come in the order they were written (GNU tar
writes them in the order the file system lists them), so the stage is put in the folder's order
after pass 1 when it is not: the dataset does not depend on how the archive was made.
"""
from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..heap import give_back
from .duplicates import map_here
from .stage import STAGE_SCHEMA, StageReader, batch_sizes


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


def reorder_stage(stage_path: str, order, batch_rows: int, bucket_rows: int = 2048,
                  max_buckets: int = 256, map_=None, parts: int = 1) -> None:
    """Rewrite the stage file with its rows taken in ``order``, by an external bucket sort that
    reads and writes every file in sequence: the staged rows, in runs of a bucket's width, are put
    in their new order (one ``take`` per run) and each bucket's slice of the run appended to that
    bucket (``bucket_rows`` consecutive places per bucket, more when there would be over
    ``max_buckets`` buckets), then each bucket is read whole, put in order and written.
    Memory: one run, then two buckets (~13 MB each for 2,048 rows of 6 kB documents, a few times
    that while one is sorted: the next is sorted by a thread while one is written), never the
    whole stage; and the write buffers (:class:`buffered_file`: 64 kB per bucket file, 1 MB for
    the stage). (A ``take`` per staged batch and bucket
    instead, ~50 small writes per batch, cost 4.5x the CPU outside the kernel at 100,000
    documents. Taking the rows where they lie, through a memory map, touches a page of every
    column of every row read, which all counts in the resident memory while mapped: ~500 MB per
    4,096 rows at 100,000 documents; a ``take`` over the whole file as one table also copies every
    column whole first.)

    ``map_`` (an engine's :meth:`..engines.base.Engine.map`; default: in this process) runs the
    work as tasks: the staged batches split in ``parts`` ranges, each scattered into buckets of
    its own by a task (side by side), then one task putting the buckets in order into the new
    stage. So with a pool's ``map_`` the rows never pass through the calling process. (The sort
    split in ``parts`` too, each part a file, cost more than it saved: one more copy of the
    whole stage to join the parts; docs/inputs.md, round 27.)"""
    n = len(order)
    width = max(bucket_rows, -(-n // max_buckets))
    place = np.empty(n, np.int64)
    place[np.asarray(order, np.int64)] = np.arange(n)  # where each staged row goes
    buckets = -(-n // width)
    parts = max(1, parts)
    job = Restage(stage_path, stage_path + ".buckets", width, buckets, parts, batch_rows)
    run = map_ or map_here
    os.makedirs(job.folder, exist_ok=True)
    try:
        scatter = [(t, first, last, place[rows[0]:rows[1]])
                   for t, (first, last, rows) in enumerate(_ranges(batch_sizes(stage_path), parts))]
        for _ in run(scatter_task, scatter, job):
            pass
        del place, scatter
        for _ in run(sort_task, [(0, buckets)], job):
            pass
    finally:
        shutil.rmtree(job.folder, ignore_errors=True)
        if map_ is None:
            give_back()  # what the runs and buckets took, else kept by the pool to the build's end


#: bytes gathered before a write: an IPC writer writes each buffer of a batch (and its padding) by
#: a call of its own, ~100 a batch of the stage's columns, so the scatter's pieces of ~40 rows
#: made ~290,000 writes of a few bytes to kB at 100,000 documents (docs/inputs.md, round 28)
BUCKET_BUFFER = 64 << 10  # per bucket a scatter task writes (at most max_buckets of them)
STAGE_BUFFER = 1 << 20


class buffered_file:
    """:func:`pyarrow.ipc.new_file` at ``path`` through a buffer of ``buffer_bytes`` (written
    bytes identical), its file closed with the writer."""

    def __init__(self, path: str, schema: pa.Schema, buffer_bytes: int):
        self._sink = pa.BufferedOutputStream(pa.OSFile(path, "wb"), buffer_size=buffer_bytes)
        try:
            self._writer = pa.ipc.new_file(self._sink, schema)
        except BaseException:
            self._sink.close()
            raise

    def write_table(self, table: pa.Table, max_chunksize: int | None = None) -> None:
        self._writer.write_table(table, max_chunksize=max_chunksize)

    def close(self) -> None:
        try:
            self._writer.close()
        finally:
            self._sink.close()  # flushes the buffer, closes the file

    def __enter__(self) -> "buffered_file":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Restage(NamedTuple):
    """What every task of one :func:`reorder_stage` shares."""
    stage_path: str
    folder: str  # the buckets, beside the stage
    width: int  # new places per bucket
    buckets: int
    parts: int
    batch_rows: int  # rows per record batch of the new stage (at most)

    def bucket(self, b: int, t: int) -> str:
        return os.path.join(self.folder, f"{b}.{t}.arrow")


_TO_SCHEMA = STAGE_SCHEMA.append(pa.field("_to", pa.int64()))  # a row's place in the new order


def scatter_task(task, job: Restage) -> None:
    """Staged batches ``first`` to ``last`` (their rows' new places: ``place``), in runs of a
    bucket's width, each run's rows appended to the buckets they go to (files of this task's own)."""
    t, first, last, place = task
    writers: dict[int, pa.ipc.RecordBatchFileWriter] = {}
    try:
        start = 0
        for run in _runs(job.stage_path, first, last, job.width):
            to = place[start:start + run.num_rows]
            start += run.num_rows
            by = np.argsort(to, kind="stable")
            to = to[by]
            run = run.take(pa.array(by)).append_column("_to", pa.array(to))
            cuts = np.searchsorted(to, np.arange(job.buckets + 1) * job.width)
            for b in np.flatnonzero(cuts[1:] > cuts[:-1]).tolist():
                if b not in writers:
                    writers[b] = buffered_file(job.bucket(b, t), _TO_SCHEMA, BUCKET_BUFFER)
                writers[b].write_table(run.slice(cuts[b], cuts[b + 1] - cuts[b]))
            del run
    finally:
        for w in writers.values():
            w.close()
        give_back()


def sort_task(task, job: Restage) -> None:
    """Buckets ``b0`` to ``b1``, each read whole (the pieces every scatter task wrote) and put in
    order (the next one by a thread while this one is written), written to the new stage, which
    then replaces the old."""
    b0, b1 = task
    tmp = job.stage_path + ".reordered"
    try:
        with buffered_file(tmp, STAGE_SCHEMA, STAGE_BUFFER) as out, ThreadPoolExecutor(1) as ahead:
            pending = ahead.submit(_sorted_bucket, job, b0) if b0 < b1 else None
            for b in range(b0, b1):
                part = pending.result()
                pending = ahead.submit(_sorted_bucket, job, b + 1) if b + 1 < b1 else None
                out.write_table(part, max_chunksize=job.batch_rows)
                del part
        os.replace(tmp, job.stage_path)
    finally:
        give_back()


def _sorted_bucket(job: Restage, b: int) -> pa.Table:
    """Bucket ``b``'s rows in their new order (its files removed)."""
    pieces = []
    for t in range(job.parts):
        name = job.bucket(b, t)
        if os.path.exists(name):
            with pa.OSFile(name) as f:
                pieces.append(pa.ipc.open_file(f).read_all())
            os.remove(name)
    part = pa.concat_tables(pieces) if pieces else _TO_SCHEMA.empty_table()
    return part.take(pc.sort_indices(part.column("_to"))).drop_columns(["_to"])


def _ranges(sizes: list[int], parts: int):
    """``(first batch, last batch, (first row, end row))`` of ``parts`` consecutive ranges of
    batches with about as many rows each (a range may be empty)."""
    ends = np.cumsum([0, *sizes])
    total = int(ends[-1])
    firsts = [int(np.searchsorted(ends, total * k // parts, side="left")) for k in range(parts)] + [len(sizes)]
    for first, last in zip(firsts[:-1], firsts[1:]):
        yield first, last, (int(ends[first]), int(ends[last]))


def _runs(stage_path: str, first: int, last: int, rows: int):
    """Staged batches ``first`` to ``last`` joined in tables of ``rows`` rows or a batch more (the
    last fewer)."""
    held, count = [], 0
    with StageReader(stage_path) as reader:
        for i in range(first, last):
            batch = reader.get_batch(i)
            held.append(batch)
            count += batch.num_rows
            if count >= rows:
                yield pa.Table.from_batches(held)
                held, count = [], 0
    if held:
        yield pa.Table.from_batches(held)
