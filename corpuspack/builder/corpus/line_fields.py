"""The fields of JSON lines other than the text and id, as a sidecar manifest: written while the
input is streamed (one row per line, keyed by the line's ``file_name``), then read back by
:func:`.sidecar.load_manifest`, so they reach the dataset as any crawl manifest's columns do
(``url``, ``date``, ``source``, ``title``, ``language`` with method ``manifest``; others as columns)."""
from __future__ import annotations

import json

from .sidecar import Manifest, load_manifest


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
