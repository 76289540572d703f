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
from .stage import INTERNAL

_INTERNAL_NAMES = tuple(f.name for f in INTERNAL)


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
    removal_stats: RemovalStats = field(default_factory=RemovalStats)

    def finish(self, i: int, row: dict, manifest: Manifest | None) -> dict | None:
        name = row["file_name"]
        first = int(self.id_first[i])
        if first != i:
            self.log.reject(name, "duplicate_id",
                            f"id {row['id']} is also the id of {self.file_names[first].as_py()} (kept)")
            return None
        dup_of = self.exact_of[i].as_py()
        if dup_of is not None:
            self.log.duplicate(name, row["id"], dup_of, "exact")
            return None
        cluster = self.cluster[i].as_py()
        if self.near_drop and cluster is not None and not self.representative[i]:
            self.log.duplicate(name, row["id"], cluster, "near")
            return None
        if self.repeated:
            removal = remove_repeated_lines(row["text"], self.repeated)
            if removal.removed_count:
                text = clean_lines(removal.text, frozenset()).text  # re-collapse blank runs
                if not text.strip():
                    self.log.reject(name, "empty", "nothing is left after removing lines repeated across the corpus")
                    return None
                self.removal_stats.add(removal)
                row["text"] = text
                row["removed_lines"] += removal.removed_count
                row.update(text_stats(text))
        for k in _INTERNAL_NAMES:
            row.pop(k, None)
        row["near_dup_cluster"] = cluster
        row["near_dup_cluster_size"] = self.cluster_size[i].as_py()
        if manifest is not None:
            match = manifest.lookup(name, row["id"])
            if match is None:
                self.log.files_without_manifest_row += 1
            row = apply_manifest(row, match)
        return row

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
                options.near_dedup == "drop", repeated, log)
