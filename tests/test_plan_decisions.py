"""Pass 2's plan keeps only the rows its decisions concern (duplicates, clusters) and spreads
them into columns a batch at a time (:meth:`Plan.decisions`). Checked against the dense columns
the older whole-corpus functions make from the same groupings (:func:`dedup.duplicate_ids`,
:func:`dedup.components`: a union-find over every row), slice by slice, on a build's stage with
small batches, duplicate ids, exact and near duplicates."""
import numpy as np
import pyarrow as pa

import corpuspack
from corpus_gen import generate_corpus
from corpuspack.builder.corpus.dedup import components, duplicate_ids
from corpuspack.builder.corpus.duplicates import Here, map_here
from corpuspack.builder.corpus.plan import plan
from corpuspack.builder.corpus.published import PublishedContext
from corpuspack.builder.options import BuildOptions


def test_decisions_match_the_dense_columns(tmp_path):
    dump = tmp_path / "dump"
    dump.mkdir()
    docs = generate_corpus(400, 23, dup_rate=0.05, near_dup_rate=0.1)
    for name, text, _ in docs:
        (dump / name).write_text(text, encoding="utf-8")
    (dump / "zz").mkdir()
    for name, _, _ in docs[5:400:80]:  # a later file carrying an earlier one's id
        (dump / "zz" / name).write_text("نص آخر بالمعرف نفسه تماما.\n" * 3, encoding="utf-8")
    corpuspack.build(dump, tmp_path / "out", jobs=1, batch_size=32, progress=False)
    stage = str(next((tmp_path / "out" / ".cache").glob("stage-*")))
    table = pa.ipc.open_file(stage).read_all()
    ids, names, n = table.column("id").combine_chunks(), table.column("file_name").combine_chunks(), table.num_rows
    sizes = [b.num_rows for b in table.to_batches()]
    options = BuildOptions()
    p = plan(stage, options)

    # the dense reference, from the same groupings
    here = Here(map_here)
    first_row = {}
    id_first = np.array([first_row.setdefault(i, r) for r, i in enumerate(ids.to_pylist())])
    keep_id = id_first == np.arange(n)
    ctx = PublishedContext(stage, p.repeated)
    dup, first, empty = here.published(stage, sizes, ctx, np.flatnonzero(~keep_id))
    empty = np.isin(np.arange(n), empty)  # (the rows left empty, as a mask here)
    takes_part = keep_id & ~empty
    exact_of = pa.array(np.where(takes_part, duplicate_ids(ids, dup, first).to_numpy(zero_copy_only=False), None), pa.string())
    drop = ~takes_part | exact_of.is_valid().to_numpy(zero_copy_only=False)
    u, v = here.near_pairs(stage, sizes, np.flatnonzero(drop), options, ctx)
    cluster, cluster_size, representative = components(u, v, ids, drop)
    owner = pa.array([None if f == r else names[int(f)].as_py() for r, f in enumerate(id_first)], pa.string())
    assert (~keep_id).sum() == 5 and exact_of.null_count < n - 10 and cluster.null_count < n - 20

    offset = 0
    for m in sizes:
        d = p.decisions(offset, m)
        assert d.column("id_owner").equals(owner.slice(offset, m))
        assert d.column("exact_of").equals(exact_of.slice(offset, m))
        assert d.column("cluster").equals(cluster.slice(offset, m))
        assert d.column("cluster_size").equals(cluster_size.slice(offset, m))
        assert d.column("representative").to_numpy(zero_copy_only=False).tolist() == representative[offset:offset + m].tolist()
        offset += m
    assert offset == n and len(sizes) > 10


def test_a_batch_decisions_carry_only_its_rows_when_pickled():
    """A finishing task is pickled to a worker with its batch's decisions: their key and split
    columns must hold that batch's rows, not the whole build's (pyarrow pickles an array slice
    with its whole buffers). Checked by the pickled size, against a column of 100,000 keys."""
    import pickle

    from corpuspack.builder.corpus.plan import Plan

    n_all, n = 100_000, 512
    keys = pa.array([f"{i:032x}" for i in range(n_all)], pa.string())  # 32 bytes a row
    splits = pa.array(["train"] * n_all, pa.string())
    empty = np.array([], np.int64)
    p = Plan(empty, pa.array([], pa.string()), empty, pa.array([], pa.string()), empty, pa.array([], pa.string()),
             np.array([], np.int32), empty, (), {"documents": 0, "characters": 0})
    batch = p.decisions(50_000, n, np.zeros(n_all, bool), keys, splits)
    assert batch.column("key").to_pylist() == [f"{i:032x}" for i in range(50_000, 50_000 + n)]
    assert batch.column("split").to_pylist() == ["train"] * n
    whole = len(pickle.dumps(keys, protocol=5))  # ~3.6 MB
    size = len(pickle.dumps(batch, protocol=5))
    assert size < 100 * n < whole / 50, (size, whole)  # ~75 bytes a row: the key, split and five more columns
