"""A stage batch's part of pass 2's Plan (``corpus/plan.py: plan_part``, the file a Ray task writes,
round 32): made into a Plan again (``of_part``) after a trip through an Arrow file, it gives that
batch the same decisions, to the buffer (what the kept keys' digest hashes, ``kept_keys.add_array``),
as the whole Plan; and a batch's ``PlanRows.within`` named by itself gives the same part. Checked on
a real build's stage (300 generated documents, exact and near duplicates, batches of 8)."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import xxhash

import corpuspack
from corpuspack.builder.corpus import plan as corpus
from corpuspack.builder.corpus.kept_keys import add_array
from corpuspack.builder.corpus.stage import read_batches, write_part
from corpuspack.builder.options import BuildOptions
from corpus_gen import generate_corpus


def _digest(batch: pa.RecordBatch) -> str:
    h = xxhash.xxh3_128()
    for column in batch.columns:
        add_array(h, column)
    return h.hexdigest()


def _read(path: str | None) -> pa.Table:
    if path is None:
        return corpus.PLAN_PART_SCHEMA.empty_table()
    with pa.OSFile(path) as f:
        return pa.ipc.open_file(f).read_all()


def test_plan_parts_give_the_same_decisions(tmp_path):
    dump = tmp_path / "dump"
    dump.mkdir()
    for name, text, _ in generate_corpus(300, 11, dup_rate=0.08, near_dup_rate=0.15):
        (dump / name).write_text(text, encoding="utf-8")
    (dump / "copy.txt").write_bytes((dump / sorted(p.name for p in dump.iterdir())[3]).read_bytes())
    corpuspack.build(dump, tmp_path / "out", jobs=1, batch_size=8, progress=False)
    stage = str(min((tmp_path / "out" / ".cache").glob("stage-*.arrow"), key=lambda p: len(p.name)))
    sizes = [b.num_rows for b in read_batches(stage, ["_controls"])]
    rows = corpus.plan_rows(stage, BuildOptions())
    whole = rows.named(stage)
    assert len(whole.exact_rows) and len(whole.cluster_rows)  # the dump has both kinds
    offset, decided, differs = 0, 0, 0
    for i, n in enumerate(sizes):
        part = corpus.plan_part(whole, offset, n)
        assert part.equals(corpus.plan_part(rows.within(offset, n).named(stage, sizes), offset, n))
        again = corpus.of_part(_read(write_part(str(tmp_path / f"{i}.arrow"), part, corpus.PLAN_PART_SCHEMA)))
        expected = whole.decisions(offset, n)
        assert again.decisions(offset, n).equals(expected)
        assert _digest(again.decisions(offset, n)) == _digest(expected)
        decided += part.num_rows
        if part.num_rows:  # the check can fail: a part missing one of its rows decides otherwise
            assert not corpus.of_part(part.slice(1)).decisions(offset, n).equals(expected)
            differs += 1
        offset += n
    assert decided == len(np.unique(np.concatenate([whole.id_dup, whole.exact_rows, whole.cluster_rows,
                                                    whole.not_representative])))
    assert differs > 3
