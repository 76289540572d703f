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
from .dedup import component_labels
from .duplicates import Here, column_at, map_here
from .published import EditCache, PublishedContext
from .repeated_lines import find_repeated_lines
from .stage import read_batches


@dataclass
class Plan:
    """Corpus-level decisions for every staged row, as Arrow/numpy columns; the rows rejected
    for their id only as a list (few)."""
    id_dup: np.ndarray  # the rows whose id an earlier row carries, ascending
    id_owner: pa.Array  # the file name of that earlier row (the first of the id), for each
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
        owner = pa.nulls(n, pa.string())
        a, b = np.searchsorted(self.id_dup, [offset, offset + n])
        if b > a:  # name the file that holds the id first (rare)
            taken = np.zeros(n, bool)
            taken[self.id_dup[a:b] - offset] = True
            owner = pc.replace_with_mask(owner, pa.array(taken), self.id_owner.slice(a, b - a))
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
        duplicates = Here(map_tasks)
    controls = pa.chunked_array([b.column(0) for b in read_batches(stage_path, ["_controls"])], pa.int32())
    sizes = [len(c) for c in controls.chunks]
    controls = controls.to_numpy()
    n = len(controls)
    id_dup, id_first = duplicates.id_copies(stage_path, sizes)
    keep_id = np.ones(n, bool)
    keep_id[id_dup] = False
    # copies as staged are copies as published: their lines are not counted twice
    staged_copy = duplicates.staged_copies(stage_path, sizes)
    hashes = repeated_lines(stage_path, ~keep_id | staged_copy, options)
    ctx = PublishedContext(stage_path, hashes)
    dup, first, empty = duplicates.published(stage_path, sizes, ctx, keep_id, edits)
    takes_part = keep_id & ~empty  # rejected for its id, or empty once published: no part in duplicates
    named = takes_part[dup]  # the exact duplicates that take part: each names its first row's id
    dup, first = dup[named], first[named]
    exact_of = _spread(column_at(stage_path, sizes, "id", first), dup, n)
    drop = ~takes_part
    drop[dup] = True
    u, v = duplicates.near_pairs(stage_path, sizes, drop, options, ctx)
    labels, cluster_size = component_labels(u, v, n)
    clustered = np.flatnonzero(cluster_size > 1)
    cluster = _spread(column_at(stage_path, sizes, "id", labels[clustered]), clustered, n)
    representative = (labels == np.arange(n)) & ~drop
    return Plan(id_dup, column_at(stage_path, sizes, "file_name", id_first), exact_of, cluster,
                pa.array(cluster_size, pa.int32()), representative, hashes,
                {"documents": int(np.count_nonzero(controls)), "characters": int(controls.sum())})


def _spread(values: pa.Array, rows: np.ndarray, n: int) -> pa.Array:
    """A column of ``n`` rows: ``values`` at ``rows`` (in that order), null elsewhere."""
    if not len(rows):
        return pa.nulls(n, values.type)
    index = np.zeros(n, np.int64)
    index[rows] = np.arange(len(rows))
    absent = np.ones(n, bool)
    absent[rows] = False
    return values.take(pa.array(index, mask=absent))
