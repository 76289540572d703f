"""Pass 2's LSH band hashes of the staged signatures (corpus/duplicates.py: _band_matrix), hashed
in chunks of several stage batches: the same as each row's band hashes computed alone, whatever
the chunk size, with batches of no signature and rows without one among them."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from corpuspack.builder.corpus import dedup, duplicates

NUM_PERM, BANDS, ROWS = 16, 4, 3


def _stage(path, batches):
    schema = pa.schema([pa.field("_minhash", pa.binary())])
    with pa.ipc.new_file(str(path), schema) as w:
        for b in batches:
            w.write_batch(pa.record_batch([pa.array(b, pa.binary())], schema=schema))


@pytest.mark.parametrize("chunk", [1, 5, 7, 10_000])
def test_band_hashes_in_chunks_are_each_rows_own(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(duplicates, "BAND_CHUNK_ROWS", chunk)
    rng = np.random.default_rng(7)

    def sig():
        return rng.integers(0, 2**32, NUM_PERM, dtype=np.uint32).astype("<u4").tobytes()

    batches = [[sig() for _ in range(4)], [None, None], [sig(), None, b"", sig()], [sig() for _ in range(9)], [], [sig()]]
    _stage(tmp_path / "stage.arrow", batches)
    rows = [r for b in batches for r in b]
    got, present = duplicates._band_matrix(str(tmp_path / "stage.arrow"), [len(b) for b in batches], BANDS, ROWS)
    assert present.tolist() == [bool(r) for r in rows]
    for i, r in enumerate(rows):
        if r:  # each row alone, through the one-row path of the same hash
            alone = np.frombuffer(r, "<u4").reshape(1, NUM_PERM)
            assert got[i].tolist() == dedup.band_hashes(alone, BANDS, ROWS)[0].tolist()
            assert got[i].any()
