"""Dataset versions kept side by side in one output folder.

Layout::

    OUT/README.md                      the card: one config per version, the latest is the default
    OUT/data/v<version>/<split>-NNNNN-of-NNNNN-<sha256>.parquet
                                       a version's shards, named by content; a shard
                                       shared between versions is one file (hard links)
    OUT/versions/<version>/manifest.json      what the version holds and how it was built
    OUT/versions/<version>/build_report.json  where every input file went

A version is committed when its manifest is renamed into place, the card written just before
it (see :mod:`.commit`: a killed build's version is completed or rolled back by the next).
"""
from __future__ import annotations

import json
import os
import re

VERSIONS_DIR = "versions"
_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


class VersionError(ValueError):
    """A version number that is malformed, goes backwards, or misses a required major bump."""


def parse(version: str) -> tuple[int, int, int]:
    m = _SEMVER.match(version or "")
    if not m:
        raise VersionError(f"version {version!r} is not a semantic version MAJOR.MINOR.PATCH (e.g. 1.0.0)")
    return tuple(int(x) for x in m.groups())  # type: ignore[return-value]


def config_name(version: str) -> str:
    return f"v{version}"


def manifest_path(root: str, version: str) -> str:
    return os.path.join(root, VERSIONS_DIR, version, "manifest.json")


def list_versions(root: str) -> list[str]:
    """Committed versions, oldest first."""
    folder = os.path.join(root, VERSIONS_DIR)
    if not os.path.isdir(folder):
        return []
    found = [v for v in os.listdir(folder) if _SEMVER.match(v) and os.path.isfile(manifest_path(root, v))]
    return sorted(found, key=parse)


def read_manifest(root: str, version: str) -> dict:
    path = manifest_path(root, version)
    if not os.path.isfile(path):
        raise VersionError(f"{root} has no version {version} (versions: {', '.join(list_versions(root)) or 'none'})")
    try:
        with open(path, encoding="utf-8") as fh:
            manifest = json.load(fh)
    except (ValueError, UnicodeDecodeError) as e:
        raise VersionError(f"{path}: not a readable manifest ({type(e).__name__}: {e}); "
                           "restore it, or remove the version's folder to drop the version") from None
    problem = _manifest_problem(manifest, version)
    if problem:
        raise VersionError(f"{path}: not a corpuspack manifest ({problem}); "
                           "restore it, or remove the version's folder to drop the version")
    return manifest


def _manifest_problem(m, version: str) -> str | None:
    """What makes ``m`` no manifest of ``version`` (the fields every reader relies on), or None."""
    if not isinstance(m, dict):
        return f"a JSON {type(m).__name__}, not an object"
    if m.get("version") != version:
        return f"its version is {m.get('version')!r}, not {version!r}"
    for key, kind in (("splits", dict), ("features", dict), ("counts", dict), ("released", str)):
        if not isinstance(m.get(key), kind):
            return f"no {key} {'object' if kind is dict else 'text'}"
    if not isinstance(m["counts"].get("included"), int):
        return "no count of documents included"
    for name, split in m["splits"].items():
        if not isinstance(split, dict) or not isinstance(split.get("num_examples"), int) or not isinstance(
                split.get("files"), list) or not all(isinstance(f, dict) and isinstance(f.get("path"), str)
                                                     for f in split["files"]):
            return f"split {name!r} has no count of rows or no list of files"
    return None


def read_manifests(root: str) -> list[dict]:
    """The committed versions' manifests, oldest first."""
    return [read_manifest(root, v) for v in list_versions(root)]


def latest(root: str) -> str | None:
    versions = list_versions(root)
    return versions[-1] if versions else None


def resolve_new_version(root: str, requested: str | None, *, replace: bool) -> tuple[str, str | None]:
    """The version to write and the version it follows (None for the first).

    * no version given: 1.0.0 for a new output, else an error asking for one;
    * the new version must be greater than the latest, unless ``replace`` is set and it
      *is* the latest (rewriting the latest version in place).
    """
    versions = list_versions(root)
    if requested is None:
        if versions:
            raise VersionError(f"{root} already holds versions {', '.join(versions)}: pass --version (greater than {versions[-1]})")
        return "1.0.0", None
    new = parse(requested)
    if not versions:
        return requested, None
    last = versions[-1]
    if requested == last and replace:
        return requested, (versions[-2] if len(versions) > 1 else None)
    if replace:
        raise VersionError(f"--replace rewrites the latest version, {last}, not {requested} (without --replace, "
                           "a version greater than the latest is added)")
    if new <= parse(last):
        hint = " (use --replace to rewrite the latest version)" if requested == last else ""
        raise VersionError(f"version {requested} is not greater than the latest version {last}{hint}")
    return requested, last


def check_schema_bump(new_version: str, features: dict, previous: dict | None) -> None:
    """Semantic versioning of the published columns (``features``: name -> datasets feature dict).

    A column removed or retyped since the previous version needs a new major
    version; a column added needs at least a new minor version.
    """
    if previous is None or "features" not in previous:
        return
    old, new = previous["features"], features
    old_v, new_v = parse(previous["version"]), parse(new_version)
    broken = sorted(n for n in old if n not in new or old[n] != new[n])
    added = sorted(n for n in new if n not in old)
    if broken and new_v[0] <= old_v[0]:
        raise VersionError(
            f"columns {', '.join(broken)} were removed or changed type since {previous['version']}: "
            f"version {new_version} must bump the major version (to {old_v[0] + 1}.0.0 or later)")
    if added and new_v[:2] <= old_v[:2]:
        raise VersionError(
            f"columns {', '.join(added)} were added since {previous['version']}: "
            f"version {new_version} must bump at least the minor version (to {old_v[0]}.{old_v[1] + 1}.0)")


def json_text(payload: dict) -> str:
    """A manifest or report as written (insertion order kept: column order matters)."""
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def write_bytes_atomic(path: str, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one rename: a reader sees the old file or the new one,
    never a part, and a hard link to the old file (an earlier version's, a user's snapshot made
    with ``cp -al``) keeps the old bytes. The data reach the disk before the rename; a failed
    write (disk full) removes its ``.tmp`` file."""
    write_chunks_atomic(path, [data])


def write_chunks_atomic(path: str, chunks) -> None:
    """:func:`write_bytes_atomic` of the ``chunks`` (bytes, or str written in UTF-8) as they come."""
    if os.path.dirname(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    try:
        with open(tmp, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def write_text_atomic(path: str, text: str) -> None:
    """:func:`write_bytes_atomic` of ``text`` in UTF-8."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_json_atomic(path: str, payload: dict) -> None:
    write_text_atomic(path, json_text(payload))


def referenced_files(root: str, manifests: list[dict] | None = None) -> set[str]:
    """Data files (relative paths) that some committed version lists (``manifests``: theirs, when read)."""
    manifests = read_manifests(root) if manifests is None else manifests
    return {f["path"] for m in manifests for info in m["splits"].values() for f in info["files"]}


def unreferenced(root: str, data_dir: str = "data", manifests: list[dict] | None = None) -> list[str]:
    """Data files (relative paths, sorted) in ``data_dir`` and its version folders that no version
    lists: left by a replaced version or a killed build."""
    folder = os.path.join(root, data_dir)
    keep = referenced_files(root, manifests)
    found = []
    for here, _, files in os.walk(folder):
        rel_dir = os.path.relpath(here, root).replace(os.sep, "/")
        found += [f"{rel_dir}/{name}" for name in files if name.endswith(".parquet")]
    return sorted(rel for rel in found if rel not in keep)


def remove_unreferenced(root: str, data_dir: str = "data") -> list[str]:
    """Delete the :func:`unreferenced` data files, and the version folders left empty."""
    removed = unreferenced(root, data_dir)
    for rel in removed:
        os.remove(os.path.join(root, rel))
    folder = os.path.join(root, data_dir)
    for here, _, _ in os.walk(folder, topdown=False):
        if here != folder and not os.listdir(here):
            os.rmdir(here)
    return removed
