"""A local stand-in for the Hugging Face Hub's HTTP API, enough for ``huggingface_hub``'s
``HfFileSystem`` (``hf://``) to list and read one dataset repository, served from a local folder:
there is no network here, and the Hub has no emulator. Each answer follows the Hub's documented
form (https://huggingface.co/docs/hub/api):

- ``GET /api/datasets/{repo}`` and ``.../revision/{rev}``: the repository's information (its id and
  commit ``sha``);
- ``GET /api/datasets/{repo}/tree/{rev}/{path}?recursive=&expand=``: the folder's entries
  (``type`` ``file`` with ``size`` and ``oid``, or ``directory``), sorted by path, in pages of
  ``page`` entries, the next page named by a ``Link: <url>; rel="next"`` header (the Hub's
  cursor pagination); a path that is not a folder: 404 with ``X-Error-Code: EntryNotFound``;
- ``GET``/``HEAD /datasets/{repo}/resolve/{rev}/{path}``: the file's bytes, ``Range`` requests
  answered with 206 and ``Content-Range``, ``X-Repo-Commit`` and ``ETag`` headers.

Anything else gets 404. ``requests``: (method, path and query) of each request, in order.
"""
from __future__ import annotations

import hashlib
import http.server
import json
import os
import threading
import urllib.parse
from pathlib import Path

from conftest import free_port

SHA = "c0ffee" + "0" * 34  # the repository's one commit


class HubServer:
    def __init__(self, root: Path, repo: str = "lab/dump", page: int = 50):
        self.root, self.repo, self.page = Path(root), repo, page
        self.requests: list[tuple[str, str]] = []
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _entries(self, path: str, recursive: bool) -> list[dict]:
        out = []
        for name in sorted(os.listdir(self.root / path if path else self.root)):
            rel = f"{path}/{name}" if path else name
            full = self.root / rel
            if full.is_dir():
                out.append({"type": "directory", "oid": hashlib.sha1(rel.encode()).hexdigest(), "path": rel})
                if recursive:
                    out += self._entries(rel, True)
            else:
                data = full.read_bytes()
                oid = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()  # git's blob id
                out.append({"type": "file", "oid": oid, "size": len(data), "path": rel})
        return out

    def _handler(self):
        hub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _send(self, code: int, data: bytes = b"", kind: str = "application/json", headers=()) -> None:
                self.send_response(code)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers:
                    self.send_header(k, v)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            def _missing(self) -> None:
                self._send(404, b'{"error": "Entry not found"}', headers=[("X-Error-Code", "EntryNotFound")])

            def _any(self) -> None:
                hub.requests.append((self.command, self.path))
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                path = urllib.parse.unquote(url.path)
                api = f"/api/datasets/{hub.repo}"
                if path in (api, f"{api}/revision/main", f"{api}/revision/{SHA}"):
                    return self._send(200, json.dumps({"id": hub.repo, "sha": SHA, "private": False}).encode())
                if path.startswith(f"{api}/tree/"):
                    _rev, _, folder = path[len(f"{api}/tree/"):].partition("/")
                    if folder and not (hub.root / folder).is_dir():
                        return self._missing()
                    entries = hub._entries(folder, query.get("recursive", "").lower() in ("true", "1"))
                    start = int(query.get("cursor", 0))
                    headers = []
                    if start + hub.page < len(entries):
                        after = urllib.parse.urlencode({**query, "cursor": start + hub.page})
                        headers.append(("Link", f'<{hub.endpoint}{url.path}?{after}>; rel="next"'))
                    return self._send(200, json.dumps(entries[start:start + hub.page]).encode(), headers=headers)
                resolve = f"/datasets/{hub.repo}/resolve/"
                if path.startswith(resolve):
                    _rev, _, rel = path[len(resolve):].partition("/")
                    full = hub.root / rel
                    if not full.is_file():
                        return self._missing()
                    data = full.read_bytes()
                    headers = [("X-Repo-Commit", SHA), ("ETag", f'"{hashlib.sha1(data).hexdigest()}"'),
                               ("Accept-Ranges", "bytes")]
                    wanted = self.headers.get("Range", "")
                    if wanted.startswith("bytes="):
                        a, _, b = wanted[6:].partition("-")
                        first, last = int(a), min(int(b) if b else len(data) - 1, len(data) - 1)
                        if first >= len(data):
                            return self._send(416, headers=[*headers, ("Content-Range", f"bytes */{len(data)}")])
                        return self._send(206, data[first:last + 1], "application/octet-stream",
                                          [*headers, ("Content-Range", f"bytes {first}-{last}/{len(data)}")])
                    return self._send(200, data, "application/octet-stream", headers)
                self._send(404)

            do_GET = do_HEAD = do_POST = _any

        return Handler
