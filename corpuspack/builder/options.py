"""Build options: one frozen, picklable value passed to every stage.

Its :meth:`fingerprint` keys incremental work: a document processed under the
same fingerprint and with the same bytes is never processed again.
"""
from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib.resources import files

import corpuspack
from .corpus.defaults import DEFAULT_CANDIDATE_THRESHOLD, DEFAULT_THRESHOLD, MIN_DOCS, MIN_FRACTION
from .document.decode import PREFERRED_LEGACY, SCRIPTS


MAX_FILE_SIZE = 64 << 20  # 64 MiB: a document, not an archive


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
    batch_size: int = 512  # rows of a record batch of the stage (pass 1 cuts it into tasks: engines.base.TASK_DOCS)
    splits: tuple[tuple[str, float], ...] = (("train", 1.0),)
    near_dedup: str = "annotate"  # annotate | drop
    near_dup_threshold: float = DEFAULT_THRESHOLD  # verified containment of word 2-grams (fingerprint.shingle_similarity)
    near_dup_candidate_threshold: float = DEFAULT_CANDIDATE_THRESHOLD  # LSH candidates: estimated 5-gram Jaccard
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
    follow_symlinks: bool = False  # follow symbolic links whose target lies inside the input folder
    max_file_size: int = MAX_FILE_SIZE  # bytes; a larger file is rejected unread
    encoding: str | None = None  # decode every file that is not UTF-8 (or UTF-16/32 with a BOM) with this codec
    legacy_encodings: tuple[str, ...] = ()  # code pages short legacy texts are tried in first (default: from the dump)
    license: str | None = None  # the card's license: a Hugging Face license id (e.g. cc-by-4.0)
    card_fields: tuple[tuple[str, object], ...] = ()  # other card fields (description, citation, homepage, ...)
    include: tuple[str, ...] = ()  # glob patterns over the relative path: read only what matches one
    exclude: tuple[str, ...] = ()  # glob patterns over the relative path: skip what matches one
    text_field: str = "text"  # JSON Lines: the field holding a document's text
    id_field: str = "id"  # JSON Lines: the field holding a document's id (when present)
    engine: str = "local"  # local (process pool) | ray (Ray Data; pip install "corpuspack[ray]")
    address: str | None = None  # the Ray cluster to join (``auto``, ``ray://host:10001``); default: start one here
    # with --engine ray: from this many staged documents on, the duplicate groupings run as Ray
    # tasks partitioned by key hash (engines/ray_pass2.py); below, in the driver. 0 (round 30): at
    # every size, so that the driver holds no per-row keys (100,000 until then: docs/ray-engine.md)
    ray_shuffle_min_docs: int = 0

    def __post_init__(self) -> None:
        from .release.cardfields import check as check_card

        check(self)
        check_card(self.user_card())  # before any work: a wrong license id fails at once

    def user_card(self) -> dict:
        """The card fields this build sets (kept in the manifest and carried to later versions)."""
        fields = dict(self.card_fields)
        if self.license is not None:
            fields["license"] = self.license
        return fields

    def doc_options(self) -> "DocOptions":
        return DocOptions(num_perm=self.num_perm, shingle_size=self.shingle_size, max_file_size=self.max_file_size,
                          encoding=self.encoding, legacy_encodings=tuple(self.legacy_encodings) or PREFERRED_LEGACY,
                          near_dup_candidate_threshold=self.near_dup_candidate_threshold)

    def input_options(self) -> "InputOptions":
        from .document.inputs import InputOptions

        return InputOptions(include=tuple(self.include), exclude=tuple(self.exclude),
                            text_field=self.text_field, id_field=self.id_field)

    def fingerprint(self) -> str:
        """Digest of everything that changes the bytes of the output, and the code version."""
        relevant = {k: v for k, v in asdict(self).items()
                    if k not in {"version", "name", "jobs", "batch_size", "progress", "replace", "manifest", "git",
                                 "rehash", "follow_symlinks", "license", "card_fields", "engine", "address",
                                 "ray_shuffle_min_docs"}}
        relevant["corpuspack"] = corpuspack.__version__  # (read on first use: see corpuspack.__getattr__)
        relevant["code"] = code_digest()
        blob = json.dumps(relevant, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


@dataclass(frozen=True)
class DocOptions:
    """What the per-document function needs: small and picklable."""
    num_perm: int = 128
    shingle_size: int = 5
    max_file_size: int = 0  # bytes; 0: no limit
    encoding: str | None = None  # forced codec for files that are not UTF-8 (None: detected)
    legacy_encodings: tuple[str, ...] = PREFERRED_LEGACY  # code pages short legacy texts are tried in first
    near_dup_candidate_threshold: float = DEFAULT_CANDIDATE_THRESHOLD  # with num_perm, the LSH bands (dedup.choose_bands)


def check(o: BuildOptions) -> None:
    """Every option's value, before any work: ValueError naming the option and what it allows."""
    from .release.versions import parse

    def need(ok: bool, option: str, allowed: str, value) -> None:
        if not ok:
            raise ValueError(f"{option}: {allowed}, got {value!r}")

    def whole(x) -> bool:
        return isinstance(x, int) and not isinstance(x, bool)

    def number(x) -> bool:
        return isinstance(x, (int, float)) and not isinstance(x, bool)

    if o.version is not None:
        parse(o.version)  # a VersionError (ValueError) naming the rule
    need(whole(o.jobs) and o.jobs >= 1, "--jobs", "a whole number of worker processes, 1 or more", o.jobs)
    need(o.address is None or o.engine == "ray", "--address", "the Ray cluster to join, given with --engine ray only "
         f"(the engine is {o.engine!r})", o.address)
    need(whole(o.batch_size) and o.batch_size >= 1, "batch_size", "a whole number, 1 or more", o.batch_size)
    need(whole(o.ray_shuffle_min_docs) and o.ray_shuffle_min_docs >= 0, "ray_shuffle_min_docs",
         "a whole number of documents, 0 or more", o.ray_shuffle_min_docs)
    need(o.near_dedup in ("annotate", "drop"), "--near-dedup", "one of annotate, drop", o.near_dedup)
    need(number(o.near_dup_threshold) and 0 < o.near_dup_threshold <= 1, "--near-dup-threshold",
         "a similarity above 0 and at most 1", o.near_dup_threshold)
    need(whole(o.num_perm) and o.num_perm >= 2, "num_perm", "a whole number, 2 or more", o.num_perm)
    need(whole(o.shingle_size) and o.shingle_size >= 1, "shingle_size", "a whole number, 1 or more", o.shingle_size)
    need(whole(o.repeated_line_min_docs) and o.repeated_line_min_docs >= 2, "--repeated-line-min-docs",
         "a whole number of documents, 2 or more", o.repeated_line_min_docs)
    need(number(o.repeated_line_min_fraction) and 0 <= o.repeated_line_min_fraction <= 1,
         "--repeated-line-min-fraction", "a share from 0 to 1", o.repeated_line_min_fraction)
    if o.drop_quality or isinstance(o.drop_quality, str):  # the quality module: per-document code, else not loaded here
        from .document.quality import WARNINGS

        unknown = [w for w in o.drop_quality if w not in WARNINGS]
        need(not isinstance(o.drop_quality, str) and not unknown, "--drop-quality",
             f"comma-separated quality warnings among {', '.join(WARNINGS)}", ",".join(unknown) or o.drop_quality)
    need(whole(o.rows_per_shard) and o.rows_per_shard >= 1, "rows_per_shard", "a whole number, 1 or more", o.rows_per_shard)
    need(whole(o.row_group_size) and o.row_group_size >= 1, "row_group_size", "a whole number, 1 or more", o.row_group_size)
    need(whole(o.max_file_size) and o.max_file_size >= 1, "--max-file-size", "a size in bytes, 1 or more",
         o.max_file_size)
    if o.encoding is not None:
        try:
            codecs.lookup(o.encoding)
        except (LookupError, TypeError):
            need(False, "--encoding", "the name of a Python codec, e.g. cp1256, iso8859-6, utf-16-le", o.encoding)
    pages = [codec for _, _, _, codec in SCRIPTS]
    need(isinstance(o.legacy_encodings, (tuple, list)) and all(e in pages for e in o.legacy_encodings),
         "legacy_encodings", f"code pages among {', '.join(pages)}", o.legacy_encodings)
    parse_splits(",".join(f"{n}={v}" for n, v in o.splits) if _split_pairs(o.splits) else repr(o.splits))


def _split_pairs(splits) -> bool:
    return isinstance(splits, (tuple, list)) and bool(splits) and all(
        isinstance(p, (tuple, list)) and len(p) == 2 and isinstance(p[0], str) for p in splits)


_SIZE_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def parse_size(spec: str) -> int:
    """``"64M"``, ``"1.5G"``, ``"200000"`` (bytes; K, M, G, T are powers of 1024; KiB, MB... accepted)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*", spec or "", re.IGNORECASE)
    if not m or float(m.group(1)) * _SIZE_UNITS[m.group(2).upper()] < 1:
        raise ValueError(f"--max-file-size: a size such as 64M, 1G or 500000 (bytes), got {spec!r}")
    return int(float(m.group(1)) * _SIZE_UNITS[m.group(2).upper()])


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
        if name.lower() == "all":
            raise ValueError(f"--splits: {name!r} is the name datasets gives every split together "
                             "(load_dataset refuses a split of that name); name it otherwise")
        try:
            value = float(share)
        except ValueError:
            raise ValueError(f"--splits: the share of {name!r} must be a number in (0, 1], got {share!r}") from None
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
