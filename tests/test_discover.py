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
    rels = [f.rel_path for f in discover(tmp_path)]
    assert rels == ["a/b/c.txt", "a/z.txt", "a.txt", "b.txt", "broken-link", "c/.hidden"]
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
    assert count_files(tmp_path) == len(list(discover(tmp_path))) == 6
    assert count_files(tmp_path, tmp_path / "out") == len(list(discover(tmp_path, tmp_path / "out"))) == 5
