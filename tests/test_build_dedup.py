"""Corpus-level cleaning through a real build: duplicates named in the report,
near-duplicate clusters as columns, repeated page furniture removed and counted."""
import json
from importlib.resources import files

import pytest
from datasets import load_dataset

import corpuspack
from corpus_gen import generate_corpus


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    d = tmp_path_factory.mktemp("gen") / "dump"
    d.mkdir()
    docs = generate_corpus(600, 11, dup_rate=0.05, near_dup_rate=0.1, other_lang_rate=0.03)
    for name, text, _ in docs:
        (d / name).write_text(text, encoding="utf-8")
    (d / "zzz_00000000000000ff.txt").write_text("خبر قصير جدا.\n", encoding="utf-8")
    return d, docs


def _doc_id(name):
    return name.split("_", 1)[1].split(".")[0]


def test_duplicates_clusters_and_repeated_lines(generated, tmp_path, hf_cache):
    dump, docs = generated
    out = tmp_path / "out"
    corpuspack.build(dump, out, jobs=2, progress=False)
    report = json.loads((out / "versions" / "1.0.0" / "build_report.json").read_text())
    ids = [_doc_id(n) for n, _, _ in docs]

    train = load_dataset(str(out), split="train", cache_dir=hf_cache)
    rows = {r["file_name"]: r for r in train}
    # exact duplicates are decided on the published text: a near duplicate made by adding page
    # furniture becomes its original once the repeated lines are removed (here by hand, with the
    # lines the report says it removed, and the listed page boilerplate cleaning removes)
    listed = files("corpuspack.data").joinpath("boilerplate.txt").read_text(encoding="utf-8").splitlines()
    gone = {p["example"] for p in report["repeated_lines_removed"]} | {line.strip() for line in listed}

    def published(text):
        return "\n".join(line for line in text.split("\n") if line.strip() not in gone).strip()

    exact = {r["file_name"]: r for r in report["duplicates"] if r["kind"] == "exact"}
    truth_exact = {n: t for n, text, t in docs if t["kind"] == "exact_dup" or (
        t["kind"] == "near_dup" and published(text) == rows[docs[t["group"]][0]]["text"])}
    assert len(truth_exact) > sum(t["kind"] == "exact_dup" for _, _, t in docs)
    assert set(exact) == set(truth_exact)
    for name, t in truth_exact.items():
        assert exact[name]["duplicate_of"] == ids[t["group"]]
    near = [(n, t) for n, _, t in docs if t["kind"] == "near_dup" and n not in truth_exact]
    found = sum(1 for n, t in near if rows[n]["near_dup_cluster"] is not None
                and rows[n]["near_dup_cluster"] == rows[docs[t["group"]][0]]["near_dup_cluster"])
    assert found / len(near) >= 0.95
    # no original is clustered unless it has a near duplicate (distinct articles share datelines and footers)
    groups_with_near = {t["group"] for _, t in near}
    false = [n for i, (n, _, t) in enumerate(docs) if t["kind"] in ("original", "other_lang")
             and i not in groups_with_near and rows[n]["near_dup_cluster"] is not None]
    assert not false
    for r in rows.values():
        assert (r["near_dup_cluster"] is None) == (r["near_dup_cluster_size"] == 1)

    # the sites' footers recur on many pages: removed, counted, shown with an example
    removed = report["repeated_lines_removed"]
    assert removed and all(p["docs"] >= 10 and p["example"] for p in removed)
    examples = {p["example"] for p in removed}
    for r in rows.values():
        assert not examples & set(r["text"].split("\n"))
    c = report["counts"]
    assert c["found"] == len(docs) + 1 == c["included"] + c["duplicate"] + c["rejected"]


def test_near_dedup_drop_and_quality_filter(generated, tmp_path, hf_cache):
    dump, docs = generated
    out = tmp_path / "out"
    corpuspack.build(dump, out, jobs=1, progress=False, near_dedup="drop", drop_quality=("tiny",))
    report = json.loads((out / "versions" / "1.0.0" / "build_report.json").read_text())
    dropped = [r for r in report["duplicates"] if r["kind"] == "near"]
    assert dropped
    train = load_dataset(str(out), split="train", cache_dir=hf_cache)
    kept = set(train["id"])
    for r in dropped:
        assert r["id"] not in kept and r["duplicate_of"] in kept
    assert {r["file_name"]: r["reason"] for r in report["rejected"]} == {"zzz_00000000000000ff.txt": "quality"}
    c = report["counts"]
    assert c["found"] == c["included"] + c["duplicate"] + c["rejected"]
