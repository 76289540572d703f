from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from corpus_gen import generate_corpus
from corpuspack.builder.corpus.dedup import band_runs, choose_bands, exact_duplicates, near_duplicates, run_codes
from corpuspack.builder.document.fingerprint import fingerprints

SEEDS = sorted((Path(__file__).resolve().parent.parent / "examples" / "seeds").glob("*.txt"))


def _columns(texts):
    fps = [fingerprints(t) for t in texts]
    keys = pa.array([f["exact_key"] for f in fps], type=pa.binary(16))
    mh = pa.array([f["minhash"] for f in fps], type=pa.binary())
    return keys, mh


def _pairs(counter):
    return sum(v * (v - 1) // 2 for v in counter.values())


@pytest.fixture(scope="module")
def corpus():
    docs = generate_corpus(4000, 11, dup_rate=0.05, near_dup_rate=0.1, other_lang_rate=0.02)
    ids = pa.array([name.split("_")[1][:16] for name, _, _ in docs])
    keys, mh = _columns([t for _, t, _ in docs])
    return docs, ids, keys, mh


def test_generated_corpus_has_all_kinds(corpus):
    docs = corpus[0]
    kinds = Counter(t["kind"] for _, _, t in docs)
    edits = Counter(t["edit"] for _, _, t in docs)
    assert kinds["exact_dup"] > 100 and kinds["near_dup"] > 250 and kinds["other_lang"] > 30
    assert {"swap", "sentence", "boilerplate", "identical", "tatweel", "diacritics", "presentation", "whitespace"} <= set(edits)
    assert generate_corpus(50, 3) == generate_corpus(50, 3)


def test_exact_duplicates_found_100_percent(corpus):
    docs, ids, keys, _ = corpus
    dup_of = exact_duplicates(keys, ids).to_pylist()
    idlist = ids.to_pylist()
    for i, (_, _, t) in enumerate(docs):
        if t["kind"] == "exact_dup":
            assert dup_of[i] == idlist[t["group"]], (i, t)
        else:
            assert dup_of[i] is None, (i, t)


def test_exact_duplicates_inputs():
    ids = pa.array(["a", "b", "c", "d"])
    k = [b"x" * 16, b"y" * 16, b"x" * 16, b"x" * 16]
    expect = [None, None, "a", "a"]
    assert exact_duplicates(pa.array(k, type=pa.binary(16)), ids).to_pylist() == expect
    assert exact_duplicates(pa.array(k, type=pa.binary()), ids).to_pylist() == expect
    assert exact_duplicates(np.array(k, dtype="S16"), ids).to_pylist() == expect
    assert exact_duplicates(pa.chunked_array([pa.array(k[:1], pa.binary(16)), pa.array(k[1:], pa.binary(16))]), ids).to_pylist() == expect


def test_near_duplicates_recall_precision(corpus):
    docs, ids, keys, mh = corpus
    exact = np.asarray(exact_duplicates(keys, ids).is_valid())
    cluster, size, rep, stats = near_duplicates(mh, ids, threshold=0.8, drop_mask=exact, return_stats=True)
    assert stats.bytes_per_doc < 300
    idlist = ids.to_pylist()
    cl = cluster.to_pylist()
    label = [c if c is not None else idlist[i] for i, c in enumerate(cl)]
    truth = [t["group"] for _, _, t in docs]
    pred, tru, both = Counter(), Counter(), Counter()
    for i in np.flatnonzero(~exact):
        pred[label[i]] += 1
        tru[truth[i]] += 1
        both[(label[i], truth[i])] += 1
    tp = _pairs(both)
    precision, recall = tp / max(_pairs(pred), 1), tp / _pairs(tru)
    # per injected near duplicate: in the same cluster as its original
    nd = [i for i, (_, _, t) in enumerate(docs) if t["kind"] == "near_dup"]
    doc_recall = np.mean([label[i] == label[truth[i]] for i in nd])
    print(f"near dups: pair precision {precision:.4f} recall {recall:.4f}, per-doc recall {doc_recall:.4f}, {stats}")
    assert recall >= 0.95 and doc_recall >= 0.95
    assert precision >= 0.99
    # columns are consistent
    sizes = size.to_numpy()
    for i in range(len(docs)):
        if cl[i] is None:
            assert sizes[i] == 1
        else:
            assert sizes[i] == Counter(cl)[cl[i]] if i < 50 else sizes[i] >= 2
            assert rep[i] == (cl[i] == idlist[i])
    # representative = smallest row index of the cluster
    first = {}
    for i, c in enumerate(cl):
        if c is not None:
            first.setdefault(c, i)
    assert all(idlist[i] == c for c, i in first.items())
    assert not rep[exact].any()


def test_shared_dateline_or_footer_not_clustered():
    from corpus_gen import _SITES, _Writer, _render
    import random

    w = _Writer(random.Random(5))
    texts = []
    for site in (_SITES[0], _SITES[3]):  # short footer; long two-line footer
        for _ in range(30):
            title, paras = w.article(site)
            texts.append(_render(title, paras[:3], site, "1 يناير 2020"))
    ids = pa.array([f"d{i}" for i in range(len(texts))])
    _, mh = _columns(texts)
    cluster, size, rep = near_duplicates(mh, ids)
    assert cluster.null_count == len(texts)
    assert size.to_pylist() == [1] * len(texts) and rep.all()


def test_batches_order_and_sketch_path_agree(corpus):
    docs, ids, keys, mh = corpus
    exact = np.asarray(exact_duplicates(keys, ids).is_valid())
    whole = near_duplicates(mh, ids, drop_mask=exact)
    chunked = near_duplicates(pa.chunked_array([mh.slice(0, 1000), mh.slice(1000, 1), mh.slice(1001)]), ids, drop_mask=exact)
    batches = near_duplicates((mh.slice(s, 333) for s in range(0, len(mh), 333)), ids, drop_mask=exact)
    assert whole[0].equals(chunked[0]) and whole[1].equals(chunked[1])
    # iterator path verifies with the 8-bit sketch: may differ on pairs right at the threshold
    diff = np.mean(np.array(whole[0].to_pylist(), dtype=object) != np.array(batches[0].to_pylist(), dtype=object))
    assert diff < 0.005
    again = near_duplicates(mh, ids, drop_mask=exact)
    assert again[0].equals(whole[0]) and np.array_equal(again[2], whole[2])


def test_near_duplicates_small_cases():
    ids = pa.array(["a", "b", "c", "d"])
    text = " ".join(f"كلمة{i}" for i in range(200))
    other = " ".join(f"نص{i}" for i in range(200))
    _, mh = _columns([other, text, text + " إضافة", ""])
    cluster, size, rep = near_duplicates(mh, ids)
    assert cluster.to_pylist() == [None, "b", "b", None]
    assert size.to_pylist() == [1, 2, 2, 1]
    assert rep.tolist() == [True, True, False, True]
    cluster, size, rep = near_duplicates(mh, ids, drop_mask=[False, False, True, False])
    assert cluster.to_pylist() == [None] * 4 and rep.tolist() == [True, True, False, True]
    # no signatures at all
    c, s, r = near_duplicates(pa.array([b"", b""]), pa.array(["x", "y"]))
    assert c.null_count == 2 and s.to_pylist() == [1, 1]


def _candidates_by_hand(band_hash, active):
    """The candidate pairs by their definition, in plain Python: in each band, the active rows of
    equal hash in ascending order r0 < r1 < ...; each pairs with its predecessor and with r0."""
    pairs = set()
    for b in range(band_hash.shape[1]):
        groups = {}
        for row in range(len(band_hash)):
            if active[row]:
                groups.setdefault(int(band_hash[row, b]), []).append(row)
        for rows in groups.values():
            for k in range(1, len(rows)):
                pairs.update({(rows[k - 1], rows[k]), (rows[0], rows[k])})
    return sorted(pairs)


@pytest.mark.parametrize("seed", range(6))
def test_band_runs_sorted_before_the_drop_give_the_pairs_of_the_rows_left(seed):
    """The bands are sorted over every row with a signature before pass 2 knows which rows it drops
    (``duplicates.Here.begin``); leaving the dropped rows out of the runs afterwards must give the
    pairs among the rows left, as written by hand (runs of 1 to 7 rows, some rows absent)."""
    rng = np.random.default_rng(seed)
    n = 300
    band_hash = rng.integers(0, 60, size=(n, 5)).astype(np.uint64)  # ~5 rows a hash: many runs
    present = rng.random(n) > 0.1
    drop = rng.random(n) < 0.3
    runs = band_runs(band_hash, present)
    for active in (present & ~drop, present):
        codes = run_codes(runs, active, n)
        got = sorted(zip((codes // n).tolist(), (codes % n).tolist()))
        assert got == _candidates_by_hand(band_hash, active) and len(got) > 100
    assert run_codes(band_runs(band_hash, np.zeros(n, bool)), None, n).size == 0


def test_choose_bands_fits_memory():
    b, r = choose_bands(0.8, 128)
    assert b * r <= 128 and b * 8 + 4 < 300
    p = 1 - (1 - 0.8**r) ** b
    assert p >= 0.99


def test_seeds_have_no_duplicates():
    texts = [f.read_text(encoding="utf-8") for f in SEEDS]
    ids = pa.array([f.stem.split("_")[1] for f in SEEDS])
    keys, mh = _columns(texts)
    assert exact_duplicates(keys, ids).null_count == 5
    cluster, size, rep = near_duplicates(mh, ids)
    assert cluster.null_count == 5 and size.to_pylist() == [1] * 5 and rep.all()


def test_exact_duplicates_sliced_and_chunked_binary():
    k = [bytes([i % 3]) * 16 for i in range(10)]
    ids = pa.array([str(i) for i in range(10)])
    arr = pa.array(k, type=pa.binary())
    ch = pa.chunked_array([arr.slice(0, 4), arr.slice(4)])
    expect = [None, None, None, "0", "1", "2", "0", "1", "2", "0"]
    assert exact_duplicates(ch, ids).to_pylist() == expect
    assert exact_duplicates(arr.slice(3), ids.slice(3)).to_pylist() == [None, None, None, "3", "4", "5", "3"]
    with pytest.raises(ValueError):
        exact_duplicates(pa.array([b"short"]), pa.array(["x"]))
