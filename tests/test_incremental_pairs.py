"""The next version takes the similarity of a near-duplicate candidate pair from the last build
when both published texts are unchanged (corpus.pairs.PairCache).

Checked against the other code path: the same builds with that cache deleted before the second
one verify every pair again and must give the same bytes; and the key: a row's identity changes
with the repeated lines it holds (its published text loses them), so a pair is not taken when a
line of one text became repeated."""

import shutil

import numpy as np
import pyarrow as pa

import corpuspack
from conftest import output_files
from corpus_gen import generate_corpus
from corpuspack.builder.corpus.pairs import PairCache, identities
from test_incremental_edits import _computed_rows, _write

OPTS = dict(rows_per_shard=100, jobs=1, progress=False)


def test_unchanged_pairs_take_their_similarity_and_the_output_is_the_same(tmp_path, monkeypatch):
    docs = generate_corpus(330, 3, near_dup_rate=0.15, article_words=(60, 150))
    dump = tmp_path / "dump"
    dump.mkdir()
    _write(dump, docs[:300])
    out = tmp_path / "out"
    corpuspack.build(dump, out, version="1.0.0", **OPTS)
    reference = tmp_path / "reference"
    shutil.copytree(out, reference)
    (pairs_file,) = (reference / ".cache").glob("published-*.pairs.arrow")
    assert pa.ipc.open_file(str(pairs_file)).read_all().num_rows > 10
    pairs_file.unlink()

    _write(dump, docs[300:])
    shingled = _computed_rows(monkeypatch, "shingle_task")
    corpuspack.build(dump, out, version="1.1.0", **OPTS)
    with_cache = sum(shingled)
    shingled.clear()
    corpuspack.build(dump, reference, version="1.1.0", **OPTS)
    without_cache = sum(shingled)
    assert output_files(out) == output_files(reference)
    assert with_cache < without_cache / 2  # the old pairs' texts not shingled again


def test_a_row_identity_changes_with_the_repeated_lines_it_holds(tmp_path):
    docs = generate_corpus(40, 5, article_words=(40, 80))
    dump = tmp_path / "dump"
    dump.mkdir()
    _write(dump, docs)
    out = tmp_path / "out"
    corpuspack.build(dump, out, **OPTS)
    (stage,) = [str(p) for p in (out / ".cache").glob("stage-*.arrow")]
    table = pa.ipc.open_file(stage).read_all()
    starts = np.array([0, table.num_rows])
    rows = np.arange(table.num_rows)
    line = table.column("_line_hashes")[3].as_py()[0]
    holders = {r for r in rows.tolist() if line in table.column("_line_hashes")[r].as_py()}
    assert 3 in holders and len(holders) < len(rows)
    before = identities(stage, starts, rows, ())
    after = identities(stage, starts, rows, (line,))
    changed = {r for r in rows.tolist() if not np.array_equal(before[r], after[r])}
    assert changed == holders

    cache = PairCache()
    cache.record(before[[3]], before[[5]], np.array([0.93]))
    path = str(tmp_path / "pairs.arrow")
    cache.write(path)
    kept = PairCache(path)
    found, sim = kept.lookup(before[[5, 3]], before[[3, 5]])  # either order
    assert found.tolist() == [True, True] and sim.tolist() == [0.93, 0.93]
    found, _ = kept.lookup(after[[3]], after[[5]])
    assert found.tolist() == [False]  # row 3 lost a line: its pair is verified again
