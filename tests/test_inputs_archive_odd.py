"""Archive members a real dump holds that once stopped a build or renamed a file (found by a torture
run, round 36): a zip member protected by a password, one compressed with Deflate64 (what Windows'
"Send to compressed folder" writes for large files; Python's zipfile cannot read it), a member with an
empty name, Arabic names written in UTF-8 without the zip's UTF-8 flag (Info-ZIP's ``zip`` on Linux,
macOS's Archive Utility), and a tar member whose name holds a backslash. Each is read or refused by
name, the others read; the checks are against names and counts written by hand, and against the
build of the same files as a folder."""
import io
import struct
import tarfile
import zipfile

import pyarrow.parquet as pq
import pytest

import corpuspack

_TEXT = ("أكد وزير الخارجية استحالة تسوية الأزمة دون توحيد جهود المجتمع الدولي، وقال إن الحل السياسي "
         "هو الطريق الوحيد لإنهاء الحرب.\n") * 4


def _patched(data: bytes, member: bytes, **fields) -> bytes:
    """The zip's bytes with header fields of ``member`` set, in its local header and its central
    directory entry: ``flags`` (general purpose bits, OR-ed; ``clear`` AND-NOT-ed) or ``method``."""
    data = bytearray(data)
    for sig, flag_at, method_at, name_len_at, name_at in ((b"PK\x03\x04", 6, 8, 26, 30), (b"PK\x01\x02", 8, 10, 28, 46)):
        i = 0
        while (i := data.find(sig, i)) != -1:
            n = struct.unpack_from("<H", data, i + name_len_at)[0]
            if bytes(data[i + name_at:i + name_at + n]) == member:
                flags = struct.unpack_from("<H", data, i + flag_at)[0]
                flags = (flags | fields.get("flags", 0)) & ~fields.get("clear", 0)
                struct.pack_into("<H", data, i + flag_at, flags)
                if "method" in fields:
                    struct.pack_into("<H", data, i + method_at, fields["method"])
            i += 4
    return bytes(data)


def _zip(members: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in members.items():
            z.writestr(zipfile.ZipInfo(name) if name == "" else name, text.encode("utf-8"))
    return out.getvalue()


def _built(path, out, jobs):
    import json

    corpuspack.build(path, out, progress=False, jobs=jobs)
    report = json.loads((out / "versions" / "1.0.0" / "build_report.json").read_text(encoding="utf-8"))
    rows = pq.read_table(sorted(out.glob("data/**/*.parquet"))).select(["file_name", "id", "text"]).to_pylist()
    return report, rows


@pytest.mark.parametrize("jobs", [1, 2])  # 2: the archive read by its reader process (document/inputs/spool)
def test_zip_members_that_cannot_be_read_are_refused_by_name(tmp_path, jobs):
    data = _zip({"a.txt": "خبر أول\n" + _TEXT, "secret.txt": "خبر سري\n" + _TEXT,
                 "big.txt": "خبر كبير\n" + _TEXT, "": "خبر بلا اسم\n" + _TEXT, "z.txt": "خبر أخير\n" + _TEXT})
    data = _patched(data, b"secret.txt", flags=0x1)  # encrypted
    data = _patched(data, b"big.txt", method=9)  # Deflate64
    (tmp_path / "dump.zip").write_bytes(data)
    report, rows = _built(tmp_path / "dump.zip", tmp_path / "out", jobs)
    assert report["counts"] == {"found": 5, "included": 2, "duplicate": 0, "rejected": 3}
    assert [r["file_name"] for r in rows] == ["a.txt", "z.txt"]
    got = {r["file_name"]: (r["reason"], r["detail"]) for r in report["rejected"]}
    assert got["secret.txt"][0] == "unreadable" and "encrypted" in got["secret.txt"][1]
    assert got["big.txt"][0] == "unreadable" and "method 9" in got["big.txt"][1]
    assert got["dump.zip: a member with an empty name, after big.txt"][0] == "unsafe_path"


def test_unflagged_utf8_names_read_as_the_folder_names_them(tmp_path):
    names = ["خبر_عاجل.txt", "أخبار/سوريا/تقرير.txt", "plain.txt"]
    folder = tmp_path / "folder"
    for i, name in enumerate(names):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(f"خبر {i}\n" + _TEXT, encoding="utf-8")
    data = _zip({name: f"خبر {i}\n" + _TEXT for i, name in enumerate(names)})
    for name in names:  # as Info-ZIP and macOS write them: UTF-8 bytes, the UTF-8 flag not set
        data = _patched(data, name.encode("utf-8"), clear=0x800)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "خبر_عاجل.txt" not in z.namelist()  # what zipfile alone makes of them (cp437)
    (tmp_path / "dump.zip").write_bytes(data)
    _, from_zip = _built(tmp_path / "dump.zip", tmp_path / "zip_out", 1)
    _, from_folder = _built(folder, tmp_path / "folder_out", 1)
    assert sorted(r["file_name"] for r in from_zip) == sorted(names)
    assert from_zip == from_folder  # the same names, ids and texts


def test_a_backslash_in_a_tar_members_name_is_part_of_the_name(tmp_path):
    folder = tmp_path / "folder"
    (folder / "win" / "path").mkdir(parents=True)
    (folder / "win" / "path" / "doc.txt").write_text("خبر أول\n" + _TEXT, encoding="utf-8")
    (folder / "win\\path\\doc.txt").write_text("خبر ثان مختلف\n" + _TEXT, encoding="utf-8")
    with tarfile.open(tmp_path / "dump.tar", "w") as tar:
        tar.add(folder, arcname=".")
    report, from_tar = _built(tmp_path / "dump.tar", tmp_path / "tar_out", 1)
    _, from_folder = _built(folder, tmp_path / "folder_out", 1)
    assert report["counts"]["included"] == 2 and report["rejected"] == []
    assert sorted(r["file_name"] for r in from_tar) == ["win/path/doc.txt", "win\\path\\doc.txt"]
    assert from_tar == from_folder


@pytest.mark.parametrize("name", ["typo.jsonl", "typo.jsonl.gz", "typo.tar.gz", "typo.zip"])
def test_a_missing_input_file_is_an_error_before_any_work(tmp_path, name):
    with pytest.raises(NotADirectoryError, match=f"input file not found: .*{name}"):
        corpuspack.build(tmp_path / name, tmp_path / "out", progress=False, jobs=1)
    assert not (tmp_path / "out").exists()
