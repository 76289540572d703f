"""Pass 3a's kept-key digests with the stage's part of each batch (corpus/kept_keys.py: stage_part)
computed by the local engine's workers, a range of batches a task (Workers.finish_keys). Checked
against the same digests computed in one process, batch by batch, on the plan of a real build; a
change of what a batch's key task reads (its repeated lines) changes its digest."""
from __future__ import annotations

import numpy as np
import pytest

from corpuspack.builder.corpus import duplicates, finish
from corpuspack.builder.corpus.kept_keys import KeptKeys, context_text, batch_digest, stage_part
from corpuspack.builder.corpus.plan import plan as make_plan
from corpuspack.builder.corpus.stage import read_batches
from corpuspack.builder.engines.local import Workers
from corpuspack.builder.options import BuildOptions
from conftest import staged_build

OPTIONS = BuildOptions(repeated_line_min_docs=4)


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    root = tmp_path_factory.mktemp("parts")
    stage, sizes = staged_build(root, 300, 17)
    p = make_plan(stage, OPTIONS)
    assert p.repeated
    ctx = finish.FinishContext(stage, p.repeated, False, frozenset(), (("train", 1.0),), (), None, "fp")
    return stage, sizes, p, ctx, root


def _digests(jobs, planned, tmp_path):
    _, sizes, p, ctx, root = planned
    kept = KeptKeys(str(next((root / "out" / ".cache").glob("keys-*.arrow"))), finish.KEY_SCHEMA)
    assert kept.path is not None  # the last build's keys kept: with workers, the parts computed by them
    handed = []
    with Workers(jobs, str(tmp_path)) as engine:
        if engine._pool is not None:
            real = engine._pool.submit
            engine._pool.submit = lambda fn, *a: handed.append(fn.__name__) or real(fn, *a)
        keys = engine.finish_keys(sizes, p, ctx, kept, str(root / "out"), None)
    assert len(keys._parts) == len(sizes)
    return kept.digests, handed


def test_digests_with_parts_from_workers_are_those_made_here(planned, tmp_path, monkeypatch):
    monkeypatch.setattr(duplicates, "BAND_CHUNK_ROWS", 40)  # ranges of 3 batches: several tasks
    stage, sizes, p, ctx, _ = planned
    two, handed = _digests(2, planned, tmp_path)
    assert handed.count("stage_parts_task") == len(duplicates.scan_ranges(sizes)) > 3
    one, handed = _digests(1, planned, tmp_path)  # no pool: each part computed in this process
    assert handed == []
    assert len(two) == len(sizes) and two == one
    # and against the digest made from the batch's decisions alone, part computed here
    starts = np.cumsum([0, *sizes])
    for i, n in enumerate(sizes):
        assert batch_digest((i, p.decisions(int(starts[i]), n)), ctx, context_text(ctx)) == two[i]
    assert len(set(two.values())) == len(sizes)


def test_a_batch_with_other_repeated_lines_has_another_part(planned):
    stage, sizes, p, _, _ = planned
    hits = [i for i in range(len(sizes)) if stage_part(stage, i, p.repeated) != stage_part(stage, i, ())]
    assert hits  # batches holding a repeated line
    lines = {h for b in read_batches(stage, ["_line_hashes"]) for row in b.column(0).to_pylist() for h in row}
    unrelated = (max(lines) + 1,)  # a hash no row holds: no batch's part changes
    assert all(stage_part(stage, i, unrelated) == stage_part(stage, i, ()) for i in range(len(sizes)))
