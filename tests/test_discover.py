import os

import pytest

from corpuspack.builder.document.discover import discover, doc_id, count_files


@pytest.mark.parametrize("name, expected", [
    ("000_8de2ff6bbf66210d.txt", "8de2ff6bbf66210d"),
    ("sub/dir/123_ABCDEF0123456789.txt", "abcdef0123456789"),
    ("8de2ff6bbf66210d8de2ff6bbf66210d", "8de2ff6bbf66210d8de2ff6bbf66210d"),
])
def test_hashed_names_give_their_hash(name, expected):
    assert doc_id(name) == expected


def test_other_names_get_a_stable_path_hash():
    a = doc_id("news/article one.txt")
    assert a == doc_id("news/article one.txt") and len(a) == 16
    assert a != doc_id("news/article two.txt")
    assert doc_id("000_xyz.txt") != doc_id("001_xyz.txt")


def test_discovery_is_depth_first_sorted_and_relative(tmp_path):
    for rel in ["b.txt", "a/z.txt", "a/b/c.txt", "a.txt", "c/.hidden"]:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x")
    os.symlink(tmp_path / "missing", tmp_path / "broken-link")
    rejected = []
    rels = [f.rel_path for f in discover(tmp_path, rejected=rejected)]
    assert rels == ["a/b/c.txt", "a/z.txt", "a.txt", "b.txt", "c/.hidden"]
    assert [(r["file_name"], r["reason"]) for r in rejected] == [("broken-link", "symlink")]
    assert all(not r.startswith("/") for r in rels)


def test_missing_input_folder_is_a_clear_error(tmp_path):
    with pytest.raises(NotADirectoryError, match="input folder not found"):
        list(discover(tmp_path / "nope"))


def test_count_files_counts_what_discover_yields(tmp_path):
    """The progress bar's total: the same entries, the output folder inside the dump skipped."""
    for rel in ["b.txt", "a/z.txt", "a/b/c.txt", "out/data/x.parquet", "c/.hidden"]:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x")
    os.symlink(tmp_path / "a", tmp_path / "link-to-a")  # a link to a folder: one entry, not walked
    def accounted(skip=None):
        rejected = []
        return len(list(discover(tmp_path, skip, rejected=rejected))) + len(rejected)

    assert count_files(tmp_path) == accounted() == 6
    assert count_files(tmp_path, tmp_path / "out") == accounted(tmp_path / "out") == 5


def _tree(root, rels):
    for rel in rels:
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(rel)


def _walk(root, **kw):
    rejected = []
    found = {f.rel_path: f.path for f in discover(root, rejected=rejected, **kw)}
    return found, {r["file_name"]: (r["reason"], r["detail"]) for r in rejected}


def test_links_are_not_followed_by_default_and_each_is_named(tmp_path):
    outside = tmp_path / "outside"
    _tree(outside, ["secret.txt"])
    dump = tmp_path / "dump"
    _tree(dump, ["a.txt", "sub/b.txt"])
    os.symlink(outside / "secret.txt", dump / "leak.txt")
    os.symlink(dump / "a.txt", dump / "alias.txt")
    os.symlink(dump / "sub", dump / "sub-link")
    found, rejected = _walk(dump)
    assert sorted(found) == ["a.txt", "sub/b.txt"]
    assert {k: v[0] for k, v in rejected.items()} == {"alias.txt": "symlink", "leak.txt": "symlink",
                                                      "sub-link": "symlink"}
    assert "--follow-symlinks" in rejected["alias.txt"][1]


def test_follow_symlinks_stays_inside_the_root_and_detects_loops(tmp_path):
    outside = tmp_path / "outside"
    _tree(outside, ["secret.txt", "folder/x.txt"])
    dump = tmp_path / "dump"
    _tree(dump, ["a.txt", "sub/b.txt", "out/data/x.parquet"])
    os.symlink(outside / "secret.txt", dump / "leak.txt")
    os.symlink(outside / "folder", dump / "leak-folder")
    os.symlink("../a.txt", dump / "sub" / "rel-alias.txt")  # a relative link, inside
    os.symlink(dump / "sub", dump / "sub-link")
    os.symlink(dump, dump / "sub" / "loop")  # the root, from inside it: a loop
    os.symlink(dump / "nothing", dump / "broken")
    os.symlink(dump / "out", dump / "into-out")
    os.symlink("../../outside/secret.txt", dump / "sub" / "dotdot.txt")  # relative, escaping
    found, rejected = _walk(dump, skip=dump / "out", follow_symlinks=True)
    assert sorted(found) == ["a.txt", "sub-link/b.txt", "sub-link/rel-alias.txt", "sub/b.txt", "sub/rel-alias.txt"]
    assert found["sub/rel-alias.txt"] == os.path.realpath(dump / "a.txt")
    for path in found.values():  # every path read lies in the dump
        assert os.path.realpath(path).startswith(str(os.path.realpath(dump)) + os.sep)
    assert sorted(rejected) == ["broken", "into-out", "leak-folder", "leak.txt", "sub-link/dotdot.txt",
                                "sub-link/loop", "sub/dotdot.txt", "sub/loop"]
    assert all(reason == "symlink" for reason, _ in rejected.values())
    assert "outside the input folder" in rejected["leak.txt"][1]
    assert "loop" in rejected["sub/loop"][1] and "broken" in rejected["broken"][1]


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists every folder")
def test_a_folder_that_cannot_be_listed_is_a_rejection_and_the_walk_goes_on(tmp_path):
    _tree(tmp_path, ["a.txt", "locked/x.txt", "z.txt"])
    (tmp_path / "locked").chmod(0)
    try:
        found, rejected = _walk(tmp_path)
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert sorted(found) == ["a.txt", "z.txt"]
    assert list(rejected) == ["locked/"] and rejected["locked/"][0] == "unreadable"
    assert "cannot be listed" in rejected["locked/"][1]


def test_a_folder_removed_during_the_walk_is_a_rejection(tmp_path):
    _tree(tmp_path, ["a/x.txt", "b/y.txt", "c.txt"])
    rejected = []
    found = []
    for f in discover(tmp_path, rejected=rejected):
        found.append(f.rel_path)
        if f.rel_path == "a/x.txt":
            (tmp_path / "b" / "y.txt").unlink()
            (tmp_path / "b").rmdir()
    assert found == ["a/x.txt", "c.txt"]
    assert [(r["file_name"], r["reason"]) for r in rejected] == [("b/", "unreadable")]


def test_escaped_names_that_collide_are_rejected_naming_the_other(tmp_path):
    base = os.fsencode(str(tmp_path)) + b"/"
    open(base + b"\\xffnews.txt", "w").write("literal")  # the characters backslash, x, f, f
    open(base + b"\xffnews.txt", "w").write("raw byte")  # the byte 0xFF: shown as the name above
    open(base + b"\\xff\\xfe.txt", "w").write("literal 2")
    open(base + b"\\xff\xfe.txt", "w").write("mixed")  # shown as the name above
    found, rejected = _walk(tmp_path)
    assert sorted(found) == ["\\xff\\xfe.txt", "\\xffnews.txt"]
    assert open(found["\\xffnews.txt"]).read() == "literal"  # the first in name order is read
    assert open(found["\\xff\\xfe.txt"]).read() == "literal 2"
    assert sorted(rejected) == ["\\xff\\xfe.txt", "\\xffnews.txt"]
    assert all(reason == "name_collision" and "\\xff" in detail for reason, detail in rejected.values())
