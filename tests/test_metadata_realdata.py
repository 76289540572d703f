"""Datelines end to end: a real build and `datasets.load_dataset` carry dateline_place, and on the
3,000 real ANT articles (../shared/realdata, skipped when absent) the sources and dates emitted
are right against the corpus's own truth file (its outlet, or the agency its byline credits)."""
import datetime as dt
import json
import unicodedata
from pathlib import Path

import pytest

import corpuspack
from corpuspack.builder.document.clean import normalize
from corpuspack.builder.document.decode import decode
from corpuspack.builder.document.metadata import extract_metadata
from corpuspack.builder.document.metadata.normalize import tokens
from corpuspack.builder.document.metadata.outlets import gazetteer
from corpuspack.builder.document.metadata.places import places
from corpuspack.schema import SCHEMA_VERSION

ANT = Path(__file__).resolve().parents[1] / ".." / "shared" / "realdata" / "ant_multisource"
BODY = "وقال المسؤول في تصريح صحفي إن العمل يجري على قدم وساق لإنجاز المشروع في الوقت المحدد له من قبل الوزارة."


def test_build_publishes_dateline_place(tmp_path):
    from datasets import load_dataset
    dump = tmp_path / "dump"
    dump.mkdir()
    docs = {
        "000_0000000000000001.txt": "عام / أمير الباحة يستقبل مدير الشرطة\nالباحة 26 شوال 1436 هـ الموافق 11 أغسطس 2015 م واس " + BODY,
        "001_0000000000000002.txt": "عين اليوم – الرياض\n" + BODY + "\n" + BODY,
        "002_0000000000000003.txt": "الباحة 26 شوال 1436 هـ الموافق 14 أغسطس 2015 م واس " + BODY,
    }
    for name, text in docs.items():
        (dump / name).write_text(text, encoding="utf-8")
    corpuspack.build(str(dump), str(tmp_path / "out"), jobs=1, progress=False)
    rows = {r["file_name"][:3]: r for r in load_dataset(str(tmp_path / "out"), split="train")}
    assert (rows["000"]["title"], rows["000"]["date"], rows["000"]["source"]) == ("أمير الباحة يستقبل مدير الشرطة", dt.date(2015, 8, 11), "spa")
    assert (rows["000"]["dateline_place"], rows["000"]["dateline_place_method"]) == ("الباحة", "gazetteer")
    assert (rows["001"]["source"], rows["001"]["dateline_place"]) == ("ainalyoum", "الرياض")
    assert (rows["002"]["date"], rows["002"]["date_method"]) == (None, "dateline_calendars_disagree")
    manifest = json.loads((tmp_path / "out" / "versions" / "1.0.0" / "manifest.json").read_text())
    assert manifest["schema_version"] == SCHEMA_VERSION == "1.1.0"


@pytest.fixture(scope="module")
def ant():
    if not ANT.is_dir():
        pytest.skip(f"{ANT} not found")
    truth = [json.loads(x) for x in ANT.with_name(ANT.name + ".truth.jsonl").read_text(encoding="utf-8").splitlines()]
    out = []
    for t in truth:
        text = normalize(decode((ANT / t["filename"]).read_bytes()).text)
        out.append((t, text, extract_metadata(text)))
    return out


def test_ant_emitted_sources_are_right(ant):
    g = gazetteer()
    emitted = right = 0
    for t, _, m in ant:
        if m["source"] is None:
            continue
        # an agency the byline credits ("لندن - رويترز") is the text's credit: a right source
        credited = {x.outlet for x in g.mentions(tokens(t["byline"] or "")) if g.kind(x.outlet) == "agency"}
        emitted += 1
        right += m["source"] in {g.resolve(t["source"])} | credited
    assert emitted > 450 and right / emitted >= 0.98


def test_ant_cnn_datelines(ant):
    # the CNN bodies that open with "(CNN)" in their first 60 characters: CNN Arabic, and the
    # city before the comma as the dateline's place when there is one
    opened = [(t, text, m) for t, text, m in ant if t["source"] == "CNN Arabic" and "(CNN" in text[:60]]
    assert len(opened) > 450
    assert sum(m["source"] == "cnnarabic" for _, _, m in opened) / len(opened) >= 0.95
    firsts = [(text.split("\n", 1)[0], m) for _, text, m in opened]
    with_city = [(line, m) for line, m in firsts if "(CNN" in line and "،" in line[:line.index("(CNN")]]
    for line, m in with_city:
        city = unicodedata.normalize("NFC", line[:line.index("،")]).strip()
        known = places().get(city)  # published in the gazetteer's spelling (اسطنبول -> إسطنبول)
        assert m["dateline_place"] in (None, known.name if known else city)
    assert sum(m["dateline_place"] is not None for _, m in with_city) / len(with_city) >= 0.95


def test_ant_no_date_invented(ant):
    # ANT bodies state no publication date: the truth's RSS date is not in them
    wrong = [t["filename"] for t, _, m in ant
             if m["date"] is not None and abs((m["date"] - dt.date.fromisoformat(t["date"])).days) > 1]
    assert wrong == []
