"""The build manifest of a version: what went in, with which options and
software, and what came out. It is all a researcher needs to reproduce or cite
the version, and it is what ``versions``, ``diff`` and ``verify`` read."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import platform
from dataclasses import asdict
from importlib.metadata import PackageNotFoundError, version as pkg_version

import pyarrow as pa

from ... import __version__, schema
from ..options import BuildOptions
from .write import Shard, writer_manifest

SOFTWARE = ("datasets", "pyarrow", "langdetect", "pycld2", "charset-normalizer", "rensa", "hijridate", "jdatetime",
            "matplotlib")  # matplotlib: the charts (another version may draw other bytes)
LANGDETECT_SEED = 0


class InputDigest:
    """SHA-256 over (relative path, SHA-256 of bytes) of every file, in discovery order."""

    def __init__(self) -> None:
        self._h = hashlib.sha256()
        self.files = 0

    def add(self, records: pa.Table, rejections: list[dict]) -> None:
        pairs = list(zip(records.column("file_name").to_pylist(), records.column("sha256").to_pylist()))
        pairs += [(r["file_name"], r.get("sha256") or "unreadable") for r in rejections]
        for name, digest in sorted(pairs):
            self._h.update(f"{name}\0{digest}\n".encode("utf-8", "surrogateescape"))
        self.files += len(pairs)

    def hexdigest(self) -> str:
        return self._h.hexdigest()


def software_versions() -> dict:
    out = {"corpuspack": __version__, "python": platform.python_version()}
    for name in SOFTWARE:
        try:
            out[name] = pkg_version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def release_date() -> str:
    """The date a version is stamped with: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else today (UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch else dt.datetime.now(dt.timezone.utc)
    return when.date().isoformat()


def version_manifest(*, version, previous, shards: dict[str, list[Shard]], features, inputs: InputDigest,
                     options: BuildOptions, counts: dict, changes: dict | None = None, work: dict | None = None,
                     card: dict | None = None) -> dict:
    opts = {k: v for k, v in asdict(options).items()
            if k not in {"name", "jobs", "progress", "replace", "batch_size", "git", "license", "card_fields",
                          "engine", "address", "ray_shuffle_min_docs"}}
    if opts.get("manifest"):
        opts["manifest"] = os.path.basename(opts["manifest"])
    return {
        "name": options.name,
        "version": version,
        "previous_version": previous["version"] if previous else None,
        "schema_version": schema.SCHEMA_VERSION,
        "released": release_date(),
        "counts": counts,
        "splits": {
            name: {"num_examples": sum(s.num_rows for s in lst), "num_bytes": sum(s.num_bytes for s in lst),
                   "files": [s.to_dict() for s in lst]}
            for name, lst in shards.items()
        },
        "features": {name: feat for name, feat in features.to_dict().items()},
        "inputs": {"files": inputs.files, "sha256": inputs.hexdigest()},
        "options": opts,
        "options_fingerprint": options.fingerprint(),
        "software": software_versions(),
        "language_detector": {"seed": LANGDETECT_SEED},
        "parquet": writer_manifest(),
        "changes": changes or {},
        "work": work or {},
        "card": card or {},  # fields the user set for the card (--license, --card-field, --card-file)
    }
