"""The card's charts drawn by a process of their own, started as a build with a process pool starts.

Drawing the charts costs ~1.2 s of CPU, half of it importing matplotlib, at the very end of a
build, when nothing else runs beside it. A build with a process pool starts the painter as it
starts (:func:`start`, called by ``corpuspack.build`` before it imports the builder, and
:func:`beside_build`): a new interpreter (the build's ``sys.path``, nothing inherited) imports
matplotlib while the build's process imports the builder and the workers' fork server its code,
then waits; at the end :func:`draw` hands it the statistics and waits for the charts, drawn by
:func:`.charts.draw` as in the build's process (the same bytes), half of them in a fork of the
painter.

If the painter is missing or fails, the charts are drawn in the build's process as before; it ends
with the build however the build ends (its input closes: it reads end of file and exits).
"""
from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys

from . import charts

_SERVE = ("import pickle, sys; sys.path[:] = pickle.load(sys.stdin.buffer); "
          "from corpuspack.builder.release.painter import serve; serve()")

_current: "Painter | None" = None


class Painter:
    def __init__(self) -> None:
        self._proc = subprocess.Popen([sys.executable, "-c", _SERVE], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        pickle.dump(list(sys.path), self._proc.stdin)
        self._proc.stdin.flush()

    def draw(self, root: str, stats: dict) -> bool:
        """Have the painter draw the charts of ``stats`` into ``root``; whether it did."""
        try:
            pickle.dump((root, stats), self._proc.stdin)
            self._proc.stdin.close()
            return self._proc.stdout.read() == b"ok"
        except (OSError, ValueError):  # it died, or was never fit to draw
            return False

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._proc.stdin.close()
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        self._proc.stdout.close()


@contextlib.contextmanager
def beside_build(enabled: bool):
    """Within it, this build's painter (if ``enabled`` and matplotlib is installed: started now, if
    :func:`start` has not started it already) is the one :func:`draw` uses; ended on the way out,
    however the build ends. Not ``enabled``: a painter started early is ended at once."""
    if enabled:
        start()
    else:
        stop()
    try:
        yield
    finally:
        stop()


def start() -> None:
    """Start a painter now, if matplotlib is installed and none is running; no wait."""
    global _current
    if _current is None and charts.available():
        try:
            _current = Painter()
        except OSError:  # no process to be had: the build's process draws
            _current = None


def stop() -> None:
    """End the painter, if one is running."""
    global _current
    painter, _current = _current, None
    if painter is not None:
        painter.close()


def draw(root: str, stats: dict) -> None:
    """The charts of ``stats`` in ``root``: by this build's painter, else here."""
    global _current
    painter, _current = _current, None
    if painter is not None:
        try:
            if painter.draw(root, stats):
                return
        finally:
            painter.close()
    charts.draw(root, stats)


def serve() -> None:
    """The painter's side: import matplotlib, then draw the one job read from standard input,
    half of the charts in a fork of itself (the build's workers have ended by then: two cores)."""
    try:
        charts.prepare()
        root, stats = pickle.load(sys.stdin.buffer)
        if not _draw_in_two(root, stats):
            return
    except BaseException:  # noqa: BLE001 - the build's process draws them itself
        return
    sys.stdout.buffer.write(b"ok")


def _draw_in_two(root: str, stats: dict) -> bool:
    names = list(charts.CHARTS)
    if not hasattr(os, "fork"):  # pragma: no cover - Windows
        charts.draw(root, stats)
        return True
    pid = os.fork()
    if pid == 0:  # the child: every other chart, from the same state as its parent
        code = 1
        try:
            charts.draw(root, stats, names[1::2])
            code = 0
        finally:
            os._exit(code)
    charts.draw(root, stats, names[::2])
    return os.waitpid(pid, 0)[1] == 0
