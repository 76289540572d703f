"""A local archive read by a process of its own (a build with --jobs > 1 on the local engine).

Read in the build's process, every member's bytes passed through it on their way to a worker,
and glibc kept the freed blocks of that traffic as free heap to the build's end: the build's
process held ~12 MiB more than a folder's at 100,000 documents, the whole of the archive's
excess of peak memory. Here a reader process streams the archive (:func:`.archive.entries`, the
same members, refusals and damage reports, in the same order), writes each document's bytes to
spool files in the build's work folder, and sends the build's process only the entries, the
bytes replaced by where they lie (:class:`Spooled`); the workers read them with ``os.pread``.

The reader is at most a few messages ahead of the build (a pipe's buffer): the spool holds the
documents in flight, not the archive, and :meth:`Spool.release` removes each spool file once
every document in it is processed. The reader ignores Ctrl-C, which is the build's to handle:
the build ends it (:meth:`Spool.close`, also on any error), and it ends by itself when the
build's process is gone (``at_start``). An error in the reader (a full disk under the spool) is
raised in the build's process; a reader that ended without a word is an error, never an archive's end.
"""
from __future__ import annotations

import errno
import os
import pickle
import shutil
import signal
from collections import Counter
from collections.abc import Iterator
from typing import NamedTuple

from . import Entry, InputOptions, Tally, archive

#: bytes of documents per spool file: the unit in which processed documents are removed
SEGMENT_BYTES = 64 << 20
#: entries per message to the build's process (or fewer, when ``MESSAGE_BYTES`` of documents are spooled)
MESSAGE_ENTRIES = 256
MESSAGE_BYTES = 8 << 20


class Spooled(NamedTuple):
    """A document's bytes in a spool file: a :class:`.Payload`'s ``data`` as the reader sent it."""
    path: str
    offset: int
    length: int

    def read(self) -> bytes:
        fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        try:
            data = os.pread(fd, self.length, self.offset)
        finally:
            os.close(fd)
        if len(data) != self.length:
            raise OSError(errno.EIO, f"the spool file {self.path} ends before {self.offset + self.length:,} bytes")
        return data


class ReaderDied(ChildProcessError):
    """The archive's reader process ended without finishing (killed, out of memory)."""


def _segment(path: str) -> int:
    return int(os.path.basename(path).split(".")[0])


class _Writer:
    """Documents appended to numbered spool files of about ``segment_bytes`` each."""

    def __init__(self, folder: str, segment_bytes: int):
        self.folder, self.segment_bytes = folder, segment_bytes
        self.index, self.path, self.f, self.offset = -1, "", None, 0

    def write(self, data: bytes) -> Spooled:
        if self.f is None or (self.offset and self.offset + len(data) > self.segment_bytes):
            self.close()
            self.index += 1
            self.path = os.path.join(self.folder, f"{self.index:06d}.spool")
            self.f, self.offset = open(self.path, "wb"), 0
        self.f.write(data)
        spooled = Spooled(self.path, self.offset, len(data))
        self.offset += len(data)
        return spooled

    def flush(self) -> None:
        if self.f is not None:
            self.f.flush()  # before the entries naming these bytes are sent

    def close(self) -> None:
        if self.f is not None:
            self.f.close()
            self.f = None


def _read(path: str, opts: InputOptions, folder: str, conn, segment_bytes: int, at_start) -> None:
    """The reader process: the archive's entries to ``conn``, their bytes to spool files in ``folder``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's: it ends this process
    if at_start is not None:
        at_start[0](*at_start[1:])  # e.g. end when the build's process is gone
    fields: list = []
    tally = Tally(fields=lambda name, obj: fields.append((name, obj)))
    writer = _Writer(folder, segment_bytes)
    out: list = []
    sent = tuple(Counter() for _ in tally.counters())
    spooled = 0

    def send() -> None:
        nonlocal out, fields, sent, spooled
        writer.flush()
        counts = [now - before for now, before in zip(tally.counters(), sent)]  # since the last message
        conn.send(("entries", fields, counts, out))
        out, fields, sent, spooled = [], [], tuple(c.copy() for c in tally.counters()), 0

    try:
        for rel, payload in archive.entries(path, opts, tally):
            if payload.data is not None:
                payload = payload._replace(data=writer.write(payload.data))
                spooled += payload.data.length
            out.append((rel, payload))
            if len(out) >= MESSAGE_ENTRIES or spooled >= MESSAGE_BYTES:
                send()
        send()
        conn.send(("end",))
    except BaseException as e:  # said in the build's process, which raises it
        try:
            pickle.dumps(e)
        except Exception:
            e = RuntimeError(f"{type(e).__name__}: {e}")
        try:
            conn.send(("error", e))
        except OSError:  # the build's process is gone
            pass
    finally:
        writer.close()
        conn.close()


class Spool:
    """The entries of the local archive at ``path``, read by a reader process started from
    ``context`` (a multiprocessing context) that spools the documents to ``folder`` (made here,
    removed by :meth:`close`). ``at_start``: ``(function, *args)`` the reader calls first (to end
    with the build's process)."""

    def __init__(self, path: str, opts: InputOptions, folder: str, context, at_start=None,
                 segment_bytes: int = SEGMENT_BYTES):
        self.folder = folder
        os.makedirs(folder)
        self._kept = 0  # the first spool file not removed
        self._conn, child = context.Pipe(duplex=False)
        self.process = context.Process(target=_read, name="corpuspack-archive-reader", daemon=True,
                                       args=(path, opts, folder, child, segment_bytes, at_start))
        try:
            self.process.start()
        finally:
            child.close()  # the reader's end: its ending is then seen here as the pipe's end

    def entries(self, tally: Tally) -> Iterator[Entry]:
        """The archive's entries, as :func:`.archive.entries` gives them, a document's bytes
        replaced by where they are spooled; what the reader counts is added to ``tally``."""
        while True:
            try:
                message = self._conn.recv()
            except EOFError:
                self.process.join(5)
                raise ReaderDied(f"the process reading the archive ended abruptly (exit code "
                                 f"{self.process.exitcode}; killed, or out of memory?). Nothing was "
                                 "written: run the same command again") from None
            if message[0] == "end":
                self.process.join()
                return
            if message[0] == "error":
                self.process.join()
                raise message[1]
            _, fields, counts, out = message
            if tally.fields is not None:
                for name, obj in fields:
                    tally.fields(name, obj)
            for mine, theirs in zip(tally.counters(), counts):
                mine.update(theirs)
            yield from out

    def release(self, items: list) -> None:
        """Remove the spool files before the one holding the last spooled document of ``items``
        (a batch of ``(relative path, source, ...)`` whose results are in, every earlier batch's too)."""
        for item in reversed(items):
            data = getattr(item[1], "data", None)
            if isinstance(data, Spooled):
                for k in range(self._kept, _segment(data.path)):
                    _remove(os.path.join(self.folder, f"{k:06d}.spool"))
                self._kept = max(self._kept, _segment(data.path))
                return

    def close(self) -> None:
        """End the reader (killed if it still runs) and remove the spool files."""
        if self.process.pid is not None:  # started
            if self.process.is_alive():
                self.process.kill()
            self.process.join()
        self._conn.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
