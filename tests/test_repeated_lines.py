from pathlib import Path

import pyarrow as pa
import pytest

from corpus_gen import generate_corpus
from corpuspack.builder.document.fingerprint import fingerprints
from corpuspack.builder.corpus.repeated_lines import (
    RemovalStats, RepeatedLines, find_repeated_lines, remove_repeated_lines,
)

SEEDS = sorted((Path(__file__).resolve().parent.parent / "examples" / "seeds").glob("*.txt"))
FOOTER = "زر الذهاب إلى الأعلى"


def _line_col(texts):
    return pa.array([fingerprints(t)["line_hashes"] for t in texts], type=pa.list_(pa.uint64()))


def _docs(n):
    return [f"مقال رقم {i} عن موضوع مختلف تماما {i * 7}\n{FOOTER}\nسطر خاص {i}\n" for i in range(n)]


def test_finds_footer_by_document_frequency():
    texts = _docs(40)
    texts[0] += f"{FOOTER}\n"  # twice in one document counts once
    rep = find_repeated_lines(_line_col(texts), len(texts), min_docs=10, min_fraction=0.001)
    assert isinstance(rep, RepeatedLines) and len(rep) == 1
    (h,) = rep.hashes
    assert rep.doc_freq[h] == 40 and rep.threshold == 10
    # thresholds are options
    assert len(find_repeated_lines(_line_col(texts), len(texts), min_docs=41)) == 0
    assert len(find_repeated_lines(_line_col(texts), 100_000, min_docs=2, min_fraction=0.001)) == 0


def test_batches_and_python_lists_and_exclusion():
    texts = _docs(30)
    col = _line_col(texts)
    whole = find_repeated_lines(col, 30, min_docs=10)
    batched = find_repeated_lines([col.slice(0, 7), col.slice(7, 20), col.slice(27)], 30, min_docs=10)
    lists = find_repeated_lines([[fingerprints(t)["line_hashes"] for t in texts]], 30, min_docs=10)
    assert whole == batched == lists and len(whole) == 1
    excl = [i >= 9 for i in range(30)]
    assert len(find_repeated_lines(col, 30, min_docs=10, exclude_mask=excl)) == 0


def test_remove_and_report():
    texts = _docs(20)
    rep = find_repeated_lines(_line_col(texts), 20, min_docs=10)
    r = remove_repeated_lines(texts[3] + "  زر الذهـاب إلى الأعلى \n", rep)
    new_text, count, hashes = r[0], r[1], r[2]
    assert FOOTER not in new_text and "سطر خاص 3" in new_text and new_text.startswith("مقال رقم 3")
    assert count == 2 and len(set(hashes)) == 1
    assert r.removed_lines == [FOOTER, "زر الذهـاب إلى الأعلى"]
    stats = RemovalStats()
    parts = [RemovalStats(), RemovalStats()]
    for i, t in enumerate(texts):
        res = remove_repeated_lines(t, rep.hashes)
        stats.add(res)
        parts[i % 2].add(res)
    parts[1].merge(parts[0])
    assert stats.report() == parts[1].report()
    [entry] = stats.report()
    assert entry["count"] == 20 and entry["docs"] == 20 and entry["example"] == FOOTER
    assert remove_repeated_lines("نص", set()) == ("نص", 0, [], [])


def test_long_lines_are_never_removed():
    long_line = "خبر وكالة " * 30  # > 200 characters: content, even when repeated
    texts = [f"مقدمة {i}\n{long_line}\n" for i in range(30)]
    rep = find_repeated_lines(_line_col(texts), 30, min_docs=5)
    assert len(rep) == 0
    h = fingerprints(long_line[:150])["line_hashes"][0]
    assert remove_repeated_lines(texts[0], {h})[1] == 0


def test_generated_corpus_furniture_found():
    docs = generate_corpus(1500, 2, dup_rate=0.0, near_dup_rate=0.0, other_lang_rate=0.0)
    texts = [t for _, t, _ in docs]
    rep = find_repeated_lines(_line_col(texts), len(texts))
    stats = RemovalStats()
    for t in texts:
        stats.add(remove_repeated_lines(t, rep))
    examples = {e["example"] for e in stats.report()}
    assert {"زر الذهاب إلى الأعلى", "اترك تعليقاً", "Discussion about this post"} <= examples
    assert all(len(e) <= 200 for e in examples)
    # datelines recur per site, but dateline + date lines are distinct: kept
    assert not any("سانا" in e for e in examples)


def test_seeds_nothing_removed():
    texts = [f.read_text(encoding="utf-8") for f in SEEDS]
    rep = find_repeated_lines(_line_col(texts), len(texts))
    assert len(rep) == 0
    # even with a permissive threshold, the seeds share no line
    assert len(find_repeated_lines(_line_col(texts), 5, min_docs=2, min_fraction=0)) == 0
    for t in texts:
        assert remove_repeated_lines(t, rep) == (t, 0, [], [])


def test_chunked_column_input():
    texts = _docs(30)
    col = _line_col(texts)
    chunked = pa.chunked_array([col.slice(0, 11), col.slice(11)])
    assert find_repeated_lines(chunked, min_docs=10) == find_repeated_lines(col, 30, min_docs=10)


def test_staged_line_keys_remove_the_same_lines():
    """Pass 3 removes lines by the keys pass 1 staged (line_index, line_hashes): the same
    result as finding them again, for plain texts and texts with other line breaks."""
    texts = [t + f"{FOOTER}\n" for t in _docs(12)]
    texts += [f"عنوان\r\n{FOOTER}\r\nنص\u2028{FOOTER}\x0bسطر\n\n{FOOTER}", f"{FOOTER}\n\n  {FOOTER}  \nآخر\n",
              f"a\u0085{FOOTER}\u2029b\x1c{FOOTER}", "\n".join(f"{FOOTER} {i % 3}" for i in range(9)) + f"\n{FOOTER}"]
    rep = find_repeated_lines(_line_col(texts), len(texts), min_docs=2, min_fraction=0)
    assert len(rep) >= 1
    for t in texts:
        fp = fingerprints(t)
        assert len(fp["line_index"]) == len(fp["line_hashes"])
        found = remove_repeated_lines(t, rep)
        assert remove_repeated_lines(t, rep, keys=(fp["line_index"], fp["line_hashes"])) == found
        assert found.removed_count > 0


@pytest.mark.parametrize("seed", range(6))
def test_summed_counts_are_a_counter_of_the_runs(seed):
    """``sum_counts`` and ``merge_counts`` against collections.Counter: runs sorted (as
    ``doc_counts`` gives them) or not, empty, a hash in many runs, hashes near 2**64."""
    from collections import Counter

    import numpy as np

    from corpuspack.builder.corpus.repeated_lines import merge_counts, sum_counts

    rng = np.random.default_rng(seed)
    pool = np.concatenate([rng.integers(0, 2**64 - 1, 300, dtype=np.uint64, endpoint=True),
                           np.array([0, 1, 2**63, 2**64 - 1], np.uint64)])
    runs = []
    for k in range(rng.integers(1, 12)):
        v = rng.choice(pool, rng.integers(0, 200))
        v = np.unique(v) if k % 2 else v  # doc_counts' runs are sorted and distinct; others need not be
        runs.append((v, rng.integers(1, 1000, len(v)).astype(np.int64)))
    expected = Counter()
    for v, c in runs:
        for h, n in zip(v.tolist(), c.tolist()):
            expected[h] += n
    for got in (sum_counts([v for v, _ in runs], [c for _, c in runs]), merge_counts(runs)):
        assert got[0].dtype == np.uint64 and got[1].dtype == np.int64
        assert list(zip(got[0].tolist(), got[1].tolist())) == sorted(expected.items())
