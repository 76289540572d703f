"""The manifest's input digest (release/provenance.py: InputDigest): SHA-256 over the lines
``name\\0sha256\\n`` of every file, sorted within each batch. Checked against that rule written
here line by line, on batches of names in many scripts (sorted as Python sorts code points),
equal names with other digests, rejections, sliced and chunked columns."""
from __future__ import annotations

import hashlib
import random

import pyarrow as pa
import pytest

from corpuspack.builder.release.provenance import InputDigest

ALPHABET = ["a", "b", "Z", "~", "\x7f", "é", "ب", "😀", "/", "\u00a0", "x.txt", "۰"]


def by_hand(batches) -> tuple[str, int]:
    h, n = hashlib.sha256(), 0
    for records, rejections in batches:
        pairs = [(r["file_name"], r["sha256"]) for r in records.to_pylist()]
        pairs += [(r["file_name"], r.get("sha256") or "unreadable") for r in rejections]
        for name, digest in sorted(pairs):
            h.update(f"{name}\0{digest}\n".encode("utf-8", "surrogateescape"))
        n += len(pairs)
    return h.hexdigest(), n


def random_batches(seed: int):
    rng = random.Random(seed)
    for k in range(8):
        m = rng.randint(0, 30)
        names = ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 5))) for _ in range(m)]
        digests = [rng.choice(["ab", "aa", "", "0" * 64]) if rng.random() < 0.3 else f"{rng.getrandbits(256):064x}"
                   for _ in range(m)]
        table = pa.table({"file_name": pa.array(names, pa.string()), "sha256": pa.array(digests, pa.string())})
        if k % 3 == 0:  # two chunks
            table = pa.concat_tables([table.slice(0, m // 2), table.slice(m // 2)])
        if k % 4 == 1 and m > 1:  # a slice of a batch (its arrays start at an offset)
            table = pa.Table.from_batches([table.combine_chunks().to_batches()[0].slice(1)])
        rejections = [{"file_name": rng.choice(names or ["q"]), **({"sha256": "x"} if rng.random() < 0.5 else {})}
                      for _ in range(rng.randint(0, 3))]
        yield table, rejections


@pytest.mark.parametrize("seed", range(40))
def test_the_digest_is_the_rule_written_by_hand(seed):
    batches = list(random_batches(seed))
    digest = InputDigest()
    for records, rejections in batches:
        digest.add(records, rejections)
    assert (digest.hexdigest(), digest.files) == by_hand(batches)


def test_a_name_that_is_not_utf8_is_digested_as_its_escaped_bytes():
    empty = pa.table({"file_name": pa.array([], pa.string()), "sha256": pa.array([], pa.string())})
    rejections = [{"file_name": "\udcff.txt", "sha256": None}, {"file_name": "a.txt"}]
    digest = InputDigest()
    digest.add(empty, rejections)
    assert (digest.hexdigest(), digest.files) == by_hand([(empty, rejections)])


def test_the_digest_of_nothing_is_that_of_no_bytes():
    assert InputDigest().hexdigest() == hashlib.sha256(b"").hexdigest()
