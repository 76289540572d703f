"""An archive cut short (a download that stopped, a disk that filled): every member before the cut
is a row, the member the cut falls in is a named rejection, and nothing is lost without a word.
Cut at every few hundred bytes; which members are whole before a cut is known from the uncut
archive's own index (zipfile's central directory, tarfile's member offsets)."""
import hashlib
import io
import json
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import corpuspack
from corpuspack.builder.document.inputs import InputOptions, Tally, archive, entries
from dump_forms import build_report, published

REAL = Path(__file__).resolve().parents[1] / ".." / "shared" / "realdata"


def _texts(n: int = 10) -> dict[str, bytes]:
    """Members that compress little (hex of hashes), of growing sizes, in two folders."""
    return {f"site{i % 2}/n{i:02d}.txt": " ".join(hashlib.sha256(f"{i}-{j}".encode()).hexdigest()
                                                   for j in range(20 + 9 * i)).encode() for i in range(n)}


def _read(path: Path) -> tuple[list[tuple[str, bytes]], list[tuple[str, str, str]]]:
    """(rows: name and bytes, rejections: name, reason, detail) the input stream gives."""
    rows, refused = [], []
    for name, payload in entries(str(path), InputOptions(), Tally()):
        if payload.data is not None:
            rows.append((name, payload.data))
        else:
            refused.append((name, *payload.refused))
    return rows, refused


def _without_isal(monkeypatch) -> None:
    """As if isal were not installed: importing it (or its gzip module, maybe imported already)
    raises ImportError."""
    for module in ("isal", "isal.igzip"):
        monkeypatch.setitem(sys.modules, module, None)


def _zip(texts) -> bytes:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in texts.items():
            z.writestr(name, data)
    return raw.getvalue()


def _tar(texts, mode: str) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode=mode) as tar:
        for name, data in texts.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return raw.getvalue()


def test_a_cut_zip_gives_every_whole_member_and_names_the_one_cut(tmp_path):
    texts = _texts()
    data = _zip(texts)
    index = zipfile.ZipFile(io.BytesIO(data)).infolist()
    directory = min(i.header_offset for i in index) + sum(  # where the central directory starts
        30 + len(i.filename.encode()) + len(i.extra) + i.compress_size for i in index)
    path = tmp_path / "dump.zip"
    for cut in range(0, directory, 211):
        path.write_bytes(data[:cut])
        rows, refused = _read(path)
        whole = [i.filename for i in index
                 if i.header_offset + 30 + len(i.filename.encode()) + len(i.extra) + i.compress_size <= cut]
        assert [name for name, _ in rows] == whole, cut
        assert all(texts[name] == got for name, got in rows)
        assert len(refused) == 1 and refused[0][1] == "corrupt", cut
        cut_in = next((i for i in index if i.filename not in whole), None)
        in_data = cut_in is not None and cut >= cut_in.header_offset + 30 + len(cut_in.filename.encode())
        assert refused[0][0] == (cut_in.filename if in_data else "dump.zip"), cut  # inside a member's bytes: that member
        assert "dump.zip" in refused[0][2] and "cut short" in refused[0][2]
    path.write_bytes(data[:directory + 40])  # cut inside the directory: every member is whole
    rows, refused = _read(path)
    assert [name for name, _ in rows] == list(texts) and refused == []


@pytest.mark.parametrize("mode", ["w", "w:gz", "w:gz/gzip", "w:xz"])
def test_a_cut_tar_never_ends_silently(tmp_path, mode, monkeypatch):
    """tarfile itself takes a tar cut between members, or inside a header, for its end: those
    cuts too must be reported. For a plain tar the whole members are known from their offsets.
    A .tar.gz is unpacked by isal when it is installed ("w:gz"), by the standard gzip without it."""
    if mode == "w:gz/gzip":
        _without_isal(monkeypatch)
        mode = "w:gz"
    texts = _texts()
    data = _tar(texts, mode)
    names = list(texts)
    ends = {m.name: m.offset_data + m.size for m in tarfile.open(fileobj=io.BytesIO(_tar(texts, "w")))}
    path = tmp_path / ("dump.tar" + {"w": "", "w:gz": ".gz", "w:xz": ".xz"}[mode])
    end_marker = max(ends.values())
    for cut in range(0, len(data), 173):
        path.write_bytes(data[:cut])
        rows, refused = _read(path)
        got = [name for name, _ in rows]
        assert got == names[:len(got)] and all(texts[name] == b for name, b in rows), cut
        if mode == "w":
            assert got == [n for n in names if ends[n] <= cut], cut
        if len(got) < len(names):  # something lost: said, once, in the member cut or the archive
            assert len(refused) == 1 and refused[0][1] == "corrupt", (cut, refused)
            assert refused[0][0] in (names[len(got)], path.name)
        elif mode == "w" and cut <= end_marker:  # every member read, but no end-of-archive marker
            assert [r[0] for r in refused] == [path.name], cut


@pytest.mark.parametrize("gunzip", ["isal", "gzip"])
def test_a_damaged_tar_gz_is_reported_wherever_the_damage_is(tmp_path, gunzip, monkeypatch):
    """A byte changed inside the compressed stream, at five places: the rows come in the
    archive's order and the damage is one named rejection, never silence (a changed byte in a
    deflate block gives wrong bytes that only the gzip CRC at the stream's end shows; tarfile's
    own reader did not check it), by isal's gunzip as by the standard library's."""
    if gunzip == "gzip":
        _without_isal(monkeypatch)
    else:
        pytest.importorskip("isal")
    texts = _texts()
    names = list(texts)
    clean = _tar(texts, "w:gz")
    path = tmp_path / "dump.tar.gz"
    for where in (0.2, 0.35, 0.5, 0.65, 0.8):
        data = bytearray(clean)
        data[int(len(data) * where)] ^= 0xFF
        path.write_bytes(bytes(data))
        with open(path, "rb") as raw:
            assert type(archive._gunzip(raw)).__module__ == ("isal.igzip" if gunzip == "isal" else "gzip")
        rows, refused = _read(path)
        assert [name for name, _ in rows] == names[:len(rows)], where
        assert len(refused) == 1 and refused[0][1] == "corrupt", (where, refused)
        assert refused[0][0] in (names[len(rows)] if len(rows) < len(names) else None, path.name), where


def test_a_cut_zip_of_real_articles_builds_what_it_holds(tmp_path):
    """The build of a zip of real articles cut inside one member: the whole members published,
    the cut one rejected by name, the counts adding up."""
    if not (REAL / "ant_multisource").is_dir():
        pytest.skip("../shared/realdata is absent")
    files = sorted((REAL / "ant_multisource").iterdir())[:30]
    archive = tmp_path / "ant.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for f in files:
            z.write(f, f"ant/{f.name}")
    index = zipfile.ZipFile(archive).infolist()
    target = index[20]  # cut halfway through the 21st member's compressed bytes
    data = archive.read_bytes()
    archive.write_bytes(data[: target.header_offset + 30 + len(target.filename.encode()) + target.compress_size // 2])
    result = corpuspack.build(archive, tmp_path / "out", jobs=2, progress=False)
    rows = published(tmp_path / "out")
    assert sorted(rows.column("file_name").to_pylist()) == [i.filename for i in index[:20]]
    rejected = build_report(tmp_path / "out")["rejected"]
    assert [(r["file_name"], r["reason"]) for r in rejected] == [(target.filename, "corrupt")]
    assert result.counts == {"found": 21, "included": 20, "duplicate": 0, "rejected": 1}
    assert json.loads((tmp_path / "out" / "versions" / "1.0.0" / "build_report.json").read_text())["inputs"]["by_form"] == {"zip": 21}
