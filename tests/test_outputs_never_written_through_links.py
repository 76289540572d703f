"""A next version replaces the output's shared files (the card, its charts, Croissant) with new
files, never by writing into the old ones: a snapshot of the output made with hard links
(``cp -al OUT SNAP``, rsync's ``--link-dest``) keeps the bytes it had. The reference is the
snapshot's bytes read before the second build."""
from __future__ import annotations

import os
import shutil

import pytest

import corpuspack
from conftest import SEEDS, output_files


def _link_tree(src, dst) -> None:
    for folder, _, names in os.walk(src):
        target = os.path.join(dst, os.path.relpath(folder, src))
        os.makedirs(target, exist_ok=True)
        for name in names:
            os.link(os.path.join(folder, name), os.path.join(target, name))


def test_a_hard_linked_snapshot_keeps_its_bytes(tmp_path):
    pytest.importorskip("matplotlib")
    dump, out, snap = tmp_path / "dump", tmp_path / "out", tmp_path / "snap"
    shutil.copytree(SEEDS, dump)
    corpuspack.build(dump, out, version="1.0.0", jobs=1, progress=False)
    _link_tree(out, snap)
    before = output_files(snap, cache=True)
    assert os.stat(out / "charts" / "documents_per_language.png").st_nlink == 2  # really one file
    for name in sorted(os.listdir(dump))[:2]:  # fewer documents: other statistics, other charts
        os.remove(dump / name)
    corpuspack.build(dump, out, version="1.1.0", jobs=1, progress=False)
    after = output_files(out, cache=True)
    changed = [n for n in ("README.md", "croissant.json", "charts/length_histogram.png",
                           "charts/documents_per_language.png") if after[n] != before[n]]
    assert "README.md" in changed and any(n.startswith("charts/") for n in changed), changed
    assert output_files(snap, cache=True) == before
