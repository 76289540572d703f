"""JSON Lines saved as UTF-16 or UTF-32 (a Windows editor's "Unicode", PowerShell 5's ``>``), told
by a byte-order mark or by the zero bytes of RFC 4627 section 3, are decoded (round 37: each line was
refused as not JSON); ids that are JSON numbers or true/false are published as their JSON text
("true", not Python's "True")."""
import gzip
import json

import pytest
from datasets import load_dataset

import corpuspack

LINES = [  # real-looking lines of three languages, CRLF line ends as Windows writes them
    {"id": True, "text": "دمشق-سانا: افتتح وزير الثقافة اليوم معرض الكتاب السنوي في مكتبة الأسد الوطنية بمشاركة مئة دار نشر."},
    {"id": 7, "text": "PARIS (AFP) - Le gouvernement a présenté mercredi son projet de budget pour l'année prochaine au conseil des ministres."},
    {"id": "x-3", "text": "BERLIN (dpa) - Die Bundesregierung hat am Mittwoch den Entwurf des Haushalts für das kommende Jahr beschlossen."},
]
BODY = "".join(json.dumps(line, ensure_ascii=False) + "\r\n" for line in LINES)


@pytest.mark.parametrize("name, data", [
    ("bom-le.jsonl", BODY.encode("utf-16")),  # with its byte-order mark (little-endian here)
    ("no-bom-be.jsonl", BODY.encode("utf-16-be")),
    ("no-bom-le.jsonl", BODY.encode("utf-16-le")),
    ("utf32.jsonl.gz", gzip.compress(BODY.encode("utf-32"))),
    ("plain.jsonl", BODY.encode("utf-8")),
])
def test_wide_json_lines_are_read(tmp_path, hf_cache, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    out = tmp_path / "out"
    result = corpuspack.build(path, out, jobs=1, progress=False)
    assert result.counts == {"found": 3, "included": 3, "duplicate": 0, "rejected": 0}
    rows = load_dataset(str(out), cache_dir=hf_cache)["train"]
    assert sorted(rows["id"]) == ["7", "true", "x-3"]
    assert sorted(t[:4] for t in rows["text"]) == ["BERL", "PARI", "دمشق"]
    report = json.loads((out / "versions" / "1.0.0" / "build_report.json").read_text(encoding="utf-8"))
    assert report["inputs"]["jsonl_files_transcoded"] == (0 if name == "plain.jsonl" else 1)


def test_an_invalid_sequence_in_utf16_becomes_a_replacement_character(tmp_path, hf_cache):
    line = json.dumps({"id": "a", "text": "Un texte assez long pour être publié, coupé ici: X fin."}, ensure_ascii=False)
    data = bytearray(("\ufeff" + line + "\n").encode("utf-16-le"))
    at = data.index("X".encode("utf-16-le"))
    data[at:at + 2] = b"\x00\xd8"  # a lone high surrogate (U+D800) in place of the X
    path = tmp_path / "cut.jsonl"
    path.write_bytes(bytes(data))
    corpuspack.build(path, tmp_path / "out", jobs=1, progress=False)
    [text] = load_dataset(str(tmp_path / "out"), cache_dir=hf_cache)["train"]["text"]
    assert "coupé ici: \ufffd fin." in text
