"""Where a version's data files live: each version in its own folder, so that a glob of
that folder gives exactly that version's rows, with any Parquet tool::

    OUT/data/v1.1.0/train-00000-of-00002-<first 20 hex of the file's SHA-256>.parquet

A shard unchanged between versions is one file on disk: the new version's name is a hard
link to the previous version's file (a copy where the file system cannot link, counted in
the build summary). The content hash stays in every name, so the `datasets` cache, which
keys on file names, never serves stale rows, and ``verify`` checks each file against it.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import replace

from . import versions
from .write import DATA_DIR, Shard


def shard_path(version: str, split: str, index: int, count: int, sha256: str) -> str:
    """The path of a version's shard, relative to the output root, `/`-separated."""
    return f"{DATA_DIR}/{versions.config_name(version)}/{split}-{index:05d}-of-{count:05d}-{sha256[:20]}.parquet"


def link_or_copy(src: str, dst: str) -> bool:
    """A hard link ``dst`` to ``src``; a copy where links are impossible. True if it copied."""
    try:
        os.link(src, dst)
        return False
    except OSError:
        shutil.copyfile(src, dst)
        return True


def place(out: str, version: str, shards: dict[str, list[Shard]], staged_dir: str) -> tuple[dict[str, list[Shard]], int]:
    """Put a version's shards in its folder, in order: a shard written by this build (in
    ``staged_dir``) is moved there, a shard of an earlier version is linked. Returns the
    shards with their new paths and the number of files copied because a link failed."""
    copied = 0
    staged = os.path.abspath(staged_dir) + os.sep
    placed: dict[str, list[Shard]] = {}
    for split, lst in shards.items():
        placed[split] = []
        for i, shard in enumerate(lst):
            rel = shard_path(version, split, i, len(lst), shard.sha256)
            src, dst = os.path.join(out, shard.path), os.path.join(out, rel)
            was_staged = os.path.abspath(src).startswith(staged)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if os.path.exists(dst):  # the same name is the same content (a version rewritten with --replace)
                if was_staged:
                    os.remove(src)
            elif was_staged:
                os.replace(src, dst)
            else:
                copied += link_or_copy(src, dst)
            placed[split].append(replace(shard, path=rel))
    return placed, copied
