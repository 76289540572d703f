"""``corpus.duplicates.first_of_id``: which rows carry an id a row with a smaller number carries
too, and that row, checked against a dict walked in row order (the reference, written here), for
both of its ways: by the ids' hash (rows ascending, no null id: a stage's rows) and by a sort (rows
in any order: a partition of the ids, as Ray's tasks give them)."""
from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pytest

from corpuspack.builder.corpus import duplicates


def _by_hand(ids: list[str], rows: list[int]) -> tuple[list[int], list[int]]:
    first_row: dict[str, int] = {}
    copies = []
    for doc_id, row in sorted(zip(ids, rows), key=lambda pair: pair[1]):
        if doc_id in first_row:
            copies.append((row, first_row[doc_id]))
        else:
            first_row[doc_id] = row
    return [r for r, _ in copies], [f for _, f in copies]


def _ids(rng: random.Random, n: int) -> list[str]:
    # ids as a stage holds them (16 hex digits), a few of them repeated
    pool = [f"{rng.getrandbits(64):016x}" for _ in range(max(1, n // 3))]
    return [rng.choice(pool) for _ in range(n)]


@pytest.mark.parametrize("chunked", [False, True])
def test_ascending_rows_by_hash_match_the_reference(chunked):
    rng = random.Random(7)
    for _ in range(200):
        n = rng.randint(1, 80)
        ids = _ids(rng, n)
        rows = sorted(rng.sample(range(10_000), n))
        array = (pa.chunked_array([pa.array(ids[:n // 2], pa.string()), pa.array(ids[n // 2:], pa.string())])
                 if chunked else pa.array(ids, pa.string()))
        dup, first = duplicates.first_of_id(array, np.array(rows))
        assert (dup.tolist(), first.tolist()) == _by_hand(ids, rows)


def test_rows_in_any_order_match_the_reference():
    rng = random.Random(8)
    for _ in range(200):
        n = rng.randint(2, 80)
        ids = _ids(rng, n)
        rows = rng.sample(range(10_000), n)  # not sorted: the sort's way
        dup, first = duplicates.first_of_id(pa.array(ids, pa.string()), np.array(rows))
        assert (dup.tolist(), first.tolist()) == _by_hand(ids, rows)


def test_a_stage_of_100000_ids_gives_the_reference():
    rng = random.Random(9)
    ids = [f"{rng.getrandbits(48):012x}" for _ in range(100_000)]
    for i in range(0, 100_000, 97):  # copies of earlier ids, scattered
        ids[i] = ids[rng.randrange(0, i + 1)]
    rows = list(range(100_000))
    dup, first = duplicates.first_of_id(pa.array(ids, pa.string()), np.arange(100_000))
    assert (dup.tolist(), first.tolist()) == _by_hand(ids, rows)
    assert len(dup) > 900


def test_one_row_and_no_copies():
    assert [a.tolist() for a in duplicates.first_of_id(pa.array(["a"]), np.array([5]))] == [[], []]
    assert [a.tolist() for a in duplicates.first_of_id(pa.array(["a", "b"]), np.array([1, 3]))] == [[], []]
