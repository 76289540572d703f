"""Pass 2's whole-stage scans (the repeated lines' counts, the rows that lose a repeated line, the
LSH band hashes) run as tasks over ranges of stage batches (corpus/duplicates.py: scan_ranges), in
the local engine's worker processes. Checked on the stage of a real build against references
computed here another way: the line counts with a Python Counter over each row's set of hashes,
the rows that lose a line by a set test per row, each row's band hashes hashed alone; and a build
with 2 workers gives the files of the same build in one process."""
from __future__ import annotations

import collections

import numpy as np
import pyarrow as pa
import pytest

import corpuspack
from corpuspack.builder.corpus import dedup, duplicates
from corpuspack.builder.corpus.plan import repeated_here
from corpuspack.builder.corpus.published import edit_ids
from corpuspack.builder.corpus.stage import read_batches
from corpuspack.builder.engines.local import Workers
from corpuspack.builder.options import BuildOptions
from conftest import output_files, staged_build

OPTIONS = BuildOptions(repeated_line_min_docs=4)


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    """A build of 400 generated documents in stage batches of 16 rows: its stage, its batches' rows."""
    root = tmp_path_factory.mktemp("ranges")
    stage, sizes = staged_build(root, 400, 23)
    assert len(sizes) == 25
    return stage, sizes, root


@pytest.fixture
def workers(tmp_path, monkeypatch):
    monkeypatch.setattr(duplicates, "BAND_CHUNK_ROWS", 40)  # ranges of 3 batches: 9 tasks
    with Workers(2, str(tmp_path)) as engine:
        yield engine.map


def test_scan_ranges_cover_the_batches_in_order(monkeypatch):
    monkeypatch.setattr(duplicates, "BAND_CHUNK_ROWS", 10)
    assert duplicates.scan_ranges([4, 4, 4, 0, 12, 3, 0]) == [(0, 3, 0, 12), (3, 5, 12, 12), (5, 7, 24, 3)]
    assert duplicates.scan_ranges([]) == []


def _line_sets(stage):
    return [set(h) for b in read_batches(stage, ["_line_hashes"]) for h in b.column(0).to_pylist()]


def test_repeated_lines_counted_in_workers(staged, workers):
    stage, sizes, _ = staged
    lines = _line_sets(stage)
    drop = np.zeros(len(lines), bool)
    drop[::7] = True
    counts = collections.Counter(h for row, hs in enumerate(lines) if not drop[row] for h in hs)
    threshold = max(4, int(np.ceil(0.001 * np.count_nonzero(~drop))))
    expected = tuple(sorted(h for h, c in counts.items() if c >= threshold))
    assert len(expected) > 3
    assert repeated_here(stage, np.flatnonzero(drop), OPTIONS, workers, sizes) == expected
    assert repeated_here(stage, np.flatnonzero(drop), OPTIONS) == expected  # in this process, the sizes read here


def test_rows_that_lose_a_line_found_in_workers(staged, workers):
    stage, sizes, _ = staged
    lines = _line_sets(stage)
    repeated = repeated_here(stage, np.empty(0, np.int64), OPTIONS)
    keep = np.ones(len(lines), bool)
    keep[5::11] = False
    wanted = set(repeated)
    expected = [row for row, hs in enumerate(lines) if keep[row] and hs & wanted]
    assert len(expected) > 20
    got = list(duplicates._edited_tasks(stage, sizes, repeated, keep, workers))
    assert [offset + r for _, offset, rows, _, _ in got for r in rows.tolist()] == expected
    starts = np.cumsum([0, *sizes])
    assert all(starts[i] == offset for i, offset, _, _, _ in got)
    digests = [d for b in read_batches(stage, ["_doc_digest"]) for d in b.column(0).to_pylist()]
    hashes = [h for b in read_batches(stage, ["_line_hashes"]) for h in b.column(0).to_pylist()]
    for i, offset, rows, k1, k2 in got:  # each row's edit ids, from its own lines alone
        for r, a, b in zip(rows.tolist(), k1.tolist(), k2.tolist()):
            hit = np.array([h for h in hashes[offset + r] if h in wanted], np.uint64)
            one = edit_ids([digests[offset + r]], hit, np.zeros(len(hit), np.int64))
            assert (int(one[0][0]), int(one[1][0])) == (a, b)


def test_band_hashes_staged_in_pass_1(staged):
    """The band hashes pass 1 staged (``_bands``) and pass 2 reads: each row's own, from its signature."""
    stage, sizes, _ = staged
    bands, rows = dedup.choose_bands(OPTIONS.near_dup_candidate_threshold, OPTIONS.num_perm)
    got, present = duplicates._band_matrix(stage, sizes, bands)
    signatures = [s for b in read_batches(stage, ["_minhash"]) for s in b.column(0).to_pylist()]
    assert present.tolist() == [bool(s) for s in signatures] and present.sum() > 300
    for i, s in enumerate(signatures):
        if s:
            alone = np.frombuffer(s, "<u4").reshape(1, -1)
            assert got[i].tolist() == dedup.band_hashes(alone, bands, rows)[0].tolist()
        else:
            assert not got[i].any()


def test_build_with_workers_is_the_build_in_one_process(staged, tmp_path):
    _, _, root = staged
    corpuspack.build(root / "dump", tmp_path / "two", jobs=2, batch_size=16, progress=False,
                     repeated_line_min_docs=4)
    assert output_files(tmp_path / "two") == output_files(root / "out")
