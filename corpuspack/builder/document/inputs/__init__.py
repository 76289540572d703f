"""Inputs as researchers receive them: a folder, an archive read in place, JSON Lines.

Every form is turned into one stream of ``(relative path, source)`` entries, in a fixed order,
which the engine feeds to the per-document function:

* ``source`` a ``str``: a local file, read by the worker that processes it (a folder's files: the
  build's process only names them);
* ``source`` a :class:`Payload`: the document's bytes, already read by the stream (an archive
  member, the text of a JSON line), or a refusal (an unsafe archive member, a bad line); a local
  archive read by a process of its own (:mod:`.spool`) gives where it put the bytes instead.

This is the seam for other engines and file systems: a reader of a remote folder or archive
(fsspec, pyarrow) only has to yield the same entries. The readers, one job each:
:mod:`.folder` (a folder's files), :mod:`.archive` (tar and zip members), :mod:`.jsonl` (lines),
:mod:`.select` (which paths are documents), :mod:`.html` (text and title of a web page).
"""
from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from .select import Selector

if TYPE_CHECKING:
    from .spool import Spooled


class Payload(NamedTuple):
    """A document the input stream has read: its bytes, or why it cannot be read."""
    data: "bytes | Spooled | None"  # where a reader process put the bytes (:mod:`.spool`), or None
    doc_id: str | None = None  # the id given by the input (a JSON line's id field), else the name rule
    refused: tuple[str, str] | None = None  # (reason, detail) when ``data`` is None
    order: tuple[str, int] | None = None  # (member path, line): its place in the unpacked dump's order


Entry = tuple[str, "str | Payload"]


@dataclass(frozen=True)
class InputOptions:
    """How the input is read (part of the options fingerprint: they change what is read)."""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    text_field: str = "text"
    id_field: str = "id"

    @property
    def selector(self) -> Selector:
        return Selector(self.include, self.exclude)


@dataclass
class Tally:
    """What the input stream saw: entries by input form, paths skipped and why, and the other
    fields of JSON lines (handed to ``fields``, which the build turns into a sidecar manifest)."""
    fields: Callable[[str, dict], None] | None = None
    forms: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    repaired: Counter = field(default_factory=Counter)  # JSON lines whose strings were repaired, by what

    def counters(self) -> tuple[Counter, Counter, Counter]:
        """What it counts (what a reader process sends the build's tally: see :mod:`.spool`)."""
        return self.forms, self.skipped, self.repaired

    def report(self) -> dict:
        return {"by_form": dict(sorted(self.forms.items())), "skipped": dict(sorted(self.skipped.items())),
                "unpaired_surrogates_replaced": self.repaired["unpaired_surrogates"],
                "jsonl_files_transcoded": self.repaired["transcoded_files"]}


def kind(path: str) -> str:
    """``folder``, ``archive`` or ``jsonl``: how an input path is read."""
    from . import archive, jsonl

    if not os.path.exists(path):  # (a missing archive or JSON Lines file too: said before any work)
        named = os.path.basename(path).lower().endswith((*archive.SUFFIXES, *jsonl.SUFFIXES))
        raise NotADirectoryError(f"input {'file' if named else 'folder'} not found: {path}")
    if os.path.isdir(path):
        return "folder"
    if archive.is_archive(path):
        return "archive"
    if jsonl.is_jsonl(path):
        return "jsonl"
    raise NotADirectoryError(f"input is not a folder, an archive ({', '.join(archive.SUFFIXES)}) "
                             f"or JSON Lines ({', '.join(jsonl.SUFFIXES)}): {path}")


def entries(path: str, opts: InputOptions, tally: Tally, *, skip: str | None = None,
            follow_symlinks: bool = False, rejected: list[dict] | None = None) -> Iterator[Entry]:
    """Every entry of the input at ``path``, in the order of the unpacked dump (for a folder, see
    :func:`..discover.discover` for ``follow_symlinks`` and the walk's ``rejected`` entries)."""
    from . import archive, folder, jsonl

    how = kind(path)
    if how == "folder":
        return folder.entries(path, opts, tally, skip=skip, follow_symlinks=follow_symlinks, rejected=rejected)
    if how == "archive":
        return archive.entries(path, opts, tally)
    name = os.path.basename(path)
    return jsonl.entries(name, lambda: open(path, "rb"), opts, tally)


def display_name(path: str) -> str:
    """The dataset's default name: the folder's name, or the file's without its extensions."""
    from . import archive, jsonl

    base = os.path.basename(os.path.abspath(path))
    for suffix in (*archive.SUFFIXES, *jsonl.SUFFIXES):
        if base.lower().endswith(suffix):
            return base[: -len(suffix)] or base
    return base
