"""Incremental work: a file whose bytes, path, options and code are unchanged
since the last build is not processed again; its staged row is reused.

The staged rows of the last successful build are kept, per options
fingerprint, as an Arrow IPC file under ``OUT/.cache/``; it is memory-mapped,
so reusing a row costs a ``take``, not a copy of the corpus into Python.
"""
from __future__ import annotations

import os

import pyarrow as pa

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
        self._sha = self.table.column("sha256") if self.table is not None else None
        self.reused = 0

    def known_sha(self, rel_path: str) -> str | None:
        i = self._index.get(rel_path)
        return None if i is None else self._sha[i].as_py()

    def merge(self, items, records: pa.RecordBatch, outcomes: list[str]) -> pa.Table:
        """The batch's stage rows in input order: new rows and cached ones interleaved."""
        table = pa.Table.from_batches([records], schema=STAGE_SCHEMA)
        cached = [self._index[item[0]] for item, o in zip(items, outcomes) if o == "cached"]
        if not cached:
            return table
        self.reused += len(cached)
        combined = pa.concat_tables([table, self.table.take(cached)])
        order, new_i, old_i = [], 0, records.num_rows
        for o in outcomes:
            if o == "new":
                order.append(new_i)
                new_i += 1
            elif o == "cached":
                order.append(old_i)
                old_i += 1
        return combined.take(order)


def keep(stage_path: str, out: str, fingerprint: str) -> None:
    """Keep this build's staged rows for the next build (one cache per output folder)."""
    folder = os.path.join(out, CACHE_DIR)
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name.startswith("stage-") and name.endswith(".arrow"):
            os.remove(os.path.join(folder, name))
    os.replace(stage_path, cache_path(out, fingerprint))
