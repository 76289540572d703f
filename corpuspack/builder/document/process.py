"""What the build's process shares with the per-document function (:mod:`.steps`): the SHA-256
of a file, and the size and quality columns of a text (recomputed by pass 3 when it edits a text).

This module imports no per-document step, so the build's process (which finishes rows and hashes,
and hands documents to workers) does not load them; ``process_document`` and ``process_documents``
are still importable from here (they come from :mod:`.steps` on first use).
"""
from __future__ import annotations

import hashlib
import struct


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _f32(x: float) -> float:
    """The value a float32 column will hold, so a row's Python values equal its stored ones."""
    return struct.unpack("f", struct.pack("f", x))[0]


def text_stats(text: str) -> dict:
    """Size and quality columns of a final text (recomputed if a later pass edits it)."""
    from .quality import quality_signals  # imported where a text is measured: a worker, or --jobs 1

    q = quality_signals(text)
    q["mean_line_length"], q["arabic_script_ratio"] = _f32(q["mean_line_length"]), _f32(q["arabic_script_ratio"])
    return {"num_chars": len(text), **q}


def __getattr__(name: str):
    if name in ("process_document", "process_documents"):
        from . import steps

        return getattr(steps, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
