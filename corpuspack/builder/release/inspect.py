"""``corpuspack inspect OUT [--version V]``: a version's statistics on the terminal, readable
at a glance (rich tables, bars for distributions), from the same :mod:`.stats` as the card."""
from __future__ import annotations

from . import stats as stats_mod, versions

BAR_WIDTH = 30


def bar(value: int, largest: int, width: int = BAR_WIDTH) -> str:
    """A bar of ``value`` against ``largest`` in eighths of a character cell."""
    if largest <= 0 or value <= 0:
        return ""
    eighths = max(1, round(8 * width * value / largest))
    return "█" * (eighths // 8) + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[eighths % 8]


def _grouped(title: str, rows: list[list], n: int, top: int = stats_mod.TOP):
    from rich.table import Table

    t = Table(title=title, title_justify="left")
    for col, just in ((title.lower(), "left"), ("documents", "right"), ("share", "right"),
                      ("characters", "right"), ("", "left")):
        t.add_column(col, justify=just)
    largest = max((r[1] for r in rows), default=0)
    for r in rows[:top]:
        t.add_row("unknown" if r[0] is None else str(r[0]), f"{r[1]:,}", f"{100 * r[1] / n:.1f}%" if n else "-",
                  f"{r[2]:,}", bar(r[1], largest))
    if len(rows) > top:
        rest = rows[top:]
        t.add_row(f"{len(rest)} others", f"{sum(r[1] for r in rest):,}", "", f"{sum(r[2] for r in rest):,}", "")
    return t


def render(root: str, version: str | None = None, console=None) -> dict:
    """Print the statistics of ``version`` (default: the latest); returns them."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    version = version or versions.latest(root)
    if version is None:
        raise ValueError(f"{root} holds no version")
    m = versions.read_manifest(root, version)
    st = stats_mod.version_stats(root, m)
    n = st["documents"]
    d = st["dates"]
    console.print(f"[bold]{m['name']}[/bold] version [bold]{version}[/bold] (config {versions.config_name(version)}), "
                  f"released {m['released']}: {n:,} documents, {st['characters']:,} characters; "
                  f"with a date {d['with_date']:,}" + (f" ({d['first']} to {d['last']})" if d["first"] else ""))
    c = m["counts"]
    console.print(f"input files {c['found']:,}: included {c['included']:,}, duplicates {c['duplicate']:,}, "
                  f"rejected {c['rejected']:,}; lines removed by cleaning {st['removed_lines']:,}")
    splits = Table(title="Splits", title_justify="left")
    for col in ("split", "documents", "files", "bytes"):
        splits.add_column(col, justify="left" if col == "split" else "right")
    for s, info in m["splits"].items():
        splits.add_row(s, f"{info['num_examples']:,}", str(len(info["files"])), f"{info['num_bytes']:,}")
    console.print(splits)
    console.print(_grouped("Language", st["by_language"], n))
    console.print(_grouped("Source", st["by_source"], n))
    console.print(_grouped("Year", st["by_year"], n, top=200))
    hist = Table(title="Length (characters)", title_justify="left")
    for col, just in (("characters", "left"), ("documents", "right"), ("", "left")):
        hist.add_column(col, justify=just)
    largest = max((k for _, k in st["length"]["histogram"]), default=0)
    for label, k in st["length"]["histogram"]:
        hist.add_row(label, f"{k:,}", bar(k, largest))
    console.print(hist)
    methods = Table(title="How dates and sources were found", title_justify="left")
    for col in ("method", "date", "source"):
        methods.add_column(col, justify="left" if col == "method" else "right")
    for k in sorted(set(st["date_method"]) | set(st["source_method"]), key=lambda k: (k == "none", k)):
        methods.add_row(k, f"{st['date_method'].get(k, 0):,}", f"{st['source_method'].get(k, 0):,}")
    console.print(methods)
    left = [(f"duplicate ({k})", v) for k, v in st["duplicates_by_kind"].items()] + \
           [(f"rejected: {k}", v) for k, v in st["rejected_by_reason"].items()]
    if left:
        out = Table(title="Left out", title_justify="left")
        out.add_column("reason")
        out.add_column("files", justify="right")
        for k, v in left:
            out.add_row(k, f"{v:,}")
        console.print(out)
    return st
