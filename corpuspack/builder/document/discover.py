"""Stage 1, discover: walk the dump and name every file, in a fixed order.

Order: depth-first, the entries of each folder sorted by name (Unicode code
point), so the order is the same on every machine and needs no global sort.
Files are yielded as the walk goes; what is held is the sorted names of the
folders on the current path (~85 bytes per file: a flat folder of 1,000,000
files ~85 MB), never a listing of the whole tree.
"""
from __future__ import annotations

import hashlib
import heapq
import os
import re
from collections.abc import Iterator
from typing import NamedTuple

# `000_8de2ff6bbf66210d.txt`: an optional numeric prefix, then 16 to 64 hex digits.
_HASHED_NAME = re.compile(r"^(?:\d+[_-])?([0-9a-fA-F]{16,64})$")


class Found(NamedTuple):  # a tuple: made ~2x as fast as a frozen dataclass (one per file of the dump)
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
    if name.isascii():
        return name
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return name


def discover(root: str | os.PathLike, skip: str | os.PathLike | None = None, *,
             follow_symlinks: bool = False, rejected: list[dict] | None = None,
             outputs: list[str] | None = None) -> Iterator[Found]:
    """Yield every file below ``root`` that may be read, in a fixed order.

    Nothing outside ``root`` is ever yielded. Symbolic links are not followed (each is a rejection
    naming it) unless ``follow_symlinks``: then a link whose target lies inside ``root`` is read
    (a file) or walked (a folder; a link back to a folder of its own path is a loop, rejected),
    and a link that leads outside ``root`` or nowhere is rejected. Entries that are not regular
    files (sockets, FIFOs) are yielded, so the build report names them (as unreadable). A folder
    that cannot be listed (no permission, removed during the walk) and a name that, with its
    bytes that are not UTF-8 written as ``\\xNN``, is that of another entry of its folder are
    rejections too: each is appended to ``rejected`` (``file_name``, ``reason``, ``detail``)
    and the walk goes on. ``skip``: a folder whose entries are not part of the dump (the
    build's output, when it lies inside the dump: its shards, card and manifests are not documents).
    Another corpuspack output inside the dump (a folder holding ``versions/`` and
    ``.cache/build.lock``: an earlier build's, into another OUT) is not walked either; its path
    is appended to ``outputs``.
    """
    root = os.fspath(root)
    need_folder(root, "input folder")
    skip_path = _inside(root, skip)
    real_root = os.path.realpath(root)
    real_skip = os.path.realpath(skip_path) if skip_path else None
    rejected = [] if rejected is None else rejected

    def reject(rel: str, reason: str, detail: str) -> None:
        rejected.append({"file_name": rel, "reason": reason, "detail": detail})

    def walk(folder: str, prefix: str, ancestors: tuple[str, ...]) -> Iterator[Found]:
        try:
            files, folders, links = _listing(folder, skip_path)
        except OSError as e:
            if not prefix:
                raise  # the input folder itself
            reject(prefix, "unreadable", f"the folder cannot be listed ({type(e).__name__}: {e.strerror or e}); "
                                         "its files were not read")
            return
        base = os.path.join(folder, "")  # the folder and one separator, as os.path.join puts it
        if not folders and not links and not _may_clash(files):  # the flat folder of millions of files
            for name in files:  # no name holds bytes that are not UTF-8: each is its readable name
                yield Found(prefix + name, base + name)
            return
        clashes = _clashes(files + folders + links)
        entries = heapq.merge(((n, 0) for n in files), ((n, 1) for n in folders), ((n, 2) for n in links))
        for name, kind in entries:
            rel, path = prefix + readable_name(name), base + name
            if name in clashes:
                reject(rel, "name_collision", f"{clashes[name]!r} in the same folder has the same name once bytes "
                                              "that are not UTF-8 are written as \\xNN: that one was read, this "
                                              "one was not (rename one of them)")
            elif kind == 0:
                yield Found(rel, path)
            elif kind == 1:
                if _is_output(path):
                    if outputs is not None:
                        outputs.append(rel)
                    continue
                yield from walk(path, rel + "/", ancestors + (os.path.realpath(path),))
            elif not follow_symlinks:
                reject(rel, "symlink", "a symbolic link, not followed (--follow-symlinks follows links whose "
                                       "target lies inside the input folder)")
            else:
                target = os.path.realpath(path)
                if not within(target, real_root):
                    reject(rel, "symlink", "a symbolic link to a path outside the input folder: not followed")
                elif real_skip and within(target, real_skip):
                    reject(rel, "symlink", "a symbolic link into the output folder: not followed")
                elif not os.path.lexists(target):
                    reject(rel, "symlink", "a broken symbolic link (its target does not exist)")
                elif os.path.isdir(target):
                    if target in ancestors:
                        reject(rel, "symlink", f"a symbolic link to {_rel(target, real_root)!r}, a folder "
                                               "that holds the link: a loop, not followed")
                    else:
                        yield from walk(target, rel + "/", ancestors + (target,))
                else:
                    yield Found(rel, target)

    yield from walk(root, "", (real_root,))


def _is_output(path: str) -> bool:
    """Whether a folder is a corpuspack output (its card, manifests and shards are no documents)."""
    return os.path.isfile(os.path.join(path, ".cache", "build.lock")) and os.path.isdir(os.path.join(path, "versions"))


def _rel(path: str, real_root: str) -> str:
    rel = os.path.relpath(path, real_root)
    return "." if rel == "." else rel.replace(os.sep, "/")


def _may_clash(names: list[str]) -> bool:
    """Whether some name of a folder holds bytes that are not UTF-8 (only such a name, written
    with ``\\xNN`` escapes, can take the name of another)."""
    if all("".join(names[i:i + 4096]).isascii() for i in range(0, len(names), 4096)):
        return False  # the usual folder: tested in C by runs of names (a test per name costs ~10x as much)
    return any(not n.isascii() and readable_name(n) != n for n in names)


def _clashes(names: list[str]) -> dict[str, str]:
    """Names whose readable form is that of an entry before them (in name order), each with that
    entry's readable name."""
    if not _may_clash(names):
        return {}
    first: dict[str, str] = {}
    out: dict[str, str] = {}
    for name in sorted(names):
        shown = readable_name(name)
        if shown in first:
            out[name] = shown
        else:
            first[shown] = name
    return out


def count_files(root: str | os.PathLike, skip: str | os.PathLike | None = None) -> int:
    """How many entries :func:`discover` accounts for (yielded or rejected, links not followed),
    without sorting or keeping any listing."""
    root = os.fspath(root)
    skip_path, n, stack = _inside(root, skip), 0, [root]
    while stack:
        try:
            with os.scandir(stack.pop()) as it:
                for entry in it:
                    if not entry.is_dir(follow_symlinks=False):
                        n += 1
                    elif entry.path != skip_path and not _is_output(entry.path):
                        stack.append(entry.path)
        except OSError:  # an unlistable folder: one rejection
            n += 1
    return n


def _listing(folder: str, skip_path: str | None) -> tuple[list[str], list[str], list[str]]:
    """The names of a folder's entries, sorted: those that are neither folders nor symbolic
    links, the folders to walk, and the symbolic links. Only names are kept (a DirEntry costs
    ~3x as much: ~270 MB for a flat folder of 1,000,000 files, against ~85 MB)."""
    files: list[str] = []
    folders: list[str] = []
    links: list[str] = []
    with os.scandir(folder) as it:
        for entry in it:
            if entry.is_dir(follow_symlinks=False):
                if entry.path != skip_path:
                    folders.append(entry.name)
            elif entry.is_symlink():
                links.append(entry.name)
            else:
                files.append(entry.name)
    files.sort()
    folders.sort()
    links.sort()
    return files, folders, links


def what_is(path: str | os.PathLike) -> str:
    """``not found``, ``a folder``, ``a file`` or ``neither a file nor a folder``."""
    if not os.path.lexists(path):
        return "not found"
    return "a folder" if os.path.isdir(path) else "a file" if os.path.isfile(path) else "neither a file nor a folder"


def need_folder(path: str | os.PathLike, role: str, *, may_be_missing: bool = False) -> None:
    """NotADirectoryError naming ``path`` and what it is, unless it is a folder (or, with
    ``may_be_missing``, does not exist yet)."""
    if os.path.isdir(path) or (may_be_missing and not os.path.lexists(path)):
        return
    found = what_is(path)
    raise NotADirectoryError(f"{role} {found}: {os.fspath(path)}" if found == "not found"
                             else f"the {role} {os.fspath(path)} is {found}, not a folder")


def within(path: str | os.PathLike, folder: str | os.PathLike) -> bool:
    """``path`` is ``folder`` or lies inside it (links resolved)."""
    real, real_folder = os.path.realpath(path), os.path.realpath(folder)
    return real == real_folder or real.startswith(real_folder.rstrip(os.sep) + os.sep)


def _inside(root: str, folder: str | os.PathLike | None) -> str | None:
    """``folder`` spelled as the walk of ``root`` reaches it (``root`` joined with its path
    relative to ``root``), when it is strictly inside ``root``; else None."""
    if folder is None or within(root, folder) or not within(folder, root):
        return None
    real_root = os.path.realpath(root)
    return os.path.join(root, *os.path.relpath(os.path.realpath(folder), real_root).split(os.sep))
