"""Duplicates decided on the text as published, through real builds of real Arabic articles
(../shared/realdata/ant_multisource; skipped when that folder is absent)."""
import json
import re
from pathlib import Path

import pytest
from datasets import load_dataset

import corpuspack
from corpuspack.builder.document.fingerprint import (
    exact_key, fingerprints, shingle_similarity, tokens, verify_shingles,
)

REAL = Path(__file__).resolve().parents[1] / ".." / "shared" / "realdata" / "ant_multisource"
HEADER = ["بوابة النيل الإخبارية", "أخبار عاجلة"]
FOOTER = ["حقوق النشر محفوظة لبوابة النيل", "تواصل معنا | من نحن | سياسة الخصوصية"]
NEWSLETTER = ("اشترك في نشرتنا البريدية اليومية لتصلك أهم الأخبار والتحليلات والتقارير الخاصة من مراسلينا "
              "في العواصم العربية والعالمية مباشرة إلى بريدك الإلكتروني كل صباح، ويمكنك إلغاء الاشتراك في أي وقت")


def _real(n):
    if not REAL.is_dir():
        pytest.skip("../shared/realdata is absent")
    return [p.read_text(encoding="utf-8") for p in sorted(REAL.glob("*.txt"))[:n]]


def test_shingle_similarity_against_python_sets():
    a = "قال الوزير إن الحكومة ستعلن خطة جديدة للنقل العام في المدينة خلال الأسبوع المقبل"
    b = a.replace("خلال الأسبوع المقبل", "قبل نهاية الشهر")
    ta, tb = tokens(a), tokens(b)
    sa, sb = ({(t[i], t[i + 1]) for i in range(len(t) - 1)} for t in (ta, tb))
    inter = len(sa & sb)
    assert len(verify_shingles(a)) == len(sa)
    assert shingle_similarity(verify_shingles(a), verify_shingles(b)) == pytest.approx(inter / min(len(sa), len(sb)))
    assert shingle_similarity(verify_shingles(a), verify_shingles(b), min_jaccard=0.99) == 0.0
    assert shingle_similarity(verify_shingles(a), verify_shingles("")) == 0.0


def _dump(tmp_path):
    """40 real articles, a site's pages, a republication, an edited copy, a furniture-only pair."""
    texts = _real(40)
    dump = tmp_path / "dump"
    dump.mkdir()
    for i, t in enumerate(texts[:30]):
        (dump / f"{i:03d}_{i:016x}.txt").write_text(t, encoding="utf-8")
    # a site's pages: its header and footer on 11 of its own articles, so the lines recur
    for i, t in enumerate(texts[30:40], start=30):
        (dump / f"{i:03d}_{i:016x}.txt").write_text("\n".join([*HEADER, t, *FOOTER]), encoding="utf-8")
    # the site republishes article 3 ...
    (dump / "100_00000000000000aa.txt").write_text("\n".join([*HEADER, texts[3], *FOOTER]), encoding="utf-8")
    # ... and article 5 with one sentence replaced by a sentence of article 20
    sentences = [s for s in re.split(r"(?<=\.)\s+", texts[5]) if len(s) > 40]
    other = [s for s in re.split(r"(?<=\.)\s+", texts[20]) if len(s) > 40][0]
    edited = texts[5].replace(sentences[len(sentences) // 2], other, 1)
    assert edited != texts[5]
    (dump / "101_00000000000000ab.txt").write_text(edited, encoding="utf-8")
    # two distinct short articles given the same page furniture, in place of articles 7 and 8
    for i in (7, 8):
        short = texts[i][:400].rsplit(" ", 1)[0]
        (dump / f"{i:03d}_{i:016x}.txt").write_text("\n".join([short, NEWSLETTER, "شارك هذا الخبر"]), encoding="utf-8")
    return dump, texts


def test_republication_with_other_furniture_is_an_exact_duplicate_of_the_original(tmp_path, hf_cache):
    dump, texts = _dump(tmp_path)
    out = tmp_path / "out"
    corpuspack.build(dump, out, jobs=2, progress=False)
    report = json.loads((out / "versions" / "1.0.0" / "build_report.json").read_text())
    assert report["duplicates"] == [{"file_name": "100_00000000000000aa.txt", "id": "00000000000000aa",
                                     "duplicate_of": f"{3:016x}", "kind": "exact"}]
    rows = {r["file_name"]: r for r in load_dataset(str(out), split="train", cache_dir=hf_cache)}
    assert len({r["text"] for r in rows.values()}) == len(rows)  # no text published twice
    assert "003_0000000000000003.txt" in rows and "100_00000000000000aa.txt" not in rows
    assert rows["101_00000000000000ab.txt"]["near_dup_cluster"] == f"{5:016x}"
    assert rows["005_0000000000000005.txt"]["near_dup_cluster_size"] == 2
    assert rows["007_0000000000000007.txt"]["near_dup_cluster"] is None
    assert rows["008_0000000000000008.txt"]["near_dup_cluster"] is None
    clustered = {n for n, r in rows.items() if r["near_dup_cluster"] is not None}
    assert clustered == {"005_0000000000000005.txt", "101_00000000000000ab.txt"}


def test_exact_key_alone_is_the_fingerprints_one():
    for text in _real(60) + ["... !!!", "كلمة", "a\u0640b\u064e  c\nd"]:
        assert exact_key(text) == fingerprints(text)["exact_key"]


def test_decisions_on_published_text_are_byte_identical_whatever_the_jobs(tmp_path):
    from conftest import output_files as _output_files

    dump, _ = _dump(tmp_path)
    a, b = tmp_path / "a", tmp_path / "b"
    corpuspack.build(dump, a, jobs=1, progress=False)
    corpuspack.build(dump, b, jobs=2, batch_size=7, progress=False)
    fa, fb = _output_files(a), _output_files(b)
    assert fa.keys() == fb.keys() and any(k.endswith(".parquet") for k in fa)
    for name in fa:
        assert fa[name] == fb[name], name
