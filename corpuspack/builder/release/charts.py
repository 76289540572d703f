"""The card's charts, as PNG files in the output (``charts/``), drawn with matplotlib
(the optional extra ``corpuspack[charts]``). Byte-identical from run to run: the Agg
backend, matplotlib's default style and bundled DejaVu Sans font whatever the user's
matplotlibrc says, fixed size and resolution, and no ``Software`` or date in the PNG."""
from __future__ import annotations

import importlib.util
import io
import os

from .versions import write_bytes_atomic

CHARTS_DIR = "charts"
INSTALL_HINT = "pip install 'corpuspack[charts]'"
#: file name -> title; what :func:`draw` writes.
CHARTS = {
    "documents_per_month.png": "Documents per month (publication date)",
    "documents_per_source.png": "Documents per source (top 20)",
    "documents_per_language.png": "Documents per language",
    "length_histogram.png": "Document length (characters)",
}


def available() -> bool:
    """matplotlib is installed (found, not imported: the import costs ~0.5 s)."""
    return importlib.util.find_spec("matplotlib") is not None


def prepare():
    """Import matplotlib with its Agg backend; pyplot."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _bars(plt, path: str, title: str, labels: list[str], values: list[int], *, horizontal: bool) -> None:
    fig, ax = plt.subplots(figsize=(8, 4.5 if not horizontal else max(2.5, 0.3 * len(labels) + 1.2)), dpi=100)
    _add_bars(ax, values, horizontal=horizontal)
    if horizontal:
        ax.set_yticks(range(len(labels))[::-1], labels)
        ax.set_xlabel("documents")
    else:
        step = max(1, len(labels) // 24)
        ax.set_xticks(range(0, len(labels), step), labels[::step], rotation=60, ha="right")
        ax.set_ylabel("documents")
    from matplotlib.ticker import MaxNLocator

    (ax.xaxis if horizontal else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title)
    if not labels:
        ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
    fig.tight_layout()
    # tight_layout leaves a placeholder layout engine, for which savefig lays the figure out again in a
    # draw of its own before the real one; without it: the same bytes, ~17% less time (4 charts at 100,000 documents)
    fig.set_layout_engine(None)
    png = io.BytesIO()
    fig.savefig(png, format="png", metadata={"Software": None})
    plt.close(fig)
    write_bytes_atomic(path, png.getvalue())  # a new file: never written through a link to an older one


def _add_bars(ax, values: list[int], *, horizontal: bool) -> None:
    """The bars of ``ax.bar`` (``ax.barh``, the first value at the top), width 0.8 about each index, as
    one collection of rectangles instead of one patch each: the same pixels (the PNG bytes too,
    checked on the month chart of 100,000 documents), a third less time for the month chart's ~120
    bars. Its limits made as ``bar``'s: the data's, with the axis's margins, but never below 0."""
    from matplotlib.collections import PolyCollection

    at = range(len(values))[::-1] if horizontal else range(len(values))
    boxes = [[(0, i - 0.4), (0, i + 0.4), (v, i + 0.4), (v, i - 0.4)] if horizontal else
             [(i - 0.4, 0), (i - 0.4, v), (i + 0.4, v), (i + 0.4, 0)] for i, v in zip(at, values)]
    bars = PolyCollection(boxes, facecolors="#4c72b0", edgecolors="none", linewidths=0)
    (bars.sticky_edges.x if horizontal else bars.sticky_edges.y).append(0)
    ax.add_collection(bars, autolim=True)
    ax.autoscale_view()


def draw(root: str, stats: dict, names=None) -> list[str]:
    """Write the charts of ``stats`` (see :func:`.stats.version_stats`), or only those of
    ``names``; returns the paths of all of them relative to ``root``. ImportError when
    matplotlib is absent."""
    import matplotlib

    plt = prepare()
    folder = os.path.join(root, CHARTS_DIR)
    os.makedirs(folder, exist_ok=True)
    sources = [r for r in stats["by_source"] if r[0] is not None][:20]
    series = {
        "documents_per_month.png": ([r[0] for r in stats["by_month"]], [r[1] for r in stats["by_month"]], False),
        "documents_per_source.png": ([r[0] for r in sources], [r[1] for r in sources], True),
        "documents_per_language.png": ([str(r[0]) for r in stats["by_language"]], [r[1] for r in stats["by_language"]], True),
        "length_histogram.png": ([r[0] for r in stats["length"]["histogram"]], [r[1] for r in stats["length"]["histogram"]], False),
    }
    with matplotlib.rc_context(matplotlib.rcParamsDefault):
        matplotlib.rcParams.update({"font.family": "DejaVu Sans", "svg.hashsalt": "corpuspack", "path.simplify": True})
        for name, (labels, values, horizontal) in series.items():
            if names is not None and name not in names:
                continue
            _bars(plt, os.path.join(folder, name), CHARTS[name], labels, values, horizontal=horizontal)
    return [f"{CHARTS_DIR}/{name}" for name in CHARTS]
