"""Stage 7, write: Parquet shards named by their content.

A shard's file name carries the SHA-256 of its bytes, so every distinct output
has distinct data-file names (the `datasets` cache keys on them and never hands
back stale rows), identical shards are shared between versions, and a file can
be verified against its own name. Writer settings are fixed so the same rows
give the same bytes, and follow what `datasets` writes for the Hub: a page
index, content-defined chunking (pages cut where the content says, so that an
unchanged run of rows gives unchanged pages and the Hub's chunk store uploads
only what changed), row groups of at most 100 MB of rows for the dataset
viewer, and no min/max statistics for free-text columns (a whole article in
every footer). Where a shard lands is :mod:`.layout`'s job.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .reuse import write_index
from ..corpus.stage import read_batches, shared_reader

from ... import schema

DATA_DIR = "data"
#: What `datasets` uses (``datasets.config.DEFAULT_CDC_OPTIONS``), not imported: the workers do not load `datasets`.
CDC_OPTIONS = {"min_chunk_size": 256 * 1024, "max_chunk_size": 1024 * 1024, "norm_level": 0}
#: ``datasets.config.MAX_ROW_GROUP_SIZE``: a row group the dataset viewer reads at once.
MAX_ROW_GROUP_BYTES = 100 * 1024 * 1024


def has_cdc() -> bool:
    """Whether the installed pyarrow writes content-defined chunks (pyarrow 21 and later)."""
    return "use_content_defined_chunking" in (pq.ParquetWriter.__doc__ or "")


def parquet_settings(names: list[str]) -> dict:
    """The writer options for a shard with columns ``names`` (fixed: same rows, same bytes)."""
    out = dict(compression="zstd", compression_level=3, use_dictionary=True, data_page_version="2.0",
               version="2.6", write_page_index=True,
               write_statistics=[n for n in names if n not in schema.FREE_TEXT])
    if has_cdc():
        out["use_content_defined_chunking"] = CDC_OPTIONS
    return out


def writer_manifest() -> dict:
    """How the shards were written, for the build manifest."""
    return {"page_index": True, "content_defined_chunking": CDC_OPTIONS if has_cdc() else None,
            "no_statistics": sorted(schema.FREE_TEXT), "max_row_group_bytes": MAX_ROW_GROUP_BYTES}


@dataclass(frozen=True)
class Shard:
    path: str  # relative to the output root, `/`-separated
    sha256: str
    num_rows: int
    num_bytes: int  # on disk

    def to_dict(self) -> dict:
        return {"path": self.path, "sha256": self.sha256, "num_rows": self.num_rows, "num_bytes": self.num_bytes}


def file_sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class ShardTask:
    """One shard to write: rows of one split, as (record batch of the finished-rows file,
    row indexes in it), in order. No parts: the empty shard of a split without rows."""
    split: str
    number: int
    parts: tuple[tuple[int, np.ndarray], ...]


@dataclass(frozen=True)
class ShardContext:
    final_path: str  # the finished rows (published columns + _digest, _split, _key), Arrow IPC
    root: str  # the output folder
    schema: pa.Schema  # the published schema
    row_group_size: int
    tmp_dir: str


def plan_shards(final_path: str, splits: list[str], rows_per_shard: int, need_one: dict[str, bool]) -> list[ShardTask]:
    """The shards of every split: runs of ``rows_per_shard`` rows of the split, in row order
    (only the ``_split`` column is read). ``need_one[split]``: write an empty shard if the
    split has no rows, so that it loads."""
    tasks: dict[str, list[ShardTask]] = {name: [] for name in splits}
    open_parts: dict[str, list] = {name: [] for name in splits}
    filled = dict.fromkeys(splits, 0)

    def close(name: str) -> None:
        tasks[name].append(ShardTask(name, len(tasks[name]), tuple(open_parts[name])))
        open_parts[name], filled[name] = [], 0

    for i, batch in enumerate(read_batches(final_path, ["_split"])):
        for name in splits:
            rows = np.flatnonzero(pc.equal(batch.column(0), name).to_numpy(zero_copy_only=False))
            while len(rows):
                room = rows_per_shard - filled[name]
                open_parts[name].append((i, rows[:room]))
                filled[name] += len(rows[:room])
                rows = rows[room:]
                if filled[name] == rows_per_shard:
                    close(name)
    for name in splits:
        if filled[name] or (need_one.get(name) and not tasks[name]):
            close(name)
    return [task for name in splits for task in tasks[name]]


def write_shard(task: ShardTask, ctx: ShardContext) -> Shard:
    """Write one shard into the work folder (row groups of ``row_group_size`` rows but the
    last, fewer when that many rows pass :data:`MAX_ROW_GROUP_BYTES`), hash it, and index
    its rows (see :mod:`.reuse`). Pure apart from the files it writes, so the build's
    workers write shards side by side; :func:`.layout.place` then moves it into its version.

    The rows are taken from the finished-rows file a row group at a time, each group handed to
    the writer as one chunk: the pages the writer cuts follow the rows, not the record batches
    they came in (Parquet's writer checks its dictionary's size after each piece it is given), and
    a worker holds one row group's rows, not the shard's (until round 42: all of them, ~55 MB at
    10,000 generated documents, twice over while they were written)."""
    names = ctx.schema.names
    parts = _Parts(shared_reader(ctx.final_path), task.parts)
    tmp_path = os.path.join(ctx.tmp_dir, f"{task.split}-{task.number:05d}.parquet")
    settings = parquet_settings(names)
    indexed: list[pa.RecordBatch] = []  # the rows' id, digest and key (:func:`.reuse.write_index`)
    with pq.ParquetWriter(tmp_path, ctx.schema, **settings) as writer:
        if "use_content_defined_chunking" in settings:  # as `datasets` marks its files
            writer.add_key_value_metadata({"content_defined_chunking": json.dumps(CDC_OPTIONS)})
        if parts.rows:
            nbytes = sum(piece.nbytes for piece in parts.pieces(names))  # a piece at a time, each let go
            group = row_group_rows(parts.rows, nbytes, ctx.row_group_size)
            held: list[pa.RecordBatch] = []  # the next row group's rows, ``filled`` of them
            filled = 0
            for piece in parts.pieces([*names, *(c for c in _INDEX if c not in names)]):
                indexed.append(piece.select(_INDEX))
                piece = piece.select(names)
                while piece.num_rows:
                    held.append(piece.slice(0, group - filled))
                    filled += held[-1].num_rows
                    piece = piece.slice(held[-1].num_rows)
                    if filled == group:
                        writer.write_table(pa.Table.from_batches(held).combine_chunks(), row_group_size=group)
                        held, filled = [], 0
            if held:
                writer.write_table(pa.Table.from_batches(held).combine_chunks(), row_group_size=group)
    digest = file_sha256(tmp_path)
    if indexed:
        ids, digests, keys = (pa.concat_arrays([p.column(c) for p in indexed]) for c in _INDEX)
    else:
        ids = digests = keys = pa.array([], pa.string())
    write_index(ctx.root, digest, ids, digests, keys)
    return Shard(os.path.relpath(tmp_path, ctx.root).replace(os.sep, "/"), digest, parts.rows, os.path.getsize(tmp_path))


_INDEX = ("id", "_digest", "_key")


class _Parts:
    """A shard's rows as (record batch of the finished-rows file, rows in it), taken a batch at a
    time (the last batch read kept: consecutive pieces of a shard may come from one batch)."""

    def __init__(self, reader, parts):
        self.reader, self.parts = reader, parts
        self.rows = sum(len(rows) for _, rows in parts)
        self._held: tuple[int, pa.RecordBatch] | None = None

    def pieces(self, columns):
        for i, rows in self.parts:
            if self._held is None or self._held[0] != i:
                self._held = (i, self.reader.get_batch(i))
            yield self._held[1].select(columns).take(pa.array(rows, pa.int64()))
        self._held = None


def row_group_rows(num_rows: int, nbytes: int, limit: int) -> int:
    """Rows per row group of ``num_rows`` rows of ``nbytes`` bytes in all: ``limit``, or fewer so
    that a group holds at most :data:`MAX_ROW_GROUP_BYTES` (as
    ``datasets.arrow_writer.get_writer_batch_size_from_data_size``)."""
    if not num_rows or not nbytes:
        return limit
    return max(1, min(limit, num_rows * MAX_ROW_GROUP_BYTES // nbytes))
