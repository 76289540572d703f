"""Incremental work: a file whose bytes, path, options and code are unchanged
since the last build is not processed again; its staged row is reused.

A file is known unchanged when its size and modification time (nanoseconds) are
the ones the last build saw, as ``make`` and ``rsync`` judge; otherwise it is read
and its SHA-256 compared (so a touched but unchanged file is not processed again).
``rehash`` (``--rehash``) skips the size-and-time shortcut: every file is read and hashed.

The staged rows of the last successful build are kept, per options
fingerprint, as an Arrow IPC file under ``OUT/.cache/``; it is memory-mapped,
so reusing a row costs a ``take``, not a copy of the corpus into Python.
"""
from __future__ import annotations

import os

import pyarrow as pa

from .engine import Known
from .stage import STAGE_SCHEMA

CACHE_DIR = ".cache"


def cache_path(out: str, fingerprint: str) -> str:
    return os.path.join(out, CACHE_DIR, f"stage-{fingerprint}.arrow")


def open_ipc(path: str) -> pa.Table:
    """A memory-mapped Arrow IPC file as a table (zero-copy)."""
    return pa.ipc.open_file(pa.memory_map(path, "r")).read_all()


class StageCache:
    """Rows of the previous build, looked up by relative path."""

    def __init__(self, path: str | None):
        self.table: pa.Table | None = None
        self._index: dict[str, int] = {}
        if path and os.path.isfile(path):
            table = open_ipc(path)
            if table.schema.equals(STAGE_SCHEMA):
                self.table = table
                self._index = {name: i for i, name in enumerate(table.column("file_name").to_pylist())}
        if self.table is not None:
            self._sha = self.table.column("sha256").to_pylist()
            self._size = self.table.column("_size").to_pylist()
            self._mtime = self.table.column("_mtime_ns").to_pylist()
        self.reused = 0

    def known(self, rel_path: str, *, rehash: bool = False) -> Known | None:
        """What the last build saw of this file, if its row is cached."""
        i = self._index.get(rel_path)
        return None if i is None else Known(self._sha[i], self._size[i], self._mtime[i], not rehash)

    def merge(self, items, records: pa.RecordBatch, outcomes: list[str]) -> pa.Table:
        """The batch's stage rows in input order: new rows and cached ones interleaved.

        Rows are cut as runs of consecutive rows (zero-copy slices) and copied once into a
        single chunk: ``take`` on the many-chunked cache would concatenate it on every call."""
        table = pa.Table.from_batches([records], schema=STAGE_SCHEMA)
        runs: list[list] = []  # [source table, first row, number of rows]
        new_i = 0
        for item, outcome in zip(items, outcomes):
            if outcome == "new":
                source, row = table, new_i
                new_i += 1
            elif outcome == "cached":
                source, row = self.table, self._index[item[0]]
                self.reused += 1
            else:
                continue
            if runs and runs[-1][0] is source and runs[-1][1] + runs[-1][2] == row:
                runs[-1][2] += 1
            else:
                runs.append([source, row, 1])
        if all(source is table for source, _, _ in runs):
            return table
        return pa.concat_tables([source.slice(row, n) for source, row, n in runs]).combine_chunks()


def keep(stage_path: str, out: str, fingerprint: str) -> None:
    """Keep this build's staged rows for the next build (one cache per output folder)."""
    folder = os.path.join(out, CACHE_DIR)
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name.startswith("stage-") and name.endswith(".arrow"):
            os.remove(os.path.join(folder, name))
    os.replace(stage_path, cache_path(out, fingerprint))
