"""Stage 7, write: Parquet shards named by their content.

A shard's file name carries the SHA-256 of its bytes, so every distinct output
has distinct data-file names (the `datasets` cache keys on them and never hands
back stale rows), identical shards are shared between versions, and a file can
be verified against its own name. Writer settings are fixed so the same rows
give the same bytes.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.parquet as pq

from .reuse import write_index

DATA_DIR = "data"
PARQUET_SETTINGS = dict(
    compression="zstd",
    compression_level=3,
    use_dictionary=True,
    write_statistics=True,
    data_page_version="2.0",
    version="2.6",
)


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


class ShardWriter:
    """Writes one split's rows into shards of at most ``rows_per_shard`` rows."""

    def __init__(self, root: str, split: str, schema: pa.Schema, *, rows_per_shard: int, row_group_size: int, tmp_dir: str):
        self.root, self.split, self.schema = root, split, schema
        self.rows_per_shard, self.row_group_size, self.tmp_dir = rows_per_shard, row_group_size, tmp_dir
        self.shards: list[Shard] = []
        self._writer: pq.ParquetWriter | None = None
        self._tmp_path: str | None = None
        self._rows = 0
        self._pending: list[pa.RecordBatch] = []
        self._pending_rows = 0
        self._index: list[tuple[pa.Array, pa.Array, pa.Array]] = []  # (ids, digests, finish keys) of the open shard

    def write(self, batch: pa.RecordBatch, digests: pa.Array, keys: pa.Array) -> None:
        """Append rows; their ``digests`` and finish ``keys`` go to the shard's row index (see :mod:`.reuse`)."""
        while batch.num_rows:
            room = self.rows_per_shard - self._rows - self._pending_rows
            head, batch = batch.slice(0, room), batch.slice(room)
            self._index.append((head.column("id"), digests.slice(0, room), keys.slice(0, room)))
            digests, keys = digests.slice(room), keys.slice(room)
            self._pending.append(head)
            self._pending_rows += head.num_rows
            if self._pending_rows >= self.row_group_size:
                self._flush(final=False)
            if self._rows + self._pending_rows >= self.rows_per_shard:
                self._close_shard()

    def _flush(self, final: bool) -> None:
        """Write pending rows in row groups of exactly ``row_group_size`` (the last one may be short)."""
        if not self._pending_rows:
            return
        table = pa.Table.from_batches(self._pending, schema=self.schema)
        n_full = (table.num_rows // self.row_group_size) * self.row_group_size
        cut = table.num_rows if final else n_full
        if cut == 0:
            return
        if self._writer is None:
            self._tmp_path = os.path.join(self.tmp_dir, f"{self.split}-{len(self.shards):05d}.parquet")
            self._writer = pq.ParquetWriter(self._tmp_path, self.schema, **PARQUET_SETTINGS)
        self._writer.write_table(table.slice(0, cut), row_group_size=self.row_group_size)
        self._rows += cut
        rest = table.slice(cut)
        self._pending = rest.to_batches() if rest.num_rows else []
        self._pending_rows = rest.num_rows

    def _close_shard(self, force: bool = False) -> None:
        self._flush(final=True)
        if self._writer is None:
            if not force:
                return
            # a declared split with no rows still gets one (empty) shard, so it loads
            self._tmp_path = os.path.join(self.tmp_dir, f"{self.split}-empty.parquet")
            self._writer = pq.ParquetWriter(self._tmp_path, self.schema, **PARQUET_SETTINGS)
        self._writer.close()
        digest = file_sha256(self._tmp_path)
        rel = f"{DATA_DIR}/{self.split}-{digest[:20]}.parquet"
        final_path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(final_path), exist_ok=True)
        if os.path.exists(final_path):  # the same shard already exists (shared with another version)
            os.remove(self._tmp_path)
        else:
            os.replace(self._tmp_path, final_path)
        self.shards.append(Shard(rel, digest, self._rows, os.path.getsize(final_path)))
        cols = [pa.concat_arrays([part[k] for part in self._index]) if self._index else pa.array([], pa.string())
                for k in range(3)]
        write_index(self.root, digest, *cols)
        self._writer, self._tmp_path, self._rows, self._index = None, None, 0, []

    def close(self, *, need_one: bool) -> list[Shard]:
        """Close the last shard; ``need_one``: write an empty shard if none was written."""
        self._close_shard(force=need_one and not self.shards)
        return self.shards
