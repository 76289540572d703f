"""Pass 2, corpus-level decisions, made over Arrow columns of the staging file
(read batch by batch):

* documents whose id another (earlier) file already has: rejected, both named;
* exact duplicates: dropped, each naming the id it duplicates;
* near duplicates: annotated with their cluster (or dropped, with --near-dedup drop);
* lines repeated across many documents: removed from the text in pass 3.

:meth:`Plan.decisions` hands a slice of them to pass 3 (:mod:`.finish`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .dedup import exact_duplicates, near_duplicates
from ..options import BuildOptions
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


def plan(stage_path: str, options: BuildOptions, *, repeated_lines=repeated_here) -> Plan:
    """Decide, for every staged row, what pass 3 does with it. Three streaming reads of
    columns of the stage file (ids and exact keys, MinHash signatures, line hashes); what
    is kept is a few small columns (ids, keys) and the LSH index. ``repeated_lines``: how
    the repeated lines are counted (:func:`repeated_here`, or an engine's own way)."""
    parts = list(read_batches(stage_path, ["id", "file_name", "_exact_key"]))
    ids = pa.chunked_array([b.column(0) for b in parts], pa.string())
    names = pa.chunked_array([b.column(1) for b in parts], pa.string())
    keys = pa.chunked_array([b.column(2) for b in parts], pa.binary())
    del parts
    n = len(ids)
    id_first = _first_of_each_id(ids)
    keep_id = id_first == np.arange(n)
    exact_of = exact_duplicates(keys, ids)
    # a file rejected for its id takes no part in duplicate decisions
    exact_of = pc.if_else(pa.array(keep_id), exact_of, pa.nulls(n, pa.string()))
    drop = ~keep_id | exact_of.is_valid().to_numpy(zero_copy_only=False)
    cluster, cluster_size, representative = near_duplicates(
        (b.column(0) for b in read_batches(stage_path, ["_minhash"])), ids,
        threshold=options.near_dup_threshold, drop_mask=drop)
    # lines of kept documents only: a copy must not make its own lines "repeated"
    repeated = repeated_lines(stage_path, drop, options)
    return Plan(names.combine_chunks(), id_first, _array(exact_of), _array(cluster), _array(cluster_size), np.asarray(representative),
                repeated)
