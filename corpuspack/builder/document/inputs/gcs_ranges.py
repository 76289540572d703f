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
public bucket, or an emulator), and, with ``google-auth`` installed (``pip install
"corpuspack[gcs]"``), a ``gs://`` URI read with credentials: each request then carries an OAuth
access token from Google's application default credentials (``google.auth.default``, read-only
scope: ``GOOGLE_APPLICATION_CREDENTIALS``, ``gcloud auth application-default login``, a VM's
metadata server), found and refreshed in each process that lists (:func:`_token`), as pyarrow's
own filesystem finds them on each node that reads. A URI that names an option this module does not
know, or asks for credentials where google-auth is not installed, gets ``None`` from
:func:`location` and is listed as before, in one call (pyarrow's filesystem, which signs its own
requests, lists in one stream).
"""
from __future__ import annotations

import json
import threading
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
    signed: bool = False  # requests carry an access token (:func:`_token`)


def location(uri: str, path: str) -> GcsLocation | None:
    """The folder ``path`` (``bucket/folder``) of a ``gs://`` URI read without credentials
    (``anonymous=true``), or with them where google-auth is installed; None for any other (the
    caller lists as before)."""
    parts = urlsplit(uri)
    options = dict(parse_qsl(parts.query, keep_blank_values=True))
    if parts.scheme not in ("gs", "gcs") or not set(options) <= _URI_OPTIONS:
        return None
    anonymous = options.get("anonymous", "").lower() in ("true", "1")
    if not anonymous and not _google_auth():
        return None
    bucket, _, folder = path.strip("/").partition("/")
    endpoint = options.get("endpoint_override")
    endpoint = f"{options.get('scheme', 'https')}://{endpoint}" if endpoint else GcsLocation._field_defaults["endpoint"]
    return GcsLocation(bucket, f"{folder}/" if folder else "", endpoint, signed=not anonymous)


def _google_auth() -> bool:
    """google-auth is installed (found, not imported)."""
    import importlib.util

    return importlib.util.find_spec("google.auth") is not None


#: the scope of the listing's access token: objects read, nothing written
READ_ONLY = "https://www.googleapis.com/auth/devstorage.read_only"
_credentials: list = []  # this process's application default credentials, once found
_lock = threading.Lock()


def _token() -> str:
    """An access token of this process's application default credentials, refreshed when it is
    missing or about to expire (google-auth's ``valid``). No credentials found: PermissionError
    saying where they are looked for."""
    import google.auth
    import google.auth.exceptions
    import google.auth.transport.requests

    with _lock:
        try:
            if not _credentials:
                _credentials.append(google.auth.default(scopes=[READ_ONLY])[0])
            credentials = _credentials[0]
            if not credentials.valid:
                credentials.refresh(google.auth.transport.requests.Request())
        except google.auth.exceptions.GoogleAuthError as e:
            raise PermissionError(f"no Google credentials to list gs:// with ({type(e).__name__}: {e}); set "
                                  "GOOGLE_APPLICATION_CREDENTIALS or run `gcloud auth application-default "
                                  "login` on every node, or read a public bucket with ?anonymous=true") from None
        return credentials.token


def _list(loc: GcsLocation, **params) -> dict:
    """One ``objects.list`` request's answer."""
    url = f"{loc.endpoint}/storage/v1/b/{quote(loc.bucket, safe='')}/o?{urlencode(params)}"
    headers = {"Authorization": f"Bearer {_token()}"} if loc.signed else {}
    import urllib.request  # (here: a build of a local dump need not import it, nor ssl, ~20 ms)

    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=_TIMEOUT) as answer:
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
