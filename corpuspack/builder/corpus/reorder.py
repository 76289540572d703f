"""Rows of an archive staged in the order of the unpacked folder.

A folder is walked depth-first with each folder's names sorted (see document/discover.py), so
its rows come in that order. An archive's members come in the order they were written (GNU tar
writes them in the order the file system lists them), so the stage is put in the folder's order
after pass 1 when it is not: the dataset does not depend on how the archive was made.
"""
from __future__ import annotations

import os

import pyarrow as pa

from .stage import STAGE_SCHEMA


def folder_order(keys: list[tuple[str, int]]) -> list[int] | None:
    """The permutation that puts rows with ``keys`` (member path, line within the member) in
    the folder's order, or None when they are in it already."""
    def key(i: int):
        path, line = keys[i]
        return path.split("/"), line

    if all(key(i - 1) < key(i) for i in range(1, len(keys))):
        return None
    return sorted(range(len(keys)), key=key)


def reorder_stage(stage_path: str, order: list[int], batch_rows: int, rows_per_map: int = 4096) -> None:
    """Rewrite the stage file with its rows taken in ``order``. The old file is read through a
    memory map (its pages are read, not copied into the heap), mapped afresh for each run of
    ``rows_per_map`` rows: the pages a mapping touched count in the resident memory until it is
    closed, so a run costs what its own rows touch (~30 MB for 4,096 rows of 6 kB documents),
    never the whole stage."""
    tmp = stage_path + ".reordered"
    with pa.ipc.new_file(tmp, STAGE_SCHEMA) as out:
        for start in range(0, len(order), rows_per_map):
            with pa.memory_map(stage_path) as source:
                table = pa.ipc.open_file(source).read_all()
                run = order[start:start + rows_per_map]
                for at in range(0, len(run), batch_rows):
                    out.write_table(table.take(pa.array(run[at:at + batch_rows], pa.int64())))
                del table
    os.replace(tmp, stage_path)
