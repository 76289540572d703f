"""The fields of JSON lines other than the text and id, as a sidecar manifest: written while the
input is streamed (one row per line, keyed by the line's ``file_name``), then read back by
:func:`.sidecar.load_manifest`, so they reach the dataset as any crawl manifest's columns do
(``url``, ``date``, ``source``, ``title``, ``language`` with method ``manifest``; others as columns).

With a ``--manifest`` as well, both are read as one (:func:`with_line_fields`): the lines' fields
first, the manifest's values replacing theirs where both give a document the same field."""
from __future__ import annotations

import json

from .sidecar import Layered, Manifest, ManifestError, layered, load_manifest


class LineFields:
    def __init__(self, path: str):
        self.path = path
        self.rows = 0
        self._f = None

    def add(self, file_name: str, fields: dict) -> None:
        if self._f is None:
            self._f = open(self.path, "w", encoding="utf-8")
        self._f.write(json.dumps({"file_name": file_name, **fields}, ensure_ascii=False) + "\n")
        self.rows += 1

    def manifest(self) -> Manifest | None:
        """The manifest of what was written, or None if no line had other fields."""
        if self._f is None:
            return None
        self._f.close()
        return load_manifest(self.path)


def with_line_fields(fields: Manifest, manifest: Manifest) -> Layered:
    """The JSON lines' fields and the ``--manifest`` as one manifest. Where both give a document
    a field, the manifest wins: it is the file the user named for this build, while a line's
    fields are whatever its crawler wrote; a null or empty manifest value leaves the line's. Both
    fill the known columns with method ``manifest``; the report counts the values the manifest
    replaced, by field. A column both have must fit one type (ManifestError otherwise)."""
    try:
        return layered(fields, manifest)
    except ManifestError as e:
        raise ManifestError(f"the fields of the JSON lines and --manifest {manifest.path} cannot be combined: "
                            + str(e).replace(fields.path, "the JSON lines")) from None
