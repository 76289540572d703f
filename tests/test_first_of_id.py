"""``corpus.duplicates.first_of_id`` and ``corpus.dedup.first_of_key``: which rows carry an id (an
exact key) a row with a smaller number carries too, and that row, checked against a dict walked in
row order (the reference, written here), with the rows ascending (a stage's rows) and in any order
(a partition of the ids, as Ray's tasks give them)."""
from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pytest

from corpuspack.builder.corpus import duplicates


def _by_hand(values: list, rows: list[int]) -> list[tuple[int, int]]:
    """(row, first row of its value) of each row whose value (an id, or an exact key's two halves) a
    smaller row holds too, by row."""
    first_row: dict = {}
    copies = []
    for value, row in sorted(zip(values, rows), key=lambda pair: pair[1]):
        if value in first_row:
            copies.append((row, first_row[value]))
        else:
            first_row[value] = row
    return copies


def _ids(rng: random.Random, n: int) -> list[str]:
    # ids as a stage holds them (16 hex digits), a few of them repeated
    pool = [f"{rng.getrandbits(64):016x}" for _ in range(max(1, n // 3))]
    return [rng.choice(pool) for _ in range(n)]


@pytest.mark.parametrize("chunked", [False, True])
def test_ascending_rows_match_the_reference(chunked):
    rng = random.Random(7)
    for _ in range(200):
        n = rng.randint(1, 80)
        ids = _ids(rng, n)
        rows = sorted(rng.sample(range(10_000), n))
        array = (pa.chunked_array([pa.array(ids[:n // 2], pa.string()), pa.array(ids[n // 2:], pa.string())])
                 if chunked else pa.array(ids, pa.string()))
        dup, first = duplicates.first_of_id(array, np.array(rows))
        assert list(zip(dup.tolist(), first.tolist())) == _by_hand(ids, rows)


def test_rows_in_any_order_match_the_reference():
    rng = random.Random(8)
    for _ in range(200):
        n = rng.randint(2, 80)
        ids = _ids(rng, n)
        rows = rng.sample(range(10_000), n)  # not sorted: the sort's way
        dup, first = duplicates.first_of_id(pa.array(ids, pa.string()), np.array(rows))
        assert list(zip(dup.tolist(), first.tolist())) == _by_hand(ids, rows)


def test_a_stage_of_100000_ids_gives_the_reference():
    rng = random.Random(9)
    ids = [f"{rng.getrandbits(48):012x}" for _ in range(100_000)]
    for i in range(0, 100_000, 97):  # copies of earlier ids, scattered
        ids[i] = ids[rng.randrange(0, i + 1)]
    rows = list(range(100_000))
    dup, first = duplicates.first_of_id(pa.array(ids, pa.string()), np.arange(100_000))
    assert list(zip(dup.tolist(), first.tolist())) == _by_hand(ids, rows)
    assert len(dup) > 900


def test_one_row_and_no_copies():
    assert [a.tolist() for a in duplicates.first_of_id(pa.array(["a"]), np.array([5]))] == [[], []]
    assert [a.tolist() for a in duplicates.first_of_id(pa.array(["a", "b"]), np.array([1, 3]))] == [[], []]


@pytest.mark.parametrize("ascending", [True, False])
def test_first_of_key_matches_the_reference(ascending):
    """``dedup.first_of_key`` (16-byte exact keys as two uint64 halves, two keys sharing a half), rows
    ascending or not; the pairs are the same whatever order it gives them in."""
    from corpuspack.builder.corpus.dedup import first_of_key

    rng = random.Random(10)
    for _ in range(200):
        n = rng.randint(1, 80)
        pool = [(rng.getrandbits(64), rng.getrandbits(64)) for _ in range(max(1, n // 3))]
        pool.append((pool[0][0], pool[0][1] ^ 1))  # two keys sharing a half
        keys = [rng.choice(pool) for _ in range(n)]
        rows = sorted(rng.sample(range(10_000), n)) if ascending else rng.sample(range(10_000), n)
        dup, first = first_of_key(np.array(keys, np.uint64).reshape(-1, 2), np.array(rows))
        assert sorted(zip(dup.tolist(), first.tolist())) == _by_hand(keys, rows)
