"""Where the dump's files are read from: a local folder, or any filesystem pyarrow opens from a
URI (``s3://``, ``gs://``, ``hdfs://``, and through fsspec ``hf://`` and the others).

A :class:`Storage` lists the files in discover's order (the entries of each folder sorted by
name, depth first) and gives the per-document function a :class:`Reader` for their status and
bytes. Both are small and picklable, so a worker on any node reads the files itself.
"""
from __future__ import annotations

import errno
import functools
import os
import stat
from collections.abc import Iterator
from typing import NamedTuple

from .discover import Found, count_files, discover, within


def stat_regular(path: str) -> os.stat_result:
    """The file's status; OSError for anything that is not a regular file."""
    st = os.stat(path)  # follows links; a broken link raises here
    if not stat.S_ISREG(st.st_mode):
        raise OSError(errno.EINVAL, "not a regular file")
    return st


_ONE_READ = 1 << 30  # Linux returns at most ~2 GiB from one read(): larger files are read on to the end


def read_file(path: str, size: int) -> bytes:
    """The file's bytes, read with one system call when it still has the ``size`` its status
    gave (``open().read()`` costs twice as much: buffered reader, extra status calls)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        data = os.read(fd, size + 1)
        if len(data) <= size < _ONE_READ:  # a short read of a regular file: its end
            return data
        parts = [data]  # the file grew since its status was taken
        while more := os.read(fd, 1 << 20):
            parts.append(more)
        return b"".join(parts)
    finally:
        os.close(fd)


class FileStat(NamedTuple):
    """The part of a file's status the build uses (as ``os.stat_result`` names it)."""
    st_size: int
    st_mtime_ns: int


class Reader:
    """Status and bytes of the dump's files on this machine."""

    def stat(self, path: str):
        return stat_regular(path)

    def read(self, path: str, size: int) -> bytes:
        return read_file(path, size)


class RemoteReader(Reader):
    """Status and bytes of files on a pyarrow filesystem (opened once per process)."""

    def __init__(self, uri: str):
        self.uri = uri
        self._fs = None

    def __getstate__(self):
        return {"uri": self.uri}

    def __setstate__(self, state):
        self.uri, self._fs = state["uri"], None

    @property
    def fs(self):
        if self._fs is None:
            self._fs = open_uri(self.uri)[0]
        return self._fs

    def stat(self, path: str) -> FileStat:
        import pyarrow.fs as pafs

        info = self.fs.get_file_info(path)
        if info.type != pafs.FileType.File:
            raise OSError(errno.ENOENT if info.type == pafs.FileType.NotFound else errno.EINVAL,
                          "not a regular file")
        return FileStat(info.size, info.mtime_ns or 0)

    def read(self, path: str, size: int) -> bytes:
        with self.fs.open_input_stream(path) as f:
            return f.read()


def open_uri(uri: str):
    """(pyarrow filesystem, path in it) of a URI; fsspec's filesystems come wrapped."""
    import pyarrow.fs as pafs

    return pafs.FileSystem.from_uri(uri)


def is_remote(root: str) -> bool:
    return "://" in root and not root.startswith("file://")


class Storage:
    """A dump folder on this machine."""

    def __init__(self, root: str):
        self.root = root[len("file://"):] if root.startswith("file://") else root

    @property
    def name(self) -> str:
        """The dump's name (the dataset's default name): its folder's."""
        return os.path.basename(os.path.abspath(self.root))

    def check(self, out: str) -> None:
        if not os.path.isdir(self.root):
            raise NotADirectoryError(f"input folder not found: {self.root}")
        if within(self.root, out):
            raise ValueError(f"the input folder {self.root} is the output folder {out} or inside it: the build would "
                             "read its own shards, card and manifests as documents (an output inside the input is fine)")

    def reader(self) -> Reader:
        return Reader()

    def files(self, skip: str | None, map_=None) -> Iterator[Found]:
        """Every file, in discover's order (walked here: the walk streams, holding one path's listings)."""
        return discover(self.root, skip=skip)

    def count(self, skip: str | None) -> int:
        return count_files(self.root, skip)


class RemoteStorage(Storage):
    """A dump on a filesystem pyarrow reads from a URI (``s3://bucket/dump``)."""

    def __init__(self, root: str):
        self.root = root.rstrip("/")
        self.fs, self.path = open_uri(self.root)
        self.path = self.path.rstrip("/")

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    def check(self, out: str) -> None:
        import pyarrow.fs as pafs

        if self.fs.get_file_info(self.path).type != pafs.FileType.Directory:
            raise NotADirectoryError(f"input folder not found: {self.root}")

    def reader(self) -> Reader:
        return RemoteReader(self.root)

    def files(self, skip: str | None, map_=None) -> Iterator[Found]:
        """Every file, in discover's order: the top folder is listed here, each folder in it by
        ``map_`` (the engine's workers: a listing per folder, side by side)."""
        import pyarrow.fs as pafs

        top = sorted(self.fs.get_file_info(pafs.FileSelector(self.path)), key=lambda i: i.base_name)
        tasks = [(i.base_name, i.type == pafs.FileType.Directory) for i in top]
        plain = functools.partial(_plain_file, base=self.path)
        if map_ is None:
            listed = ((t, plain(t) or _list_entry(t, self.root)) for t in tasks)
        else:
            listed = map_(_list_entry, tasks, self.root, local=plain)
        for _, found in listed:
            yield from found

    def count(self, skip: str | None) -> int:
        raise OSError("not counted ahead")  # the progress bar goes without a total


def _plain_file(task: tuple[str, bool], base: str) -> list | None:
    """A top-level file: named without listing anything (not sent to a worker)."""
    name, is_folder = task
    return None if is_folder else [Found(name, f"{base}/{name}")]


def _list_entry(task: tuple[str, bool], uri: str) -> list[Found]:
    """The files of one top-level entry of a remote dump, in discover's order."""
    import pyarrow.fs as pafs

    name, is_folder = task
    fs, base = open_uri(uri.rstrip("/"))
    base = base.rstrip("/")
    if not is_folder:
        return [Found(name, f"{base}/{name}")]
    infos = fs.get_file_info(pafs.FileSelector(f"{base}/{name}", recursive=True))
    rels = sorted((i.path[len(base) + 1:] for i in infos if i.type != pafs.FileType.Directory),
                  key=lambda rel: rel.split("/"))
    return [Found(rel, f"{base}/{rel}") for rel in rels]


def open_storage(root: str | os.PathLike) -> Storage:
    root = os.fspath(root)
    return RemoteStorage(root) if is_remote(root) else Storage(root)
