"""A flat folder on S3 listed in key ranges by the engine's tasks (issue #17,
``document/inputs/s3_ranges.py``), against an S3-compatible server started here (moto's server
mode): the same entries in the same order as one listing of the whole prefix sorted by hand, more
than one range, no range more than a bounded share, and a build of the folder with either engine
gives the bytes of the same files in a local folder."""
import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

moto_server = pytest.importorskip("moto.server")
boto3 = pytest.importorskip("boto3")

import corpuspack  # noqa: E402
from corpus_gen import generate_corpus  # noqa: E402
from corpuspack.builder.document.inputs import s3_ranges  # noqa: E402
from corpuspack.builder.document.storage import RemoteStorage  # noqa: E402

_S3_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_EC2_METADATA_DISABLED": "true"}
_KEYS = "testing:testing"  # in the URI: the local engine's workers may predate the environment set here
BUCKET = "corpora"
FLAT = 2000  # generated documents in the flat folder
#: names that stress the order: prefixes of others, characters below and above "/", Arabic, a
#: code point outside the BMP (UTF-16 would order it before U+E000-U+FFFF, UTF-8 and str after),
#: a folder beside names that sort between its name and its keys
STRESS = ["ab", "ab-c.txt", "ab.txt", "abc", "abc.txt", "sub.txt", "sub-1.txt", "sub0.txt", "sub/a.txt",
          "sub/deeper/b.txt", "sub/c.txt", "عربي.txt", "خبر_٢.txt", "\U0001f600.txt", "\ufb50x.txt", "zz"]


@pytest.fixture(scope="module")
def s3():
    """A local S3-compatible server: (client, the URI query that points pyarrow at it)."""
    with pytest.MonkeyPatch.context() as env:  # set before Ray starts (local_ray), for its workers
        for k, v in _S3_ENV.items():
            env.setenv(k, v)
        server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        client = boto3.client("s3", endpoint_url=f"http://{host}:{port}", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client, f"?endpoint_override={host}:{port}&scheme=http&region=us-east-1"
        server.stop()


def _flat_dump(folder: Path, n: int) -> Path:
    """``n`` generated articles named ``NNN_<16 hex>.txt`` in one folder, the :data:`STRESS` names
    beside them (a sub-folder among them)."""
    rng = random.Random(34)
    docs = generate_corpus(n, 34, dup_rate=0.05, near_dup_rate=0.1, other_lang_rate=0.03)
    folder.mkdir(parents=True)
    for _, text, _ in docs:
        (folder / f"{rng.randrange(100):03d}_{rng.getrandbits(64):016x}.txt").write_text(text, encoding="utf-8")
    for k, name in enumerate(STRESS):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(f"{docs[k][1]}\nنسخة {k}.\n", encoding="utf-8")
    return folder


def _upload(s3, folder: Path, prefix: str) -> str:
    client, query = s3
    files = [p for p in folder.rglob("*") if p.is_file()]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda p: client.put_object(Bucket=BUCKET, Key=f"{prefix}/{p.relative_to(folder).as_posix()}",
                                                  Body=p.read_bytes()), files))
    return f"s3://{_KEYS}@{BUCKET}/{prefix}{query}"


@pytest.fixture(scope="module")
def flat_local(tmp_path_factory) -> Path:
    return _flat_dump(tmp_path_factory.mktemp("flat") / "dump", FLAT)


@pytest.fixture(scope="module")
def flat(s3, flat_local) -> str:
    return _upload(s3, flat_local, "dumps/flat")


def _loc(uri: str) -> s3_ranges.Location:
    storage = RemoteStorage(uri)
    return s3_ranges.location(storage.root, storage.path)


def _reference(client, prefix: str) -> list[tuple[str, bool]]:
    """The top-level entries of ``prefix/`` from one listing of every key under it (boto3's
    paginator), sorted by name here: what the build lists, computed apart from the code."""
    entries = set()
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix + "/"):
        for obj in page.get("Contents", ()):
            top, sep, _ = obj["Key"][len(prefix) + 1:].partition("/")
            if top:
                entries.add((top, bool(sep)))
    return sorted(entries, key=lambda e: (e[0], not e[1]))  # a folder before a file of its name


def _recording(calls: list):
    """A ``map_`` that runs here and records (fn's name, task, size of its result)."""
    def map_(fn, tasks, *common, local=None):
        for task in tasks:
            result = fn(task, *common)
            calls.append((fn.__name__, task, len(result)))
            yield task, result
    return map_


def test_flat_folder_listed_in_ranges_same_as_one_listing(s3, flat):
    want = _reference(s3[0], "dumps/flat")
    assert len(want) == FLAT + len(STRESS) - 2  # sub/'s three files: one entry
    calls = []
    got = list(s3_ranges.top_entries(_loc(flat), 8, _recording(calls)))
    assert got == want
    assert list(RemoteStorage(flat)._top_here()) == want  # pyarrow's one-call listing, sorted
    ranges = [size for fn, _, size in calls if fn == "list_range"]
    assert len(ranges) >= 4 and sum(ranges) == len(want)
    assert max(ranges) <= len(want) // 3, ranges  # no range holds more than a bounded share
    assert all(fn in ("list_range", "expand") for fn, _, _ in calls)  # listed by the map's tasks


def test_any_split_points_give_the_same_order(s3):
    """The ranges taken in order give the sorted listing whatever the split points: a split
    point equal to a folder's name, or one that sorts between a folder's name and its keys
    (``sub-1.txt``: ``sub`` < ``sub-1.txt`` < ``sub/a.txt``), or inside the folder's keys; every
    name of the stress set tried alone and all together. A file and a folder of one name come
    folder first, as pyarrow's one-call listing gives them."""
    client, query = s3
    for k, name in enumerate(STRESS + ["x", "x/in.txt", "sub-1", "sub-1/in.txt"]):
        client.put_object(Bucket=BUCKET, Key=f"dumps/stress/{name}", Body=f"x{k}".encode())
    uri = f"s3://{_KEYS}@{BUCKET}/dumps/stress{query}"
    loc, want = _loc(uri), _reference(client, "dumps/stress")
    assert ("x", True) in want and ("x", False) in want
    assert list(RemoteStorage(uri)._top_here()) == want
    names = sorted(set(STRESS) | {"sub", "ab", "a", "s", "sub-", "sub/", "x", "sub-1"})
    for points in [[n] for n in names] + [names, names[::2], names[1::2]]:
        got = [e for span in s3_ranges.bounds(points) for e in s3_ranges.list_range(span, loc)]
        assert got == want, points
    assert list(s3_ranges.top_entries(loc, 8)) == want


def _requests(loc: s3_ranges.Location) -> list:
    seen = []
    s3_ranges.client(loc).meta.events.register("before-call.s3.ListObjectsV2", lambda **kw: seen.append(1))
    return seen


def test_edges_empty_one_object_long_common_prefix(s3):
    client, query = s3
    empty = _loc(f"s3://{_KEYS}@{BUCKET}/edge/empty{query}")
    assert s3_ranges.split_points(empty, 8) == [] and list(s3_ranges.top_entries(empty, 8)) == []
    client.put_object(Bucket=BUCKET, Key="edge/one/000_8de2ff6bbf66210d.txt", Body=b"x")
    one = _loc(f"s3://{_KEYS}@{BUCKET}/edge/one{query}")
    assert list(s3_ranges.top_entries(one, 8)) == [("000_8de2ff6bbf66210d.txt", False)]
    stem = "تقرير_" + "a" * 300  # longer than a local file's name may be; S3 keys take 1,024 bytes
    rng = random.Random(5)
    names = [f"{stem}_{rng.getrandbits(64):016x}.txt" for _ in range(60)] + [f"{stem}/in.txt", f"{stem}.txt"]
    for name in names:
        client.put_object(Bucket=BUCKET, Key=f"edge/long/{name}", Body=b"x")
    long_ = _loc(f"s3://{_KEYS}@{BUCKET}/edge/long{query}")
    count = _requests(long_)
    first = s3_ranges.branches(s3_ranges.probe_of(long_), "")
    assert first == [f"{stem}.", f"{stem}/", f"{stem}_"]
    assert len(count) < 40, len(count)  # the 306 shared characters found by bisection, not a probe each
    points = s3_ranges.split_points(long_, 8)
    assert len(points) >= 4 and all(p.startswith(stem) for p in points)
    assert list(s3_ranges.top_entries(long_, 8)) == _reference(client, "edge/long")


def test_names_with_a_dash_split_evenly(s3):
    """Names that all go on past a shared prefix with a character below ``/`` (``report-...``,
    ``2024-05-01_...``) are split too, a folder of that prefix placed by its name."""
    client, query = s3
    rng = random.Random(9)
    for name in [f"report-{rng.getrandbits(32):08x}.txt" for _ in range(200)] + ["report/in.txt"]:
        client.put_object(Bucket=BUCKET, Key=f"edge/dash/{name}", Body=b"x")
    loc, calls = _loc(f"s3://{_KEYS}@{BUCKET}/edge/dash{query}"), []
    assert list(s3_ranges.top_entries(loc, 8, _recording(calls))) == _reference(client, "edge/dash")
    ranges = [size for fn, _, size in calls if fn == "list_range"]
    assert len(ranges) >= 4 and max(ranges) <= 201 // 3, ranges


def test_other_filesystems_and_no_boto3_list_as_before(monkeypatch):
    assert s3_ranges.location("gs://bucket/dump", "bucket/dump") is None
    assert s3_ranges.location("hf://datasets/x/y", "datasets/x/y") is None
    assert s3_ranges.location("s3://bucket/dump?tls_ca_file_path=/x", "bucket/dump") is None  # an option not read here
    loc = s3_ranges.location("s3://k%2Fey:se%40cret@bucket/a/dump?endpoint_override=h:9&scheme=http&region=r",
                             "bucket/a/dump")
    assert loc == s3_ranges.Location("bucket", "a/dump/", "http://h:9", "r", "k/ey", "se@cret", True)
    monkeypatch.setitem(__import__("sys").modules, "boto3", None)
    assert s3_ranges.location("s3://bucket/dump", "bucket/dump") is None


@pytest.fixture(scope="module")
def local_ray(s3):
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield ray
    ray.shutdown()


def test_ranges_listed_by_ray_tasks(local_ray, s3, flat, tmp_path):
    from corpuspack.builder.engines.ray import RayEngine

    calls = []
    with RayEngine(2, None, str(tmp_path)) as engine:
        def map_(fn, tasks, *common, local=None):
            for task, result in engine.map(fn, tasks, *common, local=local):
                calls.append((fn.__name__, len(result)))
                yield task, result
        got = list(s3_ranges.top_entries(_loc(flat), s3_ranges.RANGES_PER_CPU * engine.cpus(), map_))
    assert got == _reference(s3[0], "dumps/flat")
    ranges = [size for fn, size in calls if fn == "list_range"]
    assert len(ranges) >= 4 and max(ranges) <= len(got) // 3, ranges


def test_flat_s3_folder_same_bytes_as_local_folder(local_ray, s3, flat, flat_local, tmp_path):
    from test_engine_ray import _same_bytes

    corpuspack.build(flat_local, tmp_path / "folder", jobs=2, progress=False)
    on_ray = corpuspack.build(flat, tmp_path / "ray", engine="ray", progress=False, name="dump")
    corpuspack.build(flat, tmp_path / "local", jobs=2, progress=False, name="dump")
    assert on_ray.counts["included"] > FLAT // 2
    assert len(s3_ranges.split_points(_loc(flat), 8)) >= 4
    _same_bytes(tmp_path / "folder", tmp_path / "ray", other_storage=True)
    _same_bytes(tmp_path / "ray", tmp_path / "local")
