"""The charts' bars drawn as one collection of rectangles (release/charts.py ``_add_bars``) give the
PNG bytes matplotlib's own ``ax.bar`` / ``ax.barh`` give (the reference here, written as the charts
were drawn before), for the shapes the card's charts take: ~120 months, a few languages, 20 sources,
one bar, a bar of 0, no bars at all, large counts."""
from __future__ import annotations

import io

import pytest

pytest.importorskip("matplotlib")

from corpuspack.builder.release import charts  # noqa: E402


def _png(draw_bars, labels, values, horizontal) -> bytes:
    """One chart as ``charts._bars`` draws it, its bars made by ``draw_bars(ax, values, horizontal)``."""
    import matplotlib
    from matplotlib.ticker import MaxNLocator

    plt = charts.prepare()
    with matplotlib.rc_context(matplotlib.rcParamsDefault):
        matplotlib.rcParams.update({"font.family": "DejaVu Sans", "svg.hashsalt": "corpuspack", "path.simplify": True})
        fig, ax = plt.subplots(figsize=(8, 4.5 if not horizontal else max(2.5, 0.3 * len(labels) + 1.2)), dpi=100)
        draw_bars(ax, values, horizontal)
        if horizontal:
            ax.set_yticks(range(len(labels))[::-1], labels)
        else:
            step = max(1, len(labels) // 24)
            ax.set_xticks(range(0, len(labels), step), labels[::step], rotation=60, ha="right")
        (ax.xaxis if horizontal else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
        if not labels:
            ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
        fig.tight_layout()
        png = io.BytesIO()
        fig.savefig(png, format="png", metadata={"Software": None})
        plt.close(fig)
    return png.getvalue()


def _matplotlib_bars(ax, values, horizontal):
    if horizontal:
        ax.barh(range(len(values))[::-1], values, color="#4c72b0")
    else:
        ax.bar(range(len(values)), values, color="#4c72b0")


def _ours(ax, values, horizontal):
    charts._add_bars(ax, values, horizontal=horizontal)


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
def test_bars_as_one_collection_give_the_bytes_of_matplotlibs_bars(case):
    labels, values, horizontal = CASES[case]
    assert _png(_ours, labels, values, horizontal) == _png(_matplotlib_bars, labels, values, horizontal)
