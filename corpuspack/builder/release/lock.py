"""One build at a time per output folder, and what a killed build left there.

A build holds an exclusive lock on ``OUT/.cache/build.lock`` (``flock``: the system drops it when the
process ends, however it ends) from before it picks its version number until it is done. A second
build into the same folder fails at once with a clear error instead of racing the first for the
version and the card. Holding the lock, a build (or ``card``, ``push``) removes the work folders
(``.corpuspack-tmp-*``) and ``.tmp`` files that a killed build left behind, and completes or rolls
back the version it was committing (:mod:`.commit`): no other build can be using them.
"""
from __future__ import annotations

import contextlib
import glob
import os
import shutil
from collections.abc import Iterator

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, and stale work folders stay
    fcntl = None

from .incremental import CACHE_DIR

LOCK_NAME = "build.lock"
TMP_PREFIX = ".corpuspack-tmp-"


class OutputBusy(OSError):
    """Another build holds the output folder."""


@contextlib.contextmanager
def output_lock(out: str) -> Iterator[None]:
    """Hold the output folder for one build; remove the work folders and data files of killed builds
    (and settle a version a killed build was committing, :func:`.commit.recover`)."""
    if fcntl is None:
        yield
        return
    os.makedirs(os.path.join(out, CACHE_DIR), exist_ok=True)
    fd = os.open(os.path.join(out, CACHE_DIR, LOCK_NAME), os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputBusy(f"{out}: another corpuspack build is writing to this folder") from None
        _remove_work_folders(out)
        from .commit import recover  # imports the card's libraries: not needed for the lock alone
        from .versions import list_versions, remove_unreferenced

        recover(out)
        if list_versions(out):  # an output folder (a folder of the user's own is never touched)
            remove_unreferenced(out)  # data files of a build killed before its journal: no version lists them
        try:
            yield
        finally:  # the holder owns every work folder: one made just before an interrupt too
            _remove_work_folders(out)
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def need_output(out: str, what: str) -> None:
    """Raise ValueError (ending with ``what``) unless ``out`` is a corpuspack output: it holds a
    version, or a killed build's journal to settle. A command other than ``build`` checks it before
    it takes the lock, which would leave ``.cache/build.lock`` in a folder of the user's own."""
    from .commit import journal_path
    from .versions import list_versions

    if not list_versions(out) and not os.path.exists(journal_path(out)):
        raise ValueError(f"{out} holds no committed version (no versions/*/manifest.json): {what}")


def _remove_work_folders(out: str) -> None:
    for stale in glob.glob(os.path.join(glob.escape(out), TMP_PREFIX + "*")):
        shutil.rmtree(stale, ignore_errors=True)
