"""The Ray engine's shard-reuse match, partitioned by id (``engines/ray_keys.py: _match_part``), against
the one join over all rows (``release/reuse.py: reusable_shards``, what the local engine runs) and
against verdicts written by hand: the same shards reused and the same placed rows, whatever the
number of partitions."""
import numpy as np
import pyarrow as pa
import pytest

pytest.importorskip("ray")

from corpuspack.builder.corpus import finish  # noqa: E402
from corpuspack.builder.corpus.stage import write_part  # noqa: E402
from corpuspack.builder.engines import ray_keys  # noqa: E402
from corpuspack.builder.release import reuse  # noqa: E402


def _previous(out, shards: dict[str, list[list[tuple[str, str]]]]) -> dict:
    """A previous version whose shards hold (id, key) rows, their indexes in OUT's cache."""
    splits = {}
    for split, files in shards.items():
        for n, rows in enumerate(files):
            sha = f"{split}{n:03d}".ljust(64, "0")
            (out / "x").mkdir(exist_ok=True)
            (out / "x" / f"{sha}.parquet").write_bytes(b"PAR1")  # its file, written before its index, as a build does
            reuse.write_index(str(out), sha, pa.array([i for i, _ in rows], pa.string()),
                              pa.array([f"d-{i}" for i, _ in rows], pa.string()),
                              pa.array([k for _, k in rows], pa.string()))
            splits.setdefault(split, {"files": []})["files"].append({"sha256": sha, "path": f"x/{sha}.parquet"})
    return {"splits": splits}


def _key_files(folder, batches: list[list[tuple[str, str, str]]]) -> tuple[list, list[int]]:
    files, offsets, at = [], [], 0
    for b, rows in enumerate(batches):
        table = pa.table({"id": [r[0] for r in rows], "key": [r[1] for r in rows], "split": [r[2] for r in rows]},
                         schema=finish.KEY_SCHEMA)
        files.append(write_part(str(folder / f"{b}.arrow"), table, finish.KEY_SCHEMA))
        offsets.append(at)
        at += len(rows)
    return files, offsets


def test_partitioned_match_is_the_whole_join(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    ids = [f"doc-{i:03d}" for i in range(60)]
    # train: three shards of 15 rows, the second with a changed key, the third with a row gone;
    # test: one shard whose rows moved to train in the new build, one kept whole
    previous = _previous(out, {
        "train": [[(i, f"k{i}") for i in ids[0:15]], [(i, f"k{i}") for i in ids[15:30]],
                  [(i, f"k{i}") for i in ids[30:45]]],
        "test": [[(i, f"k{i}") for i in ids[45:50]], [(i, f"k{i}") for i in ids[50:60]]],
    })
    new = [(i, ("changed" if i == "doc-020" else f"k{i}"), "train" if n < 50 else "test")
           for n, i in enumerate(ids) if i != "doc-040"]
    new = [(i, k, "train" if i < "doc-050" else "test") for i, k, _ in new]
    new += [("doc-new", "knew", "train")]
    batches = [new[a:a + 7] for a in range(0, len(new), 7)]
    (tmp_path / "keys").mkdir()
    files, offsets = _key_files(tmp_path / "keys", batches)
    shards = reuse.previous_shards(previous)

    table = pa.Table.from_batches([pa.record_batch({"id": [r[0] for r in new], "key": [r[1] for r in new],
                                                    "split": [r[2] for r in new]}, schema=finish.KEY_SCHEMA)])
    table = table.append_column("pos", pa.array(np.arange(table.num_rows), pa.int64()))
    whole_reused, whole_placed, _ = reuse.reusable_shards(str(out), previous, table)
    # by hand: train shards 0 (doc-000..014) and test shard 1 (doc-050..059); test shard 0
    # (doc-045..049) now in train; train 1 has a changed key, train 2 lost doc-040
    assert [s["sha256"][:8] for s in whole_reused["train"]] == ["train000"]
    assert [s["sha256"][:8] for s in whole_reused["test"]] == ["test0010"]
    assert sorted(whole_placed.column("id").to_pylist()) == ids[0:15] + ids[50:60]

    for parts in (1, 2, 3, 5):
        folder = tmp_path / f"reuse{parts}"
        folder.mkdir()
        candidate, broken, kept = np.ones(len(shards), bool), np.zeros(len(shards), np.int64), 0
        for p in range(parts):
            c, b, k = ray_keys._match_part(p, parts, str(out), shards, files, offsets, str(folder))
            candidate &= c
            broken += b
            kept = kept + k
        by_split, reused = reuse.reused_of(shards, candidate, broken)
        assert by_split == whole_reused
        assert int(np.sum(np.asarray(kept)[reused])) == whole_placed.num_rows
        placed = []
        for f in sorted(folder.iterdir()):
            t = pa.ipc.open_file(pa.memory_map(str(f), "r")).read_all()
            placed += [(pos, i) for s, pos, i in zip(t.column("shard").to_pylist(), t.column("pos").to_pylist(),
                                                     t.column("id").to_pylist()) if s in set(reused.tolist())]
        assert sorted(placed) == sorted(zip(whole_placed.column("pos").to_pylist(), whole_placed.column("id").to_pylist()))
