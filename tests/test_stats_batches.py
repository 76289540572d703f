"""A version's statistics (card, charts, ``inspect``) are summed over its shards read a batch at a
time, never its whole columns: the same figures as a reference computed here another way, from
the whole table at once (``numpy.percentile``, ``value_counts``, Python's ``Counter`` and dates)."""
import collections
import shutil
from importlib.resources import files
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import corpuspack
from corpus_gen import generate_corpus
from corpuspack.builder.release import stats, versions

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("stats")
    dump = root / "dump"
    shutil.copytree(SEEDS, dump)
    for name, text, _ in generate_corpus(300, 5, other_lang_rate=0.1):
        (dump / name).write_text(text, encoding="utf-8")
    out = root / "out"
    corpuspack.build(dump, out, progress=False, jobs=2, rows_per_shard=64, row_group_size=16)
    return str(out)


def _reference(out: str) -> dict:
    m = versions.read_manifest(out, "1.0.0")
    paths = [Path(out) / f["path"] for i in m["splits"].values() for f in i["files"]]
    t = pa.concat_tables([pq.read_table(p) for p in paths])
    rows = t.select(["language", "source", "date", "num_chars", "date_method", "source_method"]).to_pylist()
    chars = np.array([r["num_chars"] for r in rows])

    def by(key):
        n, c = collections.Counter(), collections.Counter()
        for r in rows:
            n[key(r)] += 1
            c[key(r)] += r["num_chars"]
        return {k: [n[k], c[k]] for k in n}

    dates = [r["date"] for r in rows if r["date"] is not None]
    return {"documents": len(rows), "characters": int(chars.sum()),
            "language": by(lambda r: r["language"]), "source": by(lambda r: r["source"]),
            "year": by(lambda r: r["date"] and r["date"].year),
            "month": {k: v for k, v in by(lambda r: r["date"] and r["date"].strftime("%Y-%m")).items() if k},
            "dates": [len(dates), min(dates).isoformat(), max(dates).isoformat()],
            "mean": round(float(chars.mean()), 1),
            "percentiles": {f"p{q}": int(np.percentile(chars, q, method="lower")) for q in (0, 10, 50, 90, 100)},
            "histogram": np.histogram(chars, bins=[0, *stats.LENGTH_BINS, np.inf])[0].tolist(),
            "date_method": collections.Counter(r["date_method"] for r in rows),
            "removed_lines": pc.sum(t["removed_lines"]).as_py()}


@pytest.mark.parametrize("batch_rows", [7, 64, 65_536])
def test_stats_summed_over_batches_are_the_whole_tables(built, monkeypatch, batch_rows):
    read = []
    real = pq.ParquetFile.iter_batches

    def iter_batches(self, *a, **k):
        for b in real(self, *a, **k):
            read.append(b.num_rows)
            yield b

    monkeypatch.setattr(stats, "BATCH_ROWS", batch_rows)
    monkeypatch.setattr(pq.ParquetFile, "iter_batches", iter_batches)
    st = stats.version_stats(built, versions.read_manifest(built, "1.0.0"))
    want = _reference(built)
    assert max(read) <= batch_rows and sum(read) == want["documents"]
    assert len(read) > 1 and (batch_rows > 64 or max(read) == batch_rows)
    assert (st["documents"], st["characters"]) == (want["documents"], want["characters"])
    assert {k: [n, c] for k, n, c in st["by_language"]} == want["language"]
    assert len(want["language"]) > 1 and len(want["source"]) > 1 and len(want["month"]) > 1
    assert {k: [n, c] for k, n, c in st["by_source"]} == want["source"]
    assert {k: [n, c] for k, n, c in st["by_year"]} == want["year"]
    assert {k: [n, c] for k, n, c in st["by_month"]} == want["month"]
    assert [r[0] for r in st["by_month"]] == sorted(want["month"])
    assert [st["dates"][k] for k in ("with_date", "first", "last")] == want["dates"]
    assert st["length"]["mean"] == want["mean"]
    assert {k: v for k, v in st["length"].items() if k.startswith("p")} == want["percentiles"]
    assert [n for _, n in st["length"]["histogram"]] == want["histogram"]
    assert st["date_method"] == {("none" if k is None else k): v for k, v in want["date_method"].items()}
    assert st["removed_lines"] == want["removed_lines"]
