import os

import pytest

from corpuspack.builder.discover import discover, doc_id


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
    rels = [f.rel_path for f in discover(tmp_path)]
    assert rels == ["a/b/c.txt", "a/z.txt", "a.txt", "b.txt", "broken-link", "c/.hidden"]
    assert all(not r.startswith("/") for r in rels)


def test_missing_input_folder_is_a_clear_error(tmp_path):
    with pytest.raises(NotADirectoryError, match="input folder not found"):
        list(discover(tmp_path / "nope"))
