"""The card's charts drawn by a process of their own, started as a build with a process pool starts.

Drawing the charts costs ~1.2 s of CPU, half of it importing matplotlib, at the very end of a
build, when nothing else runs beside it. A build with a process pool starts the painter as it
starts (:func:`start`, called by ``corpuspack.build`` before it imports the builder, and
:func:`beside_build`): a new interpreter (the build's ``sys.path``, nothing inherited) that imports
matplotlib once the build's process has imported the builder and opened its engine, or, for a next
version, once pass 1 is over (:func:`go`: the three imports at once on two cores delayed the build's
start, and beside a next version's pass 1 the import slowed its walk), then waits; at
the end :func:`drawing` hands it the statistics, the build's process writes the
card's text meanwhile, then waits for the charts, drawn by :func:`.charts.draw` as in the build's
process (the same bytes), half of them (:data:`IN_FORK`: the month chart, the slowest, and the
language chart) in a fork of the painter, the others in the painter itself.

The painter runs at a lower priority than the build (:data:`NICE`): its import takes what the
build's processes leave of the cores. If the painter is missing or fails, the charts are drawn in the build's process as before; it ends
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
GO = b"g"  # what the painter waits for before it imports matplotlib (:func:`go`)
DONE = b"ok"  # what it says once the charts are written
#: how much lower the painter's priority is than the build's: its import of matplotlib (~0.45 s of
#: CPU, beside pass 2 of a next version or pass 1 of a first) takes the cores the build's processes
#: leave; at the end, drawing, it is the only one left running (a next version's pass 2 at
#: 100,000 documents: 0.55 s against 0.72, 6 alternated pairs)
NICE = 10


class Painter:
    def __init__(self) -> None:
        self._proc = subprocess.Popen([sys.executable, "-c", _SERVE], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        pickle.dump(list(sys.path), self._proc.stdin)
        self._proc.stdin.flush()
        self._went = False

    def go(self) -> None:
        """Let the painter import matplotlib now (once: :meth:`send` says it too, if not said yet)."""
        if not self._went:
            self._went = True
            with contextlib.suppress(OSError, ValueError):  # it died: send will say so
                self._proc.stdin.write(GO)
                self._proc.stdin.flush()

    def send(self, root: str, stats: dict) -> bool:
        """Hand the painter the charts of ``stats`` to draw into ``root``; whether it took them."""
        try:
            self.go()
            pickle.dump((root, stats), self._proc.stdin)
            self._proc.stdin.close()
            return True
        except (OSError, ValueError):  # it died, or was never fit to draw
            return False

    def done(self) -> bool:
        """Wait for the charts :meth:`send` handed over; whether the painter drew them (it says
        :data:`DONE`, read as it comes: not the end of its output, which comes with its exit)."""
        try:
            return self._proc.stdout.read(len(DONE)) == DONE
        except (OSError, ValueError):
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


def go() -> None:
    """Let the running painter, if any, import matplotlib now (said once the build's process and the
    workers' parent have imported their code; for a next version, once pass 1 is over)."""
    if _current is not None:
        _current.go()


def stop() -> None:
    """End the painter, if one is running."""
    global _current
    painter, _current = _current, None
    if painter is not None:
        painter.close()


@contextlib.contextmanager
def drawing(root: str, stats: dict):
    """The charts of ``stats`` drawn into ``root`` while the body runs (the card's text written
    meanwhile): by this build's painter, which gets the job at once and is waited for on the way
    out; else here, after the body. A body that raises ends the painter without a wait."""
    global _current
    painter, _current = _current, None
    sent = False
    try:
        sent = painter is not None and painter.send(root, stats)
        yield
        if sent and painter.done():
            return
    finally:
        if painter is not None:
            painter.close()
    charts.draw(root, stats)


def serve() -> None:
    """The painter's side, at a lower priority (:data:`NICE`): wait for :func:`go`, import matplotlib, then draw the one job read from
    standard input, half of the charts in a fork of itself (the build's workers have ended by then:
    two cores)."""
    try:
        with contextlib.suppress(AttributeError, OSError):  # (no os.nice on Windows)
            os.nice(NICE)
        if sys.stdin.buffer.read(len(GO)) != GO:  # the build ended first
            return
        charts.prepare()
        root, stats = pickle.load(sys.stdin.buffer)
        if not _draw_in_two(root, stats):
            return
    except BaseException:  # noqa: BLE001 - the build's process draws them itself
        return
    sys.stdout.buffer.write(DONE)
    sys.stdout.buffer.flush()
    os._exit(0)  # the build's process goes on at DONE; an interpreter's teardown with matplotlib loaded is ~0.1 s


#: the charts a fork of the painter draws, the others drawn by the painter itself: the month chart
#: (a bar a month, the slowest) with the language chart, ~0.17 s against ~0.16 for the other two
#: at 100,000 documents (the month chart alone was ~0.12 s against ~0.21)
IN_FORK = ("documents_per_month.png", "documents_per_language.png")


def _draw_in_two(root: str, stats: dict) -> bool:
    names = list(charts.CHARTS)
    if not hasattr(os, "fork"):  # pragma: no cover - Windows
        charts.draw(root, stats)
        return True
    pid = os.fork()
    if pid == 0:  # the child: IN_FORK's charts, from the same state
        code = 1
        try:
            charts.draw(root, stats, [n for n in names if n in IN_FORK])
            code = 0
        finally:
            os._exit(code)
    charts.draw(root, stats, [n for n in names if n not in IN_FORK])
    return os.waitpid(pid, 0)[1] == 0
