"""Pass 2 on Ray with its decisions kept in Ray's object store, one object per run of stage batches
(round 37): the driver holds references and counts, not the rows the decisions concern.

The steps and the decisions are those of :func:`..corpus.plan.plan_rows` with
:class:`.ray_pass2.Partitioned`'s groupings (the same map and reduce tasks); what changes is where
their results go. Until round 37 each grouping's reduce tasks sent their rows (the id copies, the
staged copies, the exact duplicates, the clustered rows, ~3.8 B per staged row at 20,000 generated
documents) to the driver, which held them as sorted row sets while pass 2 ran, sent each map task its
run's slice, and sent each plan task its range's decisions (:mod:`.ray_plan`). Now:

* the stage's batches are cut into the runs the map tasks read (:func:`.ray_pass2._runs`), and every
  row set is a list of one object per run (the rows of the set in that run, ascending, with the values
  beside them);
* a reduce task splits what it finds by run (:func:`_by_run`), and a task per run merges the
  partitions' pieces (:func:`_merged`): sorted, as the driver's sort of the whole set was;
* the set operations between steps (the rows excluded from the line counts, the exact duplicates that
  take part and the rows dropped, the rows that are not representatives) are made per run by tasks:
  each concerns rows of one run only;
* the map tasks of the next step are given their run's objects (:func:`_on_rows` makes the run tuple
  the map functions take), and a task per run names its decisions and writes each of its batches' part
  of the Plan (:func:`_plan_run`, what :func:`.ray_plan._plan_part` writes).

The driver receives the counts of excluded rows (the repeated lines' threshold), the repeated lines'
hashes, the caches' file names and each batch's Plan file's name. The output is the same, byte for
byte (``tests/test_engine_ray.py``, ``tests/test_ray_decisions.py``).
"""
from __future__ import annotations

import os

import numpy as np
import ray

from ..corpus import plan as corpus
from ..corpus.published import EditCache, PublishedContext
from ..corpus.repeated_lines import doc_threshold
from ..corpus.stage import write_part
from ..options import BuildOptions
from .ray_pass2 import (_NONE, Partitioned, _exact_map, _exact_reduce, _id_map, _id_reduce, _line_map,
                        _line_reduce, _listed, _on_rows, _runs, _task, _write_edits, components_refs)
from .ray_plan import TaskPlan


def plan(stage_path: str, options: BuildOptions, edits: EditCache | None, started: list, folder: str,
         cpus: int) -> TaskPlan:
    """Pass 2's Plan as per-batch files (a :class:`.ray_plan.TaskPlan`), its decisions made and kept
    by Ray tasks (see the module); each task's first reference appended to ``started``."""
    sizes, controls = corpus.stage_counts(stage_path)
    mark = len(started)  # the tasks started here: dropped from ``started`` once they have all ended
    width = 2 * cpus
    runs = [(i, j, a, n) for i, j, a, _, n in _runs(sizes, _NONE, width)]
    steps = _Steps(stage_path, sizes, runs, width, started)
    id_dup, id_first = steps.grouped(_id_map, _id_reduce, [None] * len(runs), (stage_path, width))
    staged, staged_first = steps.grouped(_exact_map, _exact_reduce, [None] * len(runs), (stage_path, (), width, None, None),
                              extra=2)
    excluded, counts = steps.per_run(_union, id_dup, staged, returns=2)
    n_excluded = sum(ray.get(counts))
    repeated = steps.repeated_lines(excluded, n_excluded, options)
    del staged, staged_first, excluded, counts  # (their objects go from the store)
    _release(started, mark)  # every task started so far has ended (the counts, the line counts depend on them)
    ctx = PublishedContext(stage_path, repeated)
    # the exact duplicates of the published texts (the keys of the rows that lose a line: the last
    # build's, read by the tasks from the cache's file, else computed; this build's written by them)
    edits = edits if edits is not None else EditCache()
    cache = None
    if repeated:
        cache = edits.path if edits.path and not edits.loaded else ray.put(edits)
    published = os.path.join(folder, "published")
    os.makedirs(published, exist_ok=True)
    (dup, first), maps = steps.grouped(_exact_map, _exact_reduce, id_dup,
                                       (stage_path, repeated, width, cache, published), extra=2, maps_too=True)
    empty = [m[width] for m in maps]
    known = [f for f in ray.get([m[width + 1] for m in maps]) if f is not None]
    kept = os.path.join(folder, "published-kept.arrow")
    ray.get(_task(_write_edits, started)(kept, known))
    edits.written(kept)
    del maps
    dup, first, drop = steps.per_run(_exact_decided, dup, first, id_dup, empty, returns=3)
    del empty
    # near duplicates: the verified pairs' clusters, labelled and split by run
    pairs = Partitioned(width, width, edits.pairs, started, folder)
    edges = pairs.verified_on(steps.on_rows(drop), stage_path, sizes, options, ctx)
    _release(started, mark)  # every task started so far has ended (the verified pairs depend on them all)
    clustered, labels, size = steps.split_merged(components_refs(edges, width, started), returns=3)
    not_rep = steps.per_run(corpus.not_representative, drop, clustered, labels)
    del drop
    # each run's decisions named and written as its batches' parts of the Plan
    os.makedirs(os.path.join(folder, "plan"), exist_ok=True)
    write = _task(_plan_run, started)
    files = ray.get([write(run, stage_path, sizes, os.path.join(folder, "plan"), id_dup[r], id_first[r], dup[r],
                           first[r], clustered[r], labels[r], size[r], not_rep[r])
                     for r, run in enumerate(runs)])
    _release(started, mark)
    return TaskPlan(repeated, controls, tuple(f for run in files for f in run), tuple(sizes))


def _release(started: list, mark: int) -> None:
    """Drop the references of the tasks started since ``mark`` (all ended: a result waited for depends
    on them), so that their outputs no longer stay in Ray's object store (as :func:`.ray_pass2._step`)."""
    del started[mark:]


class _Steps:
    """The tasks of :func:`plan`'s steps over the runs ``runs`` ((first batch, end batch, first row,
    rows) each) and ``parts`` partitions."""

    def __init__(self, stage_path: str, sizes: list[int], runs: list[tuple], parts: int, started: list):
        self.stage_path, self.sizes, self.runs, self.parts, self.started = stage_path, sizes, runs, parts, started
        self.ends = tuple(a + n for _, _, a, n in runs)  # each run's end row (plain numbers: no payload)

    def on_rows(self, rows: list) -> list:
        """Per run, what a map task is given: the run's bounds and its object of ``rows``."""
        return [(run, r) for run, r in zip(self.runs, rows)]

    def grouped(self, mapper, reducer, rows: list, args: tuple, *, extra: int = 0, maps_too: bool = False):
        """A grouping of :mod:`.ray_pass2`: ``mapper`` per run (its run tuple made with ``rows``' object
        of the run, :func:`_on_rows`), ``parts`` partitions (and ``extra`` results of the map tasks
        beside them), ``reducer`` per partition; its two result arrays per run, merged (and the map
        tasks' references)."""
        mapped = _task(_on_rows, self.started, self.parts + extra)
        maps = [_listed(mapped(mapper, run, r, *args)) for run, r in zip(self.runs, rows)]
        reduce = _task(_by_run, self.started, len(self.runs))
        found = [_listed(reduce(reducer, self.ends, *[m[p] for m in maps])) for p in range(self.parts)]
        merged = self.merge(found, returns=2)
        return (merged, maps) if maps_too else merged

    def split_merged(self, found: list, returns: int):
        """Per-partition results ((rows, values...) each) split by run and merged."""
        split = _task(_split_result, self.started, len(self.runs))
        return self.merge([_listed(split(self.ends, f)) for f in found], returns)

    def merge(self, found: list, returns: int) -> list:
        merge = _task(_merged, self.started, returns)
        out = [_listed(merge(*[f[r] for f in found])) for r in range(len(self.runs))]
        return [[o[k] for o in out] for k in range(returns)]

    def per_run(self, fn, *sets: list, returns: int = 1):
        task = _task(fn, self.started, returns)
        out = [_listed(task(*(s[r] for s in sets))) for r in range(len(self.runs))]
        return [[o[k] for o in out] for k in range(returns)] if returns > 1 else [o[0] for o in out]

    def repeated_lines(self, excluded: list, n_excluded: int, options: BuildOptions) -> tuple[int, ...]:
        """:func:`.ray_pass2.repeated_lines`, each map task given its run's excluded rows."""
        threshold = doc_threshold(sum(self.sizes) - n_excluded, options.repeated_line_min_docs,
                                  options.repeated_line_min_fraction)
        mapped = _task(_on_rows, self.started, self.parts)
        maps = [_listed(mapped(_line_map, run, r, self.stage_path, self.parts)) for run, r in zip(self.runs, excluded)]
        reduce = _task(_line_reduce, self.started)
        found = ray.get([reduce(threshold, *[m[p] for m in maps]) for p in range(self.parts)])
        return tuple(np.sort(np.concatenate(found)).tolist())


def _by_run(reducer, ends: tuple, *chunks):
    """``reducer``'s (rows, values) of one partition, split by run (``ends``: each run's end row)."""
    return _split_result(ends, reducer(*chunks))


def _split_result(ends: tuple, result: tuple) -> tuple:
    rows = result[0]
    run = np.searchsorted(np.array(ends, np.int64), rows, side="right")
    pieces = tuple(tuple(a[run == r] for a in result) for r in range(len(ends)))
    return pieces[0] if len(pieces) == 1 else pieces


def _merged(*pieces: tuple):
    """The pieces (arrays of rows and values) of one run from every partition, as one sorted by row."""
    arrays = [np.concatenate([p[k] for p in pieces]) for k in range(len(pieces[0]))]
    order = np.argsort(arrays[0], kind="stable")
    out = tuple(a[order] for a in arrays)
    return out[0] if len(out) == 1 else out


def _union(a, b):
    """The union of two runs' row sets, and its size."""
    rows = np.union1d(a, b).astype(np.int64)
    return rows, len(rows)


def _exact_decided(dup, first, id_dup, empty):
    """:func:`..corpus.plan._exact_decided` over one run's rows."""
    return corpus._exact_decided(dup, first, np.union1d(id_dup, empty))


def _plan_run(run: tuple, stage_path: str, sizes: list[int], folder: str, id_dup, id_first, exact_rows, exact_first,
              cluster_rows, cluster_first, cluster_size, not_representative) -> list[str | None]:
    """A run's decisions named (the ids and file names read from the stage) and written as each of its
    batches' part of the Plan (``folder/BATCH.arrow``; None: no decisions), as :mod:`.ray_plan` does."""
    first_batch, end_batch, offset, _ = run
    rows = corpus.PlanRows(*(np.asarray(a, np.int64) for a in (id_dup, id_first, exact_rows, exact_first,
                                                                cluster_rows, cluster_first)),
                           np.asarray(cluster_size, np.int32), np.asarray(not_representative, np.int64), (), {}, [])
    plan = rows.named(stage_path, sizes)
    out, at = [], offset
    for index in range(first_batch, end_batch):
        out.append(write_part(os.path.join(folder, f"{index}.arrow"), corpus.plan_part(plan, at, sizes[index]),
                              corpus.PLAN_PART_SCHEMA))
        at += sizes[index]
    return out
