"""A dump folder: its files in discover's order, those the selection skips counted, JSON Lines
files expanded into their lines."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

from ..discover import Found, discover
from . import Entry, InputOptions, Tally, jsonl


def entries(root: str, opts: InputOptions, tally: Tally, *, skip: str | None = None,
            follow_symlinks: bool = False, rejected: list[dict] | None = None) -> Iterator[Entry]:
    found = discover(root, skip=skip, follow_symlinks=follow_symlinks, rejected=rejected)
    return select(found, opts, tally, lambda path: open(path, "rb"))


def select(files: Iterable[Found], opts: InputOptions, tally: Tally, opener: Callable[[str], BinaryIO],
           ) -> Iterator[Entry]:
    """The entries of a folder's files (listed in discover's order, here or on remote storage):
    what the selection skips counted, JSON Lines files expanded into their lines (opened with
    ``opener(path)``)."""
    selector = opts.selector
    for found in files:
        why = selector.skip_reason(found.rel_path)
        if why is not None:
            tally.skipped[why] += 1
        elif jsonl.is_jsonl(found.rel_path):
            yield from jsonl.entries(found.rel_path, lambda p=found.path: opener(p), opts, tally)
        else:
            tally.forms["file"] += 1
            yield found.rel_path, found.path
