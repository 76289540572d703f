"""README: "Each version's manifest.json records the input digest, every option, the software
versions and the language-detector seed." Every field of the seeds' manifest, written by hand or
recomputed here from the files (SHA-256 of the inputs and of the shards, sizes on disk)."""
import hashlib
import json
import platform
from importlib.metadata import version as pkg_version

import corpuspack
from conftest import SEEDS
from corpuspack import schema


def test_manifest_json_field_by_field(tmp_path):
    out = tmp_path / "out"
    corpuspack.build(SEEDS, out, jobs=1, progress=False, splits=(("train", 0.6), ("test", 0.4)))
    m = json.loads((out / "versions" / "1.0.0" / "manifest.json").read_text(encoding="utf-8"))
    assert list(m) == ["name", "version", "previous_version", "schema_version", "released", "counts", "splits",
                       "features", "inputs", "options", "options_fingerprint", "software", "language_detector",
                       "parquet", "changes", "work", "card"]
    assert (m["name"], m["version"], m["previous_version"], m["schema_version"]) == ("seeds", "1.0.0", None, "1.1.0")
    assert m["released"] == "2026-01-01"  # SOURCE_DATE_EPOCH (conftest)
    assert m["counts"] == {"found": 5, "included": 5, "duplicate": 0, "rejected": 0}
    digest = hashlib.sha256()
    for f in sorted(SEEDS.glob("*.txt")):
        digest.update(f"{f.name}\0{hashlib.sha256(f.read_bytes()).hexdigest()}\n".encode())
    assert m["inputs"] == {"files": 5, "sha256": digest.hexdigest()}
    assert m["options"] == {"version": None, "splits": [["train", 0.6], ["test", 0.4]], "near_dedup": "annotate",
                            "near_dup_threshold": 0.8, "near_dup_candidate_threshold": 0.5, "num_perm": 128,
                            "shingle_size": 5,
                            "repeated_line_min_docs": 10, "repeated_line_min_fraction": 0.001,
                            "drop_quality": [], "manifest": None, "rows_per_shard": 10000, "row_group_size": 1000,
                            "rehash": False, "follow_symlinks": False, "max_file_size": 64 << 20, "encoding": None,
                            "legacy_encodings": ["cp1256", "cp1252"],  # seeds: Arabic articles (the sample)
                            "include": [], "exclude": [], "text_field": "text", "id_field": "id"}
    assert len(m["options_fingerprint"]) == 16 and int(m["options_fingerprint"], 16) >= 0
    assert m["software"] == {"corpuspack": corpuspack.__version__, "python": platform.python_version(),
                             **{p: pkg_version(p) for p in ("datasets", "pyarrow", "langdetect", "pycld2",
                                                            "charset-normalizer", "rensa", "hijridate", "jdatetime",
                                                            "matplotlib")}}
    assert m["language_detector"] == {"seed": 0}
    assert m["parquet"] == {"page_index": True, "no_statistics": ["credit", "text", "title"],
                            "content_defined_chunking": {"min_chunk_size": 256 << 10, "max_chunk_size": 1 << 20,
                                                         "norm_level": 0},
                            "max_row_group_bytes": 100 << 20}
    assert m["card"] == {}  # no --license or --card-field given
    assert m["changes"] == {}  # a first version has nothing to compare with
    assert m["work"] == {"processed": 5, "reused": 0, "shards_reused": 0, "rows_reused": 0}
    assert m["features"] == schema.features().to_dict()
    rows = 0
    for split, info in m["splits"].items():
        for f in info["files"]:
            data = (out / f["path"]).read_bytes()
            assert f["path"].startswith(f"data/v1.0.0/{split}-") and f["path"].endswith(".parquet")
            assert (f["sha256"], f["num_bytes"]) == (hashlib.sha256(data).hexdigest(), len(data))
            assert f["sha256"][:16] in f["path"]  # shards are named by their content
        assert info["num_bytes"] == sum(f["num_bytes"] for f in info["files"])
        assert info["num_examples"] == sum(f["num_rows"] for f in info["files"])
        rows += info["num_examples"]
    assert rows == 5 and set(m["splits"]) == {"train", "test"}
