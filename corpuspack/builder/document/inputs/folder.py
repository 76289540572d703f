"""A dump folder: its files in discover's order, those the selection skips counted, JSON Lines
files expanded into their lines."""
from __future__ import annotations

from collections.abc import Iterator

from ..discover import discover
from . import Entry, InputOptions, Tally, jsonl


def entries(root: str, opts: InputOptions, tally: Tally, *, skip: str | None = None,
            follow_symlinks: bool = False, rejected: list[dict] | None = None) -> Iterator[Entry]:
    selector = opts.selector
    for found in discover(root, skip=skip, follow_symlinks=follow_symlinks, rejected=rejected):
        why = selector.skip_reason(found.rel_path)
        if why is not None:
            tally.skipped[why] += 1
        elif jsonl.is_jsonl(found.rel_path):
            yield from jsonl.entries(found.rel_path, lambda p=found.path: open(p, "rb"), opts, tally)
        else:
            tally.forms["file"] += 1
            yield found.rel_path, found.path
