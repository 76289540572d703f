"""Same dump and options -> byte-identical output whatever --jobs: 3,000 generated documents (exact
and near duplicates, shared footers that become repeated lines, other languages), three splits,
shards of 150 rows (~20 per version), built with 1, 2 and 3 workers and batches of other sizes, and
a second version over a grown dump (incremental, shards reused) built the same ways."""

import pytest

import corpuspack
from conftest import output_files
from corpus_gen import generate_corpus

N = 3000
OPTS = dict(splits=(("train", 0.8), ("validation", 0.1), ("test", 0.1)), rows_per_shard=150, row_group_size=40,
            repeated_line_min_docs=5, progress=False)


@pytest.fixture(scope="module")
def corpus():
    return generate_corpus(N + 200, 11, article_words=(60, 150))


def test_byte_identical_across_jobs_1_2_3(corpus, tmp_path):
    dump = tmp_path / "dump"
    dump.mkdir()
    for name, text, _ in corpus[:N]:
        (dump / name).write_text(text, encoding="utf-8")
    outs = {(1, 256): tmp_path / "j1", (2, 97): tmp_path / "j2", (3, 256): tmp_path / "j3"}
    for (jobs, batch), out in outs.items():
        r = corpuspack.build(dump, out, version="1.0.0", jobs=jobs, batch_size=batch, **OPTS)
    kinds = {t["kind"] for _, _, t in corpus[:N]}
    assert kinds == {"original", "exact_dup", "near_dup", "other_lang"}
    assert r.counts["duplicate"] > 50 and r.counts["found"] == N
    shards = {s: len(i["files"]) for s, i in r.manifest["splits"].items()}
    assert shards["train"] >= 10 and shards["validation"] >= 2 and shards["test"] >= 2, shards

    for name, text, _ in corpus[N:]:  # the dump grows: a second version, incremental
        (dump / name).write_text(text, encoding="utf-8")
    for (jobs, batch), out in outs.items():
        r = corpuspack.build(dump, out, version="1.1.0", jobs=jobs, batch_size=batch, **OPTS)
    assert r.manifest["work"]["shards_reused"] > 0 and r.manifest["work"]["processed"] == 200

    files = [output_files(out) for out in outs.values()]
    assert sum(k.endswith(".parquet") for k in files[0]) >= 20
    for other in files[1:]:
        assert other.keys() == files[0].keys()
        assert [k for k in files[0] if other[k] != files[0][k]] == []
