"""Pass 2, corpus-level decisions, made over Arrow columns of the staging file
(read batch by batch):

* documents whose id another (earlier) file already has: rejected, both named;
* lines repeated across many documents: removed from the text in pass 3;
* exact duplicates of the text as published (after that removal): dropped, each naming
  the id it duplicates;
* near duplicates of the text as published: annotated with their cluster (or dropped,
  with --near-dedup drop).

:meth:`Plan.decisions` hands a slice of them to pass 3 (:mod:`.finish`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..options import BuildOptions
from .dedup import components, duplicate_ids
from .duplicates import Here, map_here
from .published import EditCache, PublishedContext
from .repeated_lines import find_repeated_lines
from .stage import read_batches


def _first_of_each_id(ids: pa.ChunkedArray) -> np.ndarray:
    """Row index of the first row carrying each row's id (itself when first)."""
    n = len(ids)
    if n == 0:
        return np.empty(0, np.int64)
    idx = pc.array_sort_indices(ids, order="ascending").to_numpy()  # stable: ties keep row order
    sorted_ids = ids.take(idx)
    same = pc.equal(sorted_ids.slice(1), sorted_ids.slice(0, n - 1)).to_numpy(zero_copy_only=False)
    starts = np.concatenate([[True], ~same])
    run_first = idx[np.flatnonzero(starts)][np.cumsum(starts) - 1]
    first = np.empty(n, np.int64)
    first[idx] = run_first
    return first


def _array(a) -> pa.Array:
    return a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a


@dataclass
class Plan:
    """Corpus-level decisions for every staged row, as Arrow/numpy columns."""
    file_names: pa.Array
    id_first: np.ndarray
    exact_of: pa.Array  # id this row exactly duplicates, or null
    cluster: pa.Array
    cluster_size: pa.Array
    representative: np.ndarray
    repeated: tuple[int, ...]  # hashes of lines repeated across the corpus, sorted
    controls: dict  # control characters cleaning removed: documents with any, characters in all

    def decisions(self, offset: int, n: int, placed: np.ndarray | None = None, keys: pa.Array | None = None,
                  splits: pa.Array | None = None) -> pa.RecordBatch:
        """The decisions for rows ``offset .. offset + n``: what a finishing task needs.
        ``placed``/``keys``/``splits``: whether each row is held by a reused shard, its finish
        key and its split (all from the finish-key pass)."""
        first = self.id_first[offset:offset + n]
        own = first == np.arange(offset, offset + n)
        owner = pa.nulls(n, pa.string())
        if not own.all():  # name the file that holds the id first (rare: only then a take)
            owner = pc.replace_with_mask(owner, pa.array(~own), self.file_names.take(pa.array(first[~own])))
        return pa.record_batch({
            "id_owner": owner,
            "exact_of": self.exact_of.slice(offset, n),
            "cluster": self.cluster.slice(offset, n),
            "cluster_size": self.cluster_size.slice(offset, n),
            "representative": pa.array(self.representative[offset:offset + n]),
            "placed": pa.array(placed[offset:offset + n] if placed is not None else np.zeros(n, bool)),
            "key": keys.slice(offset, n) if keys is not None else pa.nulls(n, pa.string()),
            "split": splits.slice(offset, n) if splits is not None else pa.nulls(n, pa.string()),
        })


def repeated_here(stage_path: str, drop: np.ndarray, options: BuildOptions) -> tuple[int, ...]:
    """The hashes of lines repeated across the kept documents (not ``drop``), sorted: counted
    here, over the ``_line_hashes`` column read batch by batch."""
    repeated = find_repeated_lines((b.column(0) for b in read_batches(stage_path, ["_line_hashes"])),
                                   int(np.count_nonzero(~drop)), exclude_mask=drop,
                                   min_docs=options.repeated_line_min_docs,
                                   min_fraction=options.repeated_line_min_fraction)
    return tuple(sorted(repeated.hashes))


def plan(stage_path: str, options: BuildOptions, map_tasks=None, *, repeated_lines=repeated_here,
         duplicates=None, edits: EditCache | None = None) -> Plan:
    """Decide, for every staged row, what pass 3 does with it. Duplicates are decided on the
    text as published: lines repeated across the corpus are found first (over the texts that
    are not exact copies as staged, so that a copy does not make its own lines "repeated"),
    then the rows that lose a line get the exact key of their published text
    (:func:`.published.edited_fingerprints`, over those rows only) and exact duplicates are
    decided on those keys; near-duplicate candidates come from LSH over the staged MinHash
    signatures, each pair verified on the shingles of the two published texts
    (:func:`.published.shingle_task`), and the verified pairs joined into clusters here.

    ``map_tasks(fn, tasks, ctx)`` runs tasks and yields ``(task, result)`` in order (the
    build's process pool, ``Workers.map``); by default, in this process. ``duplicates``: how
    the exact and near-duplicate groupings are made (:class:`.duplicates.Here`, over columns
    read here: the exact keys and the LSH band hashes, ``bands`` x 8 bytes per document; or an
    engine's own way). ``repeated_lines``: how the repeated lines are counted
    (:func:`repeated_here`, or an engine's own way). Held here in any case: ids, names and the
    decision columns. ``edits``: the published keys the last build computed
    (:class:`.published.EditCache`), which rows unchanged since, with the same repeated lines,
    take instead of computing them; it records this build's."""
    if map_tasks is None:
        map_tasks = map_here
    if duplicates is None:
        duplicates = Here(map_tasks, edits)
    parts = list(read_batches(stage_path, ["id", "file_name", "_controls"]))
    ids = pa.chunked_array([b.column(0) for b in parts], pa.string())
    names = pa.chunked_array([b.column(1) for b in parts], pa.string())
    controls = pa.chunked_array([b.column(2) for b in parts], pa.int32()).to_numpy()
    sizes = [b.num_rows for b in parts]
    del parts
    n = len(ids)
    id_first = _first_of_each_id(ids)
    keep_id = id_first == np.arange(n)
    # copies as staged are copies as published: their lines are not counted twice
    staged_copy = duplicates.staged_copies(stage_path, sizes)
    hashes = repeated_lines(stage_path, ~keep_id | staged_copy, options)
    ctx = PublishedContext(stage_path, hashes)
    dup, first, empty = duplicates.published(stage_path, sizes, ctx, keep_id, edits)
    takes_part = keep_id & ~empty  # rejected for its id, or empty once published: no part in duplicates
    exact_of = duplicate_ids(ids, dup, first)
    exact_of = pc.if_else(pa.array(takes_part), exact_of, pa.nulls(n, pa.string()))
    drop = ~takes_part | exact_of.is_valid().to_numpy(zero_copy_only=False)
    u, v = duplicates.near_pairs(stage_path, sizes, drop, options, ctx)
    cluster, cluster_size, representative = components(u, v, ids, drop)
    return Plan(names.combine_chunks(), id_first, _array(exact_of), _array(cluster), _array(cluster_size),
                np.asarray(representative), hashes,
                {"documents": int(np.count_nonzero(controls)), "characters": int(controls.sum())})
