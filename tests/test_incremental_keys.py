"""The next version takes the finish keys of unchanged stage batches from the last build.

A stage batch's finish keys are kept under a digest of every input of its key task
(corpus/kept_keys.py); a batch whose digest is the last build's is settled without running the
task. Checked against the other code path (the same builds with the kept keys deleted before the
second one: every key computed), on a change that leaves a batch's own files alone but changes
its repeated lines (so its keys must change), and with a planted file of wrong keys."""

import shutil

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

import corpuspack
import corpuspack.builder.corpus.finish as finish_module
from corpuspack.builder.release import reuse, versions
from conftest import output_files
from corpus_gen import generate_corpus

OPTS = dict(repeated_line_min_docs=5, rows_per_shard=100, batch_size=32, jobs=1, progress=False)
N, MORE = 300, 30
SHARED = "سطر يتكرر في بضع مقالات فقط من هذه المجموعة"


def _write(folder, docs):
    for name, text, _ in docs:
        (folder / name).write_text(text, encoding="utf-8")


def _key_tasks(monkeypatch) -> list[int]:
    """The stage batches whose key task runs, as they reach it."""
    seen: list[int] = []
    real = finish_module.key_task

    def counting(task, ctx):
        seen.append(task[0])
        return real(task, ctx)

    monkeypatch.setattr(finish_module, "key_task", counting)
    return seen


def _shard_keys(out, version="1.1.0") -> dict[str, str]:
    """id -> finish key, from the shard indexes of the version's shards."""
    manifest = versions.read_manifest(str(out), version)
    tables = [reuse.read_index(str(out), shard) for info in manifest["splits"].values() for shard in info["files"]]
    t = pa.concat_tables(tables)
    return dict(zip(t.column("id").to_pylist(), t.column("key").to_pylist()))


def _rows(out, version="1.1.0") -> list[dict]:
    """The version's published rows, by id."""
    manifest = versions.read_manifest(str(out), version)
    rows = [r for info in manifest["splits"].values() for shard in info["files"]
            for r in pq.read_table(out / shard["path"]).to_pylist()]
    return sorted(rows, key=lambda r: r["id"])


def _keys_file(out):
    (path,) = (out / ".cache").glob("keys-*.arrow")
    return path


def _plant_wrong_keys(out) -> None:
    """Replace every kept key by another (the digests left as they are)."""
    path = _keys_file(out)
    reader = pa.ipc.open_file(pa.memory_map(str(path), "r"))
    batches = [reader.get_batch(i) for i in range(reader.num_record_batches)]
    schema = reader.schema
    with pa.ipc.new_file(str(path) + ".new", schema) as w:
        for b in batches:
            wrong = pc.binary_join_element_wise("wrong-", b.column("key"), "")
            w.write_batch(pa.RecordBatch.from_arrays([b.column("id"), wrong, b.column("split")], schema=schema))
    shutil.move(str(path) + ".new", path)


def _dumps(tmp_path):
    """Version 1's dump, and what version 2 adds: three old documents carry a line that only
    becomes repeated once the dump grows (3 < 5 in version 1, 6 in version 2), so their batch's
    keys change though its files do not."""
    docs = generate_corpus(N + MORE, 5, article_words=(60, 150))
    dump = tmp_path / "dump"
    dump.mkdir()
    _write(dump, docs[:N])
    groups = [t["group"] for _, _, t in docs]
    # originals without any copy in either dump, whose decisions the new files do not change
    lonely = [(name, text) for name, text, t in docs[:N]
              if t["kind"] == "original" and groups.count(t["group"]) == 1][:3]
    for name, text in lonely:
        (dump / name).write_text(f"{text}\n{SHARED}\n", encoding="utf-8")
    others = [text for _, text, t in generate_corpus(3, 9, article_words=(60, 150))]

    def grow():
        _write(dump, docs[N:])
        for k, text in enumerate(others):  # new texts, duplicates of no other
            (dump / f"zz_extra_{k}.txt").write_text(text + "\n" + SHARED + "\n", encoding="utf-8")

    return dump, grow, [name.split("_")[1].removesuffix(".txt") for name, _ in lonely]


def _first_version_and_a_copy_without_keys(dump, tmp_path):
    """Version 1.0.0 of ``dump`` built in ``out``, and a copy of it without its kept keys (the
    reference: a next version built there computes every batch's keys)."""
    out = tmp_path / "out"
    corpuspack.build(dump, out, version="1.0.0", **OPTS)
    reference = tmp_path / "reference"
    shutil.copytree(out, reference)
    _keys_file(reference).unlink()
    return out, reference


def test_unchanged_batches_take_their_kept_keys_and_the_output_is_the_same(tmp_path, monkeypatch):
    dump, grow, _ = _dumps(tmp_path)
    out, reference = _first_version_and_a_copy_without_keys(dump, tmp_path)

    grow()
    ran = _key_tasks(monkeypatch)
    r = corpuspack.build(dump, out, version="1.1.0", **OPTS)
    with_kept = list(ran)
    ran.clear()
    corpuspack.build(dump, reference, version="1.1.0", **OPTS)
    without = list(ran)

    assert output_files(out) == output_files(reference)
    assert _shard_keys(out) == _shard_keys(reference)
    assert r.manifest["work"]["shards_reused"] >= 1
    batches = len(without)
    assert batches >= 10 and without == list(range(batches))
    # run: the batch whose repeated lines changed, the batches of new files, and the batches
    # whose decisions the new files changed (a near duplicate of an old document, ...); not most
    assert 2 <= len(with_kept) <= batches // 2, (with_kept, batches)

    ran.clear()  # nothing changed: every batch settled, the same keys again
    again = corpuspack.build(dump, out, version="1.1.1", **OPTS)
    assert ran == []
    assert again.manifest["work"]["rows_reused"] == again.counts["included"]


def test_a_planted_file_of_wrong_keys_is_used_only_where_every_input_is_unchanged(tmp_path):
    dump, grow, changed_ids = _dumps(tmp_path)
    out, reference = _first_version_and_a_copy_without_keys(dump, tmp_path)
    _plant_wrong_keys(out)

    grow()
    corpuspack.build(dump, out, version="1.1.0", **OPTS)
    corpuspack.build(dump, reference, version="1.1.0", **OPTS)
    # the wrong keys match no shard, so none is reused: other shards, the same rows
    assert _rows(out) == _rows(reference)
    planted, real = _shard_keys(out), _shard_keys(reference)
    assert planted.keys() == real.keys()
    for doc_id in changed_ids:  # their batch's repeated lines changed: its keys computed, not taken
        assert planted[doc_id] == real[doc_id] and not planted[doc_id].startswith("wrong-")
    wrong = [i for i, k in planted.items() if k.startswith("wrong-")]
    assert len(wrong) > len(planted) // 2  # the unchanged batches took the planted keys
    assert all(planted[i] == "wrong-" + real[i] for i in wrong)


def test_the_kept_keys_are_not_taken_for_other_options(tmp_path, monkeypatch):
    dump, _, _ = _dumps(tmp_path)
    out = tmp_path / "out"
    corpuspack.build(dump, out, version="1.0.0", **OPTS)
    ran = _key_tasks(monkeypatch)
    corpuspack.build(dump, out, version="1.0.1", **{**OPTS, "splits": (("train", 0.5), ("test", 0.5))})
    assert len(ran) >= 10  # another fingerprint: no kept keys
    ran.clear()
    corpuspack.build(dump, out, version="1.0.2", **{**OPTS, "splits": (("train", 0.5), ("test", 0.5))})
    assert ran == []


def test_a_manifest_edited_in_place_gives_new_keys(tmp_path, monkeypatch):
    """The manifest's bytes are an input of every key (a row joined to another manifest row
    publishes other values), whatever its path: the same file edited between two builds in one
    process makes every batch's keys computed again, and the output is a fresh build's."""
    dump, _, _ = _dumps(tmp_path)
    names = sorted(p.name for p in dump.iterdir())
    manifest = tmp_path / "m.csv"
    manifest.write_text("file_name,url\n" + "".join(f"{n},https://example.org/a/{n}\n" for n in names), encoding="utf-8")
    out, reference = tmp_path / "out", tmp_path / "reference"
    corpuspack.build(dump, out, version="1.0.0", manifest=str(manifest), **OPTS)
    shutil.copytree(out, reference)
    _keys_file(reference).unlink()
    manifest.write_text("file_name,url\n" + "".join(f"{n},https://example.org/b/{n}\n" for n in names), encoding="utf-8")
    ran = _key_tasks(monkeypatch)
    corpuspack.build(dump, out, version="1.1.0", manifest=str(manifest), **OPTS)
    assert len(ran) >= 10 and ran == list(range(len(ran)))
    corpuspack.build(dump, reference, version="1.1.0", manifest=str(manifest), **OPTS)
    assert output_files(out) == output_files(reference)
    urls = [r["url"] for r in _rows(out)]
    assert sum("/b/" in (u or "") for u in urls) > len(urls) // 2, urls[:5]


def test_a_damaged_keys_file_is_ignored(tmp_path, monkeypatch):
    dump, _, _ = _dumps(tmp_path)
    out = tmp_path / "out"
    corpuspack.build(dump, out, version="1.0.0", **OPTS)
    path = _keys_file(out)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # cut: no footer
    ran = _key_tasks(monkeypatch)
    r = corpuspack.build(dump, out, version="1.0.1", **OPTS)
    assert len(ran) >= 10 and r.manifest["work"]["rows_reused"] == r.counts["included"]
    ran.clear()
    corpuspack.build(dump, out, version="1.0.2", **OPTS)  # written whole again by the last build
    assert ran == []


def test_batches_settled_without_a_task_report_what_their_finishing_task_would(tmp_path, monkeypatch):
    """finish.settled counts the rows of reused shards without naming them and names only the
    duplicates: the report, counts and shards are those of the same build with every batch
    finished by finish.finish_task (the other code path)."""
    dump, grow, _ = _dumps(tmp_path)
    out, reference = _first_version_and_a_copy_without_keys(dump, tmp_path)
    grow()
    settled = []
    real = finish_module.settled
    monkeypatch.setattr(finish_module, "settled", lambda task, ctx: settled.append(r := real(task, ctx)) or r)
    r = corpuspack.build(dump, out, version="1.1.0", **OPTS)
    assert sum(s is not None for s in settled) >= 2  # batches settled here
    assert any(s is not None and len(s.events) > 1 for s in settled)  # some of them name duplicates
    monkeypatch.setattr(finish_module, "settled", lambda task, ctx: None)
    r2 = corpuspack.build(dump, reference, version="1.1.0", **OPTS)
    assert r.counts == r2.counts
    assert output_files(out) == output_files(reference)
