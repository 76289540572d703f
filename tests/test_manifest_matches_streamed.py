"""The manifest rows that match no file are found with the staged names and ids read a batch at a time
(``pipeline._manifest_matches``, round 37; until then every staged name and id was read into two
lists in the build's process). The rows reported are the ones written by hand to match no file; what
the check holds is measured (tracemalloc) against the lists the earlier code made, built here by
pyarrow from the same stage."""
import json
import tracemalloc

import pyarrow as pa

import corpuspack
from corpus_gen import generate_corpus
from corpuspack.builder import pipeline
from corpuspack.builder.corpus.sidecar import load_manifest
from corpuspack.builder.release import incremental, report
from test_incremental_edits import _write


def test_unmatched_manifest_rows_with_a_batch_held(tmp_path):
    dump, out = tmp_path / "dump", tmp_path / "out"
    dump.mkdir()
    _write(dump, generate_corpus(1500, 9, article_words=(20, 40)))
    names = sorted(p.name for p in dump.iterdir())
    manifest = tmp_path / "crawl.csv"
    rows = [("file_name", "source", "url")] + [(n, "sana.sy", f"https://sana.sy/?p={k}") for k, n in enumerate(names[:3])]
    rows += [("missing_1.txt", "sana.sy", "https://sana.sy/?p=901"), ("sub/missing_2.txt", "alwatan", "")]
    manifest.write_text("".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    built = corpuspack.build(dump, out, jobs=1, progress=False, batch_size=32, manifest=str(manifest))
    written = json.loads((out / "versions" / "1.0.0" / "build_report.json").read_text(encoding="utf-8"))
    assert written["manifest"]["rows_matching_no_file"] == ["missing_1.txt", "sub/missing_2.txt"]
    # what the check holds, against the two lists the code before made of the same stage
    stage = incremental.cache_path(str(out), built.manifest["options_fingerprint"])
    loaded = load_manifest(manifest)
    ledger = report.Ledger()
    tracemalloc.start()
    pipeline._manifest_matches(stage, loaded, ledger)
    _, held = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert ledger.unmatched_manifest_rows == ["missing_1.txt", "sub/missing_2.txt"]
    with pa.OSFile(stage) as f:
        table = pa.ipc.open_file(f).read_all().select(["file_name", "id"])
    tracemalloc.start()
    lists = [table.column(c).to_pylist() for c in ("file_name", "id")]
    _, before = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"manifest check peak {held:,} B; the staged names and ids as lists {before:,} B")
    assert len(lists[0]) == 1500 and held < before / 4, (held, before)
