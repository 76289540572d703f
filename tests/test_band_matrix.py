"""The LSH band hashes pass 1 stages beside each signature (corpus/dedup.py: band_column, the
stage's ``_bands``) and pass 2 reads back (corpus/duplicates.py: _band_matrix, batch by batch):
each row's the same as its band hashes computed alone from its signature, whatever the batch
sizes, with batches of no signature and rows without one among them."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from corpuspack.builder.corpus import dedup, duplicates

NUM_PERM, BANDS, ROWS = 16, 4, 3


def _stage(path, batches):
    schema = pa.schema([pa.field("_minhash", pa.binary()), pa.field("_bands", pa.binary())])
    with pa.ipc.new_file(str(path), schema) as w:
        for b in batches:
            minhash = pa.array(b, pa.binary())
            w.write_batch(pa.record_batch([minhash, dedup.band_column(minhash, BANDS, ROWS)], schema=schema))


def _mixed(rng):
    def sig():
        return rng.integers(0, 2**32, NUM_PERM, dtype=np.uint32).astype("<u4").tobytes()

    return [[sig() for _ in range(4)], [None, None], [sig(), None, b"", sig()], [sig() for _ in range(9)], [], [sig()]]


def _alone(signature: bytes) -> list[int]:
    """One row's band hashes, hashed by hand: band b's ``ROWS`` values through the hash's rounds."""
    sig = np.frombuffer(signature, "<u4").astype(np.uint64)
    out = []
    with np.errstate(over="ignore"):
        for b in range(BANDS):
            h = np.uint64(b + 1) * dedup._M1
            for r in range(ROWS):
                h = (h ^ sig[b * ROWS + r]) * dedup._M2
                h ^= h >> np.uint64(29)
            h *= dedup._M3
            h ^= h >> np.uint64(32)
            out.append(int(h))
    return out


def test_staged_band_hashes_read_back_are_each_rows_own(tmp_path):
    batches = _mixed(np.random.default_rng(7))
    _stage(tmp_path / "stage.arrow", batches)
    rows = [r for b in batches for r in b]
    got, present = duplicates._band_matrix(str(tmp_path / "stage.arrow"), [len(b) for b in batches], BANDS)
    assert present.tolist() == [bool(r) for r in rows]
    for i, r in enumerate(rows):
        if r:
            assert got[i].tolist() == _alone(r)
            assert got[i].any()
        else:
            assert not got[i].any()


def test_the_band_column_holds_8_bytes_a_band_and_nothing_without_a_signature():
    batch = _mixed(np.random.default_rng(3))[2]  # a signature, None, b"", a signature
    column = dedup.band_column(pa.array(batch, pa.binary()), BANDS, ROWS)
    assert column.type == pa.binary() and column.null_count == 0
    assert [len(v) for v in column.to_pylist()] == [8 * BANDS, 0, 0, 8 * BANDS]
    assert np.frombuffer(column[3].as_py(), "<u8").tolist() == _alone(batch[3])
    assert dedup.band_column(pa.array([], pa.binary()), BANDS, ROWS).to_pylist() == []
    with pytest.raises(ValueError, match="another width"):  # bands read as another number of bands
        dedup.band_matrix(column, BANDS + 1)
