"""Build options: one frozen, picklable value passed to every stage.

Its :meth:`fingerprint` keys incremental work: a document processed under the
same fingerprint and with the same bytes is never processed again.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib.resources import files

from .. import __version__
from .corpus.dedup import DEFAULT_THRESHOLD
from .corpus.repeated_lines import MIN_DOCS, MIN_FRACTION


@lru_cache(maxsize=1)
def code_digest() -> str:
    """SHA-256 of the package's own source and data files: a code change invalidates cached work."""
    root = files("corpuspack")
    h = hashlib.sha256()

    def walk(node, prefix=""):
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            name = prefix + child.name
            if child.is_dir():
                if child.name != "__pycache__":
                    walk(child, name + "/")
            elif child.name.endswith((".py", ".txt", ".tsv", ".json")):
                h.update(name.encode() + b"\0" + child.read_bytes())
    walk(root)
    return h.hexdigest()[:16]


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@dataclass(frozen=True)
class BuildOptions:
    version: str | None = None  # the dataset version to write (semantic)
    name: str | None = None  # the dataset's name in its card (default: the input folder's name)
    jobs: int = field(default_factory=default_jobs)
    batch_size: int = 256  # documents per unit of parallel work
    splits: tuple[tuple[str, float], ...] = (("train", 1.0),)
    near_dedup: str = "annotate"  # annotate | drop
    near_dup_threshold: float = DEFAULT_THRESHOLD
    num_perm: int = 128
    shingle_size: int = 5
    repeated_line_min_docs: int = MIN_DOCS
    repeated_line_min_fraction: float = MIN_FRACTION
    drop_quality: tuple[str, ...] = ()  # quality warnings that exclude a document (default: none)
    manifest: str | None = None  # path of a sidecar crawl manifest
    rows_per_shard: int = 10_000  # ~60 MB of 6 kB documents; smaller shards are reused more often
    row_group_size: int = 1_000
    progress: bool = True
    replace: bool = False  # allow rewriting an existing (latest) version
    git: bool = False  # commit and tag each version in OUT as a git repository
    rehash: bool = False  # read and hash every input file, even those whose size and mtime are unchanged
    engine: str = "local"  # local (process pool) | ray (Ray Data; pip install "corpuspack[ray]")
    address: str | None = None  # the Ray cluster to join (``auto``, ``ray://host:10001``); default: start one here

    def doc_options(self) -> "DocOptions":
        return DocOptions(num_perm=self.num_perm, shingle_size=self.shingle_size)

    def fingerprint(self) -> str:
        """Digest of everything that changes the bytes of the output, and the code version."""
        relevant = {k: v for k, v in asdict(self).items()
                    if k not in {"version", "name", "jobs", "batch_size", "progress", "replace", "manifest", "git",
                                 "rehash", "engine", "address"}}
        relevant["corpuspack"] = __version__
        relevant["code"] = code_digest()
        blob = json.dumps(relevant, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


@dataclass(frozen=True)
class DocOptions:
    """What the per-document function needs: small and picklable."""
    num_perm: int = 128
    shingle_size: int = 5


def parse_splits(spec: str | None) -> tuple[tuple[str, float], ...]:
    """``"train=0.98,validation=0.01,test=0.01"`` -> ordered (name, share) pairs summing to 1."""
    if not spec:
        return (("train", 1.0),)
    out = []
    for part in spec.split(","):
        name, _, share = part.partition("=")
        name = name.strip()
        if not name or not share:
            raise ValueError(f"--splits: expected name=share, got {part!r}")
        if not name.replace("_", "").isalnum():
            raise ValueError(f"--splits: split names are letters, digits and _ only, got {name!r}")
        value = float(share)
        if not 0 < value <= 1:
            raise ValueError(f"--splits: share of {name!r} must be in (0, 1], got {value}")
        out.append((name, value))
    names = [n for n, _ in out]
    if len(set(names)) != len(names):
        raise ValueError("--splits: a split is named twice")
    total = sum(v for _, v in out)
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"--splits: shares must add up to 1, they add up to {total}")
    return tuple(out)
