"""JSON Lines whose strings hold an unpaired UTF-16 surrogate escape: the real form is a text cut
for length through an emoji's surrogate pair, leaving its first half, e.g. ``🔥\\ud83d…`` (reported
on real JSONL files: anthropics/claude-code#56064, delexw/claude-code-trace#85; parsers that repair
rather than drop the line replace it with U+FFFD, PixelPaw-Labs/codex-trace#279). Before, one such
line in a field or an id stopped the whole build (UnicodeEncodeError), and in the text it lost the
document as "undecodable". Now each unpaired surrogate becomes U+FFFD, the line is kept, and the
report counts the lines repaired; a surrogate pair stays the character it encodes. Values written
by hand, read back with ``datasets.load_dataset``."""
import json

from datasets import load_dataset

import corpuspack

_NEWS = "أعلنت وزارة الصحة في دمشق اليوم عن حملة تلقيح جديدة تشمل المحافظات الشمالية والشرقية"

# the escapes as a JSON writer leaves them (raw text of the file, one line each)
LINES = [
    # the text cut inside an emoji: its high half left before the ellipsis
    r'{"id": "a1", "text": "' + _NEWS + r' \ud83d\udd25\ud83d\u2026", "url": "https://sana.sy/?p=1"}',
    # a low half alone, and a whole pair (kept: 😀)
    r'{"id": "a2", "text": "' + _NEWS + r' \ude00 \ud83d\ude00 اليوم الثاني", "url": "https://sana.sy/?p=2"}',
    # in a field the sidecar manifest keeps (the title), and in the id
    r'{"id": "a3\udc9f", "text": "' + _NEWS + r' في يومها الثالث", "title": "حملة تلقيح \ud83c"}',
    # in a field name that would overwrite a published column: a named rejection, not a crash
    r'{"id": "a4", "text": "' + _NEWS + r' في يومها الرابع", "_x\uD83D": 1}',
    # nothing to repair
    r'{"id": "a5", "text": "' + _NEWS + r' في يومها الخامس", "url": "https://sana.sy/?p=5"}',
]


def test_unpaired_surrogates_replaced_and_counted(tmp_path, hf_cache):
    dump = tmp_path / "news.jsonl"
    dump.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    assert all(json.loads(line) for line in LINES)  # valid JSON as Python reads it
    out = tmp_path / "out"
    corpuspack.build(dump, out, progress=False, jobs=1)

    report = json.loads((out / "versions" / "1.0.0" / "build_report.json").read_text(encoding="utf-8"))
    assert report["counts"] == {"found": 5, "included": 4, "duplicate": 0, "rejected": 1}
    assert report["inputs"]["unpaired_surrogates_replaced"] == 4
    assert [(r["file_name"], r["reason"]) for r in report["rejected"]] == [("news.jsonl:4", "bad_line")]
    assert "_x\ufffd" in report["rejected"][0]["detail"]

    rows = {r["file_name"]: r for r in load_dataset(str(out), split="train", cache_dir=hf_cache)}
    assert rows["news.jsonl:1"]["text"].endswith(" 🔥\ufffd…")
    assert rows["news.jsonl:2"]["text"].endswith(" \ufffd 😀 اليوم الثاني")
    assert rows["news.jsonl:3"]["id"] == "a3\ufffd" and rows["news.jsonl:3"]["title"] == "حملة تلقيح \ufffd"
    assert rows["news.jsonl:5"]["text"].endswith(" في يومها الخامس")
    assert {r["url"] for r in rows.values()} == {"https://sana.sy/?p=1", "https://sana.sy/?p=2", None,
                                                 "https://sana.sy/?p=5"}
    assert not any("\ud800" <= c <= "\udfff" for r in rows.values() for v in r.values() if isinstance(v, str)
                   for c in v)


def test_a_report_row_holding_a_surrogate_is_written_with_escapes(tmp_path):
    """The report writes a named row whose detail UTF-8 cannot hold with JSON's escapes (read back:
    the same string), rather than stopping the build as it writes the report."""
    from corpuspack.builder.release import report, versions

    log = report.Ledger(str(tmp_path))
    log.reject("x.txt", "error", "ValueError: 'ab\udc80'")
    log.reject("a.txt", "empty", "الملف فارغ")
    path = tmp_path / "build_report.json"
    versions.write_chunks_atomic(str(path), report.chunks(log.to_dict({}, version="1.0.0")))
    got = json.loads(path.read_text(encoding="utf-8"))["rejected"]
    assert got == [{"file_name": "a.txt", "reason": "empty", "detail": "الملف فارغ"},
                   {"file_name": "x.txt", "reason": "error", "detail": "ValueError: 'ab\udc80'"}]
    assert "الملف فارغ" in path.read_text(encoding="utf-8")  # other rows as they were: not escaped


def test_counted_through_an_archive_reader_process(tmp_path):
    """The lines in a tar archive: with workers, read by the archive's reader process (see
    document/inputs/spool), which sends its counts to the build: the same report as without workers."""
    import tarfile

    (tmp_path / "news.jsonl").write_text("\n".join(LINES) + "\n", encoding="utf-8")
    with tarfile.open(tmp_path / "dump.tar", "w") as tar:
        tar.add(tmp_path / "news.jsonl", arcname="2026/news.jsonl")
    got = []
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}"
        corpuspack.build(tmp_path / "dump.tar", out, progress=False, jobs=jobs)
        got.append((out / "versions" / "1.0.0" / "build_report.json").read_bytes())
    assert got[0] == got[1]
    report = json.loads(got[0])
    assert report["inputs"]["unpaired_surrogates_replaced"] == 4 and report["counts"]["included"] == 4
