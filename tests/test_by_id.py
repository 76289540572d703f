"""Matching by document id as hash look-ups (``release/by_id.py``, used by the shard reuse and by
``diff``) against Arrow's own join (another code path) and against values written by hand."""
import numpy as np
import pyarrow as pa
import pytest

from corpuspack.builder.release import by_id, compare, reuse


def _rows(table: pa.Table) -> list[tuple]:
    return sorted(tuple(r.values()) for r in table.to_pylist())


def test_left_join_by_hand():
    old = pa.table({"id": ["a", "b", "c"], "key": ["ka", "kb", "kc"], "shard": [0, 0, 1]})
    new = pa.table({"id": ["c", "x", "a"], "key": ["kc", "kx", "CHANGED"], "pos": [0, 1, 2]})
    j = by_id.left_join(old, new)
    assert j.column_names == ["id", "key", "shard", "key_new", "pos"]
    assert j.to_pylist() == [
        {"id": "a", "key": "ka", "shard": 0, "key_new": "CHANGED", "pos": 2},
        {"id": "b", "key": "kb", "shard": 0, "key_new": None, "pos": None},
        {"id": "c", "key": "kc", "shard": 1, "key_new": "kc", "pos": 0},
    ]


@pytest.mark.parametrize("seed", range(5))
def test_left_join_is_arrows_join(seed):
    rng = np.random.default_rng(seed)
    ids = [f"doc-{i:05d}" for i in range(3000)]
    old_ids = rng.choice(ids, 2000, replace=False)
    new_ids = rng.choice(ids, 2500, replace=False)
    old = pa.table({"id": old_ids, "key": rng.integers(0, 3, 2000).astype(str), "shard": rng.integers(0, 9, 2000)})
    new = pa.table({"id": new_ids, "key": rng.integers(0, 3, 2500).astype(str), "split": rng.choice(["train", "test"], 2500),
                    "pos": np.arange(2500)})
    ours = by_id.left_join(old, new)
    arrows = old.join(new, keys="id", join_type="left outer", right_suffix="_new")
    assert ours.column_names == arrows.column_names
    assert _rows(ours) == _rows(arrows.select(ours.column_names))
    assert ours.column("id").to_pylist() == list(old_ids)  # in old's order


def test_repeated_new_ids_keep_every_match():
    """A build's rows rejected as duplicate ids share an id: each match is kept, as Arrow's join does."""
    old = pa.table({"id": ["a", "b"], "key": ["ka", "kb"]})
    new = pa.table({"id": ["a", "a", "b"], "key": ["ka", "other", "kb"]})
    assert not by_id.unique(new) and by_id.unique(old)
    assert _rows(by_id.left_join(old, new)) == [("a", "ka", "ka"), ("a", "ka", "other"), ("b", "kb", "kb")]


def test_reuse_match_breaks_the_shards_of_changed_rows():
    olds = [pa.table({"id": ["a", "b"], "digest": ["da", "db"], "key": ["ka", "kb"], "shard": [0, 0],
                      "expected_split": ["train", "train"]}),
            pa.table({"id": ["c"], "digest": ["dc"], "key": ["kc"], "shard": [1], "expected_split": ["train"]}),
            pa.table({"id": ["d"], "digest": ["dd"], "key": ["kd"], "shard": [2], "expected_split": ["test"]})]
    new = pa.table({"id": ["d", "c", "b", "a"], "key": ["kd", "kc", "kb", "NEW"], "split": ["train", "train", "train", "train"],
                    "pos": [0, 1, 2, 3]})
    _, same, broken = reuse.match(olds, new, 3)
    # shard 0: a's key changed; shard 1 kept; shard 2: d moved from test to train
    assert broken.tolist() == [1, 0, 1] and same.tolist() == [False, True, True, False]


@pytest.mark.parametrize("seed", range(3))
def test_diff_tables_is_the_joined_diff(seed):
    rng = np.random.default_rng(seed)
    ids = np.array([f"doc-{i:04d}" for i in range(1500)])
    old_ids, new_ids = rng.choice(ids, 1000, replace=False), rng.choice(ids, 1100, replace=False)
    old = pa.table({"id": old_ids, "digest": rng.integers(0, 2, 1000).astype(str)})
    new = pa.table({"id": new_ids, "digest": rng.integers(0, 2, 1100).astype(str)})
    ours = compare.diff_tables(old, new)
    assert ours == compare._diff_joined(old, new)
    o, n = dict(zip(old_ids, old.column("digest").to_pylist())), dict(zip(new_ids, new.column("digest").to_pylist()))
    assert ours == {"added": sorted(set(n) - set(o)), "removed": sorted(set(o) - set(n)),
                    "changed": sorted(i for i in set(o) & set(n) if o[i] != n[i])}
    assert ours["added"] and ours["removed"] and ours["changed"]


def test_diff_by_hand():
    old = pa.table({"id": ["a", "b", "c"], "digest": ["1", "2", "3"]})
    new = pa.table({"id": ["d", "c", "a"], "digest": ["4", "3", "9"]})
    assert compare.diff_tables(old, new) == {"added": ["d"], "removed": ["b"], "changed": ["a"]}
