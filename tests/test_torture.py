"""One dump holding every awkward case issue #14 lists, built for real: each entry becomes a row
or a rejection with the reason written here by hand, the counts add up, and nothing from outside
the input folder reaches the output."""
from __future__ import annotations

import json
import os

import pytest
from datasets import load_dataset

import corpuspack

ARTICLE = ("أكد وزير الخارجية الروسي سيرغي لافروف استحالة تسوية الأزمة في سورية دون توحيد جهود "
           "المجتمع الدولي في مواجهة التطرف والإرهاب، وقال إن الحل السياسي هو الطريق الوحيد. ")
SECRET = "SECRET-OUTSIDE-THE-DUMP-7f3a"


def article(n: int) -> str:
    return f"عنوان الخبر رقم {n}\n\n" + ARTICLE * 3 + f"\nالفقرة الأخيرة من الخبر {n}.\n"


@pytest.fixture
def torture(tmp_path):
    """(dump, {relative name: expected reason, or None for a row}) ."""
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "secret.txt").write_text(SECRET + " " + ARTICLE, encoding="utf-8")
    (outside / "folder" / "x.txt").write_text(SECRET + " " + ARTICLE, encoding="utf-8")
    d = tmp_path / "dump"
    (d / "sub").mkdir(parents=True)
    expect: dict[str, str | None] = {}

    def put(rel, data, reason=None):
        path = d / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        expect[rel] = reason

    put("001_plain.txt", article(1).encode())
    put("sub/002_nested.txt", article(2).encode())
    put("003_utf16le_no_bom.txt", article(3).encode("utf-16-le"))
    put("004_utf32be_no_bom.txt", article(4).encode("utf-32-be"))
    put("005_short_cp1256.txt", "خبر عاجل".encode("cp1256"))
    put("006_short_hebrew.txt", "שלום עולם".encode("cp1255"), "undecodable")
    put("007_repeated_title.txt", "عنوان\n\nعنوان\n\nعنوان\n\n".encode() + (ARTICLE * 2).encode())
    put("008_too_large.txt", (article(8) * 400).encode(), "too_large")  # ~200 kB, above the limit below
    put("009_binary.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "binary")
    put("010_empty.txt", b"", "empty")
    os.mkfifo(d / "011_fifo")
    expect["011_fifo"] = "unreadable"
    os.symlink(outside / "secret.txt", d / "012_leak.txt")
    expect["012_leak.txt"] = "symlink"
    os.symlink(outside / "folder", d / "013_leak_folder")
    expect["013_leak_folder"] = "symlink"
    os.symlink(d / "001_plain.txt", d / "014_alias.txt")
    expect["014_alias.txt"] = "symlink"  # not followed by default
    os.symlink(d, d / "sub" / "015_loop")
    expect["sub/015_loop"] = "symlink"
    os.symlink(d / "nothing", d / "016_broken")
    expect["016_broken"] = "symlink"
    os.symlink("../../outside/secret.txt", d / "sub" / "017_dotdot.txt")
    expect["sub/017_dotdot.txt"] = "symlink"
    base = os.fsencode(str(d)) + b"/"
    with open(base + b"018_\\xff.txt", "wb") as fh:  # literally backslash x f f
        fh.write(article(18).encode())
    expect["018_\\xff.txt"] = None
    with open(base + b"018_\xff.txt", "wb") as fh:  # the byte 0xFF: the same name once escaped
        fh.write(article(19).encode())
    expect[("018_\\xff.txt", "name_collision")] = "name_collision"
    with open(base + b"019_\xfe\xfe.txt", "wb") as fh:  # a name that is not UTF-8, alone
        fh.write(article(20).encode())
    expect["019_\\xfe\\xfe.txt"] = None
    return d, expect


def _check(out, expect, hf_cache, follow=False):
    report = json.loads((out / "versions" / "1.0.0" / "build_report.json").read_text())
    c = report["counts"]
    assert c["found"] == len(expect) == c["included"] + c["duplicate"] + c["rejected"]
    rejected = sorted((r["file_name"], r["reason"]) for r in report["rejected"])
    wanted = sorted((k[0], k[1]) if isinstance(k, tuple) else (k, v) for k, v in expect.items() if v)
    assert rejected == wanted
    assert all(r["detail"] for r in report["rejected"])
    rows = load_dataset(str(out), split="train", cache_dir=hf_cache)
    assert sorted(rows["file_name"]) == sorted(k for k, v in expect.items() if v is None and not isinstance(k, tuple))
    texts = dict(zip(rows["file_name"], rows["text"]))
    assert texts["005_short_cp1256.txt"] == "خبر عاجل"
    assert texts["003_utf16le_no_bom.txt"] == texts["001_plain.txt"].replace("1", "3")
    assert texts["007_repeated_title.txt"].startswith("عنوان\n\nعنوان\n\n")  # only the repeat after the title went
    assert texts["018_\\xff.txt"].startswith("عنوان الخبر رقم 18")  # the literal name's file, not the other
    for folder, _, names in os.walk(out):  # nothing from outside the dump, in any output file
        for name in names:
            with open(os.path.join(folder, name), "rb") as fh:
                assert SECRET.encode() not in fh.read(), name
    return rows


def test_the_torture_dump_builds_and_accounts_for_every_entry(torture, tmp_path, hf_cache):
    dump, expect = torture
    corpuspack.build(dump, tmp_path / "out", jobs=2, progress=False, max_file_size=64 << 10)
    _check(tmp_path / "out", expect, hf_cache)


def test_following_links_reads_those_inside_the_dump_only(torture, tmp_path, hf_cache):
    dump, expect = torture
    corpuspack.build(dump, tmp_path / "out", jobs=1, progress=False, max_file_size=64 << 10, follow_symlinks=True)
    report = json.loads((tmp_path / "out" / "versions" / "1.0.0" / "build_report.json").read_text())
    # the link inside the dump is read now: the same text as its target, so an exact duplicate of it
    assert [(r["file_name"], r["kind"]) for r in report["duplicates"]] == [("014_alias.txt", "exact")]
    expect["014_alias.txt"] = "duplicate"
    c = report["counts"]
    assert c["found"] == len(expect) == c["included"] + c["duplicate"] + c["rejected"]
    assert sorted((r["file_name"], r["reason"]) for r in report["rejected"]) == sorted(
        (k[0], k[1]) if isinstance(k, tuple) else (k, v) for k, v in expect.items() if v and v != "duplicate")
    for folder, _, names in os.walk(tmp_path / "out"):
        for name in names:
            with open(os.path.join(folder, name), "rb") as fh:
                assert SECRET.encode() not in fh.read(), name
