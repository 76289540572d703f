"""Archives hold what a folder cannot: names outside the root, links, damage. Each such member
is a named rejection, the others are built, and the counts add up."""
import hashlib
import io
import stat
import tarfile
import zipfile

import corpuspack
from dump_forms import build_report, published

GOOD = "أعلنت وزارة الزراعة اليوم عن خطة جديدة لدعم مزارعي القمح في المناطق الشمالية بعد موسم جاف.\n"
OTHER = "قالت مصادر في ميناء المدينة إن حركة الحاويات ارتفعت خلال الربع الأول من العام الحالي.\n"


def _add(tar, name, data: bytes = b"", **kw):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for k, v in kw.items():
        setattr(info, k, v)
    tar.addfile(info, io.BytesIO(data) if data else None)


def _tail_text() -> bytes:
    """~200 kB that gzip cannot shrink much (hex of a hash chain), so a cut near the end of the
    compressed archive falls inside this last member."""
    h, parts = b"seed", []
    for _ in range(3200):
        h = hashlib.sha256(h).digest()
        parts.append(h.hex().encode())
    return b"\n".join(parts)


def damaged_archive(path, *, up: bool = True):
    """A .tar.gz at ``path`` with a good member, ``..`` and absolute names (and, with ``up``, a
    ``docs/../../`` one), a symbolic and a hard link, a second good member, and a tail cut inside
    its last member."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as tar:
        _add(tar, "good.txt", GOOD.encode())
        _add(tar, "../escape.txt", OTHER.encode())
        _add(tar, "/etc/absolute.txt", OTHER.encode())
        if up:
            _add(tar, "docs/../../up.txt", OTHER.encode())
        _add(tar, "shadow.txt", type=tarfile.SYMTYPE, linkname="/etc/shadow")
        _add(tar, "hard.txt", type=tarfile.LNKTYPE, linkname="good.txt")
        _add(tar, "second.txt", OTHER.encode())
        _add(tar, "zz_tail.txt", _tail_text())
    data = raw.getvalue()
    path.write_bytes(data[: len(data) - 20_000])  # cut inside the last member
    return path


def test_unsafe_members_links_and_a_cut_tail_are_each_reported(tmp_path):
    archive = damaged_archive(tmp_path / "dump.tar.gz")
    result = corpuspack.build(archive, tmp_path / "out", jobs=1, progress=False)

    rows = published(tmp_path / "out")
    assert sorted(rows.column("file_name").to_pylist()) == ["good.txt", "second.txt"]
    assert not any("/etc" in t for t in rows.column("text").to_pylist())
    rejected = {r["file_name"]: r for r in build_report(tmp_path / "out")["rejected"]}
    assert {k: v["reason"] for k, v in rejected.items()} == {
        "../escape.txt": "unsafe_path", "/etc/absolute.txt": "unsafe_path", "docs/../../up.txt": "unsafe_path",
        "shadow.txt": "link", "hard.txt": "link", "zz_tail.txt": "corrupt"}
    assert "/etc/shadow" in rejected["shadow.txt"]["detail"]
    assert "dump.tar.gz" in rejected["zz_tail.txt"]["detail"]
    assert result.counts == {"found": 8, "included": 2, "duplicate": 0, "rejected": 6}


def test_a_zip_with_unsafe_names_a_link_and_a_damaged_member(tmp_path):
    archive = tmp_path / "dump.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("good.txt", GOOD)
        z.writestr("../escape.txt", OTHER)
        link = zipfile.ZipInfo("link.txt")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(link, "/etc/passwd")
        z.writestr("bad.txt", OTHER * 20)
    data = bytearray(archive.read_bytes())
    at = data.index(b"bad.txt") + len(b"bad.txt") + 10  # inside bad.txt's compressed bytes (after its local header)
    data[at:at + 8] = b"\xff" * 8
    archive.write_bytes(bytes(data))
    result = corpuspack.build(archive, tmp_path / "out", jobs=1, progress=False)
    rejected = {r["file_name"]: r["reason"] for r in build_report(tmp_path / "out")["rejected"]}
    assert rejected == {"../escape.txt": "unsafe_path", "link.txt": "link", "bad.txt": "corrupt"}
    assert published(tmp_path / "out").column("file_name").to_pylist() == ["good.txt"]
    assert result.counts["found"] == 4


def test_a_name_twice_in_a_tar_is_read_once(tmp_path):
    archive = tmp_path / "twice.tar"
    with tarfile.open(archive, "w") as tar:
        _add(tar, "news.txt", GOOD.encode())
        _add(tar, "news.txt", OTHER.encode())  # as `tar rf` appends a newer copy
    corpuspack.build(archive, tmp_path / "out", jobs=1, progress=False)
    assert published(tmp_path / "out").column("text").to_pylist() == [GOOD.strip()]
    assert [r["reason"] for r in build_report(tmp_path / "out")["rejected"]] == ["duplicate_name"]
