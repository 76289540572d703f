"""Archives read in place, as a stream: ``.tar``, ``.tar.gz``/``.tgz``, ``.tar.zst``/``.tzst``,
``.tar.bz2``, ``.tar.xz`` and ``.zip``. Nothing is unpacked to disk; one member is held at a time.

Members are named by their path in the archive (a leading ``./`` dropped), so a dump archived as
``tar czf dump.tar.gz -C dump .`` gives the rows of the folder ``dump``. Refused, each a named
rejection: absolute names and names with a ``..`` part (``unsafe_path``), symbolic and hard links
(``link``), devices and pipes (``unreadable``), a name met twice (``duplicate_name``). An archive
damaged or cut short is read up to the damage, which is one rejection (``corrupt``) naming the
member it stopped in (in a zip, whose members are listed at its end, a damaged member is one
rejection and the others are read). Folders are not documents; the same selection rules as for a folder apply
(hidden and version-control paths skipped, --include/--exclude).
"""
from __future__ import annotations

import os
import stat
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from typing import BinaryIO

from ..discover import readable_name
from . import Entry, InputOptions, Payload, Tally, jsonl

SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.zst", ".tzst", ".tar.bz2", ".tar.xz", ".zip")


def is_archive(path: str) -> bool:
    return os.path.basename(path).lower().endswith(SUFFIXES) and os.path.isfile(path)


def entries(path: str, opts: InputOptions, tally: Tally) -> Iterator[Entry]:
    reader = _zip_members if path.lower().endswith(".zip") else _tar_members
    form = "zip" if reader is _zip_members else "tar"
    seen: set[str] = set()
    name = os.path.basename(path)
    last = None
    members = reader(path)
    while True:
        try:
            member = next(members)
        except StopIteration:
            return
        except (tarfile.TarError, zipfile.BadZipFile, *jsonl.stream_errors()) as e:
            at = f"after the member {last}" if last else "at its start"
            yield last or name, Payload(None, refused=("corrupt", f"{name} is damaged or cut short {at}: "
                                                                  f"{type(e).__name__}: {e}; members after it are not read"))
            return
        raw_name, kind, link, read = member
        if kind == "folder":
            continue
        rel = _clean(raw_name)
        last = rel
        refusal = _refusal(rel, kind, link)
        if refusal is None:
            why = opts.selector.skip_reason(rel)
            if why is not None:
                tally.skipped[why] += 1
                continue
            if rel in seen:
                refusal = ("duplicate_name", f"{rel} is in {name} more than once; the first is read")
            seen.add(rel)
        if refusal is not None:
            tally.forms[form] += 1
            yield rel, Payload(None, refused=refusal, order=(rel, 0))
            continue
        if jsonl.is_jsonl(rel):
            for k, (line_name, payload) in enumerate(jsonl.entries(rel, read, opts, tally)):
                yield line_name, payload._replace(order=(rel, k))
            continue
        tally.forms[form] += 1
        try:
            with read() as f:
                data = f.read()
        except (tarfile.TarError, zipfile.BadZipFile, *jsonl.stream_errors()) as e:
            if form == "zip":  # its other members are found by the central directory: read on
                yield rel, Payload(None, refused=("corrupt", f"this member of {name} is damaged: {type(e).__name__}: {e}"),
                                   order=(rel, 0))
                continue
            yield rel, Payload(None, refused=("corrupt", f"{name} is damaged or cut short inside this member: "
                                                         f"{type(e).__name__}: {e}; members after it are not read"),
                               order=(rel, 0))
            return
        yield rel, Payload(data, order=(rel, 0))


Member = tuple[str, str, str, Callable[[], BinaryIO]]  # (name, kind, link target, opener of its bytes)


def _tar_members(path: str) -> Iterator[Member]:
    if path.lower().endswith((".zst", ".tzst")):
        import zstandard

        raw = open(path, "rb")
        stream = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
        tar = tarfile.open(fileobj=stream, mode="r|")
    else:
        raw, tar = None, tarfile.open(path, mode="r|*")
    try:
        for m in tar:
            kind = ("folder" if m.isdir() else "file" if m.isreg() else "symlink" if m.issym()
                    else "hardlink" if m.islnk() else "special")
            yield m.name, kind, m.linkname, (lambda m=m: tar.extractfile(m))
            tar.members = []  # tarfile keeps every member it met (~1 kB each); a stream needs none
    finally:
        tar.close()
        if raw is not None:
            raw.close()


def _zip_members(path: str) -> Iterator[Member]:
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            mode = info.external_attr >> 16
            kind = ("folder" if info.is_dir() else "symlink" if stat.S_ISLNK(mode)
                    else "special" if stat.S_IFMT(mode) not in (0, stat.S_IFREG) else "file")
            link = z.read(info).decode("utf-8", "replace") if kind == "symlink" else ""
            yield info.filename, kind, link, (lambda info=info: z.open(info))


def _clean(name: str) -> str:
    """A member's name as a relative path: ``/`` separators, no leading ``./``."""
    name = name.replace("\\", "/")
    while name.startswith("./"):
        name = name[2:]
    return readable_name(name)


def _refusal(rel: str, kind: str, link: str) -> tuple[str, str] | None:
    parts = rel.split("/")
    if rel.startswith("/") or (len(parts[0]) == 2 and parts[0][1] == ":"):
        return "unsafe_path", f"an absolute member name ({rel}): archives are read only below their root"
    if ".." in parts:
        return "unsafe_path", f"a member name with '..' ({rel}): it would lie outside the archive's root"
    if kind in ("symlink", "hardlink"):
        return "link", f"a {'symbolic' if kind == 'symlink' else 'hard'} link to {link!r}: links in archives are not followed"
    if kind == "special":
        return "unreadable", "not a regular file (a device, pipe or socket in the archive)"
    return None
