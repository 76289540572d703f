"""Pass 2, corpus-level decisions, made over Arrow columns of the staging file:

* documents whose id another (earlier) file already has: rejected, both named;
* exact duplicates: dropped, each naming the id it duplicates;
* near duplicates: annotated with their cluster (or dropped, with --near-dedup drop);
* lines repeated across many documents: removed from the text in pass 3.

:meth:`Plan.finish` then turns one staged row into its published row (or
None for a dropped one) in pass 3.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .clean import clean_lines
from .document import text_stats
from .dedup import exact_duplicates, near_duplicates
from .options import BuildOptions
from .repeated_lines import RemovalStats, find_repeated_lines, remove_repeated_lines
from .report import Ledger
from .sidecar import Manifest, apply_manifest
from .stage import INTERNAL, STAGE_SCHEMA

_INTERNAL_NAMES = tuple(f.name for f in INTERNAL)
_PUBLISHED_STAGE_NAMES = [f.name for f in STAGE_SCHEMA if f.name not in _INTERNAL_NAMES]


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


@dataclass
class Plan:
    ids: pa.ChunkedArray
    file_names: pa.ChunkedArray
    id_first: np.ndarray
    exact_of: pa.Array  # id this row exactly duplicates, or null
    cluster: pa.Array
    cluster_size: pa.Array
    representative: np.ndarray
    near_drop: bool
    repeated: object
    log: Ledger
    drop_quality: frozenset = frozenset()
    removal_stats: RemovalStats = field(default_factory=RemovalStats)

    def __post_init__(self) -> None:
        hashes = self.repeated.hashes if self.repeated else ()
        self.repeated_array = np.fromiter(sorted(hashes), dtype=np.uint64, count=len(hashes))

    def finish_batch(self, batch: pa.RecordBatch, offset: int, manifest: Manifest | None) -> list[dict]:
        """The published rows of a batch of staged rows (``offset``: its first row's index).

        Dropped rows go to the ledger; only rows that hold a repeated line are
        edited in Python, the decisions are read as whole slices."""
        n = batch.num_rows
        own = self.id_first[offset:offset + n] == np.arange(offset, offset + n)
        exact = self.exact_of.slice(offset, n).to_pylist()
        cluster = self.cluster.slice(offset, n).to_pylist()
        size = self.cluster_size.slice(offset, n).to_pylist()
        representative = self.representative[offset:offset + n]
        edit = self._rows_with_repeated_lines(batch.column("_line_hashes"))
        rows = batch.select(_PUBLISHED_STAGE_NAMES).to_pylist()
        out = []
        for k, row in enumerate(rows):
            name = row["file_name"]
            if not own[k]:
                first = self.file_names[int(self.id_first[offset + k])].as_py()
                self.log.reject(name, "duplicate_id", f"id {row['id']} is also the id of {first} (kept)")
                continue
            if exact[k] is not None:
                self.log.duplicate(name, row["id"], exact[k], "exact")
                continue
            if self.near_drop and cluster[k] is not None and not representative[k]:
                self.log.duplicate(name, row["id"], cluster[k], "near")
                continue
            if edit[k] and not self._remove_repeated(row):
                self.log.reject(name, "empty", "nothing is left after removing lines repeated across the corpus")
                continue
            flagged = self.drop_quality.intersection(row["quality_warnings"])
            if flagged:
                self.log.reject(name, "quality", f"quality warnings {', '.join(sorted(flagged))} (--drop-quality)")
                continue
            row["near_dup_cluster"], row["near_dup_cluster_size"] = cluster[k], size[k]
            if manifest is not None:
                match = manifest.lookup(name, row["id"])
                if match is None:
                    self.log.files_without_manifest_row += 1
                row = apply_manifest(row, match)
            out.append(row)
        return out

    def _rows_with_repeated_lines(self, line_hashes: pa.ListArray) -> np.ndarray:
        hit_rows = np.zeros(len(line_hashes), dtype=bool)
        if self.repeated_array.size:
            flat = line_hashes.flatten().to_numpy(zero_copy_only=False)
            parents = pc.list_parent_indices(line_hashes).to_numpy(zero_copy_only=False)
            hit_rows[parents[np.isin(flat, self.repeated_array)]] = True
        return hit_rows

    def _remove_repeated(self, row: dict) -> bool:
        """Drop the repeated lines from ``row``'s text; False if nothing is left."""
        removal = remove_repeated_lines(row["text"], self.repeated)
        if not removal.removed_count:
            return True
        text = clean_lines(removal.text, frozenset()).text  # re-collapse blank runs
        if not text.strip():
            return False
        self.removal_stats.add(removal)
        row["text"] = text
        row["removed_lines"] += removal.removed_count
        row.update(text_stats(text))
        return True

    def summary(self) -> dict:
        return {"repeated_lines_removed": self.removal_stats.report()}


def plan(staged: pa.Table, options: BuildOptions, log: Ledger) -> Plan:
    """Decide, for every staged row, what pass 3 does with it. ``staged`` is memory-mapped:
    the columns read here are not copied into Python objects."""
    ids, names = staged.column("id"), staged.column("file_name")
    n = staged.num_rows
    id_first = _first_of_each_id(ids)
    keep_id = id_first == np.arange(n)
    exact_of = exact_duplicates(staged.column("_exact_key"), ids)
    # a file rejected for its id takes no part in duplicate decisions
    exact_of = pc.if_else(pa.array(keep_id), exact_of, pa.nulls(n, pa.string()))
    drop = ~keep_id | exact_of.is_valid().to_numpy(zero_copy_only=False)
    cluster, cluster_size, representative = near_duplicates(
        staged.column("_minhash"), ids, threshold=options.near_dup_threshold, drop_mask=drop)
    # lines of kept documents only: a copy must not make its own lines "repeated"
    repeated = find_repeated_lines(staged.column("_line_hashes"), int(np.count_nonzero(~drop)), exclude_mask=drop,
                                   min_docs=options.repeated_line_min_docs,
                                   min_fraction=options.repeated_line_min_fraction)
    return Plan(ids, names, id_first, exact_of, cluster, cluster_size, np.asarray(representative),
                options.near_dedup == "drop", repeated, log, frozenset(options.drop_quality))
