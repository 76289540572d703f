"""A next version takes pass 2's scans of unchanged stage ranges from the last build
(``corpus/scans.py``): the repeated-line counts and the rows that lose a repeated line, a range of
batches at a time, known by a digest of the range's content and of the rows each scan leaves out.

Checked against the other code path: the same two builds with the kept scan files deleted before
the second one scan every range, and must give the same bytes (and write the same scan files).
The tasks are counted as they reach the two scan functions, so a cache that is never used, or used
for a range that changed, fails."""
from __future__ import annotations

import shutil

import numpy as np
import pyarrow as pa
import pytest

import corpuspack
import corpuspack.builder.corpus.duplicates as duplicates_module
from conftest import output_files
from corpus_gen import generate_corpus
from corpuspack.builder.corpus import scans

# small batches and ranges, so that a small dump has many ranges
OPTS = dict(repeated_line_min_docs=5, rows_per_shard=100, jobs=1, progress=False, batch_size=8)
N, MORE = 200, 12


@pytest.fixture(autouse=True)
def small_ranges(monkeypatch):
    monkeypatch.setattr(duplicates_module, "BAND_CHUNK_ROWS", 16)


def _write(folder, docs):
    for name, text, _ in docs:
        (folder / name).write_text(text, encoding="utf-8")


def _count_tasks(monkeypatch) -> dict[str, list]:
    """The first batch of each range the two scans' tasks are given, by scan, as the tasks run."""
    seen: dict[str, list] = {"line_counts_task": [], "edited_task": []}
    for name in seen:
        real = getattr(duplicates_module, name)

        def counting(task, ctx, real=real, name=name):
            seen[name].append(task[0])
            return real(task, ctx)

        monkeypatch.setattr(duplicates_module, name, counting)
    return seen


def _versions(tmp_path, change=None, damage=None):
    """Version 1.0.0 of N generated documents, copied as a reference without its kept scans; the
    dump grown by MORE (and ``change(dump)``), then built as 1.1.0 into both."""
    docs = generate_corpus(N + MORE, 11, article_words=(40, 90))
    dump = tmp_path / "dump"
    dump.mkdir()
    _write(dump, docs[:N])
    out, reference = tmp_path / "out", tmp_path / "reference"
    corpuspack.build(dump, out, version="1.0.0", **OPTS)
    kept = sorted(p.name for p in (out / ".cache").glob("published-*.*.arrow") if not p.name.endswith(".pairs.arrow"))
    assert [k.split(".")[1] for k in kept] == ["counts", "edited"]
    shutil.copytree(out, reference)
    for name in kept:
        (reference / ".cache" / name).unlink()
    if damage is not None:
        damage(out / ".cache")
    _write(dump, [(f"zz_{name}", text, t) for name, text, t in docs[N:]])  # new files, last in the listing
    if change is not None:
        change(dump)
    return dump, out, reference


def _build_both(monkeypatch, dump, out, reference):
    tasks = _count_tasks(monkeypatch)
    corpuspack.build(dump, out, version="1.1.0", **OPTS)
    with_cache = {k: list(v) for k, v in tasks.items()}
    for v in tasks.values():
        v.clear()
    corpuspack.build(dump, reference, version="1.1.0", **OPTS)
    assert output_files(out) == output_files(reference)
    kept = {p.name: p.read_bytes() for p in (out / ".cache").glob("published-*.*.arrow")}
    assert kept == {p.name: p.read_bytes() for p in (reference / ".cache").glob("published-*.*.arrow")}
    return with_cache, tasks


def test_unchanged_ranges_take_the_last_builds_scans_and_the_output_is_the_same(tmp_path, monkeypatch):
    dump, out, reference = _versions(tmp_path)
    with_cache, without = _build_both(monkeypatch, dump, out, reference)
    ranges = len(without["line_counts_task"])
    assert ranges >= 10 and len(without["edited_task"]) == ranges  # every range scanned without the cache
    # with it: only the ranges that hold the new documents (at the end: the last one or two)
    assert 1 <= len(with_cache["line_counts_task"]) <= 2, with_cache
    assert 1 <= len(with_cache["edited_task"]) <= 2, with_cache
    assert min(with_cache["line_counts_task"]) > 0


def test_a_file_changed_in_the_first_range_has_its_range_scanned_again(tmp_path, monkeypatch):
    def change(dump):
        first = sorted(p for p in dump.iterdir())[0]
        first.write_text(first.read_text(encoding="utf-8") + "\nجملة أضيفت إلى المقال الأول.\n", encoding="utf-8")

    dump, out, reference = _versions(tmp_path, change=change)
    with_cache, without = _build_both(monkeypatch, dump, out, reference)
    assert 0 in with_cache["line_counts_task"] and 0 in with_cache["edited_task"]
    assert len(with_cache["line_counts_task"]) < len(without["line_counts_task"])


def test_a_range_whose_copies_changed_is_counted_again(tmp_path, monkeypatch):
    """A copy as staged is left out of the line counts. Its original edited, the copy is counted:
    the copy's range, the same content, is counted again (its mask changed), and so is the original's."""
    docs = generate_corpus(N + MORE, 11, article_words=(40, 90))
    names = sorted(name for name, _, _ in docs[:N])
    text = {name: body for name, body, _ in docs}
    group = {name: t["group"] for name, _, t in docs[:N]}
    original, copy = next((a, b) for a in names for b in names
                          if a < b and text[a] == text[b] and list(group.values()).count(group[a]) == 2
                          and names.index(b) // 16 > names.index(a) // 16)

    def change(dump):
        (dump / original).write_text(text[original] + "\nجملة أضيفت إلى المقال.\n", encoding="utf-8")

    dump, out, reference = _versions(tmp_path, change=change)
    with_cache, _ = _build_both(monkeypatch, dump, out, reference)
    first_batch = {name: names.index(name) // 16 * 2 for name in (original, copy)}  # of each one's range
    assert first_batch[original] in with_cache["line_counts_task"]
    assert first_batch[copy] in with_cache["line_counts_task"]
    assert 0 not in with_cache["line_counts_task"] or 0 in first_batch.values()


def test_a_damaged_scan_file_is_taken_as_none(tmp_path, monkeypatch):
    def damage(cache):
        for p in cache.glob("published-*.counts.arrow"):
            p.write_bytes(b"not an arrow file")

    dump, out, reference = _versions(tmp_path, damage=damage)
    with_cache, without = _build_both(monkeypatch, dump, out, reference)
    assert len(with_cache["line_counts_task"]) == len(without["line_counts_task"])  # every range counted
    assert len(with_cache["edited_task"]) <= 2  # the other file still serves


def test_a_range_is_known_by_its_content_its_mask_and_the_scans_extra(tmp_path):
    stage = tmp_path / "stage.arrow"
    schema = pa.schema([("_line_hashes", pa.list_(pa.uint64())), ("_doc_digest", pa.string())])
    rows = [([1, 2], "a" * 32), ([3], "b" * 32), ([], "c" * 32), ([2, 9], "d" * 32)]
    with pa.ipc.new_file(str(stage), schema) as w:
        for k in (0, 2):
            w.write_batch(pa.record_batch([pa.array([r[0] for r in rows[k:k + 2]], pa.list_(pa.uint64())),
                                           pa.array([r[1] for r in rows[k:k + 2]])], schema=schema))
    cache = scans.ScanCache(None)
    mask = np.zeros(2, bool)
    key = cache.keys("counts", str(stage), [(0, 1, 0, mask), (1, 2, 2, mask)])
    assert key[0] != key[1]  # two ranges of other content
    assert cache.keys("counts", str(stage), [(0, 1, 0, np.array([True, False]))])[0] != key[0]
    assert cache.keys("edited", str(stage), [(0, 1, 0, mask)])[0] != key[0]
    assert cache.keys("edited", str(stage), [(0, 1, 0, mask)], b"x")[0] != \
        cache.keys("edited", str(stage), [(0, 1, 0, mask)], b"y")[0]
    # the same content in another file, at another place, has the same key
    other = tmp_path / "other.arrow"
    with pa.ipc.new_file(str(other), schema) as w:
        w.write_batch(pa.record_batch([pa.array([[5]], pa.list_(pa.uint64())), pa.array(["e" * 32])], schema=schema))
        w.write_batch(pa.record_batch([pa.array([r[0] for r in rows[:2]], pa.list_(pa.uint64())),
                                       pa.array([r[1] for r in rows[:2]])], schema=schema))
    assert scans.ScanCache(None).keys("counts", str(other), [(1, 2, 1, mask)])[0] == key[0]


def test_edited_rows_read_back_as_written():
    # a range of batches 4..7 from row 100 (sizes 10, 5, 8, 3): rows lost lines in batches 4, 6 and 7
    sizes = [9] * 4 + [10, 5, 8, 3]
    task = (4, 8, 100, np.ones(26, bool))
    result = [(4, 100, np.array([0, 7]), np.array([1, 2], np.uint64), np.array([3, 4], np.uint64)),
              (6, 115, np.array([5]), np.array([5], np.uint64), np.array([6], np.uint64)),
              (7, 123, np.array([0, 1, 2]), np.array([7, 8, 9], np.uint64), np.array([10, 11, 12], np.uint64))]
    back = scans.edited_of(scans.edited_batch(result, task), task, sizes)
    assert [(i, at, r.tolist(), a.tolist(), b.tolist()) for i, at, r, a, b in back] == \
        [(i, at, r.tolist(), a.tolist(), b.tolist()) for i, at, r, a, b in result]
    assert scans.edited_of(scans.edited_batch([], task), task, sizes) == []
