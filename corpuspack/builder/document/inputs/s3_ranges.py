"""A folder on S3 listed in key ranges by the engine's tasks (issue #17), not in one stream by the
build's process: the usual dump is one flat folder of millions of names, which pyarrow's
``get_file_info(FileSelector)`` lists as one sequential run of 1,000-key pages, all held at once.

How (boto3 ``list_objects_v2``, the only S3 call used):

- **Split points, found without listing everything** (:func:`split_points`): the names are seen as
  a trie. A prefix is *expanded* (:func:`expand`) by probing: ``StartAfter=s, MaxKeys=1`` gives the
  first name after any string ``s``; the longest prefix all its names share is found by bisection
  over its length (``StartAfter=first[:m] + U+10FFFF`` returns nothing when every name starts with
  ``first[:m]``; lengths 1, 2, 4, ... past the prefix first, so one probe when nothing more is
  shared), then its distinct next characters by a skip scan (one probe each). Prefixes are
  expanded a level at a time (each level's expansions as the engine's tasks) until there are
  ``_OVERSAMPLE`` times as many as the ranges wanted (4 per CPU), then every n-th is a split point.
  The ranges are even when the names spread evenly over the prefixes of one length (hashed names
  do); a prefix holding most of the names among many nearly empty ones gives uneven ranges (the
  output is the same, the work less well shared).
- **Ranges** ``(lo, hi]`` of names, each listed by a task (:func:`list_range`: ``Prefix`` +
  ``StartAfter=lo`` + ``Delimiter="/"``, paged until past ``hi``), which returns the top-level
  entries ``(name, is_folder)`` whose names fall in it, sorted by name, as the whole listing was
  sorted before. A sub-folder is placed by its name, not by its keys: ``report/...`` sorts after
  ``report-5`` though ``report`` sorts before it, so the range ending at ``report-5`` probes
  whether a folder ``report`` (or ``report-5``) exists (:func:`_folders_past`, a request each,
  usually one), and the next range leaves out the folders its listing shows whose name is not
  past its start. The ranges taken in order, each sorted, give the whole listing sorted by name:
  the same entries in the same order as before, whatever the split points (they only decide how
  the work is shared). A file and a folder of one name (``x`` and ``x/...``, which a local disk
  cannot hold): the folder first, as pyarrow's listing gives them (within one page of it).

A URI this module does not read as pyarrow would (another scheme, a query option other than those
in :data:`_URI_OPTIONS`) or without boto3 installed gets ``None`` from :func:`location`, and the
folder is listed as before (:meth:`..storage.RemoteStorage._top`). Not handled otherwise than
before: objects added or removed while the ranges are listed (each range is one run of pages, as
the one-call listing was).
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import NamedTuple
from urllib.parse import parse_qsl, unquote, urlsplit

#: the largest code point: ``s + TOP`` sorts after every name that starts with ``s`` (but one
#: holding U+10FFFF itself, which only makes a split point less even)
TOP = "\U0010ffff"
RANGES_PER_CPU = 4
_PAGE = 1000  # keys per list request (S3's maximum)
_MAX_BRANCHES = 256  # next characters probed under one prefix (a skip scan is a request each)
#: prefixes found per range wanted before the split points are picked: prefixes are counted, not
#: their names, so a few odd names (a level of 8 prefixes, 7 of them single names) must not pass
#: for an even split
_OVERSAMPLE = 4
#: the S3 options of a URI pyarrow reads (``S3Options::FromUri``) that this module honours or may ignore
_URI_OPTIONS = {"region", "scheme", "endpoint_override", "tls_verify_certificates",
                "allow_bucket_creation", "allow_bucket_deletion"}

Probe = Callable[[str, str], "str | None"]


class Location(NamedTuple):
    """Where a folder's keys are: the bucket, the keys' prefix (the folder's path and ``/``) and
    how to reach the store (from the URI, as pyarrow reads it; None: boto3's defaults)."""
    bucket: str
    prefix: str
    endpoint: str | None = None
    region: str | None = None
    key: str | None = None
    secret: str | None = None
    verify: bool = True


def location(uri: str, path: str) -> Location | None:
    """The folder ``path`` (``bucket/key/prefix``, as ``pyarrow.fs.FileSystem.from_uri`` gives it)
    of an ``s3://`` URI; None when it is not one this module lists (another scheme, an option it
    does not know, boto3 not installed): the caller lists as before."""
    parts = urlsplit(uri)
    options = dict(parse_qsl(parts.query, keep_blank_values=True))
    if parts.scheme != "s3" or not set(options) <= _URI_OPTIONS or not _has_boto3():
        return None
    bucket, _, folder = path.strip("/").partition("/")
    user, _, secret = parts.netloc.rpartition("@")[0].partition(":")
    endpoint = options.get("endpoint_override")
    if endpoint and "://" not in endpoint:
        endpoint = f"{options.get('scheme', 'https')}://{endpoint}"
    return Location(bucket, f"{folder}/" if folder else "", endpoint, options.get("region"),
                    unquote(user) or None, unquote(secret) or None,
                    options.get("tls_verify_certificates", "true").lower() not in ("false", "0"))


def _has_boto3() -> bool:
    try:
        import boto3  # noqa: F401
    except ImportError:
        return False
    return True


@functools.lru_cache(maxsize=8)
def client(loc: Location):
    """A boto3 S3 client for ``loc`` (one per process and store)."""
    import boto3

    return boto3.session.Session().client(
        "s3", endpoint_url=loc.endpoint, region_name=loc.region, aws_access_key_id=loc.key,
        aws_secret_access_key=loc.secret, verify=loc.verify)


def probe_of(loc: Location) -> Probe:
    """``probe(after, within)``: the first name (a key less the folder's prefix) that sorts after
    ``after`` and starts with ``within``, or None; one request."""
    s3 = client(loc)

    def probe(after: str, within: str) -> str | None:
        got = s3.list_objects_v2(Bucket=loc.bucket, Prefix=loc.prefix + within,
                                 StartAfter=loc.prefix + after, MaxKeys=1).get("Contents")
        return got[0]["Key"][len(loc.prefix):] if got else None

    return probe


def shared_prefix(probe: Probe, within: str, first: str) -> str:
    """The longest prefix of every name that starts with ``within`` (``first``: the first of them):
    all start with ``first[:m]`` when none sorts after ``first[:m] + TOP``. Lengths tried 1, 2, 4, ...
    characters past ``within`` until one is not shared, then bisection between: one probe when
    nothing more is shared (the usual case under a prefix with several branches), ~2 log2(n) for n."""
    def shared(m: int) -> bool:
        return probe(first[:m] + TOP, within) is None

    lo, hi, step = len(within), len(first), 1
    while lo < hi:
        m = min(lo + step, hi)
        if not shared(m):
            hi = m - 1
            break
        lo, step = m, 2 * step
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if shared(mid):
            lo = mid
        else:
            hi = mid - 1
    return first[:lo]


def branches(probe: Probe, within: str) -> list[str]:
    """The prefixes one character longer than the names under ``within`` share, in order (a skip
    scan: a probe each); [] when there is at most one name (nothing to split)."""
    first = probe("", within)
    if first is None:
        return []
    common = shared_prefix(probe, within, first)
    found, name = [], first
    while name is not None and len(found) < _MAX_BRANCHES:
        if len(name) == len(common):  # a name that is the shared prefix itself
            name = probe(common, common)
            continue
        found.append(name[:len(common) + 1])
        name = probe(found[-1] + TOP, common)
        if name is not None and name.startswith(found[-1]):  # a name holding U+10FFFF there
            break
    return found


def expand(prefix: str, loc: Location) -> list[str]:
    """:func:`branches` of ``prefix`` in ``loc`` (a task of :func:`split_points`)."""
    return branches(probe_of(loc), prefix)


def split_points(loc: Location, ranges: int, map_=None, expand_fn=None) -> list[str]:
    """About ``ranges - 1`` split points of the folder's names, in order: the trie of names expanded a level at a time (``map_``: the engine's map, a
    level's prefixes side by side) until it has ``_OVERSAMPLE * ranges`` prefixes or can grow no more.
    ``expand_fn``: :func:`expand` of another store's locations (:mod:`.gcs_ranges`)."""
    level, leaves = [""], set()
    while len(level) < _OVERSAMPLE * ranges:
        open_ = [p for p in level if p not in leaves and "/" not in p]  # not into sub-folders
        grown = dict(_each(map_, expand_fn or expand, open_, loc))
        if not any(grown.values()):
            break
        leaves.update(p for p, kids in grown.items() if not kids)
        level = [kid for p in level for kid in (grown.get(p) or [p])]
    return spread(level, ranges)


def spread(prefixes: list[str], ranges: int) -> list[str]:
    """Every n-th of the sorted ``prefixes`` as a split point (``ranges - 1`` at most), none empty."""
    n = len(prefixes)
    picked = prefixes[1:] if n <= ranges else [prefixes[j * n // ranges] for j in range(1, ranges)]
    return sorted({p for p in picked if p})


def bounds(points: list[str]) -> list[tuple[str, str | None]]:
    """The ranges ``(lo, hi]`` the split points make (the first from "", the last to the end: None)."""
    return list(zip(["", *points], [*points, None]))


def list_range(span: tuple[str, str | None], loc: Location) -> list[tuple[str, bool]]:
    """The top-level entries ``(name, is_folder)`` whose names fall in the range ``(lo, hi]``,
    sorted by name, a folder before a file of the same name (as pyarrow's listing gives them; the
    folder's marker object, name "", left out). The keys up to ``hi`` are listed; the folders whose
    name is in the range but whose keys (``name/...``) sort after ``hi`` (:func:`_folders_past`)
    are probed for; the folders whose keys come after ``lo`` but whose name does not are left to
    the range before, which probed for them."""
    lo, hi = span
    pages = client(loc).get_paginator("list_objects_v2").paginate(
        Bucket=loc.bucket, Prefix=loc.prefix, StartAfter=loc.prefix + lo, Delimiter="/",
        PaginationConfig={"PageSize": _PAGE})
    found = []
    for page in pages:
        keys = [(c["Key"][len(loc.prefix):], False) for c in page.get("Contents", ())]
        keys += [(p["Prefix"][len(loc.prefix):], True) for p in page.get("CommonPrefixes", ())]
        inside = [(k, folder) for k, folder in keys if hi is None or k <= hi]
        found += [(name, folder) for k, folder in inside if (name := k[:-1] if folder else k) > lo]
        if len(inside) < len(keys):  # keys come in order: the rest are past hi
            break
    if hi is not None:
        found += [(name, True) for name in _folders_past(hi) if name > lo and _has_folder(loc, name)]
    return sorted(found, key=lambda e: (e[0], not e[1]))


def _folders_past(hi: str) -> list[str]:
    """The names ``n <= hi`` whose folder's keys ``n/...`` sort after ``hi``: ``hi`` itself, and
    each prefix of ``hi`` that ``hi`` continues with a character below ``/`` (``report`` for
    ``report-5``); none holding a ``/`` (not a top-level name)."""
    names = [hi[:k] for k in range(1, len(hi)) if hi[k] < "/"] + [hi]
    return [n for n in names if "/" not in n]


def _has_folder(loc: Location, name: str) -> bool:
    """Whether the folder holds a sub-folder ``name`` (a key under ``name/``): one request."""
    got = client(loc).list_objects_v2(Bucket=loc.bucket, Prefix=f"{loc.prefix}{name}/", MaxKeys=1)
    return bool(got.get("Contents"))


def top_entries(loc: Location, ranges: int, map_=None, *, expand_fn=None, list_fn=None) -> Iterator[tuple[str, bool]]:
    """The folder's top-level entries ``(name, is_folder)`` sorted by name, range by range: the
    ranges listed by ``map_`` (the engine's tasks, side by side), this process holding one range's
    entries at a time (and the few in flight). ``expand_fn``, ``list_fn``: :func:`expand` and
    :func:`list_range` of another store's locations (:mod:`.gcs_ranges`)."""
    points = split_points(loc, ranges, map_, expand_fn)
    for _, found in _each(map_, list_fn or list_range, bounds(points), loc):
        yield from found


def _each(map_, fn, tasks, *common) -> Iterator[tuple]:
    """``(task, fn(task, *common))`` in order, by ``map_`` or, without an engine, here."""
    from ...corpus.duplicates import map_here  # imported on use: not at the storage module's import

    return (map_ or map_here)(fn, tasks, *common)
