"""Imported by the workers' fork server only (:data:`.forkserver.PRELOAD`), never by the build's
process or a worker: how the server's children report a failed start.

A worker the server forks while the build's process is ending (Ctrl-C, SIGTERM, a kill) finds
the build's end of its pipe closed before the preparation data arrives; multiprocessing then
prints an ``EOFError`` traceback from that child onto the build's terminal, after the build's
own one-line message. That case is silent here (the child still exits with status 1, as
before); any other error of a starting worker is printed as before.
"""
from __future__ import annotations

import sys


def _report(kind, value, tb) -> None:
    if issubclass(kind, EOFError):  # the build's process went away while starting this worker
        return
    sys.__excepthook__(kind, value, tb)


sys.excepthook = _report
