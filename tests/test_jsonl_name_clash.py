"""A file named as corpuspack names a line of a JSON Lines file beside it (``a.jsonl:1`` next to
``a.jsonl``) is rejected by name, the line published (round 38). Before, both reached pass 2 with
one name and one id: the file was rejected as ``duplicate_id`` with the circular detail "id ... is
also the id of a.jsonl:1 (kept)", and when the lines carry their own ids, two published rows had
the same ``file_name``."""
import io
import json
import tarfile

import pyarrow.parquet as pq

import corpuspack

LINES = [  # two news items as a crawler's JSON Lines export holds them
    {"text": "دمشق-سانا: افتتح وزير الثقافة اليوم معرض الكتاب السنوي في مكتبة الأسد الوطنية بمشاركة مئة دار نشر."},
    {"text": "PARIS (AFP) - Le gouvernement a présenté mercredi son projet de budget pour l'année prochaine."},
]
FILE_TEXT = "BERLIN (dpa) - Die Bundesregierung hat am Mittwoch den Entwurf des Haushalts beschlossen.\n"


def _jsonl(lines) -> bytes:
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode("utf-8")


def _published(out) -> list[tuple[str, str]]:
    rows = []
    for path in sorted((out / "data").rglob("*.parquet")):
        rows += pq.read_table(path, columns=["file_name", "text"]).to_pylist()
    return sorted((r["file_name"], r["text"][:6]) for r in rows)


def _report(out) -> dict:
    return json.loads((out / "versions" / "1.0.0" / "build_report.json").read_text(encoding="utf-8"))


def test_a_file_named_as_a_line_is_rejected_by_name(tmp_path):
    dump = tmp_path / "dump"
    (dump / "feed").mkdir(parents=True)
    (dump / "feed" / "a.jsonl").write_bytes(_jsonl(LINES))
    (dump / "feed" / "a.jsonl:1").write_text(FILE_TEXT, encoding="utf-8")
    (dump / "feed" / "b.jsonl:1").write_text(FILE_TEXT.replace("Mittwoch", "Dienstag"), encoding="utf-8")  # no b.jsonl
    out = tmp_path / "out"
    result = corpuspack.build(dump, out, jobs=1, progress=False)
    assert result.counts == {"found": 4, "included": 3, "duplicate": 0, "rejected": 1}
    assert _published(out) == [("feed/a.jsonl:1", "دمشق-س"), ("feed/a.jsonl:2", "PARIS "), ("feed/b.jsonl:1", "BERLIN")]
    [rejected] = _report(out)["rejected"]
    assert rejected["file_name"] == "feed/a.jsonl:1"
    assert rejected["reason"] == "name_collision"
    assert "line 1 of feed/a.jsonl" in rejected["detail"] and "this file was not read" in rejected["detail"]


def test_lines_with_their_own_ids_and_a_file_of_a_line_name(tmp_path):
    """The lines' ids are their own, so the file's id (a hash of its name) clashes with none: before,
    the file and line 2 were both published as ``a.jsonl:2``."""
    dump = tmp_path / "dump"
    dump.mkdir()
    (dump / "a.jsonl").write_bytes(_jsonl([dict(line, id=f"n-{k}") for k, line in enumerate(LINES)]))
    (dump / "a.jsonl:2").write_text(FILE_TEXT, encoding="utf-8")
    (dump / "a.jsonl:02").write_text(FILE_TEXT.replace("Mittwoch", "Montag"), encoding="utf-8")  # no line's name
    out = tmp_path / "out"
    result = corpuspack.build(dump, out, jobs=1, progress=False)
    assert result.counts == {"found": 4, "included": 3, "duplicate": 0, "rejected": 1}
    assert [name for name, _ in _published(out)] == ["a.jsonl:02", "a.jsonl:1", "a.jsonl:2"]
    assert dict(_published(out))["a.jsonl:2"] == "PARIS "
    [rejected] = _report(out)["rejected"]
    assert (rejected["file_name"], rejected["reason"]) == ("a.jsonl:2", "name_collision")


def test_an_archive_rejects_the_same_file(tmp_path):
    """A tar of the folder: its member after the JSON Lines member is rejected the same way, so the
    archive gives the folder's rows and report."""
    members = [("d/a.jsonl", _jsonl(LINES)), ("d/a.jsonl:1", FILE_TEXT.encode("utf-8"))]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    (tmp_path / "dump.tar").write_bytes(buf.getvalue())
    folder = tmp_path / "folder"
    for name, data in members:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    corpuspack.build(tmp_path / "dump.tar", tmp_path / "out-tar", jobs=1, progress=False)
    corpuspack.build(folder, tmp_path / "out-folder", jobs=1, progress=False)
    assert _published(tmp_path / "out-tar") == _published(tmp_path / "out-folder") == [
        ("d/a.jsonl:1", "دمشق-س"), ("d/a.jsonl:2", "PARIS ")]
    tar_rejected = _report(tmp_path / "out-tar")["rejected"]
    assert [(r["file_name"], r["reason"]) for r in tar_rejected] == [("d/a.jsonl:1", "name_collision")]
    assert tar_rejected == _report(tmp_path / "out-folder")["rejected"]


def test_a_tar_listing_the_file_before_its_json_lines_member(tmp_path):
    """A tar that lists the file first: the rows are put in the folder's order, the line kept as in a
    folder, the file rejected as a duplicate id whose detail says which is which."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in [("a.jsonl:2", FILE_TEXT.encode("utf-8")), ("a.jsonl", _jsonl(LINES))]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    (tmp_path / "dump.tar").write_bytes(buf.getvalue())
    out = tmp_path / "out"
    result = corpuspack.build(tmp_path / "dump.tar", out, jobs=1, progress=False)
    assert result.counts == {"found": 3, "included": 2, "duplicate": 0, "rejected": 1}
    assert _published(out) == [("a.jsonl:1", "دمشق-س"), ("a.jsonl:2", "PARIS ")]
    [rejected] = _report(out)["rejected"]
    assert (rejected["file_name"], rejected["reason"]) == ("a.jsonl:2", "duplicate_id")
    assert "line 2 of a.jsonl, named a.jsonl:2 too (kept): this file is named as that line" in rejected["detail"]
