"""Ctrl-C held back for a few lines that must not be cut in the middle.

Making a process pool creates named semaphores, each registered with multiprocessing's resource
tracker and then given a finalizer that unlinks it at exit. A Ctrl-C that falls between the two
(the first registration also starts the tracker process, a window of milliseconds) leaves a
semaphore the tracker knows and no one unlinks, and the interrupted build ends with the tracker's
"There appear to be 1 leaked semaphore objects" warning after its one-line message (seen once in a
full test run, ``test_interrupt[work folder made-False-False]``). Within :func:`sigint_deferred`, a
Ctrl-C is only noted; it is raised again, as it came, as soon as the block ends.
"""
from __future__ import annotations

import contextlib
import signal
import threading


@contextlib.contextmanager
def sigint_deferred():
    """Run the block with SIGINT noted, not acted on; deliver it at the end if one came (main
    thread only: elsewhere Python runs no signal handler, and the block runs as it is)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: came.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if came:
            signal.raise_signal(signal.SIGINT)  # to the handler that was there: KeyboardInterrupt by default
