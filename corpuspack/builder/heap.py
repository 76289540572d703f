"""Memory that a finished step freed, handed back to the system.

Freed memory stays in the process's resident size while the allocator keeps it for later:
glibc's heap, where many blocks of a few kB (documents read from an archive and sent to the
workers) leave free pages between the blocks still in use, and Arrow's pool (mimalloc), which
keeps what a large step used (a restaging: ~90 MB at 100,000 documents). The build's process
holds that memory to its end, beside the workers, so it counts in the build's peak.
"""
from __future__ import annotations

import ctypes

import pyarrow as pa


def give_back() -> None:
    """Return the free pages of Arrow's pool and of the C heap (glibc's ``malloc_trim``; a no-op
    with another C library)."""
    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass
