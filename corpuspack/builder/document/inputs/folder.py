"""A dump folder: its files in discover's order, those the selection skips counted, JSON Lines
files expanded into their lines (a file named as one of their lines refused, ``jsonl.named_as_line``)."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

from ..discover import Found, discover
from . import Entry, InputOptions, Payload, Tally, jsonl


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
    lines: dict[str, int] = {}  # the JSON Lines files read: the number of the last line named
    try:
        for rel_path, path in files:
            why = skip_reason(rel_path)
            if why is not None:
                tally.skipped[why] += 1
            elif is_jsonl(rel_path):
                lines[rel_path] = yield from jsonl.entries(rel_path, lambda p=path: opener(p), opts, tally)
            else:
                files_seen += 1
                # a file named as a line of a JSON Lines file before it (in name order, the same folder)
                clash = jsonl.named_as_line(rel_path, lines) if lines and ":" in rel_path else None
                yield (rel_path, path) if clash is None else (rel_path, Payload(None, refused=clash))
    finally:
        if files_seen:
            tally.forms["file"] += files_seen
