"""The charts' bars drawn as one collection of rectangles (release/charts.py ``_add_bars``) give the
PNG bytes matplotlib's own ``ax.bar`` / ``ax.barh`` give (the reference here, written as the charts
were drawn before), for the shapes the card's charts take: ~120 months, a few languages, 20 sources,
one bar, a bar of 0, no bars at all, large counts."""
from __future__ import annotations

import pytest

pytest.importorskip("matplotlib")

from corpuspack.builder.release import charts  # noqa: E402


def _png(tmp_path, monkeypatch, add_bars, labels, values, horizontal) -> bytes:
    """One chart as ``charts._bars`` draws it (in ``draw``'s style), its bars made by ``add_bars``."""
    import matplotlib

    plt = charts.prepare()
    monkeypatch.setattr(charts, "_add_bars", add_bars)
    path = tmp_path / f"{add_bars.__name__}.png"
    with matplotlib.rc_context(matplotlib.rcParamsDefault):
        matplotlib.rcParams.update({"font.family": "DejaVu Sans", "svg.hashsalt": "corpuspack", "path.simplify": True})
        charts._bars(plt, str(path), "title", labels, values, horizontal=horizontal)
    return path.read_bytes()


def _matplotlib_bars(ax, values, *, horizontal):
    """The charts' bars as they were drawn before: matplotlib's own bar and barh."""
    if horizontal:
        ax.barh(range(len(values))[::-1], values, color="#4c72b0")
    else:
        ax.bar(range(len(values)), values, color="#4c72b0")


MONTHS = [f"{y}-{m:02d}" for y in range(2012, 2022) for m in range(1, 13)]

CASES = {
    "months": (MONTHS, [(i * 37) % 900 + (i % 7) * 11 for i in range(len(MONTHS))], False),
    "lengths": ([f"< {1000 * k:,}" for k in range(11)], [0, 12, 3400, 21000, 17000, 9000, 4000, 1500, 300, 40, 2], False),
    "languages": (["ar", "en", "fr"], [95000, 4100, 900], True),
    "sources": ([f"outlet {k}" for k in range(20)], [5000 - 240 * k for k in range(20)], True),
    "one bar": (["2021-03"], [1], False),
    "one zero": (["ar"], [0], True),
    "none": ([], [], False),
    "none, horizontal": ([], [], True),
    "large": (["a", "b"], [123_456_789, 98_765_432], False),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bars_as_one_collection_give_the_bytes_of_matplotlibs_bars(tmp_path, monkeypatch, case):
    labels, values, horizontal = CASES[case]
    ours = _png(tmp_path, monkeypatch, charts._add_bars, labels, values, horizontal)
    assert ours == _png(tmp_path, monkeypatch, _matplotlib_bars, labels, values, horizontal)


@pytest.mark.parametrize("case", list(CASES))
def test_charts_without_savefigs_second_layout_give_the_same_bytes(tmp_path, monkeypatch, case):
    """``_bars`` drops the placeholder layout engine ``tight_layout`` leaves (savefig then draws the
    figure once, not a layout draw and then the real one): the reference is the chart drawn with
    that engine kept, as before the change."""
    from matplotlib.figure import Figure

    labels, values, horizontal = CASES[case]
    ours = _png(tmp_path, monkeypatch, charts._add_bars, labels, values, horizontal)
    keep = Figure.set_layout_engine
    monkeypatch.setattr(Figure, "set_layout_engine",
                        lambda self, layout=None, **kw: None if layout is None else keep(self, layout, **kw))
    assert ours == _png(tmp_path, monkeypatch, charts._add_bars, labels, values, horizontal)
