"""Pass 2's Plan on Ray as files the tasks write, one per stage batch (round 32): the build's process
holds the Plan's rows (:class:`..corpus.plan.PlanRows`), not the ids and file names the decisions
name, and puts no Plan in the object store.

* one task per range of stage batches (:func:`..corpus.duplicates.scan_ranges`, as pass 2's scans;
  :func:`_plan_part`, through :meth:`.ray.RayEngine.map`) is sent the rows of its batches' decisions
  (:meth:`..corpus.plan.PlanRows.within`), reads the ids and file names they name from the stage
  (:meth:`..corpus.plan.PlanRows.named`, the local engine's reads, for those rows only) and writes
  each batch's part of the Plan (:func:`..corpus.plan.plan_part`) to ``WORK/plan/BATCH.arrow``
  (through a temporary file renamed when whole, :func:`..corpus.stage.write_part`; none for a batch
  without decisions), sending back those files' names (a task per batch cost ~4 ms each: 0.28-0.34
  s of pass 2 at 20,000 documents, 79 batches);
* the key and finishing tasks (:mod:`.ray_keys`) make their batch's decisions from that file
  (:func:`decisions`: :func:`..corpus.plan.of_part`, then :meth:`..corpus.plan.Plan.decisions`,
  the local engine's code, to the same buffers).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ..corpus import plan as corpus
from ..corpus.duplicates import scan_ranges
from ..corpus.stage import write_part


@dataclass(frozen=True)
class TaskPlan:
    """What the pipeline holds of pass 2 on Ray: the repeated lines, the control-character counts
    (the report's) and the file of each stage batch's part of the Plan (None: no decisions).
    :meth:`decisions` and :meth:`batches` answer as :class:`..corpus.plan.Plan`'s, from those files
    (for the engines' default pass 3a, :class:`.keys.DriverKeys`, which makes them in this process)."""
    repeated: tuple[int, ...]
    controls: dict
    files: tuple
    sizes: tuple

    def decisions(self, offset: int, n: int, placed=None, keys=None, splits=None) -> pa.RecordBatch:
        index = int(np.searchsorted(np.cumsum([0, *self.sizes]), offset, side="right")) - 1
        return _part(self.files, index).decisions(offset, n, placed, keys, splits)

    def batches(self, batch_rows: list[int], placed=None, keys=None, splits=None):
        for i, (offset, n) in corpus.slices(batch_rows):
            yield i, _part(self.files, i).decisions(offset, n, placed, keys, splits)


def task_plan(engine, rows: corpus.PlanRows, stage_path: str, tmp: str) -> TaskPlan:
    """The Plan's parts written by tasks, one per stage batch (see the module)."""
    folder = os.path.abspath(os.path.join(tmp, "plan"))
    os.makedirs(folder, exist_ok=True)
    files = tuple(f for _, parts in engine.map(_plan_part, _tasks(rows), os.path.abspath(stage_path), rows.sizes,
                                               folder) for f in parts)
    return TaskPlan(rows.repeated, rows.controls, files, tuple(rows.sizes))


def _tasks(rows: corpus.PlanRows):
    """Per range of stage batches: ((batch, (first row, rows)) of each, the decisions about their rows)."""
    batches = corpus.slices(rows.sizes)
    for first, end, offset, m in scan_ranges(rows.sizes):
        yield batches[first:end], rows.within(offset, m)


def _plan_part(task: tuple, stage_path: str, sizes: list[int], folder: str) -> list[str | None]:
    """Each stage batch's part of the Plan, of a range of them, written to ``folder/BATCH.arrow``
    (None: no decisions)."""
    batches, rows = task
    plan = rows.named(stage_path, sizes) if isinstance(rows, corpus.PlanRows) else rows  # (a Plan: named already)
    return [write_part(os.path.join(folder, f"{index}.arrow"), corpus.plan_part(plan, offset, n),
                       corpus.PLAN_PART_SCHEMA) for index, (offset, n) in batches]


def decisions(files: tuple, index: int, offset: int, n: int) -> pa.RecordBatch:
    """Stage batch ``index``'s decisions (rows ``offset .. offset + n``) from its part of the Plan."""
    return _part(files, index).decisions(offset, n)


def _part(files: tuple, index: int) -> corpus.Plan:
    """The Plan of stage batch ``index``'s rows (:func:`..corpus.plan.of_part` of its file)."""
    path = files[index]
    if path is None:
        return corpus.of_part(corpus.PLAN_PART_SCHEMA.empty_table())
    with pa.OSFile(path) as f:
        return corpus.of_part(pa.ipc.open_file(f).read_all())
