"""Pass 3b with each finishing task writing its rows to a file of its own (the Ray engine's way
since round 30; the local engine's with workers since round 42): the build's process receives each
task's result without its rows, and pass 3b's file (``final.arrow``) is an empty file whose layout
lists the tasks' files in order, read by the shard writers through :mod:`..corpus.stage`'s readers.
The build's process then neither holds nor writes the finished rows (the finished texts of the
tasks in flight, ~3 MB a stage batch of 512 generated documents)."""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import replace

import pyarrow as pa

from ..corpus.stage import write_layout, write_part


def finish_rows(map_, fn, tasks: Iterable, ctx, path: str, schema: pa.Schema, folder: str, local=None) -> Iterator:
    """:meth:`.base.Engine.finish_rows` over ``map_`` (an engine's map), the rows of each task written
    to ``folder/BATCH.arrow`` (:func:`..corpus.stage.write_part`: a temporary file renamed when whole)."""
    folder = os.path.abspath(folder)
    os.makedirs(folder, exist_ok=True)
    parts = []
    here = None if local is None else lambda task: finished_here(local(task), task, folder, schema)
    for _, (done, part) in map_(finish_part, tasks, fn, ctx, folder, schema, local=here):
        if part is not None:
            parts.append((part, 0))
        yield done
    with pa.ipc.new_file(path, schema):
        pass
    if parts:
        write_layout(path, parts)


def finish_part(task, fn, ctx, folder: str, schema: pa.Schema) -> tuple:
    """``fn(task, ctx)`` (pass 3b, a :class:`..corpus.finish.Finished`) with its rows written to
    ``folder/BATCH.arrow`` (BATCH the task's stage batch): (the result without its rows, the file or None)."""
    return finished_here(fn(task, ctx), task, folder, schema)


def finished_here(done, task, folder: str, schema: pa.Schema) -> tuple | None:
    if done is None:
        return None
    done = replace(done, events=counted(done.events))
    if done.batch is None:
        return done, None
    return replace(done, batch=None), write_part(os.path.join(folder, f"{task[0]}.arrow"), done.batch, schema)


def counted(events: list[tuple]) -> list[tuple]:
    """A finishing task's ledger events with each run of published rows (``("included", name)``:
    the report counts them, it does not name them) sent as their number (``("included_rows", n)``),
    so the build's process receives the rows a report lists (duplicates, rejections), not one name per row."""
    out: list[tuple] = []
    for event in events:
        if event[0] == "included":
            if out and out[-1][0] == "included_rows":
                out[-1] = ("included_rows", out[-1][1] + 1)
            else:
                out.append(("included_rows", 1))
        else:
            out.append(event)
    return out
