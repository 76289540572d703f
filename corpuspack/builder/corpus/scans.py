"""Pass 2's two scans of the whole stage, reused from the last build range by range.

The local engine's pass 2 scans every row of the stage twice, a range of batches a task
(:func:`.duplicates.scan_ranges`): the repeated-line counts (:func:`.duplicates.line_counts_task`)
and the rows that lose a repeated line (:func:`.duplicates.edited_task`). In a next version most
ranges hold the same rows as in the last build, and give the same result. Each range is known by a
digest of what its result depends on: the content of its batches' ``_line_hashes`` and
``_doc_digest`` columns (their sizes with them), with the rows the scan leaves out (the counts) or
keeps (the edited rows), and for the edited rows the repeated lines. A range the last build
scanned with the same digest takes its result from the last build's file; the others are scanned
by the engine's tasks as before. The files are kept per options fingerprint beside the published
keys (:class:`.published.EditCache`: same options, same code), one record batch a range, the
ranges' digests in the file's metadata. They are written as the scan goes, into the build's work
folder, and kept by :meth:`ScanCache.write` when the build is kept.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator

import numpy as np
import pyarrow as pa
import xxhash

from .kept_keys import add_array
from .stage import StageReader, open_reader

COUNTS_SCHEMA = pa.schema([("line", pa.uint64()), ("docs", pa.int64())])
EDITED_SCHEMA = pa.schema([("batch", pa.int32()), ("row", pa.int64()), ("k1", pa.uint64()), ("k2", pa.uint64())])
KINDS = {"counts": COUNTS_SCHEMA, "edited": EDITED_SCHEMA}
_KEYS = b"corpuspack.scan_keys"


def scans_path(published_path: str, kind: str) -> str:
    """Where the scan results of ``kind`` are kept beside the published keys at ``published_path``."""
    return os.path.splitext(published_path)[0] + f".{kind}.arrow"


def kept_scan_files(names) -> list[str]:
    """The files of kept scans among an output's relative paths (``.cache/published-FP.<kind>.arrow``):
    the local engine's, for its own next build. Ray's pass 2 keeps the edited rows' only when it groups
    in the driver, never the line counts (its own tasks make them): a comparison of the two engines'
    outputs leaves out those only one of them holds."""
    return [n for n in names if n.replace(os.sep, "/").startswith(".cache/published-")
            and n.endswith(tuple(f".{kind}.arrow" for kind in KINDS))]


def range_contents(stage_path: str, ranges: list[tuple[int, int, int, int]]) -> list[bytes]:
    """For each range ``(first batch, end batch, first row, rows)`` of the stage, an xxh3-128 digest
    of its batches' ``_line_hashes`` and ``_doc_digest`` columns (:func:`.kept_keys.add_array`: one
    read of those two columns, a batch at a time)."""
    out = []
    with StageReader(stage_path, ["_line_hashes", "_doc_digest"]) as reader:
        for first, end, _, _ in ranges:
            h = xxhash.xxh3_128()
            for i in range(first, end):
                batch = reader.get_batch(i)
                add_array(h, batch.column("_line_hashes"))  # (its type, length, buffers)
                add_array(h, batch.column("_doc_digest"))
            out.append(h.digest())
    return out


class ScanCache:
    """The last build's scan results (read from ``path``'s files: :func:`scans_path`) and this
    build's (written beside the stage as the scans go). A file that does not read as one is taken
    as none (each range then scanned)."""

    def __init__(self, path: str | None):
        self.path = path
        self._contents: dict[tuple, list[bytes]] = {}  # (stage, ranges) -> range_contents
        self._written: dict[str, str] = {}  # kind -> this build's complete file

    def keys(self, kind: str, stage_path: str, ranges: list[tuple], extra: bytes = b"") -> list[str]:
        """The digest of each range for the scan ``kind``: its content (:func:`range_contents`, read
        once a build), the scan's mask of its rows (the range's last part) and ``extra``."""
        spans = tuple((first, end, offset, len(mask)) for first, end, offset, mask in ranges)
        contents = self._contents.get((stage_path, spans))
        if contents is None:
            contents = self._contents[(stage_path, spans)] = range_contents(stage_path, list(spans))
        out = []
        for content, (_, _, _, mask) in zip(contents, ranges):
            h = xxhash.xxh3_128(kind.encode())
            for part in (content, np.packbits(np.asarray(mask, bool)).tobytes(), b"%d;" % len(mask), extra):
                h.update(b"%d;" % len(part))
                h.update(part)
            out.append(h.hexdigest())
        return out

    def through(self, kind: str, stage_path: str, keys: list[str], ranges: list[tuple],
                scan: Callable[[Iterable], Iterator[tuple]], to_batch, from_batch) -> Iterator:
        """The result of each range, in order: the last build's for a range whose key it holds
        (``from_batch(record batch, range)``), else what ``scan(ranges)`` gives (``(range, result)``
        in order, the engine's tasks) for the others. Every range's result is written
        (``to_batch(result, range)``) to this build's file of ``kind`` beside the stage."""
        last = _Last(scans_path(self.path, kind) if self.path else None, kind)
        try:
            known = [last.index.get(key) for key in keys]
            scanned = scan(r for r, j in zip(ranges, known) if j is None)
            path = f"{stage_path}.{kind}.arrow"
            schema = KINDS[kind].with_metadata({_KEYS: json.dumps(keys)})
            with pa.ipc.new_file(path + ".tmp", schema) as writer:
                for r, j in zip(ranges, known):
                    if j is not None:
                        batch = last.batch(j)
                        result = from_batch(batch, r)
                    else:
                        result = next(scanned)[1]
                        batch = to_batch(result, r)
                    writer.write_batch(batch)
                    yield result
            os.replace(path + ".tmp", path)
            self._written[kind] = path
        finally:
            last.close()

    def write(self, published_path: str) -> None:
        """This build's complete scan files kept beside the published keys at ``published_path``."""
        for kind, path in self._written.items():
            os.replace(path, scans_path(published_path, kind))
        self._written.clear()


class _Last:
    """The last build's file of one kind of scan: its ranges' keys, and their batches by index."""

    def __init__(self, path: str | None, kind: str):
        self.index: dict[str, int] = {}
        self._file = self._reader = None
        if path is None or not os.path.isfile(path):
            return
        try:
            self._file = pa.OSFile(path)
            reader = open_reader(self._file)
            keys = json.loads(reader.schema.metadata[_KEYS])
            if reader.schema.remove_metadata().equals(KINDS[kind]) and len(keys) == reader.num_record_batches:
                self._reader, self.index = reader, {key: j for j, key in enumerate(keys)}
        except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):  # not one of ours: none
            self.index = {}

    def batch(self, j: int) -> pa.RecordBatch:
        return self._reader.get_batch(j)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


# --- the two scans' results as record batches ------------------------------------------------

def counts_batch(result: tuple[np.ndarray, np.ndarray], _range) -> pa.RecordBatch:
    return pa.record_batch([pa.array(result[0], pa.uint64()), pa.array(result[1], pa.int64())], schema=COUNTS_SCHEMA)


def counts_of(batch: pa.RecordBatch, _range) -> tuple[np.ndarray, np.ndarray]:
    return batch.column(0).to_numpy(), batch.column(1).to_numpy()


def edited_batch(result: list[tuple], task) -> pa.RecordBatch:
    """:func:`.duplicates.edited_task`'s tuples ``(batch, its first row, rows, k1, k2)`` of a range
    (``task``: its first batch first), batches counted from the range's first."""
    first = task[0]
    parts = [(np.full(len(rows), i - first, np.int32), np.asarray(rows, np.int64), k1, k2)
             for i, _, rows, k1, k2 in result]
    columns = [np.concatenate([p[c] for p in parts]) if parts else np.empty(0, t)
               for c, t in enumerate((np.int32, np.int64, np.uint64, np.uint64))]
    return pa.record_batch([pa.array(c, f.type) for c, f in zip(columns, EDITED_SCHEMA)], schema=EDITED_SCHEMA)


def edited_of(batch: pa.RecordBatch, task, sizes: list[int]) -> list[tuple]:
    """:func:`edited_batch` read back: the tuples of ``task``'s range, with the stage's rows
    (``sizes``: each batch's rows)."""
    first, _, offset, _ = task
    b, rows, k1, k2 = (batch.column(c).to_numpy() for c in range(4))
    out, at = [], offset
    cuts = np.flatnonzero(np.diff(b)) + 1
    starts = np.concatenate([[0], cuts]) if len(b) else np.empty(0, np.int64)
    ends = np.concatenate([cuts, [len(b)]]) if len(b) else np.empty(0, np.int64)
    done = 0
    for s, e in zip(starts.tolist(), ends.tolist()):
        i = first + int(b[s])
        at += sum(sizes[first + done:i])
        done = i - first
        out.append((i, at, rows[s:e], k1[s:e], k2[s:e]))
    return out
