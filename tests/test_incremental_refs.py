"""The next version's stage refers to the unchanged record batches of the last build's stage
instead of copying them (release.incremental.StageCache.stage, corpus.stage.StageWriter).

Checked against the other code path: the same builds with a batch size that no cached batch
matches (every reused row copied, as before) must give the same bytes; and the published rows
against a fresh build of the last dump (no cache at all). A batch with an edited, removed or
added file must not be referred to (its new rows are in the output)."""

import json
import os
import shutil

import pyarrow as pa
import pyarrow.parquet as pq

import corpuspack
from conftest import output_files
from corpus_gen import generate_corpus
from corpuspack.builder.corpus.stage import LAYOUT_SUFFIX
from corpuspack.builder.release import incremental
from test_incremental_edits import _write

OPTS = dict(rows_per_shard=100, jobs=1, progress=False)
BATCH = 32


def _layout(out) -> list | None:
    (stage,) = [p for p in (out / ".cache").glob("stage-*.arrow") if p.name.count(".") == 1]
    layout = stage.with_name(stage.name + LAYOUT_SUFFIX)
    return json.loads(layout.read_text()) if layout.exists() else None


def _rows(out, version) -> pa.Table:
    files = sorted((out / "data" / f"v{version}").rglob("*.parquet"))
    table = pa.concat_tables([pq.read_table(f) for f in files])
    return table.sort_by("id")


def _versions(tmp_path, edits, **extra):
    """Build version 1.0.0 of a dump, then one version per step of ``edits`` (each changes the
    dump), into OUT with batches of BATCH files and into REF with batches no cached batch
    matches; the outputs must be the same after every step."""
    docs = generate_corpus(420, 11, article_words=(40, 90))
    dump = tmp_path / "dump"
    dump.mkdir()
    _write(dump, docs[:300])
    out, ref = tmp_path / "out", tmp_path / "ref"
    corpuspack.build(dump, out, version="1.0.0", batch_size=BATCH, **OPTS, **extra)
    corpuspack.build(dump, ref, version="1.0.0", batch_size=BATCH, **OPTS, **extra)
    layouts = []
    for minor, edit in enumerate(edits, start=1):
        edit(dump, docs)
        version = f"1.{minor}.0"
        a = corpuspack.build(dump, out, version=version, batch_size=BATCH, **OPTS, **extra)
        b = corpuspack.build(dump, ref, version=version, batch_size=BATCH + minor, **OPTS, **extra)
        assert output_files(out) == output_files(ref)
        assert a.manifest["work"]["reused"] == b.manifest["work"]["reused"] > 0
        assert _layout(ref) is None  # nothing referred to: every reused row copied
        layouts.append(_layout(out))
    fresh = tmp_path / "fresh"
    corpuspack.build(dump, fresh, version="1.0.0", batch_size=BATCH, **OPTS, **extra)
    assert _rows(out, version).equals(_rows(fresh, "1.0.0"))
    return out, layouts


def _grow(start, stop):
    return lambda dump, docs: _write(dump, docs[start:stop])


def _edit_and_remove(dump, docs):
    name, text, _ = docs[40]  # in the second batch
    (dump / name).write_text(text + "\nسطر أضيف إلى هذه المقالة بعد النسخة الأولى\n", encoding="utf-8")
    os.remove(dump / docs[200][0])  # in the seventh: it and every later batch shift by one row
    _write(dump, docs[300:310])


def test_unchanged_batches_are_referred_to_and_the_output_is_the_same(tmp_path):
    out, (first, second) = _versions(tmp_path, [_grow(300, 330), _edit_and_remove])
    # version 1.1.0: the 300 old files are 9 whole batches of 32 and 12 files, which the grown
    # dump's tenth batch joins to 20 new ones: the first 9 referred to
    assert [i for name, i in first if name] == list(range(9))
    assert all(name for name, _ in first[:9]) and first[9] == ["", 0]
    # version 1.2.0: the second batch holds an edited file, the seventh lost one: batches 1 and
    # 6 on are written again; 0 and 2-5 referred to, in the first kept data file
    referred = [k for k, (name, _) in enumerate(second) if name]
    assert referred == [0, 2, 3, 4, 5]
    assert {second[k][0] for k in referred} == {os.path.basename(first[0][0])}


def test_a_stage_split_over_too_many_files_is_kept_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(incremental, "MAX_FILES", 2)
    steps = [_grow(300, 330), _grow(330, 360), _grow(360, 390)]
    out, layouts = _versions(tmp_path, steps)
    files = [{name for name, _ in layout} if layout else set() for layout in layouts]
    assert len(files[0]) == 2  # the first kept data file and the stage's own
    assert layouts[1] is None  # three files: written whole
    assert len(files[2]) == 2
    names = sorted(p.name for p in (out / ".cache").glob("stage-*"))
    assert len(names) == 3  # the stage, its layout and the one data file it refers to


def test_a_cache_whose_data_file_is_missing_is_not_used(tmp_path):
    out, (layout,) = _versions(tmp_path, [_grow(300, 330)])
    (stage,) = [p for p in (out / ".cache").glob("stage-*.arrow") if p.name.count(".") == 1]
    name = generate_corpus(420, 11, article_words=(40, 90))[0][0]
    assert incremental.StageCache(str(stage)).known(name) is not None
    os.remove(out / ".cache" / next(name for name, _ in layout if name))
    assert incremental.StageCache(str(stage)).known(name) is None  # nothing known: every file read again
