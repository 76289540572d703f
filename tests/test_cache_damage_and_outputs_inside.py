"""Two more from round 36's torture run of version lifecycles: a damaged shard index in the cache
(``OUT/.cache/shards``) stopped every later build and ``diff`` ("File is too small"), where the other
caches are rebuilt; an earlier corpuspack output inside the dump was read as documents (its card,
manifests and report published). References: a build without that cache, a build of the dump
without the output in it."""
import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import corpuspack
from conftest import edited_seeds, output_files

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"


def _changed(tmp_path) -> Path:
    return edited_seeds(tmp_path / "changed")


@pytest.mark.parametrize("damage", ["empty", "cut", "other"])
def test_a_damaged_shard_index_is_rebuilt_from_the_shard(tmp_path, damage):
    changed = _changed(tmp_path)
    outs = {}
    for name in ("damaged", "none"):
        out = outs[name] = tmp_path / name
        corpuspack.build(SEEDS, out, progress=False, jobs=1, rows_per_shard=2)
        indexes = sorted((out / ".cache" / "shards").glob("*.arrow"))
        assert len(indexes) == 3
        for i, index in enumerate(indexes):
            if name == "none":
                index.unlink()
            elif damage == "empty":
                index.write_bytes(b"")
            elif damage == "cut":
                index.write_bytes(index.read_bytes()[: index.stat().st_size // 2])
            else:  # another shard's index: readable, other rows
                index.write_bytes(indexes[(i + 1) % len(indexes)].read_bytes() if i < 2 else b"ARROW1")
        corpuspack.build(changed, out, version="1.1.0", progress=False, jobs=1, rows_per_shard=2)
    assert output_files(outs["damaged"]) == output_files(outs["none"])
    changes = corpuspack.diff(str(outs["damaged"]), "1.0.0", "1.1.0")
    assert changes == corpuspack.diff(str(outs["none"]), "1.0.0", "1.1.0")
    assert changes["changed"] == ["8de2ff6bbf66210d"]  # the first seed, edited


def test_another_output_inside_the_dump_is_not_read(tmp_path):
    dump = tmp_path / "dump"
    shutil.copytree(SEEDS, dump)
    corpuspack.build(dump, dump / "out_a", progress=False, jobs=1)
    result = corpuspack.build(dump, dump / "out_b", progress=False, jobs=1)
    corpuspack.build(SEEDS, tmp_path / "clean", progress=False, jobs=1)
    assert result.counts == {"found": 5, "included": 5, "duplicate": 0, "rejected": 0}
    report = json.loads((dump / "out_b" / "versions" / "1.0.0" / "build_report.json").read_text(encoding="utf-8"))
    assert report["inputs"]["skipped"] == {"corpuspack_output": 1}
    rows = [pq.read_table(p).select(["file_name", "text"]).to_pylist() for p in
            (sorted((dump / "out_b" / "data").rglob("*.parquet"))[0], sorted((tmp_path / "clean" / "data").rglob("*.parquet"))[0])]
    assert rows[0] == rows[1]
    # the progress bar's total counts what the walk reads: the other output left out as the walk leaves it
    from corpuspack.builder.document.discover import count_files, discover
    assert count_files(dump, skip=dump / "out_b") == len(list(discover(dump, skip=dump / "out_b"))) == 5
