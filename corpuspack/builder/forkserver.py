"""The process the build's workers are forked from, started early with the per-document code
already imported.

Workers come from a fork server (never from a fork of the build's process, which may run
threads). By default each worker imports the per-document code itself (~0.8 s). Preloaded,
the server imports it once, and :func:`warm_up` starts the server as soon as a build is
asked for, so that import runs on another core while the build's process imports the rest;
workers forked later start with everything loaded.
"""
from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver

#: imported by the fork server before it forks any worker
PRELOAD = ["corpuspack.builder.engine"]


def context():
    """The multiprocessing context of the build's process pool."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def warm_up() -> None:
    """Start the fork server now (it imports :data:`PRELOAD` in the background; no wait)."""
    context()
    multiprocessing.forkserver.ensure_running()
