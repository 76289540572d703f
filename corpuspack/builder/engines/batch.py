"""Pass 1's work on one batch of files, run by a worker (or in the build's process with
``--jobs 1``): read each file (or take a cached row), then the per-document function
(:mod:`..document.steps`) over the batch.

Imported by the workers' fork server (:mod:`.warm`), never by the build's process when it runs a
process pool: the build hands the pool :func:`.local.process_batch`, which imports this module
where it runs.
"""
from __future__ import annotations

import pyarrow as pa
import xxhash

from ..document.decode import Rejected
from ..document.inputs import Payload
from ..document.inputs.spool import Spooled
from ..document.process import sha256_hex
from ..document.steps import process_documents
from ..options import DocOptions
from ..corpus.dedup import band_column, choose_bands
from ..corpus.stage import STAGE_SCHEMA
from ..document.storage import Reader
from .local import _LOCAL, Item, Known


def payload_stamp(payload: Payload) -> int:
    """What stands for a document's modification time when the input stream read it (an archive
    member, a JSON line): -1, or (below -1) a hash of the id the input gave it, so that a cached
    row stands only for the same bytes and the same given id (never judged by a file's status)."""
    if payload.doc_id is None:
        return -1
    return -2 - (xxhash.xxh3_64_intdigest(payload.doc_id.encode("utf-8", "surrogatepass")) >> 2)


def _same_id(source: "str | Payload", known: Known) -> bool:
    """A cached row with the bytes of ``source`` has the id ``source`` would get: both ids come
    from the name (a file, or a stream document without a given id whose row was not made from
    one), or both were given and are the same."""
    if isinstance(source, str) or source.doc_id is None:
        return known.mtime_ns >= -1
    return known.mtime_ns == payload_stamp(source)


#: bytes of documents a worker reads before it processes them (a batch of large files is processed
#: in parts, so a worker holds a small multiple of one large file, not of the batch's files)
CHUNK_BYTES = 8 << 20


def _too_large(rel: str, size: int, limit: int) -> dict:
    return {"file_name": rel, "reason": "too_large", "detail": f"{size:,} bytes, more than --max-file-size {limit:,}"}


def process_batch(items: list[Item], opts: DocOptions, reader: Reader = _LOCAL,
                  ) -> tuple[pa.RecordBatch, list[dict], list[str]]:
    """Process a batch of files (read through ``reader``). Never raises for one bad file.

    Returns (stage records of the processed files, rejections, outcome per item):
    an outcome is ``new`` (a row of the records, in order), ``cached`` (the file
    still has the size and modification time, or else the SHA-256, the cache knows:
    the cached row stands) or ``rejected``.
    """
    # read what must be processed (in item order, so the outcomes, records and rejections
    # keep it), then process those documents together (see process_documents)
    outcomes: list = []  # per item: "cached", a rejection (dict), or (index in todo, size, mtime)
    todo: list[tuple[str, bytes, str, str | None]] = []
    done: list = []  # results of todo[:len(done)]
    pending = 0  # bytes read and not processed yet

    def process_pending() -> None:
        nonlocal pending
        start = len(done)
        done.extend(process_documents(todo[start:], opts))
        for i in range(start, len(todo)):  # their bytes are no longer needed
            todo[i] = (todo[i][0], b"", todo[i][2], todo[i][3])
        pending = 0

    for rel, source, known in items:
        if isinstance(source, Payload):
            if source.data is None:
                reason, detail = source.refused
                outcomes.append({"file_name": rel, "reason": reason, "detail": detail})
                continue
            spooled = isinstance(source.data, Spooled)
            size = source.data.length if spooled else len(source.data)
            mtime, given_id = payload_stamp(source), source.doc_id
            if opts.max_file_size and size > opts.max_file_size:
                outcomes.append(_too_large(rel, size, opts.max_file_size))
                continue
            data = source.data.read() if spooled else source.data  # an archive's reader process spooled it
        else:
            try:
                st = reader.stat(source)
                if known is not None and known.stands(st):
                    outcomes.append("cached")
                    continue
                if opts.max_file_size and st.st_size > opts.max_file_size:
                    outcomes.append(_too_large(rel, st.st_size, opts.max_file_size))
                    continue
                data = reader.read(source, st.st_size, opts.max_file_size)
            except OSError as e:
                outcomes.append({"file_name": rel, "reason": "unreadable", "detail": f"{type(e).__name__}: {e.strerror or e}"})
                continue
            size, mtime, given_id = st.st_size, st.st_mtime_ns, None
        digest = sha256_hex(data)
        if known is not None and digest == known.sha256 and _same_id(source, known):
            outcomes.append("cached")
            continue
        outcomes.append((len(todo), size, mtime))
        todo.append((rel, data, digest, given_id))
        pending += len(data)
        if pending > CHUNK_BYTES:  # a few large files: processed before more is read
            process_pending()
    process_pending()
    records, rejections, kinds = [], [], []
    for outcome in outcomes:
        if isinstance(outcome, tuple):
            at, size, mtime = outcome
            rel, _, digest, _ = todo[at]
            result = done[at]
            if not isinstance(result, Exception):
                result["_size"], result["_mtime_ns"] = size, mtime
                records.append(result)
                kinds.append("new")
                continue
            if isinstance(result, Rejected):
                reason, detail = result.reason, result.detail
            else:  # a defect met on one document must not abort the build
                reason, detail = "error", f"{type(result).__name__}: {result}"
            outcome = {"file_name": rel, "reason": reason, "detail": detail, "sha256": digest}
        if isinstance(outcome, dict):
            rejections.append(outcome)
            kinds.append("rejected")
        else:
            kinds.append(outcome)
    return with_bands(pa.RecordBatch.from_pylist(records, schema=_RECORD_SCHEMA), opts), rejections, kinds


#: the stage's columns the per-document function fills: all but ``_bands``, the last
assert STAGE_SCHEMA.names[-1] == "_bands"
_RECORD_SCHEMA = STAGE_SCHEMA.remove(len(STAGE_SCHEMA) - 1)


def with_bands(records: pa.RecordBatch, opts: DocOptions) -> pa.RecordBatch:
    """A batch of stage records (every column but ``_bands``) with its ``_bands`` column: the LSH band
    hashes of its signatures (:func:`..corpus.dedup.band_column`, the bands of ``opts``), hashed for
    the whole batch at once."""
    bands, rows = choose_bands(opts.near_dup_candidate_threshold, opts.num_perm)
    return pa.RecordBatch.from_arrays([*records.columns, band_column(records.column("_minhash"), bands, rows)],
                                      schema=STAGE_SCHEMA)
