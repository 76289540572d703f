"""A folder on Google Cloud Storage listed in name ranges by the engine's tasks (issue #17), as
:mod:`.s3_ranges` lists one on S3: the split points found by probing the trie of names, each range
listed by a task, the ranges in order giving the folder's top-level entries sorted by name. Until
round 39 a ``gs://`` dump was listed whole, recursively, in one stream by the build's process
(every name of a dump of millions held at once).

How: GCS's JSON API (``objects.list``, the only call, over HTTP with the standard library):
``prefix``, ``delimiter="/"`` (a sub-folder comes as a prefix, also where no marker object names
it: pyarrow's own listing of one level misses those, apache/arrow#35993), ``startOffset`` (GCS's
is inclusive: a name equal to it is skipped here, so it reads as S3's ``StartAfter``),
``maxResults`` and ``pageToken``. Names compare as Python strings (code points: the order of their
UTF-8 bytes, GCS's order). A page's prefixes are not taken to follow its objects' order (an
emulator gives all of a listing's prefixes on its first page): a range's pages are read until one
ends past the range's end, and the prefixes inside the range kept once each.

Which URIs: ``gs://bucket/folder?anonymous=true[&endpoint_override=host:port&scheme=http...]`` (a
public bucket, or an emulator). A URI that asks for credentials, or names an option this module
does not know, gets ``None`` from :func:`location` and is listed as before, in one call (the
standard library cannot sign a request; pyarrow's filesystem, which can, lists in one stream).
"""
from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import NamedTuple
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from . import s3_ranges
from .s3_ranges import _folders_past, branches

_PAGE = 1000  # names per list request (GCS's maximum for objects.list)
_URI_OPTIONS = {"anonymous", "scheme", "endpoint_override", "retry_limit_seconds", "project_id",
                "default_bucket_location"}
_TIMEOUT = 60  # seconds a request may take


class GcsLocation(NamedTuple):
    """Where a folder's objects are: the bucket, the names' prefix (the folder's path and ``/``) and
    the JSON API's address."""
    bucket: str
    prefix: str
    endpoint: str = "https://storage.googleapis.com"


def location(uri: str, path: str) -> GcsLocation | None:
    """The folder ``path`` (``bucket/folder``) of a ``gs://`` URI read without credentials
    (``anonymous=true``); None for any other (the caller lists as before)."""
    parts = urlsplit(uri)
    options = dict(parse_qsl(parts.query, keep_blank_values=True))
    if parts.scheme not in ("gs", "gcs") or not set(options) <= _URI_OPTIONS \
            or options.get("anonymous", "").lower() not in ("true", "1"):
        return None
    bucket, _, folder = path.strip("/").partition("/")
    endpoint = options.get("endpoint_override")
    endpoint = f"{options.get('scheme', 'https')}://{endpoint}" if endpoint else GcsLocation._field_defaults["endpoint"]
    return GcsLocation(bucket, f"{folder}/" if folder else "", endpoint)


def _list(loc: GcsLocation, **params) -> dict:
    """One ``objects.list`` request's answer."""
    url = f"{loc.endpoint}/storage/v1/b/{quote(loc.bucket, safe='')}/o?{urlencode(params)}"
    with urllib.request.urlopen(url, timeout=_TIMEOUT) as answer:
        return json.load(answer)


def _probe(loc: GcsLocation, after: str, within: str) -> str | None:
    """The first name (less the folder's prefix) that sorts after ``after`` and starts with
    ``within``, or None: one request."""
    got = _list(loc, prefix=loc.prefix + within, startOffset=loc.prefix + after, maxResults=2,
                fields="items(name)").get("items", [])
    names = [item["name"][len(loc.prefix):] for item in got]
    return next((n for n in names if n > after), None)


def expand(prefix: str, loc: GcsLocation) -> list[str]:
    """:func:`.s3_ranges.branches` of ``prefix`` (a task of :func:`.s3_ranges.split_points`)."""
    return branches(lambda after, within: _probe(loc, after, within), prefix)


def list_range(span: tuple[str, str | None], loc: GcsLocation) -> list[tuple[str, bool]]:
    """The top-level entries ``(name, is_folder)`` whose names fall in the range ``(lo, hi]``, sorted by
    name, a folder before a file of the same name (:func:`.s3_ranges.list_range`, whose handling of
    the folders near the range's ends this follows)."""
    lo, hi = span
    found: dict[tuple[str, bool], None] = {}
    params = {"prefix": loc.prefix, "delimiter": "/", "maxResults": _PAGE, "fields": "items(name),prefixes,nextPageToken"}
    if lo:
        params["startOffset"] = loc.prefix + lo
    while True:
        page = _list(loc, **params)
        names = [item["name"][len(loc.prefix):] for item in page.get("items", [])]
        for key, folder in [*((n, False) for n in names), *((p[len(loc.prefix):], True) for p in page.get("prefixes", []))]:
            name = key[:-1] if folder else key
            if (hi is None or key <= hi) and name > lo and name:
                found[(name, folder)] = None
        token = page.get("nextPageToken")
        if not token or (hi is not None and names and names[-1] > hi):
            break
        params["pageToken"] = token
    if hi is not None:
        found.update(((name, True), None) for name in _folders_past(hi) if name > lo and _has_folder(loc, name))
    return sorted(found, key=lambda e: (e[0], not e[1]))


def _has_folder(loc: GcsLocation, name: str) -> bool:
    """Whether the folder holds a sub-folder ``name`` (an object under ``name/``): one request."""
    return bool(_list(loc, prefix=f"{loc.prefix}{name}/", maxResults=1, fields="items(name)").get("items"))


def top_entries(loc: GcsLocation, ranges: int, map_=None) -> Iterator[tuple[str, bool]]:
    """The folder's top-level entries ``(name, is_folder)`` sorted by name, range by range, the ranges
    listed by ``map_`` (the engine's tasks): this process holds one range's entries at a time."""
    return s3_ranges.top_entries(loc, ranges, map_, expand_fn=expand, list_fn=list_range)
