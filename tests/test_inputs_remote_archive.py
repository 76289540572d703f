"""Archives on remote storage (``s3://bucket/dump.tar.gz``, ``.zip``) read in place through the
filesystem: the same bytes as building the same archive from a local disk; and a plain JSON Lines
file there, read line by line through the same buffered stream. The S3 server is
moto's, started here on a local port. (The Ray engine reads them too: tests/test_engine_ray.py.)"""
from pathlib import Path

import pytest

moto_server = pytest.importorskip("moto.server")
boto3 = pytest.importorskip("boto3")

import corpuspack  # noqa: E402
from dump_forms import build_report, pack_tar, pack_zip, published, write_dump  # noqa: E402

_KEYS = "testing:testing"  # any key the server accepts, in the URI (pyarrow reads s3://key:secret@bucket)


@pytest.fixture(scope="module")
def s3():
    """(client, the URI query that points pyarrow at the server)."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_EC2_METADATA_DISABLED", "true")  # pyarrow asks no cloud metadata service
        server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        client = boto3.client("s3", endpoint_url=f"http://{host}:{port}", region_name="us-east-1",
                              aws_access_key_id="testing", aws_secret_access_key="testing")
        client.create_bucket(Bucket="corpora")
        yield client, f"?endpoint_override={host}:{port}&scheme=http&region=us-east-1"
        server.stop()


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def archives(tmp_path_factory):
    """A dump (seeds, generated articles with duplicates, hidden and VCS files) packed as a tar.gz
    and a zip, members in reverse name order (so the rows are restaged in the folder's order)."""
    root = tmp_path_factory.mktemp("remote")
    write_dump(root / "dump", n=30)
    return {"tar.gz": pack_tar(root / "dump", root / "dump.tar.gz"), "zip": pack_zip(root / "dump", root / "dump.zip")}


@pytest.mark.parametrize("form", ["tar.gz", "zip"])
def test_a_remote_archive_gives_the_bytes_of_the_local_one(s3, archives, form, tmp_path):
    client, query = s3
    local = archives[form]
    client.put_object(Bucket="corpora", Key=f"in/{local.name}", Body=local.read_bytes())
    corpuspack.build(local, tmp_path / "local", jobs=2, progress=False)
    corpuspack.build(f"s3://{_KEYS}@corpora/in/{local.name}{query}", tmp_path / "remote", jobs=2, progress=False)
    a, b = _tree(tmp_path / "local"), _tree(tmp_path / "remote")
    assert sorted(a) == sorted(b)
    assert [name for name in a if a[name] != b[name]] == []  # shards, card, manifests, report, cache
    # and it is the dump: the documents of the folder, by their paths in it
    assert published(tmp_path / "remote").num_rows > 30
    assert build_report(tmp_path / "remote")["inputs"]["by_form"] == {form.split(".")[0]: 36}


def test_a_remote_zip_cut_short_is_read_by_its_local_headers(s3, archives, tmp_path):
    """No directory to seek to: the members before the cut, read as a stream, and the cut one named."""
    client, query = s3
    data = archives["zip"].read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(data[: len(data) // 2])
    client.put_object(Bucket="corpora", Key="in/cut.zip", Body=cut.read_bytes())
    corpuspack.build(cut, tmp_path / "local", jobs=1, progress=False)
    corpuspack.build(f"s3://{_KEYS}@corpora/in/cut.zip{query}", tmp_path / "remote", jobs=1, progress=False)
    assert _tree(tmp_path / "local") == _tree(tmp_path / "remote")
    rejected = build_report(tmp_path / "remote")["rejected"]
    assert [r["reason"] for r in rejected] == ["corrupt"] and published(tmp_path / "remote").num_rows > 5


def test_a_remote_plain_json_lines_file_is_read_line_by_line(s3, tmp_path):
    """Not compressed, so read straight from the filesystem's stream (pyarrow's files cannot read a
    line: the stream is buffered by io). The same bytes as the same file on disk."""
    import json
    from corpus_gen import generate_corpus
    client, query = s3
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(json.dumps({"id": f"f{i}", "text": text, "desk": "wire"}, ensure_ascii=False) + "\n"
                            for i, (_, text, _) in enumerate(generate_corpus(40, seed=11))), encoding="utf-8")
    client.put_object(Bucket="corpora", Key="in/feed.jsonl", Body=path.read_bytes())
    corpuspack.build(path, tmp_path / "local", jobs=1, progress=False)
    corpuspack.build(f"s3://{_KEYS}@corpora/in/feed.jsonl{query}", tmp_path / "remote", jobs=1, progress=False)
    assert _tree(tmp_path / "local") == _tree(tmp_path / "remote")
    assert build_report(tmp_path / "remote")["rejected"] == []
    assert published(tmp_path / "remote").column("id").to_pylist()[:3] == ["f0", "f1", "f2"]
