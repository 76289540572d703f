"""Stage 1, discover: walk the dump and name every file, in a fixed order.

Order: depth-first, the entries of each folder sorted by name (Unicode code
point), so the order is the same on every machine and needs no global sort
(a dump of millions of files is streamed, never listed in memory at once).
"""
from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

# `000_8de2ff6bbf66210d.txt`: an optional numeric prefix, then 16 to 64 hex digits.
_HASHED_NAME = re.compile(r"^(?:\d+[_-])?([0-9a-fA-F]{16,64})$")


@dataclass(frozen=True)
class Found:
    rel_path: str  # relative to the dump root, `/`-separated
    path: str  # absolute path on this machine (never written to the output)


def doc_id(rel_path: str) -> str:
    """The document id rule (documented in the dataset card).

    * The file's stem is ``[NNN_]<hex>`` with 16 to 64 hex digits: the id is the
      hex part, lower-cased (`000_8de2ff6bbf66210d.txt` -> `8de2ff6bbf66210d`).
    * Any other name: the first 16 hex digits of the SHA-256 of the relative
      path (UTF-8), so the id is stable for as long as the file keeps its path.
    """
    stem = rel_path.rsplit("/", 1)[-1]
    if "." in stem:
        stem = stem.rsplit(".", 1)[0]
    m = _HASHED_NAME.match(stem)
    if m:
        return m.group(1).lower()
    return hashlib.sha256(rel_path.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def readable_name(name: str) -> str:
    """A file name as a string that UTF-8 can hold: the bytes of a name that are not UTF-8 (which
    Python hands over as lone surrogates, and Arrow, JSON and Parquet refuse) are written as
    ``\\xNN``, e.g. ``\\xff\\xfe_news.txt``; other names are unchanged."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return name


def discover(root: str | os.PathLike, skip: str | os.PathLike | None = None) -> Iterator[Found]:
    """Yield every entry below ``root`` that is not a folder.

    Entries that are not readable files (broken links, sockets, FIFOs) are
    yielded too, so the build report accounts for them (as unreadable).
    Symbolic links to folders are not followed (no cycles). ``skip``: a folder
    whose entries are not part of the dump (the build's output, when it lies
    inside the dump: its shards, card and manifests are not documents).
    """
    root = os.fspath(root)
    if not os.path.isdir(root):
        raise NotADirectoryError(f"input folder not found: {root}")
    skip_path = _inside(root, skip)

    def walk(folder: str, prefix: str) -> Iterator[Found]:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
        for entry in entries:
            rel = prefix + readable_name(entry.name)
            if entry.is_dir(follow_symlinks=False):
                if entry.path != skip_path:
                    yield from walk(entry.path, rel + "/")
            else:
                yield Found(rel, entry.path)

    yield from walk(root, "")


def _inside(root: str, folder: str | os.PathLike | None) -> str | None:
    """``folder`` spelled as the walk of ``root`` reaches it (``root`` joined with its path
    relative to ``root``), when it is strictly inside ``root``; else None."""
    if folder is None:
        return None
    real_root, real = os.path.realpath(root), os.path.realpath(folder)
    if real == real_root or not real.startswith(real_root.rstrip(os.sep) + os.sep):
        return None
    return os.path.join(root, *os.path.relpath(real, real_root).split(os.sep))
