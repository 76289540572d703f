"""The card's charts drawn by the painter process of a build with workers (release/painter.py):
the same bytes as those the build's own process draws (a --jobs 1 build), and drawn by it
when the painter cannot."""
from __future__ import annotations

import os

import pytest

import corpuspack
from corpuspack.builder.release import charts, painter
from conftest import SEEDS

pytest.importorskip("matplotlib")


def _charts(out) -> dict[str, bytes]:
    folder = out / charts.CHARTS_DIR
    return {name: (folder / name).read_bytes() for name in sorted(os.listdir(folder))}


@pytest.fixture(scope="module")
def drawn_here(tmp_path_factory):
    """The charts of the seeds as the build's own process draws them (no painter with --jobs 1)."""
    out = tmp_path_factory.mktemp("here") / "out"
    corpuspack.build(SEEDS, out, jobs=1, progress=False)
    return _charts(out)


def test_the_painter_draws_the_charts(tmp_path, monkeypatch, drawn_here):
    def not_here(*args, **kwargs):
        raise AssertionError("the build's process drew the charts")

    monkeypatch.setattr(charts, "draw", not_here)  # in this process only; the painter has its own
    corpuspack.build(SEEDS, tmp_path / "out", jobs=2, progress=False)
    assert _charts(tmp_path / "out") == drawn_here
    assert len(drawn_here) == len(charts.CHARTS)


@pytest.mark.parametrize("serve", ["raise SystemExit(3)", "import sys; sys.stdin.buffer.read(); print('no')"])
def test_a_failed_painter_leaves_the_charts_to_the_build(tmp_path, monkeypatch, drawn_here, serve):
    monkeypatch.setattr(painter, "_SERVE", serve)
    drew = []
    draw = charts.draw
    monkeypatch.setattr(charts, "draw", lambda *a: drew.append(1) or draw(*a))
    corpuspack.build(SEEDS, tmp_path / "out", jobs=2, progress=False)
    assert drew == [1]
    assert _charts(tmp_path / "out") == drawn_here
