"""The Ray engine against the local one: the same dump built by both gives the same bytes (shards,
card, manifests, report, caches), from a local folder and from an S3-compatible server started
here (moto's server mode). One local Ray instance (2 CPUs) serves the whole module."""
import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

ray = pytest.importorskip("ray")
moto_server = pytest.importorskip("moto.server")
boto3 = pytest.importorskip("boto3")

import corpuspack  # noqa: E402
from corpuspack.builder.corpus.scans import kept_scan_files  # noqa: E402
from corpus_gen import generate_corpus  # noqa: E402
from dump_forms import pack_tar, pack_zip, write_dump  # noqa: E402

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"
#: credentials the S3 server accepts (any); set before Ray starts so its workers inherit them
_S3_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_EC2_METADATA_DISABLED": "true"}
#: the same credentials in the URI (pyarrow reads ``s3://key:secret@bucket``): the local engine's
#: workers come from a fork server that may have started, with the environment of its time,
#: before this module set the variables
_KEYS = "testing:testing"


@pytest.fixture(scope="module")
def local_ray():
    saved = {k: os.environ.get(k) for k in _S3_ENV}
    os.environ.update(_S3_ENV)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield
    ray.shutdown()
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


SMALL = 500  # documents in the dump read from S3 and in the one built twice


def _docs(n_docs: int) -> list:
    return generate_corpus(n_docs, 17, dup_rate=0.05, near_dup_rate=0.1, other_lang_rate=0.03)


SAME_IDS = 12  # files of the generated dump named as an earlier file (same id), with other texts


def _dump(folder: Path, n_docs: int, same_ids: int = 0) -> Path:
    """Generated articles with exact and near duplicates and other languages, in folders (two
    levels) and at the top, with files that must be rejected (empty, binary; ``same_ids`` files
    in a last folder carrying the id of an earlier file spread over the dump)."""
    d = folder / "dump"
    docs = _docs(n_docs)
    for i, (name, text, _) in enumerate(docs):
        folder = d / ("" if i % 5 == 0 else f"site{i % 3}/" + ("" if i % 2 else "2025/"))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    for k in range(same_ids):
        j = k * (n_docs // same_ids) + 3
        (d / "zz_again").mkdir(exist_ok=True)
        (d / "zz_again" / docs[j][0]).write_text(f"{docs[j + 1][1]}\nنسخة أخرى بالمعرف نفسه، رقم {k}.\n", encoding="utf-8")
    (d / "site1" / "empty.txt").write_bytes(b"")
    (d / "site2" / "blob.bin").write_bytes(bytes(range(256)) * 8)
    return d


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    return _dump(tmp_path_factory.mktemp("gen"), 2400, SAME_IDS)


@pytest.fixture(scope="module")
def small_dump(tmp_path_factory) -> Path:
    """Fewer documents for the S3 server (each file costs it a few requests)."""
    return _dump(tmp_path_factory.mktemp("small"), SMALL)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _same_bytes(a: Path, b: Path, *, other_storage: bool = False) -> None:
    """Every file of the two outputs holds the same bytes, the caches kept for the next build
    included. ``other_storage``: the dumps were read from two storages, whose files'
    modification times differ: the build's cache of staged rows (which keeps them, to skip
    unchanged files next time) then holds the same rows but for them. The local engine's kept
    pass-2 scans (``corpus/scans.py``) are compared where both outputs hold them (Ray keeps the edited
    rows' when its pass 2 groups in the driver, never the line counts, which its own tasks make)."""
    ta, tb = _tree(a), _tree(b)
    scans = set(kept_scan_files(ta)), set(kept_scan_files(tb))
    if scans[0] != scans[1]:  # one output is Ray's: the scans only the local engine keeps left out
        assert any(n.endswith(".counts.arrow") for n in scans[0] | scans[1]), scans
        for tree in (ta, tb):
            for name in scans[0] ^ scans[1]:
                tree.pop(name, None)
    assert sorted(ta) == sorted(tb)
    different = [name for name in ta if ta[name] != tb[name]]
    if other_storage:
        stage = [name for name in different if name.startswith(".cache/stage-")]
        assert len(stage) == 1
        tables = [pa.ipc.open_file(pa.py_buffer(t[stage[0]])).read_all() for t in (ta, tb)]
        assert tables[0].drop_columns(["_mtime_ns"]).equals(tables[1].drop_columns(["_mtime_ns"]))
        different.remove(stage[0])
    assert not different


def test_seeds_same_bytes_as_local(local_ray, tmp_path):
    corpuspack.build(SEEDS, tmp_path / "local", jobs=2, progress=False)
    result = corpuspack.build(SEEDS, tmp_path / "ray", engine="ray", progress=False)
    assert result.counts["included"] == len(list(SEEDS.glob("*.txt")))
    _same_bytes(tmp_path / "local", tmp_path / "ray")


def test_generated_dump_same_bytes_as_local(local_ray, generated, tmp_path):
    opts = dict(splits=(("train", 0.8), ("validation", 0.1), ("test", 0.1)), near_dedup="drop", progress=False)
    local = corpuspack.build(generated, tmp_path / "local", jobs=2, **opts)
    on_ray = corpuspack.build(generated, tmp_path / "ray", engine="ray", **opts)
    # the dump holds what the comparison must cover: duplicates of both kinds, rejections, three splits
    assert on_ray.counts == local.counts
    assert local.counts["duplicate"] > 100 and local.counts["rejected"] >= 2
    assert all(info["num_examples"] > 0 for info in local.manifest["splits"].values())
    _same_bytes(tmp_path / "local", tmp_path / "ray")


@pytest.mark.parametrize("shuffle_min", [10**9, None], ids=["driver-groupings", "partitioned-groupings"])
def test_next_version_same_bytes_as_local(local_ray, small_dump, tmp_path, shuffle_min):
    """A second version after one file changed, one was removed and one added: the cached rows of
    the unchanged files are reused on Ray as locally (the cache's outcomes come back from the
    tasks); with pass 2's groupings partitioned, the published keys the first version kept too."""
    dump = tmp_path / "dump"
    shutil.copytree(small_dump, dump)
    more = {} if shuffle_min is None else {"ray_shuffle_min_docs": shuffle_min}
    for engine in ("local", "ray"):
        corpuspack.build(dump, tmp_path / engine, engine=engine, jobs=2, progress=False, **(more if engine == "ray" else {}))
    # two originals that nothing duplicates, so that no other row's decisions change
    docs = _docs(SMALL)
    copied = {t["group"] for _, _, t in docs if t["kind"] in ("exact_dup", "near_dup")}
    lone = [name for i, (name, _, t) in enumerate(docs) if t["kind"] == "original" and i not in copied][:2]
    changed, removed = (next(dump.rglob(name)) for name in lone)
    changed.write_text(changed.read_text(encoding="utf-8") + "\nسطر أضيف في النسخة الثانية من هذا الخبر.\n",
                       encoding="utf-8")
    removed.unlink()
    (dump / "site0" / "new_article.txt").write_text(generate_corpus(1, 99)[0][1], encoding="utf-8")
    results = {engine: corpuspack.build(dump, tmp_path / engine, engine=engine, jobs=2, progress=False,
                                        version="1.1.0", **(more if engine == "ray" else {}))
               for engine in ("local", "ray")}
    assert results["ray"].manifest["work"]["reused"] == results["local"].manifest["work"]["reused"] > 400
    assert results["ray"].manifest["changes"] == {"added": 1, "removed": 1, "changed": 1}
    _same_bytes(tmp_path / "local", tmp_path / "ray")


def _with_lines(folder: Path) -> Path:
    """A dump with JSON Lines beside its files: lines with ids and a field of their own, one
    line that is not JSON (entries the input stream reads and hands over as bytes); and a file
    whose name ends in .gz, a document as its bytes are (a binary file: rejected, not unpacked)."""
    lines = [json.dumps({"id": f"wire-{i}", "text": text, "desk": "wire" if i % 2 else "site"}, ensure_ascii=False)
             for i, (_, text, _) in enumerate(generate_corpus(30, seed=5))]
    (folder / "world").mkdir(parents=True, exist_ok=True)
    with gzip.open(folder / "world" / "wire.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write("\n".join([*lines[:15], "not json", *lines[15:]]) + "\n")
    (folder / "world" / "notes.txt.gz").write_bytes(gzip.compress(generate_corpus(1, 3)[0][1].encode()))
    return folder


def test_archive_and_json_lines_same_bytes_as_local(local_ray, tmp_path):
    """Archive members and JSON lines reach the Ray tasks as bytes (ids given by the lines, the
    lines' own fields, the archive's reorder): the same output as the local engine."""
    dump = tmp_path / "dump"
    write_dump(dump)
    _with_lines(dump)
    archive = pack_tar(dump, tmp_path / "dump.tar.gz")  # members in reverse order: staged rows reordered
    for src in (dump, archive):
        outs = {engine: tmp_path / f"{src.name}-{engine}" for engine in ("local", "ray")}
        results = {engine: corpuspack.build(src, out, engine=engine, jobs=2, progress=False, name="forms")
                   for engine, out in outs.items()}
        assert results["ray"].counts == results["local"].counts
        assert results["local"].counts["rejected"] >= 1  # the line that is not JSON, named
        _same_bytes(outs["local"], outs["ray"])


@pytest.fixture(scope="module")
def s3(local_ray):
    """A local S3-compatible server: (client, the URI query that points pyarrow at it)."""
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    client = boto3.client("s3", endpoint_url=f"http://{host}:{port}", region_name="us-east-1")
    client.create_bucket(Bucket="corpora")
    yield client, f"?endpoint_override={host}:{port}&scheme=http&region=us-east-1"
    server.stop()


def _upload(s3, folder: Path, prefix: str) -> str:
    client, query = s3
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            client.put_object(Bucket="corpora", Key=f"{prefix}/{path.relative_to(folder).as_posix()}",
                              Body=path.read_bytes())
    return f"s3://{_KEYS}@corpora/{prefix}{query}"


@pytest.fixture(scope="module")
def s3_dump(s3, small_dump):
    """The generated dump uploaded to the S3 server; its URI."""
    return _upload(s3, small_dump, "dumps/dump")


def test_s3_folder_with_json_lines_same_bytes_as_local_folder(s3, tmp_path):
    """A remote folder's JSON Lines files are read through the filesystem and expanded as a
    local folder's are; an archive there is read in place, as a local one is."""
    dump = tmp_path / "dump"
    write_dump(dump, n=10)
    _with_lines(dump)
    uri = _upload(s3, dump, "dumps/lines")
    corpuspack.build(dump, tmp_path / "folder", jobs=2, progress=False)
    corpuspack.build(uri, tmp_path / "ray", engine="ray", progress=False, name="dump")
    _same_bytes(tmp_path / "folder", tmp_path / "ray", other_storage=True)
    for archive in (pack_tar(dump, tmp_path / "dump.tar.gz"), pack_zip(dump, tmp_path / "dump.zip")):
        s3[0].put_object(Bucket="corpora", Key=f"dumps/{archive.name}", Body=archive.read_bytes())
        corpuspack.build(archive, tmp_path / f"local-{archive.name}", jobs=2, progress=False)
        corpuspack.build(f"s3://{_KEYS}@corpora/dumps/{archive.name}{s3[1]}", tmp_path / f"ray-{archive.name}",
                         engine="ray", progress=False)
        _same_bytes(tmp_path / f"local-{archive.name}", tmp_path / f"ray-{archive.name}")


def test_s3_dump_same_bytes_as_local_folder(s3_dump, small_dump, tmp_path):
    corpuspack.build(small_dump, tmp_path / "folder", jobs=2, progress=False)
    corpuspack.build(s3_dump, tmp_path / "ray", engine="ray", progress=False)
    corpuspack.build(s3_dump, tmp_path / "local", jobs=2, progress=False)
    _same_bytes(tmp_path / "folder", tmp_path / "ray", other_storage=True)
    _same_bytes(tmp_path / "ray", tmp_path / "local")


def test_ray_engine_without_ray_says_what_to_install(tmp_path):
    """With Ray not importable, the build stops before any work and names the extra to install."""
    code = ("import sys; sys.modules['ray'] = None\n"
            "from corpuspack.cli import main\n"
            f"sys.exit(main(['build', {str(SEEDS)!r}, {str(tmp_path / 'out')!r}, '--engine', 'ray', '--quiet']))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert 'pip install "corpuspack[ray]"' in proc.stderr
    assert not (tmp_path / "out").exists()


def test_partitioned_duplicates_same_bytes_as_local(local_ray, generated, tmp_path):
    """The duplicate groupings as Ray tasks partitioned by key hash (forced on at any size), over
    batches of 64 documents: exact and near duplicates fall in other batches and partitions than
    their originals, and the output is still the local engine's, byte for byte."""
    opts = dict(splits=(("train", 0.9), ("test", 0.1)), near_dedup="drop", batch_size=64, progress=False)
    local = corpuspack.build(generated, tmp_path / "local", jobs=2, **opts)
    on_ray = corpuspack.build(generated, tmp_path / "ray", engine="ray", ray_shuffle_min_docs=0, **opts)
    assert on_ray.counts == local.counts and local.counts["duplicate"] > 100
    assert local.counts["rejected"] >= 2 + SAME_IDS
    # the published keys of the edited rows, kept for the next build, are among the bytes compared
    kept = next(p for p in sorted((tmp_path / "local" / ".cache").glob("published-*"))
                if not p.name.endswith(".pairs.arrow")).read_bytes()
    assert pa.ipc.open_file(pa.py_buffer(kept)).read_all().num_rows > 100
    # and so are the similarities of the verified candidate pairs
    pairs = next((tmp_path / "local" / ".cache").glob("published-*.pairs.arrow")).read_bytes()
    assert pa.ipc.open_file(pa.py_buffer(pairs)).read_all().num_rows > 50
    _same_bytes(tmp_path / "local", tmp_path / "ray")


def test_partitioned_groupings_match_the_drivers(local_ray, generated, tmp_path):
    """The repeated lines counted in Ray tasks and each grouping of :class:`Partitioned` (3
    partitions, 5 map tasks) against the driver's (:func:`repeated_here`, :class:`Here`) on the
    staged rows of a real build: the same repeated lines, the same id copies, the same staged
    copies, the same exact duplicates of the published texts (with their first row) and empty
    texts, the same published keys recorded for the next build, the same verified near-duplicate
    pairs and clusters; duplicates whose first row lies in another map task's batches included."""
    import numpy as np

    from corpuspack.builder.corpus.duplicates import Here, map_here
    from corpuspack.builder.corpus.plan import repeated_here
    from corpuspack.builder.corpus.published import EditCache, PublishedContext
    from corpuspack.builder.engines.ray_pass2 import Partitioned, repeated_lines
    from corpuspack.builder.options import BuildOptions

    corpuspack.build(generated, tmp_path / "out", jobs=2, batch_size=64, progress=False)
    stage = str(next((tmp_path / "out" / ".cache").glob("stage-*")))
    reader = pa.ipc.open_file(stage)
    sizes = [reader.get_batch(i).num_rows for i in range(reader.num_record_batches)]
    n = sum(sizes)
    options = BuildOptions()
    here, there = Here(map_here), Partitioned(maps=5, parts=3)
    id_dup, id_first = here.id_copies(stage, sizes)
    id_dup_r, id_first_r = there.id_copies(stage, sizes)
    assert np.array_equal(id_dup, id_dup_r) and np.array_equal(id_first, id_first_r)
    assert len(id_dup) == SAME_IDS and (id_first < id_dup).all()
    copies = here.staged_copies(stage, sizes)
    assert np.array_equal(there.staged_copies(stage, sizes), copies) and len(copies) > 50
    none = np.empty(0, np.int64)  # no row rejected for its id
    ctx = PublishedContext(stage, repeated_here(stage, copies, options))
    assert len(ctx.repeated) > 0  # the published keys of the rows that lose a line are computed in the map tasks
    assert repeated_lines(stage, copies, options) == ctx.repeated  # counted in 4 partitions (2 CPUs)
    edits, edits_r = EditCache(), EditCache()
    (dup, first, empty), (dup_r, first_r, empty_r) = (here.published(stage, sizes, ctx, none, edits),
                                                      there.published(stage, sizes, ctx, none, edits_r))
    order, order_r = np.argsort(dup), np.argsort(dup_r)
    assert np.array_equal(dup[order], dup_r[order_r]) and np.array_equal(first[order], first_r[order_r])
    assert np.array_equal(empty, empty_r)
    for cache, name in ((edits, "here"), (edits_r, "there")):
        cache.write(str(tmp_path / name))
    assert (tmp_path / "here").read_bytes() == (tmp_path / "there").read_bytes()
    assert len(EditCache(str(tmp_path / "here")).k1) > 100
    run = (n + 4) // 5  # rows per map task, about: some duplicates sit in another task's batches
    assert np.count_nonzero(dup // run != first // run) > 20
    drop = copies.copy()
    u, v = here.near_pairs(stage, sizes, drop, options, ctx)
    u_r, v_r = there.near_pairs(stage, sizes, drop, options, ctx)
    assert sorted(zip(u.tolist(), v.tolist())) == sorted(zip(u_r.tolist(), v_r.tolist()))
    assert len(u) > 50
    clusters = here.near_clusters(stage, sizes, drop, options, ctx)
    clusters_r = there.near_clusters(stage, sizes, drop, options, ctx)
    assert all(np.array_equal(a, b) for a, b in zip(clusters, clusters_r)) and len(clusters[0]) > 50


def test_partitioned_exact_grouping_takes_the_published_keys_the_cache_knows(local_ray, generated, tmp_path):
    """The map tasks look the edited rows up in the last build's cache before computing: given a
    cache that says every row it knows is left empty once published, exactly the rows that lose a
    repeated line (found by the driver's own scan, :func:`duplicates._edited_tasks`) come back
    empty, and the keys recorded for the next build are the cache's, not computed ones."""
    import numpy as np

    from corpuspack.builder.corpus.duplicates import Here, _edited_tasks, map_here
    from corpuspack.builder.corpus.published import EditCache
    from corpuspack.builder.engines.ray_pass2 import Partitioned

    stage, sizes, copies, ctx = _staged(generated, tmp_path)
    keep, none = np.ones(sum(sizes), bool), np.empty(0, np.int64)
    Here(map_here).published(stage, sizes, ctx, none, computed := EditCache())
    computed.write(str(tmp_path / "cache"))
    planted = EditCache(str(tmp_path / "cache"))
    assert not planted._empty.all() and planted._keys.any()
    planted._keys[:] = 0
    planted._empty[:] = True
    _, _, empty = Partitioned(maps=5, parts=3).published(stage, sizes, ctx, none, planted)
    edited = np.concatenate([offset + rows for _, offset, rows, _, _ in _edited_tasks(stage, sizes, ctx.repeated, keep)])
    assert len(edited) > 100
    assert np.array_equal(empty, np.sort(edited))
    planted.write(str(tmp_path / "next"))
    assert EditCache(str(tmp_path / "next"))._empty.all()


def _staged(generated: Path, tmp_path: Path):
    """The stage of a local build of ``generated`` in batches of 64: its path, its batches' rows,
    the staged copies and the published texts' context (the repeated lines)."""
    from corpuspack.builder.corpus.duplicates import Here, map_here
    from corpuspack.builder.corpus.plan import repeated_here
    from corpuspack.builder.corpus.published import PublishedContext
    from corpuspack.builder.options import BuildOptions

    corpuspack.build(generated, tmp_path / "out", jobs=2, batch_size=64, progress=False)
    stage = str(next((tmp_path / "out" / ".cache").glob("stage-*")))
    reader = pa.ipc.open_file(stage)
    sizes = [reader.get_batch(i).num_rows for i in range(reader.num_record_batches)]
    copies = Here(map_here).staged_copies(stage, sizes)
    return stage, sizes, copies, PublishedContext(stage, repeated_here(stage, copies, BuildOptions()))


def test_partitioned_verifier_takes_the_pairs_the_cache_knows(local_ray, generated, tmp_path):
    """The verifying tasks look each candidate pair up in the last build's pairs cache before
    computing: given a cache that says every pair it knows is dissimilar (similarity 0), no
    pair is verified and no cluster made, where the same cache with the computed similarities
    gives the local engine's pairs; the similarities recorded for the next build are the cache's."""
    import numpy as np

    from corpuspack.builder.corpus.duplicates import Here, map_here
    from corpuspack.builder.corpus.published import EditCache
    from corpuspack.builder.engines.ray_pass2 import Partitioned
    from corpuspack.builder.options import BuildOptions

    stage, sizes, copies, ctx = _staged(generated, tmp_path)
    options = BuildOptions()
    u, v = Here(map_here, computed := EditCache()).near_pairs(stage, sizes, copies, options, ctx)
    assert len(u) > 50
    computed.write(str(tmp_path / "cache"))
    kept = EditCache(str(tmp_path / "cache"))
    u_r, v_r = Partitioned(maps=5, parts=3, pairs=kept.pairs).near_pairs(stage, sizes, copies, options, ctx)
    assert sorted(zip(u_r.tolist(), v_r.tolist())) == sorted(zip(u.tolist(), v.tolist()))
    planted = EditCache(str(tmp_path / "cache"))
    planted.pairs._load()  # (read when first asked for, since round 32)
    assert len(planted.pairs._sim) > len(u) and (planted.pairs._sim >= options.near_dup_threshold).sum() == len(u)
    planted.pairs._sim = np.zeros_like(planted.pairs._sim)
    there = Partitioned(maps=5, parts=3, pairs=planted.pairs)
    assert len(there.near_pairs(stage, sizes, copies, options, ctx)[0]) == 0
    assert len(there.near_clusters(stage, sizes, copies, options, ctx)[0]) == 0
    planted.write(str(tmp_path / "next"))
    again, kept = EditCache(str(tmp_path / "next")).pairs, EditCache(str(tmp_path / "cache")).pairs
    again._load(), kept._load()
    assert len(again._sim) == len(kept._sim) and not again._sim.any()


def test_components_in_tasks_long_chains_and_a_star(local_ray):
    """Connected components in Ray tasks against clusters written by hand: two paths of 1,000
    and 300 rows (one numbered against its order, so that the smallest row is at one end and
    labels must travel the whole path), a star of 200 rows around its largest row, 50 separate
    pairs and a cycle with a chord; every row labelled with its cluster's smallest row and its
    size, as :func:`dedup.cluster_labels` does on the driver. A fixed few rounds of label
    propagation would leave the paths split."""
    import numpy as np

    from corpuspack.builder.corpus.dedup import cluster_labels
    from corpuspack.builder.engines.ray_pass2 import components, edge_parts

    rng = np.random.default_rng(3)
    rows = rng.permutation(20_000)[:1_700]
    groups = [rows[:1000], np.sort(rows[1000:1300])[::-1], rows[1300:1500], *rows[1500:1600].reshape(50, 2),
              rows[1600:1700]]
    pairs = [np.column_stack([g[:-1], g[1:]]) for g in groups[:2]]  # paths
    star = groups[2]
    centre = star.max()
    pairs.append(np.column_stack([np.full(len(star) - 1, centre), star[star != centre]]))
    pairs += [g[None, :] for g in groups[3:-1]]
    cycle = groups[-1]
    pairs += [np.column_stack([cycle, np.roll(cycle, 1)]), cycle[[0, 50]][None, :]]
    edges = np.concatenate(pairs)
    edges = edges[rng.permutation(len(edges))]
    flip = rng.random(len(edges)) < 0.5
    edges[flip] = edges[flip][:, ::-1]
    expected = sorted((int(r), int(g.min()), len(g)) for g in groups for r in g)
    for parts in (1, 3):
        got = components([[ray.put(e) for e in edge_parts(edges[:, 0], edges[:, 1], parts)]], parts)
        assert got[2].dtype == np.int32
        assert list(zip(*(a.tolist() for a in got))) == expected
    assert list(zip(*(a.tolist() for a in cluster_labels(edges[:, 0], edges[:, 1])))) == expected


def test_partitioned_clusters_of_a_chain_same_bytes_as_local(local_ray, tmp_path):
    """A chain of 40 near duplicates (each text the one before with two words replaced: far
    apart in the chain, two texts are not near duplicates), its files named in another order
    than the chain's, and an article with 15 near copies: the clusters found in Ray tasks are
    the local engine's (one cluster of 40, one of 16), byte for byte. (Each text is verified
    against its few neighbours in the chain, so one Large-Star step makes stars of it: the
    rounds are tested by :func:`test_components_in_tasks_long_chains_and_a_star`.)"""
    import random

    import pyarrow.parquet as pq

    rng = random.Random(7)
    texts = [text for _, text, _ in generate_corpus(40, 11, dup_rate=0, near_dup_rate=0)]
    words, spare = texts[0].split(" "), " ".join(texts[1:]).split()
    dump = tmp_path / "dump"
    dump.mkdir()
    names = rng.sample(range(1000), 40)
    for step in range(40):
        for at in rng.sample(range(len(words)), 2):
            words[at] = rng.choice(spare)
        (dump / f"chain-{names[step]:04d}.txt").write_text(" ".join(words), encoding="utf-8")
    star = texts[2].split(" ")
    for k in range(16):
        copy = list(star)
        for at in rng.sample(range(len(copy)), 2 if k else 0):
            copy[at] = rng.choice(spare)
        (dump / f"star-{(k * 7) % 16:02d}.txt").write_text(" ".join(copy), encoding="utf-8")
    for i, text in enumerate(texts[3:13]):
        (dump / f"other-{i}.txt").write_text(text, encoding="utf-8")
    local = corpuspack.build(dump, tmp_path / "local", jobs=2, progress=False)
    corpuspack.build(dump, tmp_path / "ray", engine="ray", ray_shuffle_min_docs=0, progress=False)
    rows = pa.concat_tables([pq.read_table(p, columns=["file_name", "near_dup_cluster_size"])
                             for p in sorted((tmp_path / "local" / "data").rglob("*.parquet"))]).to_pylist()
    assert local.counts["included"] == 66
    assert sorted({(r["file_name"][:4], r["near_dup_cluster_size"]) for r in rows}) == [
        ("chai", 40), ("othe", 1), ("star", 16)]
    _same_bytes(tmp_path / "local", tmp_path / "ray")


def test_partitioned_groupings_with_nothing_staged(local_ray, tmp_path):
    """Every file rejected (empty, binary): no staged row for the partitioned groupings to group;
    the build ends as the local engine's does (nothing to publish, since round 37: no version
    written), with the same report."""
    dump = tmp_path / "dump"
    dump.mkdir()
    (dump / "empty.txt").write_bytes(b"")
    (dump / "blob.bin").write_bytes(bytes(range(256)) * 8)
    with pytest.raises(ValueError, match="nothing to publish") as local:
        corpuspack.build(dump, tmp_path / "local", jobs=2, progress=False)
    with pytest.raises(ValueError, match="nothing to publish") as on_ray:
        corpuspack.build(dump, tmp_path / "ray", engine="ray", ray_shuffle_min_docs=0, progress=False)
    counts = local.value.report["counts"]
    assert on_ray.value.report["counts"] == counts and counts["included"] == 0 and counts["rejected"] == 2
    kept = [Path(e.value.path).read_bytes() for e in (local, on_ray)]
    assert kept[0] == kept[1] and b'"blob.bin"' in kept[0]
