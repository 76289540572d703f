"""Incremental work: a file whose bytes, path, options and code are unchanged
since the last build is not processed again; its staged row is reused.

A file is known unchanged when its size and modification time (nanoseconds) are
the ones the last build saw, as ``make`` and ``rsync`` judge; otherwise it is read
and its SHA-256 compared (so a touched but unchanged file is not processed again).
``rehash`` (``--rehash``) skips the size-and-time shortcut: every file is read and hashed.

The staged rows of the last successful build are kept, per options
fingerprint, as a stage under ``OUT/.cache/`` (corpus.stage). A record batch of
the new stage whose rows are exactly one batch of the cached stage (every file of
the batch unchanged, none added or removed among them) is not copied: the new
stage refers to it (corpus.stage.StageWriter.refer), so the next version of a
grown dump neither reads nor writes the texts of its unchanged batches. Other
reused rows are copied into the new stage as Arrow data (runs of rows, a batch
read at a time), never through Python objects. The data files the kept stage
refers to stay beside it until a build refers to them no more; when they hold
more than twice the rows referred to, or more than ``MAX_FILES`` files, the kept
stage is written whole once again (:func:`keep`).
"""
from __future__ import annotations

import bisect
import itertools
import os
from collections import OrderedDict

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..engines.local import Known
from ..corpus import hash_index
from ..corpus.stage import LAYOUT_SUFFIX, STAGE_SCHEMA, Part, StageReader, by_batch, drop_layout, StageWriter, open_reader, read_batches, read_layout, write_layout

CACHE_DIR = ".cache"
#: the blocks of the cached index a :class:`StageCache` keeps (the look-ups run ahead of the
#: batches staged by as many as the engine has in flight), and the least rows of a block
WINDOW = 4
BLOCK_ROWS = 8192
_INDEX_COLUMNS = ["file_name", "sha256", "_size", "_mtime_ns"]
#: most data files a kept stage refers to (its own among them) before it is written whole again
MAX_FILES = 8


def cache_path(out: str, fingerprint: str, kind: str = "stage") -> str:
    """The cache of one kind (``stage``: the staged rows; ``published``: the published keys of
    the rows that lost a repeated line, see corpus.published.EditCache) for these options and code."""
    return os.path.join(out, CACHE_DIR, f"{kind}-{fingerprint}.arrow")


class _Rows:
    """Rows of an Arrow IPC file by global row number, read a record batch at a time with plain
    reads (a memory map of the whole cache would count every page touched in the resident
    memory: gigabytes at a million documents). The last batch read is kept: runs of cached
    rows come mostly in order."""

    def __init__(self, path: str, num_rows: list[int]):
        self.path, self.num_rows = path, num_rows
        self._reader = StageReader(path)
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

    def whole_batch(self, row: int, n: int) -> tuple[str, int] | None:
        """Where the cached batch lies (data file, batch index) when rows ``row`` to ``row + n``
        are exactly that batch."""
        i = bisect.bisect_right(self._starts, row) - 1
        if n and self._starts[i] == row and self._starts[i + 1] == row + n:
            return self._reader.location(i)
        return None


class _Index:
    """The cached stage's index columns (``file_name``, ``sha256``, ``_size``, ``_mtime_ns``), read a
    block of record batches (at least :data:`BLOCK_ROWS` rows) at a time as the look-ups reach it and
    only those columns' buffers (a projection of the stage file), the last :data:`WINDOW` blocks read
    kept: the look-ups move through the cache in its order, so what is held does not grow with the
    cache. Rows anywhere are gathered block by block (:meth:`gather`)."""

    def __init__(self, path: str, num_rows: list[int]):
        self._reader = StageReader(path, _INDEX_COLUMNS)
        self._blocks: list[tuple[int, int]] = []  # each block's first and end batch
        starts, rows, first = [0], 0, 0
        for i, n in enumerate(num_rows):
            rows += n
            if rows - starts[-1] >= BLOCK_ROWS or i == len(num_rows) - 1:
                self._blocks.append((first, i + 1))
                starts.append(rows)
                first = i + 1
        self.starts = np.array(starts, np.int64)
        self._held: OrderedDict[int, tuple] = OrderedDict()

    def block(self, j: int) -> tuple:
        """Block ``j``'s names, SHA-256 (Arrow), sizes and times (numpy)."""
        held = self._held.get(j)
        if held is None:
            batches = [self._reader.get_batch(i) for i in range(*self._blocks[j])]
            held = self._held[j] = (pa.concat_arrays([b.column(0) for b in batches]),
                                    pa.concat_arrays([b.column(1) for b in batches]),
                                    *(np.concatenate([b.column(c).to_numpy() for b in batches]) for c in (2, 3)))
            if len(self._held) > WINDOW:
                self._held.popitem(last=False)
        else:
            self._held.move_to_end(j)
        return held

    def gather(self, rows: np.ndarray, columns=(0, 1, 2, 3)) -> list:
        """Those columns at ``rows`` (any order), as Arrow arrays (names, SHA-256) or numpy arrays."""
        order = None
        if len(rows) > 1 and not bool(np.all(rows[1:] > rows[:-1])):
            order = np.argsort(rows, kind="stable")
            rows = rows[order]
        pieces: list[list] = [[] for _ in columns]
        for j, sl in by_batch(self.starts, rows):
            held, local = self.block(j), rows[sl] - self.starts[j]
            run = local[-1] - local[0] == len(local) - 1  # consecutive rows: a slice
            for k, c in enumerate(columns):
                col = held[c]
                if c >= 2:
                    pieces[k].append(col[local[0]:local[-1] + 1] if run else col[local])
                else:
                    pieces[k].append(col.slice(int(local[0]), len(local)) if run else col.take(pa.array(local)))
        out = []
        for k, c in enumerate(columns):
            if c < 2:
                col = (pieces[k][0] if len(pieces[k]) == 1 else pa.concat_arrays(pieces[k]) if pieces[k]
                       else pa.array([], pa.string()))
                out.append(col if order is None else col.take(pa.array(np.argsort(order))))
            else:
                col = np.concatenate(pieces[k]) if pieces[k] else np.zeros(0, np.int64)
                out.append(col if order is None else col[np.argsort(order)])
        return out


class StageCache:
    """Rows of the previous build, looked up by relative path.

    What is held does not grow with the cache but for one array: the cached index (names,
    SHA-256, sizes, times) is read a block of batches at a time as the look-ups reach it
    (:class:`_Index`, the last :data:`WINDOW` blocks kept; until round 37 every row's were held, ~150
    bytes of data per document, ~200 resident), and, from the first file not found where the last run ended, the
    xxh3-64 hash of every cached name, sorted beside its row number (12 bytes a cached row). Files
    come mostly in the cached order (the same walk of the same dump): a run of names is first
    compared, as Arrow arrays, with the cached names where the last run ended; only the names found
    elsewhere or not at all are looked up by their hash. A hit is confirmed on the name itself, so
    names that share a hash are told apart."""

    def __init__(self, path: str | None):
        self._rows: _Rows | None = None
        self._index: _Index | None = None
        self._path = path
        self._count = 0  # cached rows
        self._next = 0  # the cached row expected for the next file looked up
        self._hashes: tuple[np.ndarray, np.ndarray] | None = None  # sorted name hashes, their rows
        self._max_name: pa.Scalar | None = None  # the largest cached name (:meth:`_last_name`)
        self._pending: dict[str, int] = {}  # rows of files looked up and not yet merged (the in-flight batches)
        self.reused = 0
        num_rows = _usable_sizes(path)
        if num_rows:
            self._count = sum(num_rows)
            self._index = _Index(path, num_rows)
            self._rows = _Rows(path, num_rows)

    def _hash_index(self) -> tuple[np.ndarray, np.ndarray]:
        if self._hashes is None:
            hashes = np.empty(self._count, np.uint64)
            at = 0
            for b in read_batches(self._path, ["file_name"]):
                hashes[at:at + b.num_rows] = hash_index.name_hashes(b.column(0).to_pylist(), b.num_rows)
                at += b.num_rows
            self._hashes = hash_index.sorted_index(hashes, np.uint32 if self._count < 2 ** 32 else np.int64)
        return self._hashes

    def _last_name(self) -> pa.Scalar:
        """The largest cached name (as Arrow orders strings: by their UTF-8 bytes), read once: a
        name looked up after it is not cached, and needs no hash index (:meth:`_hash_index`: ~0.05 s
        at 100,000 cached names, against ~0.01 for this)."""
        if self._max_name is None:
            maxima = [pc.max(b.column(0)) for b in read_batches(self._path, ["file_name"])]
            self._max_name = pc.max(pa.array([m.as_py() for m in maxima], pa.string()))
        return self._max_name

    def known(self, rel_path: str, *, rehash: bool = False) -> Known | None:
        """What the last build saw of this file, if its row is cached."""
        return self.known_many([rel_path], rehash=rehash)[0]

    def known_many(self, rel_paths: list[str], *, rehash: bool = False) -> list[Known | None]:
        """:meth:`known` for a run of files, looked up together (~1.5 us a file in the cached
        order, ~4 else; one at a time, the numpy and Arrow calls cost ~16)."""
        n = len(rel_paths)
        if not n or not self._count:
            return [None] * n
        names = pa.array(rel_paths, pa.string())
        rows = np.full(n, -1, np.int64)
        m = min(n, self._count - self._next)
        if m > 0:  # where the last run ended
            cached, = self._index.gather(np.arange(self._next, self._next + m), (0,))
            same = pc.equal(cached, names.slice(0, m)).to_numpy(zero_copy_only=False)
            rows[:m][same] = np.arange(self._next, self._next + m)[same]
        rest = np.flatnonzero(rows < 0)
        if len(rest):  # a name after every cached one is not cached (a grown dump's new names, often)
            rest = rest[~pc.greater(names.take(pa.array(rest)), self._last_name()).to_numpy(zero_copy_only=False)]
        if len(rest):
            rows[rest] = self._looked_up([rel_paths[k] for k in rest.tolist()])
        found = np.flatnonzero(rows >= 0)
        at_rows = rows[found]
        if len(found):
            self._next = int(at_rows[-1]) + 1
        sha, size, mtime = self._index.gather(at_rows, (1, 2, 3))
        known = map(tuple.__new__, itertools.repeat(Known),  # Known(...) without its Python __new__: ~0.1 us a file
                    zip(sha.to_pylist(), size.tolist(), mtime.tolist(), itertools.repeat(not rehash)))
        if len(found) == n:  # every file cached (a next version's usual run)
            self._pending.update(zip(rel_paths, at_rows.tolist()))
            return list(known)
        out: list[Known | None] = [None] * n
        pending = self._pending
        for k, r, one in zip(found.tolist(), at_rows.tolist(), known):
            pending[rel_paths[k]] = r
            out[k] = one
        return out

    def _looked_up(self, rel_paths: list[str]) -> np.ndarray:
        """The cached rows of these files by the hash of their names (-1: not cached)."""
        return hash_index.find(self._hash_index(), rel_paths, lambda rows: self._index.gather(rows, (0,))[0])

    def stage(self, writer: StageWriter, items, records: pa.RecordBatch | Part, outcomes: list[str]) -> pa.Table:
        """Put the batch's stage rows into ``writer``: a reference to the cached batch when they
        are exactly one, to the task's file when ``records`` is a :class:`..corpus.stage.Part`
        and no row is cached, else :meth:`merge`'s rows. Returns the rows (or, for a reference,
        their ``file_name`` and ``sha256``, from the cache's index or the part)."""
        runs = self._runs(items, outcomes, records.cached_rows if isinstance(records, Part) else None)
        if len(runs) == 1 and runs[0][0] and (at := self._rows.whole_batch(runs[0][1], runs[0][2])) is not None:
            writer.refer(*at)
            names, sha = self._index.gather(np.arange(runs[0][1], runs[0][1] + runs[0][2]), (0, 1))
            return pa.table({"file_name": names, "sha256": sha})
        if isinstance(records, Part):
            if records.complete or not any(cached for cached, _, _ in runs):
                if records.path is not None:
                    writer.refer(records.path, 0)
                return pa.table({"file_name": records.file_name, "sha256": records.sha256})
            records = records.read()  # new rows only: merged with the cached ones here
        rows = self._rows_of(runs, records)
        writer.write_table(rows)
        return rows

    def merge(self, items, records: pa.RecordBatch, outcomes: list[str]) -> pa.Table:
        """The batch's stage rows in input order: new rows and cached ones interleaved."""
        return self._rows_of(self._runs(items, outcomes), records)

    def take_row(self, rel_path: str) -> int | None:
        """The cached row of a file looked up and not yet staged, no longer held here: for an engine
        whose tasks merge (see :class:`CachedRows`), which hands it back with the batch's
        :class:`..corpus.stage.Part` (its ``cached_rows``)."""
        return self._pending.pop(rel_path, None)

    def rows_source(self) -> "CachedRows | None":
        """What a task needs to read the cached rows itself (None without a cache)."""
        return None if self._rows is None else CachedRows(self._rows.path, self._rows.num_rows)

    def _runs(self, items, outcomes: list[str], rows: list | None = None) -> list[list]:
        """The batch's rows as runs ``[cached?, first row, number of rows]`` of consecutive rows
        (of the new records, or of the cache); ``rows``: each item's cached row, if not held here."""
        if rows is None:
            rows = [self._pending.pop(item[0], None) for item in items]
        self.reused += outcomes.count("cached")
        return runs_of(rows, outcomes)

    def _rows_of(self, runs: list[list], records: pa.RecordBatch) -> pa.Table:
        return rows_of(runs, records, self._rows)


def runs_of(cached_rows: list[int | None], outcomes: list[str]) -> list[list]:
    """A batch's rows as runs ``[cached?, first row, number of rows]`` of consecutive rows (of the
    new records, or of the cache), from each item's cached row and outcome."""
    n = len(outcomes)
    if n and cached_rows[0] is not None and outcomes.count("cached") == n \
            and cached_rows == list(range(cached_rows[0], cached_rows[0] + n)):
        return [[True, cached_rows[0], n]]  # a batch of consecutive cached rows (compared in C)
    runs: list[list] = []  # [cached?, first row, number of rows]
    new_i = 0
    for known_row, outcome in zip(cached_rows, outcomes):
        if outcome == "new":
            cached, row = False, new_i
            new_i += 1
        elif outcome == "cached":
            cached, row = True, known_row
        else:
            continue
        if runs and runs[-1][0] == cached and runs[-1][1] + runs[-1][2] == row:
            runs[-1][2] += 1
        else:
            runs.append([cached, row, 1])
    return runs


def rows_of(runs: list[list], records: pa.RecordBatch, cached: "_Rows | None") -> pa.Table:
    """The rows of ``runs``, cut as slices and copied once into a single chunk."""
    if not any(c for c, _, _ in runs):
        return pa.Table.from_batches([records], schema=STAGE_SCHEMA)
    parts = [p for c, row, n in runs
             for p in (cached.slices(row, n) if c else [records.slice(row, n)])]
    return pa.Table.from_batches(parts, schema=STAGE_SCHEMA).combine_chunks()


class CachedRows:
    """The cached stage as a task reads it (small and picklable: its path and batches' row
    counts): :meth:`merge` makes a batch's stage rows, new and cached, in input order."""

    def __init__(self, path: str, num_rows: list[int]):
        self.path, self.num_rows = path, num_rows
        self._rows: _Rows | None = None

    def __getstate__(self):
        return {"path": self.path, "num_rows": self.num_rows}

    def __setstate__(self, state):
        self.__init__(state["path"], state["num_rows"])

    def merge(self, cached_rows: list[int | None], records: pa.RecordBatch, outcomes: list[str]) -> pa.Table | None:
        """The batch's rows (None when they are exactly one cached batch: the stage refers to it)."""
        runs = runs_of(cached_rows, outcomes)
        if not any(c for c, _, _ in runs):
            return pa.Table.from_batches([records], schema=STAGE_SCHEMA)
        if self._rows is None:
            self._rows = _Rows(self.path, self.num_rows)
        if len(runs) == 1 and self._rows.whole_batch(runs[0][1], runs[0][2]) is not None:
            return None
        return rows_of(runs, records, self._rows)


def keep(stage_path: str, out: str, fingerprint: str, edits=None, write_keys=None) -> None:
    """Keep this build's stage (and the published keys of ``edits``, a
    corpus.published.EditCache, and the finish keys per stage batch: ``write_keys(path)``, see
    corpus.kept_keys) for the next build (one cache per output folder): the stage
    file, its layout and the data files it refers to; the other cached files are removed."""
    # paths compared as absolute ones, as the layout names its files: the kept stage's own file,
    # known under another spelling (an OUT given as a relative path), would be replaced below while
    # the new stage still refers to it
    out, stage_path = os.path.abspath(out), os.path.abspath(stage_path)
    folder = os.path.join(out, CACHE_DIR)
    os.makedirs(folder, exist_ok=True)
    target = cache_path(out, fingerprint)
    layout = read_layout(stage_path)
    if layout is not None and not _worth_referring(layout, stage_path):
        _write_whole(stage_path)
        layout = None
    if os.path.exists(target + LAYOUT_SUFFIX):  # first: a stage file alone is a smaller cache, still right
        os.remove(target + LAYOUT_SUFFIX)
    if layout is not None and any(file == target for file, _ in layout):  # the last stage's own file
        kept = _unused_name(folder, fingerprint, {os.path.basename(f) for f, _ in layout})
        os.replace(target, os.path.join(folder, kept))
        layout = [(os.path.join(folder, kept) if file == target else file, i) for file, i in layout]
    referred = {os.path.basename(file) for file, _ in layout or () if file != stage_path}
    for name in os.listdir(folder):
        if name.startswith(("stage-", "published-", "keys-")) and name not in referred:
            os.remove(os.path.join(folder, name))
    if edits is not None:
        edits.write(cache_path(out, fingerprint, "published"))
    if write_keys is not None:
        write_keys(cache_path(out, fingerprint, "keys"))
    os.replace(stage_path, target)
    if layout is not None:
        write_layout(target, [(target if file == stage_path else file, i) for file, i in layout])


def _unused_name(folder: str, fingerprint: str, taken: set[str]) -> str:
    """A name for a kept data file: ``stage-FINGERPRINT.N.arrow``, N the first not taken (so
    the names, like the rest of the output, do not depend on when the build ran)."""
    n = 1
    while f"stage-{fingerprint}.{n}.arrow" in taken:
        n += 1
    return f"stage-{fingerprint}.{n}.arrow"


def _worth_referring(layout: list[tuple[str, int]], stage_path: str) -> bool:
    """Whether a stage should stay split over data files: at most ``MAX_FILES`` of them, which
    hold at most twice the batches referred to."""
    files = {file for file, _ in layout}
    if len(files) > MAX_FILES:
        return False
    held = 0
    for file in files:
        with pa.OSFile(file) as f:  # a data file: its own batches (a layout beside it is not followed)
            held += open_reader(f).num_record_batches
    return held <= 2 * len(layout)


def _write_whole(stage_path: str) -> None:
    """Copy every batch of the stage into one file, in place of the stage and its layout."""
    tmp = stage_path + ".whole"
    with StageReader(stage_path) as r, StageWriter(tmp) as w:
        for i in range(r.num_record_batches):
            w.write_table(pa.Table.from_batches([r.get_batch(i)]))
    os.replace(tmp, stage_path)
    drop_layout(stage_path)


def _usable_sizes(path: str | None) -> list[int]:
    """The rows of each record batch of a cached stage (one read of a small column); none if there
    is no stage, it was written with another stage schema, or a data file it refers to is missing."""
    if not path or not os.path.isfile(path):
        return []
    try:
        with StageReader(path) as r:
            if not r.schema.equals(STAGE_SCHEMA):
                return []
            r.check()
    except (OSError, ValueError, pa.ArrowInvalid):
        return []
    return [b.num_rows for b in read_batches(path, ["_size"])]
