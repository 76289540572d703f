"""The tar header reader (inputs/tar_headers.py) against tarfile, the independent reference: the
same members (name, kind, link target, bytes) from archives of every format tarfile writes, with
the names and types that take the reader's plain path and those it hands to tarfile."""
from __future__ import annotations

import gzip
import io
import tarfile

import pytest

from corpuspack.builder.document.inputs import archive, tar_headers


def _add(tar: tarfile.TarFile, name: str, data: bytes | None = None, kind=tarfile.REGTYPE, link: str = "") -> None:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    if data is not None:
        info.size = len(data)
    tar.addfile(info, io.BytesIO(data) if data is not None else None)


def _archive(fmt: int, long_names: bool) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tar:
        _add(tar, "docs", kind=tarfile.DIRTYPE)
        _add(tar, "docs/a.txt", b"first\n")
        _add(tar, "docs/empty.txt", b"")
        _add(tar, "docs/block.txt", b"x" * 512)
        _add(tar, "docs/big.txt", bytes(range(256)) * 41)
        _add(tar, "docs/lines.jsonl", b'{"text": "one"}\n{"text": "two"}\n')
        _add(tar, "docs/link", kind=tarfile.SYMTYPE, link="a.txt")
        _add(tar, "docs/hard", kind=tarfile.LNKTYPE, link="docs/a.txt")
        _add(tar, "docs/pipe", kind=tarfile.FIFOTYPE)
        _add(tar, "docs/\u0645\u0642\u0627\u0644.txt", "\u0646\u0635".encode())
        _add(tar, "d" * 90 + "/" + "e" * 60 + ".txt", b"under a ustar prefix")  # name + prefix
        if long_names:  # a GNU long name or a pax header: read by tarfile from there on
            _add(tar, "f" * 150 + "/" + "g" * 120 + ".txt", b"long")
        _add(tar, "docs/z.txt", b"last")
    return buf.getvalue()


def _members(members) -> list:
    out = []
    for m in members:
        data = None
        if m.kind == "file":
            data = m.data() if len(out) % 2 else m.open().read()  # both ways of reading
        out.append((m.name, m.kind, m.link, data))
    return out


def _reference(raw: bytes) -> list:
    out = []
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
        for m in tar:
            kind = ("folder" if m.isdir() else "file" if m.isreg() else "symlink" if m.issym()
                    else "hardlink" if m.islnk() else "special")
            out.append((m.name, kind, m.linkname, tar.extractfile(m).read() if kind == "file" else None))
    return out


@pytest.mark.parametrize("fmt", [tarfile.GNU_FORMAT, tarfile.USTAR_FORMAT, tarfile.PAX_FORMAT])
@pytest.mark.parametrize("long_names", [False, True])
def test_members_are_tarfiles(fmt, long_names):
    if fmt == tarfile.USTAR_FORMAT and long_names:
        pytest.skip("ustar has no long names")
    raw = _archive(fmt, long_names)
    source = archive.Source("dump.tar.gz", lambda: io.BytesIO(gzip.compress(raw)), None)
    got = _members(archive._tar_members(archive.Source(source.name, lambda: io.BufferedReader(source.stream()), None)))
    assert got == _reference(raw)
    plain = [m for m in tar_headers.headers(tar_headers.Reader(io.BytesIO(raw)))
             if isinstance(m, tar_headers.Plain)]
    # the plain path read the members before the first GNU long name (the ustar-prefixed name is
    # one for GNU) or pax header (the non-ASCII name)
    assert len(plain) == {tarfile.GNU_FORMAT: 10, tarfile.USTAR_FORMAT: 12, tarfile.PAX_FORMAT: 9}[fmt]


def test_a_damaged_header_is_an_error():
    raw = bytearray(_archive(tarfile.GNU_FORMAT, False))
    raw[512 + 10] ^= 0x01  # the name in the second member's header (the folder has no data): its checksum no longer holds
    with pytest.raises(tarfile.ReadError, match="bad checksum"):
        list(tar_headers.headers(tar_headers.Reader(io.BytesIO(bytes(raw)))))
    with pytest.raises(tarfile.ReadError, match="cut short"):
        list(tar_headers.headers(tar_headers.Reader(io.BytesIO(bytes(raw[:512])))))
