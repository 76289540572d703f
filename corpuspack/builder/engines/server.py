"""Imported by the workers' fork server only (:data:`.forkserver.PRELOAD`), never by the build's
process or a worker: how the server's children report a failed start.

A worker the server forks while the build's process is ending (Ctrl-C, SIGTERM, a kill) can
fail to start in two ways, both of them the build going away, not a defect: it finds the
build's end of its pipe closed before the preparation data arrives (``EOFError``), or the data
arrived but names the pool's semaphores, which the build removed as it shut its pool down
before the worker read them (``FileNotFoundError`` from multiprocessing's ``SemLock``).
multiprocessing then prints that child's traceback onto the build's terminal, after the build's
own one-line message. Those cases are silent here (the child still exits with status 1, as
before); any other error of a starting worker is printed as before.

Neither the server nor its workers import pandas: pyarrow imports it, when installed, the first
time it converts Python values (to tell a pandas object from a list), which cost the server
~0.3 s of CPU before it could fork the first worker and each of these processes ~35 MB of
resident memory; the per-document code and the finishing of rows never use it. pyarrow treats it
as not installed here (:mod:`.nopandas`).
"""
from __future__ import annotations

import os
import sys

from . import nopandas


nopandas.hide()  # for the server and its workers, for good


def _report(kind, value, tb) -> None:
    if issubclass(kind, EOFError):  # the build's process went away while starting this worker
        return
    if issubclass(kind, FileNotFoundError) and _semaphore_gone(tb):  # its pool shut down meanwhile
        return
    sys.__excepthook__(kind, value, tb)


def _semaphore_gone(tb) -> bool:
    """The error was raised where multiprocessing opens a semaphore by name (``SemLock.__setstate__``)."""
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    code = tb.tb_frame.f_code
    return code.co_name == "__setstate__" and os.path.basename(code.co_filename) == "synchronize.py"


sys.excepthook = _report
