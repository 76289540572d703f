"""A zstd stream read frame after frame (``.jsonl.zst``, ``.tar.zst``), cut short said as such.

zstandard's ``stream_reader`` ends quietly where a stream cut short inside a frame ends, so a
truncated ``.jsonl.zst`` lost its last lines (or all of them) without a word. Here the end of the
input inside a frame raises :class:`EOFError` (as gzip does for a cut gzip stream), which the input
readers report as the file cut short (``jsonl.stream_errors``)."""
from __future__ import annotations

import io
from typing import BinaryIO

CHUNK = 1 << 20


class Frames(io.RawIOBase):
    """The decompressed bytes of every frame of ``raw`` in turn."""

    def __init__(self, raw: BinaryIO):
        import zstandard

        self._raw, self._maker = raw, zstandard.ZstdDecompressor()
        self._frame = self._maker.decompressobj()
        self._in_frame = False  # bytes of a frame were fed and its end not reached
        self._out, self._at = b"", 0  # decompressed bytes, and how many of them were read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while self._at == len(self._out):
            chunk = self._raw.read(CHUNK)
            if not chunk:
                if self._in_frame:
                    raise EOFError("the zstd stream ends inside a frame (cut short)")
                return 0
            self._feed(chunk)
        n = min(len(buffer), len(self._out) - self._at)
        buffer[:n] = memoryview(self._out)[self._at:self._at + n]
        self._at += n
        return n

    def _feed(self, chunk: bytes) -> None:
        out = []
        while chunk:
            if self._frame.eof:  # the last frame ended: the next one begins
                self._frame = self._maker.decompressobj()
            out.append(self._frame.decompress(chunk))
            self._in_frame = not self._frame.eof
            chunk = self._frame.unused_data if self._frame.eof else b""
        self._out, self._at = b"".join(out), 0


def reader(raw: BinaryIO) -> io.BufferedReader:
    return io.BufferedReader(Frames(raw), CHUNK)
