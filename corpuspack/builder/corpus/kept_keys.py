"""The finish keys of the last build, kept per stage batch, so that the next build settles the
key task (:func:`.finish.key_task`) of a batch whose inputs are all unchanged without a worker.

Each stage batch's keys are kept under a 128-bit digest of *every* input of its key task: the
options, code and published schema (the fingerprint and the context), the sidecar manifests'
bytes, the batch's ids, file names and SHA-256, the lines of its rows that are repeated across
the corpus, and its corpus-level decisions (duplicate ids, exact and near duplicates). Any change
to any of them gives another digest, and the batch's keys are computed again. The digests and
the keys are in one Arrow file, ``OUT/.cache/keys-FINGERPRINT.arrow``: a record batch of
:data:`.finish.KEY_SCHEMA` per stage batch, the digests in the schema's metadata (in batch order).
"""
from __future__ import annotations

import json
import os

import pyarrow as pa
import xxhash

from .finish import hash_set, repeated_line_hits
from .stage import shared_reader

#: changes when what the digest covers changes (old files then match nothing)
FORMAT = "keys-2"
_META = b"corpuspack.batch_digests"
_COLUMNS = ("id", "file_name", "sha256", "_line_hashes")
_DECIDED = ("id_owner", "exact_of", "cluster", "cluster_size", "representative")


def _manifest_digest(paths: tuple[str, ...]) -> str:
    """The manifests as read: each one's format (its extension) and bytes, in order (not where
    they lie: the fields of JSON Lines input are a manifest in the build's work folder)."""
    h = xxhash.xxh3_128()
    for p in paths:
        h.update(repr(os.path.splitext(p)[1].lower()).encode("utf-8", "surrogatepass"))
        with open(p, "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(len(chunk).to_bytes(8, "little"))
                h.update(chunk)
        h.update(b"|end|")
    return h.hexdigest()


def context_text(ctx) -> bytes:
    """What every batch of a build shares: the options and code, the schema, the manifests."""
    manifest = _manifest_digest(ctx.manifest_paths) if ctx.manifest_paths else ""
    parts = (FORMAT, ctx.fingerprint, str(ctx.schema), sorted(ctx.drop_quality), ctx.near_drop, ctx.splits, manifest)
    return repr(parts).encode("utf-8", "surrogatepass")


def add_array(h, array: pa.Array) -> None:
    """An array's type, length, offset and buffers into ``h`` (an xxhash object; also the digest of a
    stage range's content, :mod:`.scans`): the same digest means the same values (the bytes under null slots count too: equal values may still differ there, which
    only costs a recomputation)."""
    h.update(f"{array.type}|{len(array)}|{array.offset}|".encode())
    for buf in array.buffers():
        if buf is None:
            h.update(b"-")
        else:
            h.update(len(buf).to_bytes(8, "little"))
            h.update(buf)


def stage_part(stage_path: str, index: int, repeated: tuple[int, ...]) -> bytes:
    """The 128-bit digest of what a key task reads of stage batch ``index``: its ids, file names and
    SHA-256, and the lines of its rows that are repeated across the corpus (``repeated``)."""
    batch = shared_reader(stage_path, _COLUMNS).get_batch(index)
    h = xxhash.xxh3_128()
    for c in _COLUMNS[:3]:
        add_array(h, batch.column(c))
    rows, hashes = repeated_line_hits(batch.column("_line_hashes"), hash_set(repeated)[1])
    h.update(rows.tobytes())
    h.update(b"|")
    h.update(hashes.tobytes())
    return h.digest()


def stage_parts_task(task: tuple[int, int, int, int], stage_path: str, repeated: tuple[int, ...]) -> list[bytes]:
    """:func:`stage_part` of each batch of one range of stage batches (``(first, end, ...)``, see
    :func:`.duplicates.scan_ranges`): what a worker computes ahead of :meth:`KeptKeys.settled`."""
    first, end = task[0], task[1]
    return [stage_part(stage_path, i, repeated) for i in range(first, end)]


def batch_digest(task: tuple[int, pa.RecordBatch], ctx, context: bytes, part: bytes | None = None) -> str:
    """The digest of every input of ``finish.key_task(task, ctx)`` (``ctx``: a FinishContext;
    ``context``: its :func:`context_text`; ``part``: the batch's :func:`stage_part`, if computed
    already)."""
    index, decisions = task
    h = xxhash.xxh3_128()
    h.update(context)
    h.update(part if part is not None else stage_part(ctx.stage_path, index, ctx.repeated))
    for c in _DECIDED:
        add_array(h, decisions.column(c))
    return h.hexdigest()


class KeptKeys:
    """The kept keys of the last build (``path``; none if missing or unreadable), and this build's
    digest of each batch, recorded as :meth:`settled` is asked about each."""

    def __init__(self, path: str | None, schema: pa.Schema):
        self.schema = schema
        self.digests: dict[int, str] = {}
        self._where: dict[str, int] = {}
        self._reader = None
        self.path = None  # the file, when it holds keys to take (an engine's tasks open it themselves)
        self._context: tuple | None = None
        if path and os.path.isfile(path):
            try:
                reader = pa.ipc.open_file(pa.memory_map(path, "r"))
                digests = json.loads((reader.schema.metadata or {}).get(_META, b"[]"))
                if reader.schema.remove_metadata().equals(schema) and len(digests) == reader.num_record_batches:
                    self._reader, self.path = reader, path
                    self._where = {d: i for i, d in enumerate(digests)}
            except (OSError, ValueError, pa.ArrowInvalid):
                pass

    def settled(self, task: tuple[int, pa.RecordBatch], ctx, part: bytes | None = None) -> pa.RecordBatch | None:
        """The keys of the task's batch as the last build computed them, when every input of its
        key task is the same; None else (the task is then run). ``part``: the batch's
        :func:`stage_part`, if computed already (else here)."""
        index, decisions = task
        if self._context is None or self._context[0] is not ctx:  # read once a build (a manifest may change between builds)
            self._context = (ctx, context_text(ctx))
        digest = self.digests[index] = batch_digest(task, ctx, self._context[1], part)
        at = self._where.get(digest)
        if at is None:
            return None
        try:
            kept = self._reader.get_batch(at)
        except (OSError, pa.ArrowInvalid):  # a damaged file: the keys are computed
            return None
        if kept.num_rows != decisions.num_rows:
            return None
        return pa.RecordBatch.from_arrays(kept.columns, schema=self.schema)

    def write(self, path: str, parts: list[pa.RecordBatch]) -> None:
        """This build's keys (``parts``: one batch per stage batch, in order) to ``path``."""
        digests = [self.digests[i] for i in range(len(parts))]
        schema = self.schema.with_metadata({_META: json.dumps(digests).encode()})
        tmp = path + ".tmp"
        with pa.ipc.new_file(tmp, schema) as w:
            for part in parts:
                w.write_batch(pa.RecordBatch.from_arrays(part.columns, schema=schema))
        os.replace(tmp, path)
