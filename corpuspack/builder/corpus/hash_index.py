"""Names looked up by a sorted array of their 64-bit hashes: the index of the incremental cache's
file names (``release/incremental.StageCache``) and of a sidecar manifest's keys
(``corpus/sidecar.Manifest``). 12-16 bytes a name (the hash and the row), the names themselves kept
where they are (Arrow arrays, or blocks read as needed); a hash shared by two names is told apart by
the names."""
from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import xxhash


def name_hashes(names: Iterable[str], count: int) -> np.ndarray:
    """The xxh3-64 hash of each of ``count`` names (UTF-8, lone surrogates passed through)."""
    h = xxhash.xxh3_64_intdigest
    return np.fromiter((h(n.encode("utf-8", "surrogatepass")) for n in names), dtype=np.uint64, count=count)


def sorted_index(hashes: np.ndarray, row_type=np.int64) -> tuple[np.ndarray, np.ndarray]:
    """(the hashes sorted, the row of each, as ``row_type``)."""
    order = np.argsort(hashes, kind="stable")
    return hashes[order], order.astype(row_type, copy=False)


def find(index: tuple[np.ndarray, np.ndarray], names: list[str],
         names_at: Callable[[np.ndarray], pa.Array]) -> np.ndarray:
    """The row of each of ``names`` in ``index`` (:func:`sorted_index`), -1 where it has none.
    ``names_at(rows)``: the indexed names at those rows, as an Arrow array. A hit is confirmed on the
    names, compared as Arrow arrays; where another name of the same hash comes first, the run of
    that hash is walked (rare)."""
    hashes, order = index
    n = len(hashes)
    found = np.full(len(names), -1, dtype=np.int64)
    if not names or not n:
        return found
    wanted = name_hashes(names, len(names))
    at = np.searchsorted(hashes, wanted)
    hit = np.zeros(len(names), dtype=bool)
    inside = at < n
    hit[inside] = hashes[at[inside]] == wanted[inside]
    cand = np.flatnonzero(hit)
    if not len(cand):
        return found
    rows = order[at[cand]].astype(np.int64)
    same = pc.equal(names_at(rows), pa.array([names[j] for j in cand], pa.string())).to_numpy(zero_copy_only=False)
    found[cand[same]] = rows[same]
    for j in cand[~same]:
        i = int(at[j]) + 1
        while i < n and hashes[i] == wanted[j]:
            if names_at(np.array([order[i]], np.int64))[0].as_py() == names[j]:
                found[j] = int(order[i])
                break
            i += 1
    return found
