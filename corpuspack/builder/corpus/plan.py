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
from functools import partial

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..options import BuildOptions
from .duplicates import Here, column_at, line_counts, map_here, marked
from .published import EditCache, PublishedContext
from .repeated_lines import merge_counts, repeated_of
from .stage import batch_sizes, read_batches


@dataclass
class Plan:
    """Corpus-level decisions for every staged row, held as the rows they concern (the
    duplicates, few against the corpus) with their values; every other row is kept as staged,
    in no cluster (:meth:`decisions` spreads them into columns, a batch at a time)."""
    id_dup: np.ndarray  # the rows whose id an earlier row carries, ascending
    id_owner: pa.Array  # the file name of that earlier row (the first of the id), for each
    exact_rows: np.ndarray  # the exact duplicates of an earlier row's published text, ascending
    exact_of: pa.Array  # the id of that earlier row (the first of the key), for each
    cluster_rows: np.ndarray  # the rows in a near-duplicate cluster (of two or more), ascending
    cluster: pa.Array  # the id of its cluster's representative (smallest row), for each
    cluster_size: np.ndarray  # the size of its cluster (int32), for each
    not_representative: np.ndarray  # the rows dropped or in a cluster of another row, ascending
    repeated: tuple[int, ...]  # hashes of lines repeated across the corpus, sorted
    controls: dict  # control characters cleaning removed: documents with any, characters in all

    def batches(self, batch_rows: list[int], placed: np.ndarray | None = None, keys: pa.Array | None = None,
                splits: pa.Array | None = None):
        """(record batch index, its :meth:`decisions`) for every record batch of the stage
        (``batch_rows``: the rows of each)."""
        for i, (offset, n) in slices(batch_rows):
            yield i, self.decisions(offset, n, placed, keys, splits)

    def decisions(self, offset: int, n: int, placed: np.ndarray | None = None, keys: pa.Array | None = None,
                  splits: pa.Array | None = None) -> pa.RecordBatch:
        """The decisions for rows ``offset .. offset + n``: what a finishing task needs.
        ``placed``/``keys``/``splits``: whether each row is held by a reused shard, its finish
        key and its split (all from the finish-key pass)."""
        cluster_size = np.ones(n, np.int32)
        at, values = _within(self.cluster_rows, offset, n)
        cluster_size[at] = self.cluster_size[values]
        representative = np.ones(n, bool)
        representative[_within(self.not_representative, offset, n)[0]] = False
        return pa.record_batch({
            "id_owner": _column(self.id_dup, self.id_owner, offset, n),
            "exact_of": _column(self.exact_rows, self.exact_of, offset, n),
            "cluster": _column(self.cluster_rows, self.cluster, offset, n),
            "cluster_size": pa.array(cluster_size, pa.int32()),
            "representative": pa.array(representative),
            "placed": pa.array(placed[offset:offset + n] if placed is not None else np.zeros(n, bool)),
            "key": _copied(keys, offset, n) if keys is not None else pa.nulls(n, pa.string()),
            "split": _copied(splits, offset, n) if splits is not None else pa.nulls(n, pa.string()),
        })


#: a stage batch's part of the :class:`Plan` (:meth:`Plan.part`): one row per staged row with a decision
PLAN_PART_SCHEMA = pa.schema([("row", pa.int64()), ("id_owner", pa.string()), ("exact_of", pa.string()),
                              ("cluster", pa.string()), ("cluster_size", pa.int32()), ("representative", pa.bool_())])


def plan_part(plan: Plan, offset: int, n: int) -> pa.Table:
    """The decisions ``plan`` makes for rows ``offset .. offset + n`` as a table of the rows it
    concerns (:data:`PLAN_PART_SCHEMA`): what :func:`of_part` makes a :class:`Plan` of again, whose
    :meth:`Plan.decisions` for those rows are the same."""
    rows = np.union1d(np.union1d(_within(plan.id_dup, offset, n)[0], _within(plan.exact_rows, offset, n)[0]),
                      np.union1d(_within(plan.cluster_rows, offset, n)[0],
                                 _within(plan.not_representative, offset, n)[0])).astype(np.int64)
    decisions = plan.decisions(offset, n).take(pa.array(rows, pa.int64()))
    return pa.table([pa.array(rows + offset, pa.int64()), *(decisions.column(c) for c in PLAN_PART_SCHEMA.names[1:])],
                    schema=PLAN_PART_SCHEMA)


def of_part(part: pa.Table, repeated: tuple[int, ...] = (), controls: dict | None = None) -> Plan:
    """The :class:`Plan` of a :func:`plan_part` (its rows only: ask it for their batch's decisions)."""
    row = part.column("row").to_numpy()

    def where(column: str):
        mask = part.column(column).is_valid().to_numpy(zero_copy_only=False)
        return row[mask], part.column(column).filter(pa.array(mask)).combine_chunks()

    id_dup, id_owner = where("id_owner")
    exact_rows, exact_of = where("exact_of")
    cluster_rows, cluster = where("cluster")
    in_cluster = part.column("cluster").is_valid().to_numpy(zero_copy_only=False)
    sizes = part.column("cluster_size").to_numpy()[in_cluster].astype(np.int32)
    representative = part.column("representative").to_numpy(zero_copy_only=False)
    return Plan(id_dup, id_owner, exact_rows, exact_of, cluster_rows, cluster, sizes, row[~representative],
                repeated, controls if controls is not None else {})


@dataclass
class PlanRows:
    """Pass 2's decisions as rows only (what :func:`plan_rows` finds; :meth:`named` reads the ids
    and file names the :class:`Plan` holds): the rows each decision concerns and, for each, the row
    it names (an id copy's first row, an exact duplicate's first row, a clustered row's cluster's
    smallest row). ``sizes``: the stage's batches' rows."""
    id_dup: np.ndarray
    id_first: np.ndarray
    exact_rows: np.ndarray
    exact_first: np.ndarray
    cluster_rows: np.ndarray
    cluster_first: np.ndarray
    cluster_size: np.ndarray
    not_representative: np.ndarray
    repeated: tuple[int, ...]
    controls: dict
    sizes: list[int]

    def named(self, stage_path: str, sizes: list[int] | None = None) -> Plan:
        """The :class:`Plan`: the file names of the id copies' first rows and the ids of the rows
        the others name, read from the stage for those rows only (one read of the batches for the
        ids; ``sizes``: the stage's batches' rows, by default :attr:`sizes`)."""
        sizes = self.sizes if sizes is None else sizes
        ids = column_at(stage_path, sizes, "id", np.concatenate([self.exact_first, self.cluster_first]))
        return Plan(self.id_dup, column_at(stage_path, sizes, "file_name", self.id_first),
                    self.exact_rows, ids.slice(0, len(self.exact_first)),
                    self.cluster_rows, ids.slice(len(self.exact_first)), self.cluster_size, self.not_representative,
                    self.repeated, self.controls)

    def within(self, offset: int, n: int) -> "PlanRows":
        """The decisions about rows ``offset .. offset + n`` only (the rows they name may lie elsewhere;
        no repeated lines, controls or sizes: :meth:`named` is then given the stage's sizes)."""
        def take(rows, *values):
            part = _within(rows, offset, n)[1]
            return (rows[part], *(v[part] for v in values))
        return PlanRows(*take(self.id_dup, self.id_first), *take(self.exact_rows, self.exact_first),
                        *take(self.cluster_rows, self.cluster_first, self.cluster_size),
                        *take(self.not_representative), (), {}, [])


def slices(batch_rows: list[int]) -> list[tuple[int, tuple[int, int]]]:
    """(batch, (first row, rows)) of each stage batch (``batch_rows``: the rows of each)."""
    starts = np.cumsum([0, *batch_rows])
    return [(i, (int(starts[i]), int(n))) for i, n in enumerate(batch_rows)]


def _copied(column: pa.Array, offset: int, n: int) -> pa.Array:
    """Rows ``offset .. offset + n`` of ``column`` in buffers of their own: a slice would be sent to
    a worker with the whole column's buffers (pyarrow pickles a slice's buffers whole)."""
    return pa.concat_arrays([column.slice(offset, n)])


def _within(rows: np.ndarray, offset: int, n: int) -> tuple[np.ndarray, slice]:
    """The rows of ``rows`` (ascending) in ``offset .. offset + n``, relative to ``offset``, and
    the slice of ``rows`` they are."""
    a, b = np.searchsorted(rows, [offset, offset + n])
    return rows[a:b] - offset, slice(a, b)


def _column(rows: np.ndarray, values: pa.Array, offset: int, n: int) -> pa.Array:
    """Rows ``offset .. offset + n`` of a string column that holds ``values`` at ``rows`` (ascending), null elsewhere."""
    at, part = _within(rows, offset, n)
    column = pa.nulls(n, pa.string())
    if not len(at):
        return column
    mask = np.zeros(n, bool)
    mask[at] = True
    return pc.replace_with_mask(column, pa.array(mask), values.slice(part.start, part.stop - part.start))


def repeated_here(stage_path: str, excluded: np.ndarray, options: BuildOptions, map_tasks=None,
                  sizes: list[int] | None = None, scans=None) -> tuple[int, ...]:
    """The hashes of lines repeated across the kept documents (not the rows ``excluded``, ascending),
    sorted: counted over the ``_line_hashes`` column by ranges of batches (``map_tasks``: the
    engine's tasks, :func:`.duplicates.line_counts`, given a mask of each range's rows; by default
    here; ``scans``: the last build's counts of ranges unchanged since, :class:`.scans.ScanCache`),
    the counts summed here."""
    sizes = batch_sizes(stage_path) if sizes is None else sizes
    n = sum(sizes)
    uniq, counts = merge_counts(line_counts(stage_path, sizes, marked(excluded, n), map_tasks, scans))
    repeated = repeated_of(uniq, counts, n - len(excluded), min_docs=options.repeated_line_min_docs,
                           min_fraction=options.repeated_line_min_fraction)
    return tuple(sorted(repeated.hashes))


def plan(stage_path: str, options: BuildOptions, map_tasks=None, *, repeated_lines=None,
         duplicates=None, edits: EditCache | None = None) -> Plan:
    """:func:`plan_rows`' decisions with the ids and file names they name (:meth:`PlanRows.named`)."""
    return plan_rows(stage_path, options, map_tasks, repeated_lines=repeated_lines, duplicates=duplicates,
                     edits=edits).named(stage_path)


def plan_rows(stage_path: str, options: BuildOptions, map_tasks=None, *, repeated_lines=None,
              duplicates=None, edits: EditCache | None = None) -> PlanRows:
    """Decide, for every staged row, what pass 3 does with it. Duplicates are decided on the
    text as published: lines repeated across the corpus are found first (over the texts that
    are not exact copies as staged, so that a copy does not make its own lines "repeated"),
    then the rows that lose a line get the exact key of their published text
    (:func:`.published.edited_fingerprints`, over those rows only) and exact duplicates are
    decided on those keys; near-duplicate candidates come from LSH over the staged MinHash
    signatures, each pair verified on the shingles of the two published texts
    (:func:`.published.shingle_task`), and the verified pairs joined into clusters
    (``duplicates.near_clusters``).

    ``map_tasks(fn, tasks, ctx)`` runs tasks and yields ``(task, result)`` in order (the
    build's process pool, ``Workers.map``); by default, in this process. ``duplicates``: how
    the exact and near-duplicate groupings are made (:class:`.duplicates.Here`, over columns
    read here: the exact keys and the LSH band hashes, ``bands`` x 8 bytes per document; or an
    engine's own way). ``repeated_lines``: how the repeated lines are counted
    (by default :func:`repeated_here` with ``map_tasks``; or an engine's own way). Held here:
    sorted row sets of the rows the decisions concern (the id copies, the staged copies, the rows
    left empty once published, the exact duplicates, the dropped rows: each grouping is given and
    returns such sets, never a mask of every row, round 33), and the decisions as the rows they
    concern with their values (ids and file names read from the stage for those rows only, by
    :meth:`PlanRows.named`). ``edits``: the published keys the last build computed
    (:class:`.published.EditCache`), which rows unchanged since, with the same repeated lines,
    take instead of computing them; it records this build's."""
    if map_tasks is None:
        map_tasks = map_here
    if duplicates is None:
        duplicates = Here(map_tasks, edits)
    sizes, controls = stage_counts(stage_path)
    duplicates.begin(stage_path, sizes, options)  # the near-duplicate bands' work beside the groupings (if small)
    try:
        id_dup, id_first = duplicates.id_copies(stage_path, sizes)
        # copies as staged are copies as published: their lines are not counted twice
        staged_copies = duplicates.staged_copies(stage_path, sizes)
        if repeated_lines is None:  # counted by ranges of batches in the engine's tasks
            repeated_lines = partial(repeated_here, map_tasks=map_tasks, sizes=sizes,
                                     scans=getattr(duplicates, "scans", None))
        hashes = repeated_lines(stage_path, np.union1d(id_dup, staged_copies), options)
        ctx = PublishedContext(stage_path, hashes)
        dup, first, empty = duplicates.published(stage_path, sizes, ctx, id_dup, edits)
        dup, first, drop = _exact_decided(dup, first, np.union1d(id_dup, empty))
        clustered, labels, cluster_size = duplicates.near_clusters(stage_path, sizes, drop, options, ctx)
        not_rep = not_representative(drop, clustered, labels)
    finally:
        duplicates.end()
    return PlanRows(id_dup, id_first, dup, first, clustered, labels, cluster_size, not_rep, hashes,
                    controls, sizes)


def not_representative(drop: np.ndarray, clustered: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The rows left out of the published text's clusters: ``drop`` (ascending) and the clustered rows
    that are not their cluster's representative (its smallest row, ``labels``), ascending."""
    return np.union1d(drop, clustered[labels != clustered])


def stage_counts(stage_path: str) -> tuple[list[int], dict]:
    """The rows of each stage batch, and the documents that held control characters and how many
    (the report's): one read of the small ``_controls`` column."""
    sizes, controls = [], {"documents": 0, "characters": 0}
    for batch in read_batches(stage_path, ["_controls"]):
        counts = batch.column(0).to_numpy()
        sizes.append(len(counts))
        controls["documents"] += int(np.count_nonzero(counts))
        controls["characters"] += int(counts.sum())
    return sizes, controls


def _exact_decided(dup: np.ndarray, first: np.ndarray, out: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The exact duplicates that take part (not among ``out``, the rows rejected for their id or left
    empty once published, ascending), ascending, with their first rows; and the rows dropped: ``out``
    and those duplicates, ascending (sorted row sets, no mask of the corpus's rows)."""
    named = ~np.isin(dup, out)  # the exact duplicates that take part: each names its first row's id
    order = np.argsort(dup[named], kind="stable")
    dup, first = dup[named][order], first[named][order]
    return dup, first, np.union1d(out, dup)
