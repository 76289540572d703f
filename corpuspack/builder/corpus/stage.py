"""The staging table: published per-document columns plus internal ones that
only corpus-level passes read (fingerprints for duplicates and repeated lines)."""
from __future__ import annotations

from functools import lru_cache

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


@lru_cache(maxsize=8)
def shared_reader(path: str, columns: tuple[str, ...] | None = None) -> pa.ipc.RecordBatchFileReader:
    """:func:`open_reader`, kept open per process for tasks that each read one batch by index."""
    return open_reader(path, columns)


def read_batches(path: str, columns: list[str] | None = None):
    """The record batches of an Arrow IPC file (optionally some columns), read with plain
    file reads rather than a memory map, so a pass over the corpus keeps one batch resident.

    With ``columns``, only those columns' buffers are read (a pass over the fingerprints does
    not read the text), and copied out of what was read: a column read from IPC is a slice of
    a larger read buffer, and keeping it would keep that buffer."""
    with pa.OSFile(path) as f:
        reader = open_reader(f, columns)
        for i in range(reader.num_record_batches):
            batch = reader.get_batch(i)
            if not columns:
                yield batch
            else:
                yield pa.RecordBatch.from_arrays([pa.concat_arrays([batch.column(c)]) for c in columns],
                                                 names=list(columns))
