"""The process the build's workers are forked from, started early with the per-document code
already imported.

Workers come from a fork server (never from a fork of the build's process, which may run
threads). By default each worker imports the per-document code itself (~0.8 s). Preloaded,
the server imports it once, and :func:`warm_up` starts the server as soon as a build is
asked for, so that import runs on another core while the build's process imports the rest;
workers forked later start with everything loaded (:mod:`.warm`: the code and its tables).

A worker runs only package code (the per-document function and its options), so it is not
told to re-run the parent's main module, as multiprocessing's fork server and spawn otherwise
do in every worker. A script that calls ``corpuspack.build`` at its top level, without the
``if __name__ == "__main__":`` guard, then builds once instead of every worker failing as it
calls ``build`` again while it starts (a bare ``BrokenProcessPool`` in the parent).
"""
from __future__ import annotations

import io
import multiprocessing
import multiprocessing.context
import os
import select
import threading
import time

from multiprocessing import spawn, util

try:
    import multiprocessing.forkserver
    from multiprocessing import popen_forkserver
except ImportError:  # a platform without a fork server (Windows): workers are spawned
    popen_forkserver = None

#: imported by the fork server before it forks any worker (:mod:`.server`: a worker whose build
#: went away while it started ends without a traceback)
PRELOAD = ["corpuspack.builder.engines.server", "corpuspack.builder.engines.warm"]

#: the keys of multiprocessing's preparation data that make a new process import the parent's
#: main module (from its file, or by module name for ``python -m``)
_MAIN_KEYS = ("init_main_from_path", "init_main_from_name")


if popen_forkserver is not None:

    class _Popen(popen_forkserver.Popen):
        """The fork server's process launcher, sending the preparation data without the main module.
        Apart from that filter, the steps of ``popen_forkserver.Popen._launch``."""

        def _launch(self, process_obj):
            prep_data = spawn.get_preparation_data(process_obj._name)
            for key in _MAIN_KEYS:
                prep_data.pop(key, None)
            buf = io.BytesIO()
            multiprocessing.context.set_spawning_popen(self)
            try:
                multiprocessing.context.reduction.dump(prep_data, buf)
                multiprocessing.context.reduction.dump(process_obj, buf)
            finally:
                multiprocessing.context.set_spawning_popen(None)
            self.sentinel, w = multiprocessing.forkserver.connect_to_new_process(self._fds)
            parent_w = os.dup(w)  # kept open: the child's sign that this process still lives
            self.finalizer = util.Finalize(self, util.close_fds, (parent_w, self.sentinel))
            with open(w, "wb", closefd=True) as f:
                f.write(buf.getbuffer())
            self.pid = multiprocessing.forkserver.read_signed(self.sentinel)


    class _Process(multiprocessing.context.ForkServerProcess):
        @staticmethod
        def _Popen(process_obj):
            return _Popen(process_obj)

        def run(self):
            """The worker's loop; it ends without a traceback when its task queue is closed under it
            (the build is stopping its pool: another worker died, or the build was stopped), where
            multiprocessing prints the waiting worker's ``EOFError`` on the build's terminal."""
            try:
                super().run()
            except EOFError:
                raise SystemExit(1) from None

    class _Context(multiprocessing.context.ForkServerContext):
        Process = _Process


def context():
    """The multiprocessing context of the build's process pool (spawn where there is no fork
    server; spawned workers import the per-document code themselves)."""
    if popen_forkserver is None:
        return multiprocessing.get_context("spawn")
    ctx = _Context()
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def warm_up() -> None:
    """Start the fork server now (it imports :data:`PRELOAD` in the background; no wait)."""
    if popen_forkserver is not None:
        context()
        multiprocessing.forkserver.ensure_running()


def end_with(pid: int) -> None:
    """Make this worker end when the process ``pid`` (the build) ends, however it ends.

    A worker blocks on its task queue, whose write end it holds itself, so it never sees the
    build die; the fork server and multiprocessing's resource tracker live as long as a worker
    holds their pipes. Killed with SIGKILL, the build cannot stop them: each worker watches it
    (a pidfd on Linux, else a poll each second) and exits when it is gone; then the fork server
    and the resource tracker see the ends of their pipes close and exit too."""
    def watch() -> None:
        try:
            fd = os.pidfd_open(pid)
        except (AttributeError, OSError):
            fd = None
        if fd is not None:
            select.select([fd], [], [])  # readable once the process has ended
        else:  # pragma: no cover - without pidfd (macOS, old kernels)
            while _alive(pid):
                time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="corpuspack-end-with-build", daemon=True).start()


def _alive(pid: int) -> bool:  # pragma: no cover - the fallback of end_with
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
