"""Where the dump's files are read from: a local folder, or any filesystem pyarrow opens from a
URI (``s3://``, ``gs://``, ``hdfs://``, and through fsspec ``hf://`` and the others).

A :class:`Storage` yields the input's entries (:mod:`.inputs`: ``(relative path, path |
Payload)``, in the order of the unpacked dump; a folder's files in discover's order, the entries
of each folder sorted by name, depth first) and gives the per-document function a
:class:`Reader` for the status and bytes of the entries that are paths. A reader is small and
picklable, so a worker on any node reads the files itself.
"""
from __future__ import annotations

import errno
import functools
import io
import os
import stat
from collections.abc import Iterator
from typing import NamedTuple

from . import inputs
from .discover import Found, count_files, need_folder, within
from .inputs import Entry, InputOptions, Tally, archive, folder, gcs_ranges, jsonl, s3_ranges


def stat_regular(path: str) -> os.stat_result:
    """The file's status; OSError for anything that is not a regular file. A symbolic link is not
    followed (discover hands over the target of a link it follows): a file replaced by a link since
    it was found is not a regular file, so nothing outside the dump is read."""
    st = os.lstat(path)
    if not stat.S_ISREG(st.st_mode):
        raise OSError(errno.EINVAL, "a symbolic link" if stat.S_ISLNK(st.st_mode) else "not a regular file")
    return st


_BUFFER = 1 << 20  # bytes read from remote storage at once when a file is read through
_ONE_READ = 1 << 30  # Linux returns at most ~2 GiB from one read(): larger files are read on to the end


def read_file(path: str, size: int, limit: int = 0) -> bytes:
    """The file's bytes, read with one system call when it still has the ``size`` its status
    gave (``open().read()`` costs twice as much: buffered reader, extra status calls). A file
    that grows past ``limit`` bytes (0: no limit) while it is read raises OSError (EFBIG)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0))
    try:
        data = os.read(fd, size + 1)
        if len(data) <= size < _ONE_READ:  # a short read of a regular file: its end
            return data
        parts, total = [data], len(data)  # the file grew since its status was taken
        while more := os.read(fd, 1 << 20):
            parts.append(more)
            total += len(more)
            if limit and total > limit:
                raise _grew(limit)
        return b"".join(parts)
    finally:
        os.close(fd)


def _grew(limit: int) -> OSError:
    return OSError(errno.EFBIG, f"grew past --max-file-size {limit:,} bytes while it was read")


class FileStat(NamedTuple):
    """The part of a file's status the build uses (as ``os.stat_result`` names it)."""
    st_size: int
    st_mtime_ns: int


class Reader:
    """Status and bytes of the dump's files on this machine."""

    def stat(self, path: str):
        return stat_regular(path)

    def read(self, path: str, size: int, limit: int = 0) -> bytes:
        return read_file(path, size, limit)


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

    def read(self, path: str, size: int, limit: int = 0) -> bytes:
        with self.open(path) as f:
            data = f.read(limit + 1) if limit else f.read()
        if limit and len(data) > limit:
            raise _grew(limit)
        return data

    def open(self, path: str):
        """The file's bytes as stored (pyarrow would otherwise decompress by the name's extension)."""
        return self.fs.open_input_stream(path, compression=None)

    def open_stream(self, path: str):
        """The file's bytes as stored, to be read through (lines, an archive's members): buffered,
        so that a read is not a request each (and a line can be read: pyarrow's files have no
        ``readline``)."""
        return io.BufferedReader(self.open(path), _BUFFER)

    def open_seekable(self, path: str):
        """The file as one that can seek, for a zip's directory; buffered: zipfile's reads of one
        member's header and bytes are a few small reads each, a request each without a buffer.
        Reads at or past the end ask nothing of the store (:class:`_WithinSize`)."""
        return io.BufferedReader(_WithinSize(self.fs.open_input_file(path)), _BUFFER)


class _WithinSize(io.RawIOBase):
    """A pyarrow random-access file whose reads stop at its size: a read from its end gives b""
    without a request. GCS answers a range that starts at or past the object's end with HTTP 416,
    which pyarrow's GCS file raises (seen against fake-gcs-server: a zip's directory, read through a
    buffer that reads on to find the end, failed as OUT_OF_RANGE; round 39)."""

    def __init__(self, f):
        self._f, self._size, self._pos = f, f.size(), 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise OSError(errno.EINVAL, "negative seek position")
        self._pos = base + offset
        return self._pos

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self._size - self._pos)
        if n <= 0:
            return 0
        data = self._f.read_at(n, self._pos)
        buffer[:len(data)] = data
        self._pos += len(data)
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._f.close()
        super().close()


def open_uri(uri: str):
    """(pyarrow filesystem, path in it) of a URI; fsspec's filesystems come wrapped. A ``gs://``
    URI may also say ``anonymous=true`` (a public bucket, or an emulator), which pyarrow's own URI
    parser refuses: see :func:`_gcs_anonymous`."""
    import pyarrow.fs as pafs

    if uri.startswith(("gs://", "gcs://")) and "anonymous=" in uri:
        return _gcs_anonymous(uri)
    return pafs.FileSystem.from_uri(uri)


#: the query options of a ``gs://`` URI with ``anonymous=true`` (those pyarrow's URI parser takes)
_GCS_OPTIONS = {"scheme": str, "endpoint_override": str, "default_bucket_location": str, "project_id": str,
                "retry_limit_seconds": float}


def _gcs_anonymous(uri: str):
    """(pyarrow's GcsFileSystem, path) of a ``gs://bucket/path?anonymous=true&...`` URI: no
    credentials are looked for (without them pyarrow asks Google's metadata server for a token, and
    fails where it is not reachable). The other options as pyarrow reads them from a URI."""
    import datetime
    from urllib.parse import parse_qsl, urlsplit

    import pyarrow.fs as pafs

    parts = urlsplit(uri)
    options: dict = {}
    anonymous = False
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key == "anonymous":
            if value.lower() not in ("true", "false", "1", "0"):
                raise ValueError(f"{uri}: anonymous={value!r}: give true or false")
            anonymous = value.lower() in ("true", "1")
        elif key in _GCS_OPTIONS:
            options[key] = _GCS_OPTIONS[key](value)
        else:
            raise ValueError(f"{uri}: unknown option {key!r} for gs:// (known: anonymous, {', '.join(_GCS_OPTIONS)})")
    if "retry_limit_seconds" in options:
        options["retry_time_limit"] = datetime.timedelta(seconds=options.pop("retry_limit_seconds"))
    return pafs.GcsFileSystem(anonymous=anonymous, **options), (parts.netloc + parts.path).rstrip("/")


def is_remote(root: str) -> bool:
    return "://" in root and not root.startswith("file://")


class Storage:
    """A dump on this machine: a folder, an archive or a JSON Lines file (see :mod:`.inputs`)."""

    def __init__(self, root: str):
        self.root = root[len("file://"):] if root.startswith("file://") else root

    @property
    def name(self) -> str:
        """The dump's name (the dataset's default name): its folder's, or its file's without extensions."""
        return inputs.display_name(self.root)

    def check(self, out: str) -> None:
        inputs.kind(self.root)  # a folder, an archive or JSON Lines, else NotADirectoryError
        need_folder(out, "output folder", may_be_missing=True)
        if within(self.root, out):
            raise ValueError(f"the input folder {self.root} is the output folder {out} or inside it: the build would "
                             "read its own shards, card and manifests as documents (an output inside the input is fine)")

    def reader(self) -> Reader:
        return Reader()

    def local_archive(self) -> str | None:
        """The path of the archive the dump is, when it is one on this machine."""
        return self.root if archive.is_archive(self.root) else None

    def entries(self, opts: InputOptions, tally: Tally, *, skip: str | None = None, follow_symlinks: bool = False,
                rejected: list[dict] | None = None, map_=None, cpus: int = 1) -> Iterator[Entry]:
        """The input's entries (:func:`.inputs.entries`: a folder walked by discover, with
        ``follow_symlinks`` and the walk's ``rejected`` entries; an archive's members; JSON lines)."""
        return inputs.entries(self.root, opts, tally, skip=skip, follow_symlinks=follow_symlinks, rejected=rejected)

    def count(self, skip: str | None) -> int:
        if not os.path.isdir(self.root):
            raise OSError("not counted ahead")  # an archive or JSON Lines: the bar goes without a total
        return count_files(self.root, skip)


class RemoteStorage(Storage):
    """A dump on a filesystem pyarrow reads from a URI (``s3://bucket/dump``): a folder (its
    files and JSON Lines files, selected as a local folder's are), one JSON Lines file, or an
    archive (read in place through the filesystem: a tar as one stream, a zip through a file
    that seeks)."""

    def __init__(self, root: str):
        self.root = root.rstrip("/")
        self.fs, self.path = open_uri(self.root)
        self.path = self.path.rstrip("/")

    @property
    def name(self) -> str:
        return inputs.display_name(self.path.rsplit("/", 1)[-1])

    def _kind(self) -> str:
        import pyarrow.fs as pafs

        info = self.fs.get_file_info(self.path)
        if info.type == pafs.FileType.Directory:
            return "folder"
        if info.type == pafs.FileType.File and jsonl.is_jsonl(self.path):
            return "jsonl"
        if info.type == pafs.FileType.File and self.path.lower().endswith(archive.SUFFIXES):
            return "archive"
        if info.type == pafs.FileType.NotFound:
            raise NotADirectoryError(f"input folder not found: {self.root}")
        raise NotADirectoryError(f"input is not a folder, an archive ({', '.join(archive.SUFFIXES)}) "
                                 f"or JSON Lines ({', '.join(jsonl.SUFFIXES)}): {self.root}")

    def check(self, out: str) -> None:
        self._kind()
        need_folder(out, "output folder", may_be_missing=True)

    def reader(self) -> RemoteReader:
        return RemoteReader(self.root)

    def local_archive(self) -> None:
        return None

    def entries(self, opts: InputOptions, tally: Tally, *, skip: str | None = None, follow_symlinks: bool = False,
                rejected: list[dict] | None = None, map_=None, cpus: int = 1) -> Iterator[Entry]:
        """The entries, in the order of the same dump on a local disk: a folder's files (the top
        folder listed as :meth:`_top` says, each folder in it by ``map_``, the engine's workers,
        side by side; ``cpus``: how many the engine runs at once) selected and JSON Lines files
        expanded as :func:`.inputs.folder.select` does for a local folder (their lines read here,
        through the filesystem); the lines of one JSON Lines file; or an archive's members (read
        here, as from a local archive)."""
        reader, name, kind = self.reader(), self.path.rsplit("/", 1)[-1], self._kind()
        if kind == "jsonl":
            return jsonl.entries(name, lambda: reader.open_stream(self.path), opts, tally)
        if kind == "archive":
            return archive.entries(archive.Source(name, lambda: reader.open_stream(self.path),
                                                  lambda: reader.open_seekable(self.path)), opts, tally)
        return folder.select(self._files(map_, cpus), opts, tally, reader.open_stream)

    def _top(self, map_, cpus: int) -> Iterator[tuple[str, bool]]:
        """The top folder's entries ``(name, is_folder)``, sorted by name. On S3 (a URI boto3 can
        reach as pyarrow does, :func:`.inputs.s3_ranges.location`): listed in key ranges by
        ``map_``, the engine's tasks (``RANGES_PER_CPU`` per CPU, side by side), and streamed range
        by range: no process holds the whole listing, only the ranges in the engine's window
        (:func:`.inputs.s3_ranges.top_entries`). Elsewhere (a local ``file://``, ``gs://``,
        ``hf://`` and the other pyarrow/fsspec filesystems, or without boto3): listed here in one
        call and sorted, every name held at once. On GCS (without credentials, or with them where
        google-auth is installed, :func:`.inputs.gcs_ranges.location`): in name ranges too
        (:func:`.inputs.gcs_ranges.top_entries`)."""
        loc = s3_ranges.location(self.root, self.path)
        if loc is not None:
            return s3_ranges.top_entries(loc, s3_ranges.RANGES_PER_CPU * max(1, cpus), map_)
        gcs = gcs_ranges.location(self.root, self.path)
        if gcs is not None:
            return gcs_ranges.top_entries(gcs, s3_ranges.RANGES_PER_CPU * max(1, cpus), map_)
        return self._top_here()

    def _top_here(self) -> Iterator[tuple[str, bool]]:
        import pyarrow.fs as pafs

        top = sorted(self.fs.get_file_info(pafs.FileSelector(self.path)), key=lambda i: i.base_name)
        return iter([(i.base_name, i.type == pafs.FileType.Directory) for i in top])

    def _files(self, map_, cpus: int = 1) -> Iterator[Found]:
        if _implicit_folders_unlisted(self.fs) and gcs_ranges.location(self.root, self.path) is None:
            yield from _listed(self.fs, self.path.rstrip("/"), "")  # GCS, no google-auth: every name at once
            return
        tasks = self._top(map_, cpus)
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
    name, is_folder = task
    fs, base = open_uri(uri.rstrip("/"))
    base = base.rstrip("/")
    if not is_folder:
        return [Found(name, f"{base}/{name}")]
    return _listed(fs, base, name)


def _listed(fs, base: str, folder: str) -> list[Found]:
    """The files below ``base/folder`` (``folder`` "": below ``base``), in discover's order
    (relative paths compared by their ``/``-separated parts), named relative to ``base``."""
    import pyarrow.fs as pafs

    infos = fs.get_file_info(pafs.FileSelector(f"{base}/{folder}".rstrip("/"), recursive=True))
    rels = sorted((i.path[len(base) + 1:] for i in infos if i.type != pafs.FileType.Directory),
                  key=lambda rel: rel.split("/"))
    return [Found(rel, f"{base}/{rel}") for rel in rels]


def _implicit_folders_unlisted(fs) -> bool:
    """Whether ``fs`` lists a folder's subfolders only where a marker object names them: pyarrow's
    GCS filesystem (its listing of one level reads the objects, not the prefixes GCS answers with;
    apache/arrow#35993), so a folder uploaded without markers (``gsutil cp -r``, most tools) shows no
    subfolder, and its files were lost without a word. Such a filesystem is listed whole, recursively
    (a recursive listing names every object)."""
    return type(fs).__name__ == "GcsFileSystem"


def open_storage(root: str | os.PathLike) -> Storage:
    root = os.fspath(root)
    return RemoteStorage(root) if is_remote(root) else Storage(root)
