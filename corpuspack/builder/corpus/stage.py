"""The staging table: published per-document columns plus internal ones that
only corpus-level passes read (fingerprints for duplicates and repeated lines).

A stage is an Arrow IPC file of record batches. A stage may also *refer* to record batches of
other stage files instead of holding copies (the next version's unchanged batches, taken from
the last build's stage, see release.incremental): its batches are then listed, in order, in a
layout beside it (``PATH.layout``, JSON: ``[file, batch index]`` each, the file ``""`` for the
stage's own file, else a path, relative to the stage's folder or absolute). Every reader here
(:func:`read_batches`, :func:`shared_reader`, :class:`StageReader`) follows the layout.
"""
from __future__ import annotations

import json
import os
from functools import lru_cache

import numpy as np
import pyarrow as pa

from ... import schema

#: Columns filled by corpus-level passes, not by the per-document function.
CORPUS_COLUMNS = ("near_dup_cluster", "near_dup_cluster_size")

INTERNAL = (
    pa.field("_doc_digest", pa.string()),  # digest.doc_digest of the row's document columns
    pa.field("_exact_key", pa.binary()),
    pa.field("_minhash", pa.binary()),
    pa.field("_line_hashes", pa.list_(pa.uint64())),
    pa.field("_line_index", pa.list_(pa.int32())),  # each hashed line's index in text.splitlines()
    pa.field("_controls", pa.int32()),  # control characters cleaning removed (decode.count_controls)
    # the input file's size and modification time when it was read: the next build's
    # cheap check that a cached row still stands (see incremental.StageCache)
    pa.field("_size", pa.int64()),
    pa.field("_mtime_ns", pa.int64()),
    pa.field("_markup", pa.bool_()),  # the input was a web page (its text and title extracted from HTML)
    # the LSH band hashes of _minhash (dedup.band_column: 8 bytes a band; empty without a signature),
    # made in pass 1 by the worker that made the signature: pass 2 reads them, an unchanged row's
    # kept with its cached row (the last column: batch.process_batch appends it to the records')
    pa.field("_bands", pa.binary()),
)


def stage_schema() -> pa.Schema:
    published = [f for f in schema.arrow_schema() if f.name not in CORPUS_COLUMNS]
    return pa.schema(published + list(INTERNAL))


STAGE_SCHEMA = stage_schema()
#: the published columns the per-document function fills (the others: CORPUS_COLUMNS, manifest extras)
DOC_COLUMNS = tuple(f.name for f in STAGE_SCHEMA if f.name not in {g.name for g in INTERNAL})


def open_reader(source, columns=None) -> pa.ipc.RecordBatchFileReader:
    """A reader of an Arrow IPC file (a path or an open file), with plain reads rather than a
    memory map; with ``columns``, only those columns' buffers are read (``included_fields``)."""
    if isinstance(source, str):
        source = pa.OSFile(source)
    if not columns:
        return pa.ipc.open_file(source)
    names = pa.ipc.open_file(source).schema.names
    fields = sorted(names.index(c) for c in columns)
    return pa.ipc.open_file(source, options=pa.ipc.IpcReadOptions(included_fields=fields))


LAYOUT_SUFFIX = ".layout"


def read_layout(path: str) -> list[tuple[str, int]] | None:
    """The stage's batches as (data file, batch index), when it refers to other files' batches;
    None when it holds them all itself. Files as absolute paths: one file, one spelling (a stage
    named by a relative path refers to files that others name by absolute ones)."""
    try:
        with open(path + LAYOUT_SUFFIX, encoding="utf-8") as f:
            entries = json.load(f)
    except FileNotFoundError:
        return None
    path = os.path.abspath(path)
    folder = os.path.dirname(path)
    return [(path if name == "" else os.path.join(folder, name), int(i)) for name, i in entries]


def write_layout(path: str, layout: list[tuple[str, int]]) -> None:
    """Write ``path``'s layout (files named relative to its folder when they lie there)."""
    folder = os.path.dirname(os.path.abspath(path))
    own = os.path.abspath(path)

    def name(file: str) -> str:
        file = os.path.abspath(file)
        return "" if file == own else os.path.basename(file) if os.path.dirname(file) == folder else file

    tmp = path + LAYOUT_SUFFIX + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump([[name(file), i] for file, i in layout], f)
    os.replace(tmp, path + LAYOUT_SUFFIX)


def drop_layout(path: str) -> None:
    """Forget ``path``'s layout (after the file was written whole again)."""
    try:
        os.remove(path + LAYOUT_SUFFIX)
    except FileNotFoundError:
        pass


class StageReader:
    """The record batches of a stage by index, from its own file or where its layout says (each
    file opened once, with plain reads; ``columns``: only those columns' buffers read)."""

    def __init__(self, path: str, columns=None):
        self.path = path
        self.layout = read_layout(path)
        self._columns = columns
        self._readers: dict[str, pa.ipc.RecordBatchFileReader] = {}
        self._files: list[pa.OSFile] = []
        own = self._reader(path)
        self.schema = own.schema
        self.num_record_batches = own.num_record_batches if self.layout is None else len(self.layout)

    def _reader(self, file: str) -> pa.ipc.RecordBatchFileReader:
        reader = self._readers.get(file)
        if reader is None:
            f = pa.OSFile(file)
            self._files.append(f)
            reader = self._readers[file] = open_reader(f, self._columns)
            if file != self.path and not reader.schema.equals(self.schema):
                raise ValueError(f"{file} (referred to by {self.path}) holds another schema")
        return reader

    def location(self, i: int) -> tuple[str, int]:
        """The data file and batch index holding batch ``i``."""
        return (self.path, i) if self.layout is None else self.layout[i]

    def get_batch(self, i: int) -> pa.RecordBatch:
        file, j = self.location(i)
        return self._reader(file).get_batch(j)

    def check(self) -> None:
        """Open every file the layout names (raises if one is missing or holds another schema)."""
        for file in {file for file, _ in self.layout or ()}:
            self._reader(file)

    def close(self) -> None:
        for f in self._files:
            f.close()

    def __enter__(self) -> "StageReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class StageWriter:
    """Writes a stage: tables of rows (as :meth:`pyarrow.ipc.RecordBatchFileWriter.write_table`
    would) and references to batches of other stage files (:meth:`refer`), in order; the layout
    is written on close, only if a batch was referred to."""

    def __init__(self, path: str):
        self.path = path
        self._writer = pa.ipc.new_file(path, STAGE_SCHEMA)
        self._layout: list[tuple[str, int]] = []
        self._own = 0
        self._refers = False

    def write_table(self, table: pa.Table) -> None:
        for batch in table.to_batches():  # write_table's batches: one per non-empty chunk
            self._writer.write_batch(batch)
            self._layout.append((self.path, self._own))
            self._own += 1

    def refer(self, file: str, index: int) -> None:
        self._layout.append((file, index))
        self._refers = True

    def close(self) -> None:
        self._writer.close()
        if self._refers:
            write_layout(self.path, self._layout)

    def __enter__(self) -> "StageWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Part:
    """A batch of stage rows that a task wrote to a file of its own (one record batch; no file when
    the batch has no rows), with the columns the build's process still needs per row (the input
    digest's ``file_name`` and ``sha256``): the stage refers to the file, the rows never pass
    through the build's process (see engines/ray.py). ``complete``: the task merged the batch's
    cached rows in (or, with no file, the batch is exactly one batch of the cache); else the
    file holds the new rows only. ``cached_rows``: each entry's row in the cache (None: not
    cached), when the task was told them (the build's process then holds none of them)."""

    def __init__(self, path: str | None, num_rows: int, file_name: pa.Array, sha256: pa.Array,
                 complete: bool = False, cached_rows: list | None = None):
        self.path, self.num_rows, self.file_name, self.sha256 = path, num_rows, file_name, sha256
        self.complete, self.cached_rows = complete, cached_rows

    def read(self) -> pa.RecordBatch:
        """The rows themselves (for a batch the build's process must merge with cached rows)."""
        if self.path is None:
            return pa.RecordBatch.from_pylist([], schema=STAGE_SCHEMA)
        with pa.OSFile(self.path) as f:
            return pa.ipc.open_file(f).get_batch(0)


def write_part(path: str, records: pa.RecordBatch | pa.Table, schema: pa.Schema = STAGE_SCHEMA) -> str | None:
    """Write ``records`` as :class:`Part` ``path`` (the batch the local engine's build would write
    into the stage; with ``schema``, into another file read through a layout, e.g. pass 3's
    finished rows), through a temporary file renamed when whole (removed if writing fails);
    None, and nothing written, when there are no rows."""
    if not records.num_rows:
        return None
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with pa.ipc.new_file(tmp, schema) as writer:
            table = records if isinstance(records, pa.Table) else pa.Table.from_batches([records], schema=schema)
            for batch in table.to_batches():  # as StageWriter.write_table: one per non-empty chunk
                writer.write_batch(batch)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.remove(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


class Stopped(Exception):
    """:func:`gather` was told to stop (its build failed)."""


def gather(stage_path: str, into: str, folder: str, stop: str | None = None) -> list[tuple[str, int]] | None:
    """Write into ``into`` the stage's batches held by its own file or by files in ``folder``
    (the :class:`Part` files), in order: the file the stage would be had its build written
    those rows itself. Returns ``into``'s layout, naming ``stage_path`` for its own batches
    (to be renamed so), when other files' batches are still referred to; else None. Once the
    file ``stop`` exists (its build failed), it stops at the next batch, raising :class:`Stopped`."""
    folder = os.path.join(os.path.abspath(folder), "")
    layout: list[tuple[str, int]] = []
    refers = False
    with StageReader(stage_path) as reader, pa.ipc.new_file(into, STAGE_SCHEMA) as writer:
        own = 0
        for i in range(reader.num_record_batches):
            if stop is not None and os.path.exists(stop):
                raise Stopped(f"the copy of {stage_path} was stopped at batch {i}")
            file, j = reader.location(i)
            if file == stage_path or os.path.abspath(file).startswith(folder):
                writer.write_batch(reader.get_batch(i))
                layout.append((stage_path, own))
                own += 1
            else:
                layout.append((file, j))
                refers = True
    return layout if refers else None


@lru_cache(maxsize=8)
def shared_reader(path: str, columns: tuple[str, ...] | None = None) -> StageReader:
    """A :class:`StageReader`, kept open per process for tasks that each read one batch by index."""
    return StageReader(path, columns)


def read_batches(path: str, columns: list[str] | None = None):
    """The record batches of an Arrow IPC file (optionally some columns), read with plain
    file reads rather than a memory map, so a pass over the corpus keeps one batch resident.

    With ``columns``, only those columns' buffers are read (a pass over the fingerprints does
    not read the text), and copied out of what was read: a column read from IPC is a slice of
    a larger read buffer, and keeping it would keep that buffer."""
    with StageReader(path, columns) as reader:
        for i in range(reader.num_record_batches):
            batch = reader.get_batch(i)
            if not columns:
                yield batch
            else:
                yield pa.RecordBatch.from_arrays([pa.concat_arrays([batch.column(c)]) for c in columns],
                                                 names=list(columns))


def batch_sizes(path: str) -> list[int]:
    """The rows of each record batch of an Arrow IPC file (one read of a small column)."""
    return [b.num_rows for b in read_batches(path, ["_controls"])]


def by_batch(starts: np.ndarray, rows: np.ndarray):
    """``(batch index, slice of rows)`` for each record batch holding some of ``rows`` (sorted
    stage rows; ``starts``: each batch's first row, then the stage's row count)."""
    cuts = np.searchsorted(rows, starts)
    for i in np.flatnonzero(cuts[1:] > cuts[:-1]).tolist():
        yield i, slice(int(cuts[i]), int(cuts[i + 1]))
