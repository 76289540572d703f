"""The per-document stages as one pure function: bytes and options in, record out.

``process_document`` reads nothing but its arguments and touches no global
state it does not own, so the same code runs in-process, in a process pool or
on a distributed engine. Corpus-level steps (duplicates, repeated lines,
manifest join, splits) are later passes over the Arrow data it produces.
"""
from __future__ import annotations

import hashlib
import struct

from .clean import clean_lines, normalize
from .decode import Rejected, decode
from .discover import doc_id
from .fingerprint import fingerprints
from .language import detect_language
from .metadata import extract_metadata
from .options import DocOptions
from .digest import doc_digest
from .quality import quality_signals


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _f32(x: float) -> float:
    """The value a float32 column will hold, so a row's Python values equal its stored ones."""
    return struct.unpack("f", struct.pack("f", x))[0]


def text_stats(text: str) -> dict:
    """Size and quality columns of a final text (recomputed if a later pass edits it)."""
    q = quality_signals(text)
    q["mean_line_length"], q["arabic_script_ratio"] = _f32(q["mean_line_length"]), _f32(q["arabic_script_ratio"])
    return {"num_chars": len(text), **q}


def process_document(rel_path: str, data: bytes, opts: DocOptions, *, sha256: str | None = None) -> dict:
    """One input file to one stage record; raises :class:`Rejected` for a file that cannot be a row."""
    decoded = decode(data)
    normalized = normalize(decoded.text)
    cleaned = clean_lines(normalized)
    if not cleaned.text.strip():
        raise Rejected("empty", "nothing is left after removing boilerplate lines")
    meta = extract_metadata(normalized)
    language, score, method = detect_language(cleaned.text)
    score = _f32(score)
    fp = fingerprints(cleaned.text, num_perm=opts.num_perm, shingle=opts.shingle_size)
    record = {
        "id": doc_id(rel_path),
        "file_name": rel_path,
        "text": cleaned.text,
        **meta,
        "url": None,
        "language": language,
        "language_score": score,
        "language_method": method,
        "sha256": sha256 or sha256_hex(data),
        "encoding": decoded.encoding,
        "removed_lines": cleaned.removed_lines,
        **text_stats(cleaned.text),
        "_exact_key": fp["exact_key"],
        "_minhash": fp["minhash"],
        "_line_hashes": fp["line_hashes"],
        "_line_index": fp["line_index"],
    }
    record["_doc_digest"] = doc_digest(record)
    return record
