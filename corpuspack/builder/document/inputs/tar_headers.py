"""A tar stream's plain members read with less Python per member than ``tarfile``.

``tarfile`` parses every header field into a ``TarInfo`` (about half of the ~29 us of CPU per
member a build's process spends on a ``tar czf`` archive). Here a header of the common kinds (files,
folders, links, devices and pipes, in the ustar, GNU or v7 format, without a GNU long name or a
pax header before it) is read from the fields a build uses: name (with its ustar prefix), type,
size and link target, decoded as ``tarfile`` decodes them. At the first header of another kind
(GNU long names ``L``/``K``, pax ``x``/``g``, sparse ``S``, anything else) the rest of the stream,
that header included, is handed to ``tarfile``. The stream is read in pieces of ``tarfile``'s
record size (10,240 bytes), as ``tarfile``'s own stream reader reads it, so damage in a
compressed stream is met at the same member.

Damage is a ``tarfile.ReadError`` as with ``archive._StrictInfo``: a header cut short or missing
(only a block of zeros ends a tar), a header whose checksum is wrong, member data cut short.
"""
from __future__ import annotations

import io
import sys
import tarfile
from collections.abc import Iterator
from typing import BinaryIO, NamedTuple

BLOCK = tarfile.BLOCKSIZE
RECORD = tarfile.RECORDSIZE  # what tarfile's stream reader asks of the stream at a time
ENCODING = sys.getfilesystemencoding()  # tarfile's defaults for names in a ustar/GNU header
ERRORS = "surrogateescape"
KINDS = {b"0": "file", b"\0": "file", b"7": "file", b"5": "folder", b"2": "symlink", b"1": "hardlink",
         b"3": "special", b"4": "special", b"6": "special"}
#: types whose size is data to pass over (tarfile skips data only for regular files)
WITH_DATA = (b"0", b"\0", b"7")
ZEROS = bytes(BLOCK)
CHECKSUM_SPACES = 8 * 0x20  # the checksum field counts as spaces in the sum


class Plain(NamedTuple):
    """A member read here: its name, kind (as archive.Member), link target and its data."""
    name: str
    kind: str
    link: str
    data: "Part"


class Other(NamedTuple):
    """A header of another kind: ``stream`` gives it and the rest of the archive, for tarfile."""
    stream: BinaryIO


class Reader:
    """The uncompressed tar stream ``raw`` read in RECORD pieces; ``read(n)`` gives its next ``n``
    bytes (fewer only at its end)."""

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        self.buf = b""
        self.pos = 0

    def read(self, n: int) -> bytes:
        buf, pos = self.buf, self.pos
        end = pos + n
        if end <= len(buf):
            self.pos = end
            return buf[pos:end]
        parts, have = [buf[pos:]], len(buf) - pos
        chunk = b""
        while have < n:
            chunk = self.raw.read(RECORD)
            if not chunk:
                self.buf, self.pos = b"", 0
                return b"".join(parts)
            parts.append(chunk)
            have += len(chunk)
        keep = len(chunk) - (have - n)  # of the last piece, what belongs to these n bytes
        parts[-1] = chunk[:keep]
        self.buf, self.pos = chunk, keep
        return b"".join(parts)

    def skip(self, n: int) -> None:
        while n > 0:
            step = min(n, 1 << 20)
            if len(self.read(step)) != step:
                raise tarfile.ReadError("unexpected end of data")
            n -= step

    def rest(self) -> BinaryIO:
        """What is left: the bytes read ahead, then the stream."""
        return _Joined(self.buf[self.pos:], self.raw)


class _Joined(io.RawIOBase):
    def __init__(self, head: bytes, raw: BinaryIO):
        self.head, self.raw = head, raw

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self.head:
            if n is None or n < 0:
                data, self.head = self.head + self.raw.read(), b""
                return data
            data, self.head = self.head[:n], self.head[n:]
            return data
        return self.raw.read(n)

    def readinto(self, b) -> int:
        data = self.read(len(b))
        b[:len(data)] = data
        return len(data)


class Part:
    """A member's data, read from the stream where it lies: whole (:meth:`read_all`) or as a
    file (:meth:`open`)."""
    __slots__ = ("reader", "left")

    def __init__(self, reader: Reader, size: int):
        self.reader, self.left = reader, size

    def read(self, n: int) -> bytes:
        n = min(n, self.left)
        data = self.reader.read(n)
        if len(data) != n:
            raise tarfile.ReadError("unexpected end of data")
        self.left -= n
        return data

    def read_all(self) -> bytes:
        return self.read(self.left)

    def open(self) -> BinaryIO:
        return io.BufferedReader(_PartFile(self))


class _PartFile(io.RawIOBase):
    def __init__(self, part: Part):
        self.part = part

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        data = self.part.read(len(b))
        b[:len(data)] = data
        return len(data)


def headers(reader: Reader) -> Iterator[Plain | Other]:
    """The members of the tar that ``reader`` reads, to its end-of-archive block (the stream is
    left just after it). Of each :class:`Plain` member's data, what was not read when the next one
    is asked for is passed over here, with its padding. An :class:`Other` ends the iteration."""
    while True:
        buf = reader.read(BLOCK)
        if len(buf) != BLOCK:
            said = "empty header" if not buf else "truncated header"
            raise tarfile.ReadError(f"no end-of-archive marker ({said}): cut short")
        if buf == ZEROS:
            return
        kind_byte = buf[156:157]
        kind = KINDS.get(kind_byte)
        if kind is None or buf[124] in (0o200, 0o377):  # another kind, or a size in base-256
            _check(buf)
            yield Other(_Joined(buf, reader.rest()))
            return
        _check(buf)
        name = _text(buf[0:100])
        if kind_byte == b"\0" and name.endswith("/"):
            kind = "folder"
        if kind == "folder":
            name = name.rstrip("/")
        prefix = _text(buf[345:500])
        if prefix:
            name = prefix + "/" + name
        size = _number(buf[124:136]) if kind_byte in WITH_DATA else 0  # tarfile reads no data of the others
        if size < 0:
            raise tarfile.ReadError("a damaged member header (negative size)")
        part = Part(reader, size)
        yield Plain(name, kind, _text(buf[157:257]), part)
        reader.skip(part.left + (-size % BLOCK))


def _check(buf: bytes) -> None:
    """tarfile's checks of a header: its checksum (unsigned, or signed as some old tars wrote it)."""
    stored = _number(buf[148:156])
    if stored != sum(buf) - sum(buf[148:156]) + CHECKSUM_SPACES and stored not in tarfile.calc_chksums(buf):
        raise tarfile.ReadError("a damaged member header (bad checksum)")


def _text(field: bytes) -> str:
    end = field.find(b"\0")
    return (field if end < 0 else field[:end]).decode(ENCODING, ERRORS)


def _number(field: bytes) -> int:
    """A number field as tarfile.nti reads it (octal digits to a NUL, spaces around; base-256 when
    its first byte says)."""
    try:
        if field[0] in (0o200, 0o377):
            return tarfile.nti(field)
        end = field.find(b"\0")
        return int((field if end < 0 else field[:end]).decode("ascii").strip() or "0", 8)
    except (ValueError, tarfile.InvalidHeaderError):
        raise tarfile.ReadError("a damaged member header (invalid header)") from None
