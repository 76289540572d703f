"""A dump folder: its files in discover's order, those the selection skips counted, JSON Lines
files expanded into their lines."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

from ..discover import Found, discover
from . import Entry, InputOptions, Tally, jsonl


def entries(root: str, opts: InputOptions, tally: Tally, *, skip: str | None = None,
            follow_symlinks: bool = False, rejected: list[dict] | None = None) -> Iterator[Entry]:
    """The folder's entries; other corpuspack outputs inside it are not read, and counted (folders,
    ``corpuspack_output``)."""
    outputs: list[str] = []
    found = discover(root, skip=skip, follow_symlinks=follow_symlinks, rejected=rejected, outputs=outputs)
    yield from select(found, opts, tally, lambda path: open(path, "rb"))
    if outputs:
        tally.skipped["corpuspack_output"] += len(outputs)


def select(files: Iterable[Found], opts: InputOptions, tally: Tally, opener: Callable[[str], BinaryIO],
           ) -> Iterator[Entry]:
    """The entries of a folder's files (listed in discover's order, here or on remote storage):
    what the selection skips counted, JSON Lines files expanded into their lines (opened with
    ``opener(path)``)."""
    skip_reason, is_jsonl = opts.selector.skip_reason, jsonl.is_jsonl
    files_seen = 0  # counted here, added to the tally as the stream ends (~0.2 us a file saved)
    try:
        for rel_path, path in files:
            why = skip_reason(rel_path)
            if why is not None:
                tally.skipped[why] += 1
            elif is_jsonl(rel_path):
                yield from jsonl.entries(rel_path, lambda p=path: opener(p), opts, tally)
            else:
                files_seen += 1
                yield rel_path, path
    finally:
        if files_seen:
            tally.forms["file"] += files_seen
