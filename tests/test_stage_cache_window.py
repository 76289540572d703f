"""The incremental cache's look-ups hold a window of the cached index, not every row
(release.incremental.StageCache, round 37).

What each file was (SHA-256, size, time) is checked against the kept stage read whole by pyarrow
itself (the reference), in the cached order, shuffled, with names that are not cached and with
every name sharing one hash; what the look-ups hold is measured by Arrow's allocator against the
size of the index columns pyarrow reads from the same file."""

import random

import numpy as np
import pyarrow as pa
import pytest

import corpuspack
from corpus_gen import generate_corpus
from corpuspack.builder.corpus import hash_index
from corpuspack.builder.release import incremental
from test_incremental_edits import _write

BATCH = 32


@pytest.fixture(scope="module")
def kept(tmp_path_factory):
    """A built dump's kept stage (1,200 documents in batches of 32) and the reference read by pyarrow."""
    tmp = tmp_path_factory.mktemp("window")
    dump, out = tmp / "dump", tmp / "out"
    dump.mkdir()
    _write(dump, generate_corpus(1200, 5, article_words=(20, 40)))
    built = corpuspack.build(dump, out, version="1.0.0", batch_size=BATCH, jobs=1, progress=False)
    path = incremental.cache_path(str(out), built.manifest["options_fingerprint"])
    with pa.OSFile(path) as f:
        reader = pa.ipc.open_file(f)
        assert reader.num_record_batches > 30
        table = reader.read_all().select(["file_name", "sha256", "_size", "_mtime_ns"])
    reference = {r["file_name"]: (r["sha256"], r["_size"], r["_mtime_ns"]) for r in table.to_pylist()}
    index_bytes = sum(table.column(c).nbytes for c in table.column_names)
    return path, reference, index_bytes


def _check(cache, names, reference, rehash=False):
    for start in range(0, len(names), 100):
        run = names[start:start + 100]
        for name, known in zip(run, cache.known_many(run, rehash=rehash)):
            if name in reference:
                assert (known.sha256, known.size, known.mtime_ns) == reference[name], name
                assert known.trust_stat is (not rehash)
            else:
                assert known is None, name


def test_lookups_in_order_shuffled_and_missing(kept, monkeypatch):
    path, reference, _ = kept
    monkeypatch.setattr(incremental, "WINDOW", 2, raising=False)  # blocks evicted and read again
    monkeypatch.setattr(incremental, "BLOCK_ROWS", 64, raising=False)  # blocks of two batches
    names = sorted(reference)
    _check(incremental.StageCache(path), names, reference)
    shuffled = names + [f"new_{i}.txt" for i in range(150)]
    random.Random(3).shuffle(shuffled)
    _check(incremental.StageCache(path), shuffled, reference, rehash=True)
    # in order with new files between the cached ones, and the last ones looked up again
    mixed = [n for name in names for n in (name, name + ".new")] + names[-40:]
    _check(incremental.StageCache(path), mixed, reference)


def test_names_sharing_one_hash(kept, monkeypatch):
    path, reference, _ = kept
    monkeypatch.setattr(incremental, "WINDOW", 3, raising=False)
    monkeypatch.setattr(incremental, "BLOCK_ROWS", 64, raising=False)  # blocks of two batches
    monkeypatch.setattr(hash_index, "name_hashes", lambda names, count: np.full(count, 7, np.uint64))  # one hash for all
    names = sorted(reference)
    picked = names[::97] + ["absent.txt"] + names[5:9][::-1]
    cache = incremental.StageCache(path)
    _check(cache, picked, reference)


def test_held_index_does_not_grow_with_the_cache(kept, monkeypatch):
    """After each run of look-ups the cache holds a window of blocks of batches (Arrow memory) and, once a name
    is missed, 12 bytes a cached row (numpy): far less than the index columns (~150 bytes a row)."""
    path, reference, index_bytes = kept
    monkeypatch.setattr(incremental, "WINDOW", 4, raising=False)
    monkeypatch.setattr(incremental, "BLOCK_ROWS", 64, raising=False)  # blocks of two batches
    names = sorted(reference)
    base = pa.total_allocated_bytes()
    cache = incremental.StageCache(path)
    held = []
    for start in range(0, len(names), 64):
        run = names[start:start + 64] + [f"new_{start}.txt"]
        assert all(k is not None for k in cache.known_many(run)[:-1])
        held.append(pa.total_allocated_bytes() - base)
    rows = len(names)
    assert max(held) < 0.25 * index_bytes, (max(held), index_bytes)
    hashes, order = cache._hash_index()
    assert hashes.nbytes + order.nbytes == 12 * rows
    assert isinstance(hashes, np.ndarray)


def test_names_after_every_cached_name_need_no_hash_index(kept, monkeypatch):
    """A grown dump's new files often come after every cached name: they are known not cached from
    the largest cached name alone, without the hash index of every cached name (~0.05 s at 100,000);
    a new name among the cached ones still has the index built, and every answer is the reference's."""
    path, reference, _ = kept
    names = sorted(reference)
    built = []
    real = incremental.StageCache._hash_index

    def counted(self):
        built.append(1)
        return real(self)

    monkeypatch.setattr(incremental.StageCache, "_hash_index", counted)
    cache = incremental.StageCache(path)
    after = [names[-1] + "0", "zz_new_1.txt", "zz_new_2.txt"]  # after the largest name, as bytes
    _check(cache, names + after, reference)
    assert not built
    # the largest name itself is cached; a name just before it is not, and needs the index
    cache = incremental.StageCache(path)
    _check(cache, names[:10] + [names[-1], names[-1][:-1]], reference)
    assert built
    # names whose UTF-8 bytes sort after the cached ones (Arabic letters after ASCII digits)
    built.clear()
    cache = incremental.StageCache(path)
    _check(cache, names + ["خبر_جديد.txt"], reference)
    assert not built
