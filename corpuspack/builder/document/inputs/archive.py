"""Archives read in place, as a stream: ``.tar``, ``.tar.gz``/``.tgz``, ``.tar.zst``/``.tzst``,
``.tar.bz2``, ``.tar.xz`` and ``.zip``. Nothing is unpacked to disk; one member is held at a time.
The archive is a local file or one on remote storage (a :class:`Source` opens its bytes: a tar is
read as a stream, a zip through a seekable file, as its directory is at its end).

Members are named by their path in the archive (a leading ``./`` dropped), so a dump archived as
``tar czf dump.tar.gz -C dump .`` gives the rows of the folder ``dump``. Refused, each a named
rejection: absolute names and names with a ``..`` part (``unsafe_path``), symbolic and hard links
(``link``), devices and pipes (``unreadable``), a name met twice (``duplicate_name``).

Damage (``corrupt``): a tar, a stream without an index, is read up to the damage; the member it
stops in is a rejection naming it, or, when it stops between members, the archive is. A zip lists
its members in a directory at its end: a damaged member is one rejection and the others are read;
a zip whose directory is lost (cut short) is read by the local header in front of each member
(stream-unzip), as a stream is, so every member before the cut is a row and the one the cut falls
in a rejection; what the lost directory alone said (which members are symbolic links) is then not
known, and such a member is read as a file holding its target's name. Folders are not documents;
the same selection rules as for a folder apply (hidden and version-control paths skipped,
--include/--exclude).
"""
from __future__ import annotations

import io
import os
import stat
import tarfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO, NamedTuple

from ..discover import readable_name
from . import Entry, InputOptions, Payload, Tally, jsonl, tar_headers, zstd

SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.zst", ".tzst", ".tar.bz2", ".tar.xz", ".zip")


def is_archive(path: str) -> bool:
    return os.path.basename(path).lower().endswith(SUFFIXES) and os.path.isfile(path)


class Source(NamedTuple):
    """An archive's bytes: ``stream()`` opens them to be read from start to end, ``seekable()``
    as a file that can seek (a zip's directory is at its end)."""
    name: str  # the archive's file name
    stream: Callable[[], BinaryIO]
    seekable: Callable[[], BinaryIO]


def local(path: str) -> Source:
    return Source(os.path.basename(path), lambda: open(path, "rb"), lambda: open(path, "rb"))


class Member(NamedTuple):
    name: str
    kind: str  # file, folder, symlink, hardlink, special
    link: str  # a link's target
    open: Callable[[], BinaryIO]  # its bytes, as a file (a JSON Lines member is read through)
    alone: bool = False  # damage in it leaves the members after it readable (a zip read by its directory)
    read: Callable[[], bytes] | None = None  # all its bytes, where that is cheaper than through open()

    def data(self) -> bytes:
        if self.read is not None:
            return self.read()
        with self.open() as f:
            return f.read()


def entries(source: str | Source, opts: InputOptions, tally: Tally) -> Iterator[Entry]:
    """The entries of the archive at a local path, or of a :class:`Source`. (Read in the build's
    process, the memory freed by the members' bytes is given back after pass 1, by the pipeline;
    a local archive built with workers is read by a process of its own, :mod:`.spool`.)"""
    source = local(source) if isinstance(source, str) else source
    name = source.name
    reader = _zip_members if name.lower().endswith(".zip") else _tar_members
    form = "zip" if reader is _zip_members else "tar"
    seen: set[str] = set()
    lines: dict[str, int] = {}  # the JSON Lines members read: the number of the last line named
    last = None
    members = reader(source)
    while True:
        try:
            member = next(members)
        except StopIteration:
            return
        except _damage() as e:  # between members: the archive is named (the last member was read)
            at = f"after the member {last}" if last else "at its start"
            yield name, Payload(None, refused=("corrupt", f"{name} is damaged or cut short {at}: "
                                                          f"{_said(e)}; members after it are not read"))
            return
        if member.kind == "folder":
            continue
        rel = _clean(member.name, backslash=form == "zip")
        if rel.strip("/"):
            refusal = _refusal(rel, member.kind, member.link)
        else:  # named for the report by where it lies
            rel = f"{name}: a member with an empty name, after {last or 'none'}"
            refusal = ("unsafe_path", "a member with an empty name (or only '/' and './'): it names no file")
        last = rel
        if refusal is None:
            why = opts.selector.skip_reason(rel)
            if why is not None:
                tally.skipped[why] += 1
                continue
            if rel in seen:
                refusal = ("duplicate_name", f"{rel} is in {name} more than once; the first is read")
            elif lines and ":" in rel:  # named as a line of a JSON Lines member before it, as in a folder
                refusal = jsonl.named_as_line(rel, lines)
            seen.add(rel)
        if refusal is not None:
            tally.forms[form] += 1
            yield rel, Payload(None, refused=refusal, order=(rel, 0))
            continue
        if jsonl.is_jsonl(rel):
            line_name = None
            for k, (line_name, payload) in enumerate(jsonl.entries(rel, member.open, opts, tally)):
                yield line_name, payload._replace(order=(rel, k))
            # the number of the last line named, as entries returns it (read from its name once, not per line)
            lines[rel] = int(line_name.rpartition(":")[2]) if line_name else 0
            continue
        tally.forms[form] += 1
        try:
            data = member.data()
        except UnreadableMember as e:
            yield rel, Payload(None, refused=("unreadable", f"this member of {name} is {e}"), order=(rel, 0))
            continue
        except _damage() as e:
            if member.alone:  # its other members are found by the central directory: read on
                yield rel, Payload(None, refused=("corrupt", f"this member of {name} is damaged: {_said(e)}"),
                                   order=(rel, 0))
                continue
            yield rel, Payload(None, refused=("corrupt", f"{name} is damaged or cut short inside this member: "
                                                         f"{_said(e)}; members after it are not read"),
                               order=(rel, 0))
            return
        yield rel, Payload(data, order=(rel, 0))


def _damage() -> tuple[type[BaseException], ...]:
    return jsonl.stream_errors()  # what reading a damaged or cut-short archive raises


def _said(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}" if str(e) else type(e).__name__


def _tar_members(source: Source) -> Iterator[Member]:
    raw = source.stream()
    try:
        if source.name.lower().endswith((".zst", ".tzst")):
            plain = zstd.reader(raw)
        else:
            plain = _gunzip(raw)
        if plain is None:  # a plain tar, bz2 or xz: tarfile finds which
            yield from _tarfile_members(tarfile.open(fileobj=raw, mode="r|*", tarinfo=_StrictInfo))
            return
        reader = tar_headers.Reader(plain)
        for m in tar_headers.headers(reader):
            if isinstance(m, tar_headers.Other):  # a header of a kind read by tarfile, and all after it
                yield from _tarfile_members(tarfile.open(fileobj=m.stream, mode="r|", tarinfo=_StrictInfo))
                break
            yield Member(m.name, m.kind, m.link, m.data.open, read=m.data.read_all)
        while plain.read(1 << 16):  # to the stream's end: a gzip stream's CRC is checked there
            pass
    finally:
        raw.close()


def _tarfile_members(tar: tarfile.TarFile) -> Iterator[Member]:
    """The members of a tar read by ``tarfile``."""
    try:
        for m in tar:
            kind = ("folder" if m.isdir() else "file" if m.isreg() else "symlink" if m.issym()
                    else "hardlink" if m.islnk() else "special")
            yield Member(m.name, kind, m.linkname, lambda m=m: tar.extractfile(m),
                         read=None if m.issparse() else lambda m=m: _tar_read(tar, m))
            tar.members = []  # tarfile keeps every member it met (~1 kB each); a stream needs none
    finally:
        tar.close()


def _gunzip(raw: BinaryIO) -> BinaryIO | None:
    """The gzip stream ``raw`` unpacked, or None when it is not gzip (its first bytes say; a
    stream that cannot peek is left to tarfile). By ISA-L when installed (``pip install
    'corpuspack[isal]'``), else by the standard library's ``gzip``; either checks each gzip
    member's CRC, which tarfile's own stream reader does not (a changed byte in a deflate
    block gave wrong bytes and no word). CPU in the build's process per member of a 20,000-member
    ``tar czf`` archive: isal 29 us, gzip 44 us, tarfile's reader 51 us."""
    if not hasattr(raw, "peek") or raw.peek(2)[:2] != b"\x1f\x8b":
        return None
    try:
        from isal.igzip import IGzipFile as GzipFile
    except ImportError:
        from gzip import GzipFile
    return GzipFile(fileobj=raw, mode="rb")


def _tar_read(tar: tarfile.TarFile, m: tarfile.TarInfo) -> bytes:
    """A member's bytes straight from the stream, which stands where they start, just after the
    member's header: what ``extractfile(m).read()`` gives, without the two file objects it makes
    around the stream (a third of the archive's CPU cost per member; a sparse member is left to
    ``extractfile``)."""
    tar.fileobj.seek(m.offset_data)  # forward only: where the stream stands
    data = tar.fileobj.read(m.size)
    if len(data) != m.size:
        raise tarfile.ReadError("unexpected end of data")
    return data


class _StrictInfo(tarfile.TarInfo):
    """A tar header that says when it is missing: tarfile ends the archive without a word at a
    header cut short, at no header at all (the archive cut between members) and at a header that is
    not one (damage), where only a block of zeros marks a tar's end: the members after it would be
    lost silently."""

    @classmethod
    def fromtarfile(cls, tar):
        try:
            return super().fromtarfile(tar)
        except (tarfile.TruncatedHeaderError, tarfile.EmptyHeaderError) as e:
            raise tarfile.ReadError(f"no end-of-archive marker ({e}): cut short") from None
        except tarfile.InvalidHeaderError as e:  # (a block of zeros, EOFHeaderError, is the archive's end)
            raise tarfile.ReadError(f"a damaged member header ({e})") from None


def _zip_members(source: Source) -> Iterator[Member]:
    """A zip's members as its central directory lists them, or, when it has none (cut short),
    as the local headers in front of the members give them (:func:`_zip_scanned`)."""
    f = source.seekable()
    try:
        try:
            z = zipfile.ZipFile(f)
        except zipfile.BadZipFile:
            z = None
        if z is not None:
            with z:
                for info in z.infolist():
                    mode = info.external_attr >> 16
                    kind = ("folder" if info.filename.endswith("/") else "symlink" if stat.S_ISLNK(mode)
                            else "special" if stat.S_IFMT(mode) not in (0, stat.S_IFREG) else "file")
                    link = _link(z, info) if kind == "symlink" else ""
                    yield Member(_info_name(info), kind, link, lambda info=info: _opened(z, info), alone=True)
            return
    finally:
        f.close()
    yield from _zip_scanned(source)


def _zip_scanned(source: Source) -> Iterator[Member]:
    """A zip without its central directory, read from its start by the local header in front of
    each member (stream-unzip); a member's bytes must be read before the next one is reached."""
    try:
        from stream_unzip import stream_unzip
    except ImportError:
        raise zipfile.BadZipFile("no central directory (cut short?), and stream-unzip, which reads the members "
                                 "before the cut, is not installed: pip install stream-unzip") from None
    with source.stream() as raw:
        for name, _, chunks in stream_unzip(_chunks(raw)):
            text = _zip_name(name)
            member = Member(text, "folder" if text.endswith("/") else "file", "",
                            lambda chunks=chunks: io.BytesIO(b"".join(chunks)))
            yield member
            for _ in chunks:  # a member not read (a folder, skipped, refused): its bytes passed over
                pass


def _chunks(raw: BinaryIO, size: int = 1 << 20) -> Iterable[bytes]:
    while chunk := raw.read(size):
        yield chunk


class UnreadableMember(OSError):
    """A zip member that cannot be read however whole the archive is: encrypted, or compressed with a
    method Python's zipfile lacks (Deflate64, which Windows writes for large files; PPMd; AES)."""


def _opened(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> BinaryIO:
    if info.flag_bits & 0x1:
        raise UnreadableMember("encrypted (a password protects it): not read")
    try:
        return z.open(info)
    except NotImplementedError as e:  # zipfile: "That compression method is not supported"
        raise UnreadableMember(f"compressed with method {info.compress_type}, which Python's zipfile "
                               f"cannot read ({e}): not read") from None


def _link(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> str:
    """A symbolic link member's target (its bytes), for the report."""
    try:
        with _opened(z, info) as f:
            return f.read().decode("utf-8", "replace")
    except UnreadableMember as e:
        return f"(its target is {e})"


_UTF8_FLAG = 0x800  # a zip member's name is UTF-8 when its general purpose flag says so


def _info_name(info: zipfile.ZipInfo) -> str:
    """A member's name from the central directory: zipfile decodes a name not flagged UTF-8 as cp437,
    but Info-ZIP's ``zip`` on Linux and macOS's Archive Utility write UTF-8 unflagged; read as
    :func:`_zip_name` reads a local header's name (UTF-8 first)."""
    if info.flag_bits & _UTF8_FLAG:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:  # (not what zipfile decoded from cp437)
        return info.filename
    return _zip_name(raw)


def _zip_name(name: bytes) -> str:
    """A member's name from its local header: UTF-8 (what zip tools write, flagged or not), else
    the legacy code page zip's format names (cp437), as zipfile decodes an unflagged name."""
    try:
        return name.decode("utf-8")
    except UnicodeDecodeError:
        return name.decode("cp437")


def _clean(name: str, backslash: bool = True) -> str:
    """A member's name as a relative path: ``/`` separators (and ``backslash`` taken for one, as zip
    tools on Windows write it; in a tar it is a character of the name, as in the unpacked folder),
    no leading ``./``."""
    if backslash:
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
