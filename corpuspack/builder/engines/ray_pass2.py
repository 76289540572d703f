"""Pass 2 on Ray tasks partitioned by key hash: the repeated lines (:func:`repeated_lines`) and
the duplicate groupings (:class:`Partitioned`), the same decisions :mod:`..corpus.plan` and
:class:`..corpus.duplicates.Here` make in the build's process, without the corpus's line hashes,
keys or band hashes in the driver.

* Repeated lines: a map task per run of stage batches counts the documents holding each line
  (:func:`..corpus.repeated_lines.doc_counts`) and emits (line hash, documents) into partitions by
  hash; a reduce task per partition sums them (:func:`..corpus.repeated_lines.sum_counts`) and
  returns only the hashes at the threshold or above.

* Duplicate ids: a map task per run of stage batches emits (id, row) into one of ``parts``
  partitions by the id's CRC-32; one reduce task per partition groups its ids
  (:func:`..corpus.duplicates.first_of_id`) and returns only the copies (row, first row of its id).
* Exact duplicates: a map task per run of stage batches emits (exact key, row) into one of
  ``parts`` partitions by the key's low 64 bits (the published key, for the rows that lose a
  repeated line: the one the last build's :class:`..corpus.published.EditCache` knows, else
  computed, :func:`..corpus.published.edited_fingerprints`, and returned for the next build's
  cache); one reduce task per partition groups its keys (:func:`..corpus.dedup.first_of_key`) and
  returns only the duplicates (row, first row of its key).
* Near duplicates: a map task per run of stage batches emits (band, band hash, row) of the
  staged MinHash signatures, partitioned by band hash; a reduce task per partition makes the
  candidate pairs of its runs of equal (band, band hash) (:func:`..corpus.dedup.run_pairs`, as the
  local engine sorts each band) and sends them on, partitioned by pair; a verifying task per
  partition drops the pairs found in several bands and verifies the others on the published
  texts' shingles (:func:`..corpus.duplicates.verifier`; a pair the last build verified for the
  same two published texts takes the similarity the :class:`..corpus.pairs.PairCache` kept) and
  emits the verified pairs as edges both ways, partitioned by row; the connected components
  are found there (:func:`components`: Large-Star and Small-Star steps, a task per partition,
  until every cluster is a star around its smallest row).

The tasks' results travel between them through Ray's object store (a map task returns one
object per partition); what reaches the driver is the copies and duplicates, the rows left
empty once published and the clustered rows with their cluster's smallest row and size, not the
corpus. The published keys of the edited rows (round 31) and the similarities of the verified
candidate pairs (round 32), kept for the next build, are written by the tasks to files of their
own (given :attr:`Partitioned.folder`) and gathered into the caches by a task.
"""
from __future__ import annotations

import os
import zlib
from contextlib import contextmanager

import numpy as np
import pyarrow as pa
import ray

from ..corpus.dedup import (band_matrix, choose_bands, exact_key_matrix, first_of_key, run_pairs,
                            verified_pairs)
from ..corpus.duplicates import edited_rows, first_of_id, map_here, marked, verifier
from ..corpus.pairs import PAIR_SCHEMA, PairCache, pair_rows, pair_table, write_pairs
from ..corpus.published import (EDIT_CACHE_SCHEMA, EditCache, PublishedContext, edit_rows, edit_table,
                                edited_fingerprints, write_edits)
from ..corpus.repeated_lines import doc_counts, doc_threshold, sum_counts
from ..corpus.stage import batch_sizes, shared_reader, write_part
from ..options import BuildOptions

_NONE = np.empty(0, np.int64)


def repeated_lines(stage_path: str, excluded: np.ndarray, options: BuildOptions,
                   started: list | None = None) -> tuple[int, ...]:
    """The hashes of lines repeated across the documents not in ``excluded`` (rows, ascending),
    sorted (what :func:`..corpus.plan.repeated_here` finds), counted in Ray tasks: two map tasks and
    two partitions per CPU of the cluster (each task's first reference appended to ``started``)."""
    sizes = batch_sizes(stage_path)
    if not sizes:
        return ()
    width = 2 * max(1, int(ray.cluster_resources().get("CPU", 1)))
    threshold = doc_threshold(sum(sizes) - len(excluded), options.repeated_line_min_docs,
                              options.repeated_line_min_fraction)
    with _step(started):
        mapper = _task(_line_map, started, width)
        maps = [_listed(mapper(run, stage_path, width)) for run in _runs(sizes, excluded, width)]
        reduce = _task(_line_reduce, started)
        found = ray.get([reduce(threshold, *[m[p] for m in maps]) for p in range(width)])
    return tuple(np.sort(np.concatenate(found)).tolist())


class Partitioned:
    """The groupings as Ray tasks: ``maps`` map tasks (each a run of consecutive stage batches),
    ``parts`` partitions (one reduce task each). Each task's first reference is appended to
    :attr:`started`, so that a build failing in pass 2 waits for them all (``RayEngine.plan``).

    Its grouping methods answer as :class:`..corpus.duplicates.Here`'s, their results gathered in this
    process: the form the tests compare with the local groupings (``tests/test_engine_ray.py``). The
    engine's pass 2 (:mod:`.ray_decisions`, round 37) runs the same map and reduce tasks with the
    results kept in Ray's object store, and the verifying tasks through :meth:`verified_on`."""

    def __init__(self, maps: int, parts: int, pairs: PairCache | None = None, started: list | None = None,
                 folder: str | None = None):
        self.maps, self.parts = max(1, maps), max(1, parts)
        self.pairs = pairs  # the last build's verified pairs (.pairs), looked up by the verifying tasks
        self.started = started if started is not None else []
        # with a folder (the build's work folder), the map tasks write the published keys of the edited
        # rows there and one task writes the next build's cache from them: they do not come back
        self.folder = folder

    def begin(self, stage_path: str, sizes: list[int], options: BuildOptions) -> None:
        """As :meth:`.duplicates.Here.begin`: nothing to start (the bands are hashed and grouped in
        :meth:`near_pairs`' tasks, after the groupings before them)."""

    def end(self) -> None:
        """As :meth:`.duplicates.Here.end`: nothing started by :meth:`begin`."""

    def id_copies(self, stage_path: str, sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """As :meth:`.duplicates.Here.id_copies`: the rows whose id an earlier row carries
        (ascending) and that row, grouped in partitions by the id's hash."""
        with _step(self.started):
            mapper = _task(_id_map, self.started, self.parts)
            maps = [_listed(mapper(run, stage_path, self.parts)) for run in _runs(sizes, _NONE, self.maps)]
            reduce = _task(_id_reduce, self.started)
            found = ray.get([reduce(*[m[p] for m in maps]) for p in range(self.parts)])
        dup = np.concatenate([_NONE, *(f[0] for f in found)])
        order = np.argsort(dup, kind="stable")
        return dup[order], np.concatenate([_NONE, *(f[1] for f in found)])[order]

    def staged_copies(self, stage_path: str, sizes: list[int]) -> np.ndarray:
        """As :meth:`.duplicates.Here.staged_copies`: the rows that repeat an earlier row's exact key
        as staged, ascending, grouped in partitions by the key's hash."""
        return np.sort(self._exact(stage_path, sizes, (), _NONE, None)[0])

    def published(self, stage_path: str, sizes: list[int], ctx: PublishedContext, rejected: np.ndarray,
                  edits: EditCache | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """As :meth:`.duplicates.Here.published`, the keys in the map tasks: each task takes the
        published keys ``edits`` knows (the last build's: read by each task from the cache's file
        when this process has not read them (round 31), else sent once to the object store) and
        computes the others. The keys of every edited row are kept for the next build, as the
        local engine keeps them: with :attr:`folder`, written by the map tasks to files of their
        own and the cache written from those by a task (``edits.written``: this process receives
        none of them, round 31); without, they come back and are recorded in ``edits``."""
        edits = edits if edits is not None else EditCache()
        folder = None
        if self.folder is not None:
            folder = os.path.join(self.folder, "published")
            os.makedirs(folder, exist_ok=True)
        dup, first, empty, known = self._exact(stage_path, sizes, ctx.repeated, rejected, edits, folder)
        if folder is None:
            for k1, k2, keys, flags in known:
                edits.record(k1, k2, keys, flags)
        else:  # the map tasks wrote them (a file per run, in order): the cache is written from those files
            kept = os.path.join(self.folder, "published-kept.arrow")
            with _step(self.started):
                ray.get(_task(_write_edits, self.started)(kept, [f for f in known if f is not None]))
            edits.written(kept)
        return dup, first, empty

    def _exact(self, stage_path: str, sizes: list[int], repeated: tuple[int, ...], rejected: np.ndarray,
               edits: EditCache | None, folder: str | None = None):
        """The exact duplicates' (rows, first rows), the rows left empty once published (ascending:
        each map task's are, in the runs' order) and the map tasks' published keys (or their files)."""
        runs = _runs(sizes, rejected, self.maps)
        cache = None
        if repeated:  # the last build's published keys: read by the tasks from their file unless read here already
            cache = edits.path if edits is not None and edits.path and not edits.loaded else ray.put(edits)
        with _step(self.started):
            mapper = _task(_exact_map, self.started, self.parts + 2)
            maps = [mapper(run, stage_path, repeated, self.parts, cache, folder) for run in runs]
            reduce = _task(_exact_reduce, self.started)
            found = ray.get([reduce(*[m[p] for m in maps]) for p in range(self.parts)])
            empty = ray.get([m[self.parts] for m in maps])
            known = ray.get([m[self.parts + 1] for m in maps])
        return (np.concatenate([f[0] for f in found]), np.concatenate([f[1] for f in found]),
                np.concatenate(empty), known)

    def near_pairs(self, stage_path: str, sizes: list[int], drop: np.ndarray, options: BuildOptions,
                   ctx: PublishedContext) -> tuple[np.ndarray, np.ndarray]:
        """As :meth:`.duplicates.Here.near_pairs`: the verified pairs ``(u, v)``, ``u < v``, brought
        to the driver (:meth:`near_clusters` leaves them in the tasks)."""
        edges = np.concatenate([np.empty((0, 2), np.int64), *ray.get([e for part in self._verified(
            stage_path, sizes, drop, options, ctx) for e in part])])
        edges = edges[edges[:, 0] < edges[:, 1]]
        return edges[:, 0], edges[:, 1]

    def near_clusters(self, stage_path: str, sizes: list[int], drop: np.ndarray, options: BuildOptions,
                      ctx: PublishedContext) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """As :meth:`.duplicates.Here.near_clusters` (the rows in a verified pair, ascending, their
        cluster's smallest row and its size), the connected components found in Ray tasks
        partitioned by row (:func:`components`) from the verifying tasks' pairs."""
        return components(self._verified(stage_path, sizes, drop, options, ctx), self.parts, self.started)

    def _verified(self, stage_path: str, sizes: list[int], drop: np.ndarray, options: BuildOptions,
                  ctx: PublishedContext) -> list[list]:
        """The verified pairs as edges both ways, in ``parts`` partitions by their first row: per
        verifying task, its references. The similarities the tasks computed are recorded in
        :attr:`pairs` for the next build."""
        return self.verified_on([(run, None) for run in _runs(sizes, drop, self.maps)], stage_path, sizes, options, ctx)

    def verified_on(self, runs: list[tuple], stage_path: str, sizes: list[int], options: BuildOptions,
                    ctx: PublishedContext) -> list[list]:
        """:meth:`_verified` with the band map tasks' runs given: per run, ``(run, None)`` (a run tuple
        of :func:`_runs`, the dropped rows in it) or ``(bounds, rows)`` (the run's first and end batch,
        first row and rows, and a reference to its dropped rows: see :mod:`.ray_decisions`)."""
        n = sum(sizes)
        bands, _ = choose_bands(options.near_dup_candidate_threshold, options.num_perm)
        with _step(self.started):
            mapper = _task(_band_map, self.started, self.parts)
            on_rows = _task(_on_rows, self.started, self.parts)
            maps = [_listed(mapper(run, stage_path, bands, self.parts) if rows is None
                            else on_rows(_band_map, run, rows, stage_path, bands, self.parts)) for run, rows in runs]
            pairer = _task(_pair_reduce, self.started, self.parts)
            pairs = [_listed(pairer(n, self.parts, *[m[p] for m in maps])) for p in range(self.parts)]
            verify = _task(_verify, self.started, self.parts + 1)
            known, folder = None, None
            if self.pairs is not None:  # the last build's: read by the tasks from their file unless read here already
                known = self.pairs.path if self.pairs.path and not self.pairs.loaded else ray.put(self.pairs.known())
                if self.folder is not None:  # this build's: written by the tasks, one file each (round 32)
                    folder = os.path.join(self.folder, "pairs")
                    os.makedirs(folder, exist_ok=True)
            out = [verify(n, stage_path, sizes, ctx, options.near_dup_threshold, self.parts, known,
                          folder and os.path.join(folder, f"{q}.arrow"), *[p[q] for p in pairs])
                   for q in range(self.parts)]
            recorded = ray.get([o[self.parts] for o in out])
            if self.pairs is not None and folder is None:
                for r in recorded:
                    self.pairs.add(r)
            elif self.pairs is not None:  # the next build's cache written from the tasks' files, in order, by a task
                kept = os.path.join(self.folder, "pairs-kept.arrow")
                ray.get(_task(_write_pairs, self.started)(kept, [f for f in recorded if f is not None]))
                self.pairs.written(kept)
        del maps, pairs  # the band hashes and candidate pairs: the verifying tasks have ended
        return [o[:self.parts] for o in out]


def _on_rows(fn, run: tuple, rows, *args):
    """``fn`` (a map function here) on its run tuple (:func:`_runs`'s) made from the run's bounds
    (first batch, end batch, first row, rows) and its rows of a set (an array of stage rows; None:
    none), counted from the run's first row: the map tasks of :mod:`.ray_decisions`, which are given
    a reference to their run's rows rather than the rows."""
    first, last, offset, n = run
    rows = _NONE if rows is None else rows
    return fn((first, last, offset, _local(rows, offset, offset + n), n), *args)


def components(edges: list[list], parts: int, started: list | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The connected components of a graph whose edges (both ways, (row, row) int64 arrays) are
    in ``parts`` partitions by their first row (``edges``: per producing task, its references),
    found in Ray tasks: Large-Star and Small-Star steps in turn (Kiveris et al., "Connected
    components in MapReduce and beyond", 2014), each one task per partition, until every
    component is a star around its smallest row (O(log n) rounds). Returns the rows in an edge,
    ascending, each one's component's smallest row and its size (what
    :func:`..corpus.dedup.cluster_labels` returns; each task's first reference appended to ``started``)."""
    with _step(started):
        found = ray.get(components_refs(edges, parts, started))
    rows = np.concatenate([_NONE, *(f[0] for f in found)])
    order = np.argsort(rows, kind="stable")
    return (rows[order], np.concatenate([_NONE, *(f[1] for f in found)])[order],
            np.concatenate([np.empty(0, np.int32), *(f[2] for f in found)])[order])


def components_refs(edges: list[list], parts: int, started: list | None = None) -> list:
    """:func:`components`' work, its result left in Ray's object store: per partition, a reference to
    (its rows in an edge, each one's component's smallest row, its size), rows not sorted."""
    step = _task(_star_step, started, parts + 1)
    large = True
    while True:
        with _step(started):
            out = [step(large, parts, *[e[p] for e in edges]) for p in range(parts)]
            stars = all(ray.get([o[parts] for o in out]))
        if stars:  # the input was stars already
            break
        edges, large = [o[:parts] for o in out], not large
    del out
    labels = _task(_star_labels, started)
    return [labels(*[e[p] for e in edges]) for p in range(parts)]


def edge_parts(u: np.ndarray, v: np.ndarray, parts: int) -> list[np.ndarray]:
    """The edges ``(u, v)`` both ways, (k, 2) int64, in ``parts`` partitions by first row."""
    e = np.column_stack([np.concatenate([u, v]), np.concatenate([v, u])]).astype(np.int64)
    return [e[e[:, 0] % parts == p] for p in range(parts)]


def _adjacency(chunks) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A partition's edges, unique, sorted by (row, neighbour): rows, neighbours, the index of
    each row's first edge, and each row's smallest neighbour (per edge)."""
    e = np.unique(np.concatenate([np.empty((0, 2), np.int64), *chunks]), axis=0)
    src, dst = e[:, 0], e[:, 1]
    if not len(src):
        return src, dst, _NONE, _NONE
    first = np.concatenate([[True], src[1:] != src[:-1]])
    starts = np.flatnonzero(first)
    return src, dst, starts, np.minimum.reduceat(dst, starts)[np.cumsum(first) - 1]


def _star_step(large: bool, parts: int, *chunks: np.ndarray):
    """One Large-Star (``large``) or Small-Star step over one partition's rows (each with all its
    edges), the new edges in ``parts`` partitions; and whether the input is already stars
    around the smallest rows (every row with a smaller neighbour has no other)."""
    src, dst, starts, low = _adjacency(chunks)
    degree = np.diff(np.concatenate([starts, [len(src)]]))
    stars = bool(np.all((low[starts] > src[starts]) | (degree == 1)))
    m = np.minimum(src, low)  # the smallest of each row and its neighbours
    if large:  # every larger neighbour to the smallest of the row's neighbourhood
        keep = dst > src
        a, b = dst[keep], m[keep]
    else:  # every smaller neighbour, and the row, to the smallest of them
        keep = dst < src
        a, b = np.concatenate([dst[keep], src[starts]]), np.concatenate([m[keep], m[starts]])
        a, b = a[a != b], b[a != b]
    return (*edge_parts(a, b, parts), stars)


def _star_labels(*chunks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Over one partition's rows of a graph of stars: each centre (a row with no smaller
    neighbour) and its leaves, labelled with the centre, and its star's size."""
    src, dst, starts, low = _adjacency(chunks)
    centre = low > src  # per edge: its row is a centre
    roots = src[starts][low[starts] > src[starts]]
    size = np.diff(np.concatenate([starts, [len(src)]]))[low[starts] > src[starts]] + 1
    rows = np.concatenate([roots, dst[centre]])
    labels = np.concatenate([roots, src[centre]])
    sizes = np.concatenate([size, np.repeat(size, size - 1)]).astype(np.int32)
    return rows, labels, sizes


@contextmanager
def _step(started: list | None):
    """One step of pass 2 (its tasks started and waited for inside): when it ends, the references of
    the tasks it started are dropped from ``started``, so the step's outputs no longer stay pinned in
    Ray's object store until pass 2 ends; a step that fails (or is interrupted) keeps them there, for
    :func:`.ray._stop`. (Every task a step starts has ended when its last ``ray.get`` returns.)"""
    mark = len(started) if started is not None else 0
    yield
    if started is not None:
        del started[mark:]


def _task(fn, started: list | None, num_returns: int = 1):
    """``fn`` as a Ray task of ``num_returns`` results: a function that starts one and returns its
    references, appending the first to ``started`` (for :func:`.ray._stop` when the pass fails)."""
    remote = ray.remote(fn).options(num_returns=num_returns)

    def start(*args):
        refs = remote.remote(*args)
        if started is not None:
            first = refs[0] if isinstance(refs, list) else refs
            started.append(first)
        return refs
    return start


def _listed(refs) -> list:
    """A task's object references as a list (Ray gives one reference, not a list, for one return)."""
    return refs if isinstance(refs, list) else [refs]


def _line_map(run: tuple, stage_path: str, parts: int):
    """(line hash, documents holding it) of a run of stage batches, the excluded rows left out (a
    document counts once per batch, so the batches' counts add up), in ``parts`` partitions by hash."""
    first, last, offset, excluded, n = run
    exclude = _marked(excluded, n)
    reader = shared_reader(stage_path, ("_line_hashes",))
    values, docs, at = [np.empty(0, np.uint64)], [np.empty(0, np.int64)], 0
    for index in range(first, last):
        hashes = reader.get_batch(index).column(0)
        v, d = doc_counts(hashes, exclude[at:at + len(hashes)])
        values.append(v)
        docs.append(d)
        at += len(hashes)
    table = np.column_stack([np.concatenate(values), np.concatenate(docs).astype(np.uint64)])
    return _one_or_many(_split(table, table[:, 0], parts))


def _line_reduce(threshold: int, *chunks: np.ndarray) -> np.ndarray:
    """The line hashes of one partition held by at least ``threshold`` documents in all."""
    table = np.concatenate(chunks)
    uniq, counts = sum_counts([table[:, 0]], [table[:, 1].astype(np.int64)])
    return uniq[counts >= threshold]


def _runs(sizes: list[int], rows: np.ndarray, maps: int) -> list[tuple]:
    """(first batch, last batch, first row, the rows of ``rows`` (ascending) among its rows, counted
    from its first (:func:`_local`), rows) per run of consecutive stage batches, ``maps`` runs at
    most: each task is sent its own slice of the row set (round 33; until then one bit per row of a
    mask of every row) and makes its mask of them (:func:`_marked`)."""
    starts = np.cumsum([0, *sizes])
    per = -(-len(sizes) // maps) if sizes else 1
    out = []
    for i in range(0, len(sizes), per):
        j = min(i + per, len(sizes))
        a, b = int(starts[i]), int(starts[j])
        out.append((i, j, a, _local(rows, a, b), b - a))
    return out


def _local(rows: np.ndarray, a: int, b: int) -> bytes:
    """The rows of ``rows`` (ascending) in ``a .. b``, counted from ``a``, as uint32 bytes (4 B a row)."""
    if b - a > 2**32:
        raise ValueError(f"a run of {b - a} stage rows: pass 2's map tasks count their rows in 32 bits")
    lo, hi = np.searchsorted(rows, [a, b])
    return (rows[lo:hi] - a).astype(np.uint32).tobytes()


def _marked(rows: bytes, n: int) -> np.ndarray:
    """A task's mask of its run's ``n`` rows, True at ``rows`` (:func:`_local`'s bytes)."""
    return marked(np.frombuffer(rows, np.uint32), n)


def _split(table: np.ndarray, by: np.ndarray, parts: int) -> list[np.ndarray]:
    """The rows of ``table`` in ``parts`` partitions by ``by % parts``."""
    part = by % np.uint64(parts)
    return [table[part == p] for p in range(parts)]


def _id_map(run: tuple, stage_path: str, parts: int):
    """(id, row) tables of a run of stage batches, in ``parts`` partitions by the id's CRC-32."""
    first, last, offset, _, _ = run
    reader = shared_reader(stage_path, ("id",))
    ids = pa.chunked_array([reader.get_batch(i).column(0) for i in range(first, last)], pa.string()).combine_chunks()
    table = pa.table({"id": ids, "row": np.arange(offset, offset + len(ids), dtype=np.int64)})
    part = np.fromiter((zlib.crc32(i) for i in ids.cast(pa.binary()).to_pylist()), np.uint32, len(ids)) % parts
    return _one_or_many([table.filter(pa.array(part == p)) for p in range(parts)])


def _id_reduce(*tables: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """The copies among one partition's ids: (rows, the first row of their id)."""
    table = pa.concat_tables(tables)
    return first_of_id(table.column("id"), table.column("row").to_numpy())


def _exact_map(run: tuple, stage_path: str, repeated: tuple[int, ...], parts: int, edits: EditCache | str | None,
               folder: str | None = None):
    """(key low, key high, row) of a run of stage batches in ``parts`` partitions, the rows left
    empty once published, and the published keys of the edited rows (ids, keys, empty: what the
    cache records; with ``folder``, written to ``folder/FIRST.arrow``, FIRST the run's first batch,
    and that file's name, or None without rows, in their place). The key is the published text's:
    for a row of ``keep`` that loses a repeated line, the one ``edits`` knows, else that of its text
    without them (16 zero bytes when nothing is left)."""
    first, last, offset, rejected, n = run
    keep = ~_marked(rejected, n)
    edits = _edit_cache(edits)
    reader = shared_reader(stage_path, ("_exact_key", "_line_hashes", "_doc_digest") if repeated else ("_exact_key",))
    ctx = PublishedContext(stage_path, repeated)
    wanted = np.fromiter(repeated, np.uint64, len(repeated))
    keys, empty, at = [], [_NONE], offset
    known = [(np.empty(0, np.uint64), np.empty(0, np.uint64), np.empty((0, 2), np.uint64), np.empty(0, bool))]
    for index in range(first, last):
        batch = reader.get_batch(index)
        k = np.array(exact_key_matrix(batch.column("_exact_key")))
        rows, k1, k2 = edited_rows(batch, wanted, keep[at - offset:at - offset + len(k)]) if repeated else (_NONE,) * 3
        if len(rows):
            found, found_keys, found_empty = edits.lookup(k1, k2)
            k[rows[found]] = found_keys
            empty.append(rows[found][found_empty] + at)
            known.append((k1[found], k2[found], found_keys, found_empty))
            if not found.all():
                res = edited_fingerprints((index, at, rows[~found].tolist()), ctx)
                new_keys = np.array(exact_key_matrix(res.column("exact_key")))
                new_empty = res.column("empty").to_numpy(zero_copy_only=False)
                k[rows[~found]] = new_keys
                empty.append(rows[~found][new_empty] + at)
                known.append((k1[~found], k2[~found], new_keys, new_empty))
        keys.append(np.column_stack([k, np.arange(at, at + len(k), dtype=np.uint64)]))
        at += len(k)
    table = np.concatenate(keys) if keys else np.empty((0, 3), np.uint64)
    known = tuple(np.concatenate([part[i] for part in known]) for i in range(4))
    if folder is not None:
        known = write_part(os.path.join(folder, f"{first}.arrow"), edit_table(*known), EDIT_CACHE_SCHEMA)
    return (*_split(table, table[:, 0], parts), np.sort(np.concatenate(empty)).astype(np.int64), known)


def _edit_cache(edits: EditCache | str | None) -> EditCache | None:
    """The published keys a map task looks up: the :class:`..corpus.published.EditCache` sent, or
    the last build's read here from the file named (the driver did not read it)."""
    if not isinstance(edits, str):
        return edits
    cache = EditCache()  # (no path: the verified pairs beside it are not read)
    cache.path = edits
    return cache


def _write_edits(into: str, files: list[str]) -> None:
    """The published-key cache for the next build written to ``into`` from the map tasks' files (in
    order): the file :meth:`..corpus.published.EditCache.write` writes from the same rows."""
    write_edits(_read_parts(files, edit_rows), into)


def _read_parts(files: list[str], rows) -> list:
    """``rows`` of each file's table (Arrow IPC files the tasks wrote), in order."""
    parts = []
    for f in files:
        with pa.OSFile(f) as source:
            parts.append(rows(pa.ipc.open_file(source).read_all()))
    return parts


def _exact_reduce(*chunks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The duplicates among one partition's keys: (rows, the first row of their key)."""
    table = np.concatenate(chunks)
    return first_of_key(table[:, :2], table[:, 2].astype(np.int64))


def _band_map(run: tuple, stage_path: str, bands: int, parts: int):
    """(band, band hash, row) of the active rows (band hashes present, not dropped) of a run of
    stage batches (their ``_bands``, hashed in pass 1), in ``parts`` partitions by band hash."""
    first, last, offset, dropped, n = run
    active_run = ~_marked(dropped, n)
    reader = shared_reader(stage_path, ("_bands",))
    out, at = [np.empty((0, 3), np.uint64)], offset
    for index in range(first, last):
        hashes, present = band_matrix(reader.get_batch(index).column(0), bands)
        active = present & active_run[at - offset:at - offset + len(present)]
        if active.any():
            row = (np.flatnonzero(active) + at).astype(np.uint64)
            out.append(np.column_stack([np.repeat(np.arange(bands, dtype=np.uint64), len(row)),
                                        hashes[active].T.ravel(), np.tile(row, bands)]))
        at += len(present)
    table = np.concatenate(out)
    return _one_or_many(_split(table, table[:, 1], parts))


def _pair_reduce(n: int, parts: int, *chunks: np.ndarray):
    """The candidate pairs (codes ``i * n + j``) of one partition's runs of equal (band, band
    hash), in ``parts`` partitions by pair."""
    table = np.concatenate(chunks)
    table = table[np.lexsort((table[:, 2], table[:, 1], table[:, 0]))]  # by band, hash, then row
    same = (table[1:, 0] == table[:-1, 0]) & (table[1:, 1] == table[:-1, 1])
    codes = run_pairs(same, table[:, 2].astype(np.int64), n)
    codes = np.unique(np.concatenate(codes)) if codes else _NONE
    return _one_or_many(_split(codes, codes.astype(np.uint64), parts))


def _verify(n: int, stage_path: str, sizes: list[int], ctx: PublishedContext, threshold: float, parts: int,
            pairs: PairCache | str | None, into: str | None, *chunks: np.ndarray):
    """The pairs of one partition (each once, whatever the bands it came from) whose published
    texts' similarity is at least ``threshold`` (the one ``pairs`` knows from the last build,
    else computed; ``pairs``: the cache sent, or its file, read here), as edges both ways in
    ``parts`` partitions by first row; and the similarities recorded for the next build (with
    ``into``, written there, :data:`..corpus.pairs.PAIR_SCHEMA`, and that file's name, or None
    without any, in their place)."""
    if isinstance(pairs, str):
        pairs = PairCache(pairs)
    codes = np.unique(np.concatenate(chunks))
    u, v = verified_pairs(codes, n, verifier(stage_path, sizes, ctx, map_here, pairs), threshold)
    recorded = pairs.recorded() if pairs is not None else []
    if into is not None:
        recorded = write_part(into, pair_table(recorded), PAIR_SCHEMA)
    return (*edge_parts(u, v, parts), recorded)


def _write_pairs(into: str, files: list[str]) -> None:
    """The pairs cache for the next build written to ``into`` from the verifying tasks' files (in
    order): the file :meth:`..corpus.pairs.PairCache.write` writes from the same pairs."""
    write_pairs(_read_parts(files, pair_rows), into)


def _one_or_many(parts: list):
    """A task's results: Ray wants one object, not a list of one, when ``num_returns`` is 1."""
    return parts[0] if len(parts) == 1 else tuple(parts)
