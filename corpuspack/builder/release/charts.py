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
    if horizontal:
        ax.barh(range(len(labels))[::-1], values, color="#4c72b0")
        ax.set_yticks(range(len(labels))[::-1], labels)
        ax.set_xlabel("documents")
    else:
        ax.bar(range(len(labels)), values, color="#4c72b0")
        step = max(1, len(labels) // 24)
        ax.set_xticks(range(0, len(labels), step), labels[::step], rotation=60, ha="right")
        ax.set_ylabel("documents")
    from matplotlib.ticker import MaxNLocator

    (ax.xaxis if horizontal else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title)
    if not labels:
        ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
    fig.tight_layout()
    png = io.BytesIO()
    fig.savefig(png, format="png", metadata={"Software": None})
    plt.close(fig)
    write_bytes_atomic(path, png.getvalue())  # a new file: never written through a link to an older one


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
