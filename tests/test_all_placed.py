"""Pass 3b's batches whose every row a reused shard holds (engines/keys.py: DriverKeys.finishing,
all_placed): settled without making their decisions. Checked against finish.settled on the real
decisions of such a batch, and a next version built with the shortcut against the same build
without it (the old tasks: every batch's decisions, settled by finish.settled), file by file."""
from __future__ import annotations

import shutil

import numpy as np

import corpuspack
from corpuspack.builder.corpus import finish
from corpuspack.builder.corpus.plan import plan as make_plan
from corpuspack.builder.corpus.stage import read_batches
from corpuspack.builder.engines import keys as keys_mod
from corpuspack.builder.options import BuildOptions
from conftest import output_files
from corpus_gen import generate_corpus


def _dump(path, n=300, seed=5):
    path.mkdir()
    for name, text, _ in generate_corpus(n, seed, dup_rate=0.05, near_dup_rate=0.1):
        (path / name).write_text(text, encoding="utf-8")
    return path


def test_all_placed_is_what_settled_gives(tmp_path):
    dump = _dump(tmp_path / "dump")
    corpuspack.build(dump, tmp_path / "out", jobs=1, batch_size=8, progress=False)
    stage = str(min((tmp_path / "out" / ".cache").glob("stage-*.arrow"), key=lambda p: len(p.name)))
    sizes = [b.num_rows for b in read_batches(stage, ["_controls"])]
    p = make_plan(stage, BuildOptions())
    ctx = finish.FinishContext(stage, p.repeated, False, frozenset(), (("train", 1.0),), (), None, "x")
    n = sum(sizes)
    placed = np.ones(n, bool)
    placed[np.concatenate([p.exact_rows, p.id_dup])] = False  # the dropped rows: never in a shard
    offset = 0
    seen_whole = seen_part = 0
    for i, m in enumerate(sizes):
        task = (i, p.decisions(offset, m, placed))
        expected = finish.settled(task, ctx)
        if placed[offset:offset + m].all():
            got = keys_mod.all_placed(m)
            assert (got.batch, got.events, got.without_manifest_row) == (None, expected.events, 0)
            assert got.removal.report() == expected.removal.report()
            seen_whole += 1
        else:
            assert expected is None or len(expected.events) > 1  # a row to finish, or rows named
            seen_part += 1
        offset += m
    assert seen_whole >= 2 and seen_part >= 1


def _old_finishing(self, fn, local):
    return self._plan.batches(self._batch_rows, *self._columns), fn, local


def test_next_version_the_same_without_the_shortcut(tmp_path, monkeypatch):
    dump = _dump(tmp_path / "dump", 400, 9)
    corpuspack.build(dump, tmp_path / "v1", jobs=1, batch_size=16, progress=False, rows_per_shard=50)
    for k, f in enumerate(sorted(dump.iterdir())[::20]):  # copies under new names (last in the walk):
        shutil.copyfile(f, dump / f"z{k:03d}.txt")          # the repeated lines and the old rows' keys the same
    shortcut = []
    real = keys_mod.DriverKeys.finishing

    def counted(self, fn, local):
        tasks, fn, settle = real(self, fn, local)

        def seen():
            for task in tasks:
                shortcut.append(task[1] is None)
                yield task

        return seen(), fn, settle

    outs = {}
    for how in ("new", "old"):
        out = tmp_path / how
        shutil.copytree(tmp_path / "v1", out)
        with monkeypatch.context() as m:
            m.setattr(keys_mod.DriverKeys, "finishing", counted if how == "new" else _old_finishing)
            result = corpuspack.build(dump, out, jobs=2, batch_size=16, progress=False, rows_per_shard=50,
                                      version="1.1.0")
        assert result.manifest["work"]["shards_reused"] >= 1
        outs[how] = output_files(out)
    assert sum(shortcut) >= 3 and not all(shortcut)  # most batches settled whole, not the new ones
    assert outs["new"] == outs["old"]
