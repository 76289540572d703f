"""Incremental work: a file whose bytes, path, options and code are unchanged
since the last build is not processed again; its staged row is reused.

A file is known unchanged when its size and modification time (nanoseconds) are
the ones the last build saw, as ``make`` and ``rsync`` judge; otherwise it is read
and its SHA-256 compared (so a touched but unchanged file is not processed again).
``rehash`` (``--rehash``) skips the size-and-time shortcut: every file is read and hashed.

The staged rows of the last successful build are kept, per options
fingerprint, as an Arrow IPC file under ``OUT/.cache/``; a reused row is copied
from it into the new stage as Arrow data (runs of rows, a batch read at a time),
never through Python objects.
"""
from __future__ import annotations

import bisect
import itertools
import os

import pyarrow as pa

from .engine import Known
from .stage import STAGE_SCHEMA, open_reader, read_batches

CACHE_DIR = ".cache"


def cache_path(out: str, fingerprint: str) -> str:
    return os.path.join(out, CACHE_DIR, f"stage-{fingerprint}.arrow")


class _Rows:
    """Rows of an Arrow IPC file by global row number, read a record batch at a time with plain
    reads (a memory map of the whole cache would count every page touched in the resident
    memory: gigabytes at a million documents). The last batch read is kept: runs of cached
    rows come mostly in order."""

    def __init__(self, path: str, num_rows: list[int]):
        self._reader = open_reader(path)
        self._starts = [0, *itertools.accumulate(num_rows)]
        self._held: tuple[int, pa.RecordBatch] | None = None

    def _batch(self, i: int) -> pa.RecordBatch:
        if self._held is None or self._held[0] != i:
            self._held = (i, self._reader.get_batch(i))
        return self._held[1]

    def slices(self, row: int, n: int) -> list[pa.RecordBatch]:
        """Rows ``row`` to ``row + n`` as slices of the batches holding them."""
        out = []
        while n:
            i = bisect.bisect_right(self._starts, row) - 1
            offset = row - self._starts[i]
            part = self._batch(i).slice(offset, min(n, self._starts[i + 1] - row))
            out.append(part)
            row, n = row + part.num_rows, n - part.num_rows
        return out


class StageCache:
    """Rows of the previous build, looked up by relative path."""

    def __init__(self, path: str | None):
        self._rows: _Rows | None = None
        self._index: dict[str, int] = {}
        if path and os.path.isfile(path):
            with pa.OSFile(path) as f:
                usable = open_reader(f).schema.equals(STAGE_SCHEMA)
            if usable:
                names, sha, size, mtime, counts = [], [], [], [], []
                for b in read_batches(path, ["file_name", "sha256", "_size", "_mtime_ns"]):
                    names += b.column(0).to_pylist()
                    sha += b.column(1).to_pylist()
                    size += b.column(2).to_pylist()
                    mtime += b.column(3).to_pylist()
                    counts.append(b.num_rows)
                self._index = {name: i for i, name in enumerate(names)}
                self._sha, self._size, self._mtime = sha, size, mtime
                self._rows = _Rows(path, counts)
        self.reused = 0

    def known(self, rel_path: str, *, rehash: bool = False) -> Known | None:
        """What the last build saw of this file, if its row is cached."""
        i = self._index.get(rel_path)
        return None if i is None else Known(self._sha[i], self._size[i], self._mtime[i], not rehash)

    def merge(self, items, records: pa.RecordBatch, outcomes: list[str]) -> pa.Table:
        """The batch's stage rows in input order: new rows and cached ones interleaved.

        Rows are cut as runs of consecutive rows (slices) and copied once into a single chunk."""
        runs: list[list] = []  # [cached?, first row, number of rows]
        new_i = 0
        for item, outcome in zip(items, outcomes):
            if outcome == "new":
                cached, row = False, new_i
                new_i += 1
            elif outcome == "cached":
                cached, row = True, self._index[item[0]]
                self.reused += 1
            else:
                continue
            if runs and runs[-1][0] == cached and runs[-1][1] + runs[-1][2] == row:
                runs[-1][2] += 1
            else:
                runs.append([cached, row, 1])
        if not any(cached for cached, _, _ in runs):
            return pa.Table.from_batches([records], schema=STAGE_SCHEMA)
        parts = [p for cached, row, n in runs
                 for p in (self._rows.slices(row, n) if cached else [records.slice(row, n)])]
        return pa.Table.from_batches(parts, schema=STAGE_SCHEMA).combine_chunks()


def keep(stage_path: str, out: str, fingerprint: str) -> None:
    """Keep this build's staged rows for the next build (one cache per output folder)."""
    folder = os.path.join(out, CACHE_DIR)
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name.startswith("stage-") and name.endswith(".arrow"):
            os.remove(os.path.join(folder, name))
    os.replace(stage_path, cache_path(out, fingerprint))
