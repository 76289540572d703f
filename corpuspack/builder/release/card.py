"""The dataset card (README.md), generated from the version manifests and data files,
never edited by hand.

YAML that the Hub and `datasets` read: ``pretty_name``, ``license`` and the other fields
the user set (kept across rebuilds, see :mod:`.cardfields`), ``language`` (codes above a
small share of the documents), ``task_categories``, ``size_categories``, one config per
version with its data files listed (the latest the default), and a complete
``dataset_info`` per config (with ``description``, ``citation``, ``homepage`` and
``license``, which `datasets` puts in ``ds.info``). Prose: what the corpus is, how to load
each version, the columns (from :mod:`corpuspack.schema`), statistics and charts of the
latest version (:mod:`.stats`, :mod:`.charts`), the changelog, how it was built, how to cite.
"""
from __future__ import annotations

import contextlib
import json
import os

from huggingface_hub.repocard_data import DatasetCardData  # not huggingface_hub.DatasetCard: ~0.25 s to import

from ... import schema
from . import cardfields, charts, painter, stats as stats_mod, versions

CARD_NAME = "README.md"
#: A language is in the card's YAML when it holds at least this share of the documents.
LANGUAGE_MIN_SHARE = 0.005


def manifests_with(root: str, extra: dict | None = None) -> list[dict]:
    """The committed versions' manifests, oldest first, and ``extra`` (a version being committed)."""
    manifests = versions.read_manifests(root)
    if extra is not None:
        manifests = [m for m in manifests if m["version"] != extra["version"]] + [extra]
        manifests.sort(key=lambda m: versions.parse(m["version"]))
    if not manifests:
        raise ValueError(f"{root} holds no committed version (no versions/*/manifest.json): no card to write")
    return manifests


def user_fields(root: str, options) -> dict:
    """The card fields of the version being built: the latest version's, updated by this build's."""
    last = versions.latest(root)
    carried = versions.read_manifest(root, last).get("card", {}) if last else {}
    return cardfields.merge(carried, options.user_card())


def loadable_splits(manifest: dict) -> dict:
    """The splits of a version that its config lists: those holding rows. ``datasets`` cannot
    load a split with no rows, and one such split makes the whole version fail to load
    ("Instruction ... corresponds to no data", huggingface/datasets#5, PR #8401), as a 1%
    split of a small dump easily is. A version with no rows at all keeps its (empty) splits:
    they load when streaming. The manifest and the card's version table still list every split."""
    splits = manifest["splits"]
    return {s: info for s, info in splits.items() if info["num_examples"]} or splits


def empty_splits(manifest: dict) -> list[str]:
    """The splits of a version that its config leaves out (see :func:`loadable_splits`)."""
    return [s for s in manifest["splits"] if s not in loadable_splits(manifest)]


def card_languages(st: dict) -> list[str]:
    n = st["documents"]
    return [lang for lang, docs, _ in st["by_language"]
            if lang not in (None, "und") and n and docs / n >= LANGUAGE_MIN_SHARE]


def card_data(root: str, manifests: list[dict], st: dict) -> DatasetCardData:
    latest = manifests[-1]
    user = dict(latest.get("card", {}))
    info_extra = {"description": str(user.get("description") or _summary(latest)).strip(),
                  "citation": cardfields.citation(latest),
                  **{k: user[k] for k in ("homepage", "license") if isinstance(user.get(k), str)}}
    configs, infos = [], []
    for m in manifests:
        splits = loadable_splits(m)
        cfg = {"config_name": versions.config_name(m["version"]),
               "data_files": [{"split": s, "path": [f["path"] for f in info["files"]]} for s, info in splits.items()]}
        if m is latest:
            cfg["default"] = True
        configs.append(cfg)
        infos.append({
            "config_name": cfg["config_name"],
            **info_extra,
            "features": schema.yaml_list(m["features"]),
            "splits": [{"name": s, "num_bytes": info["num_bytes"], "num_examples": info["num_examples"]}
                       for s, info in splits.items()],
            "download_size": sum(f["num_bytes"] for info in splits.values() for f in info["files"]),
            "dataset_size": sum(info["num_bytes"] for info in splits.values()),
        })
    fields = {
        "pretty_name": latest["name"],
        "language": card_languages(st) or None,
        "task_categories": ["text-generation"],
        "tags": ["corpuspack"],
        **{k: v for k, v in user.items() if k not in ("description", "citation")},  # long prose: in the body
        "size_categories": [cardfields.size_category(latest["counts"]["included"])],
        "configs": configs,
        "dataset_info": infos,
    }
    return DatasetCardData(**fields)


def _table(header: list[str], rows: list[list]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in row) + " |" for row in rows]
    return "\n".join(out)


def _n(x) -> str:
    return f"{x:,}"


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def card_text(root: str, st: dict | None = None, extra: dict | None = None) -> str:
    """The card of the committed versions and ``extra`` (the manifest of a version being committed);
    ``st``: the latest version's statistics when already computed."""
    manifests = manifests_with(root, extra)
    latest = manifests[-1]
    st = st or stats_mod.version_stats(root, latest)
    data = card_data(root, manifests, st)
    user = latest.get("card", {})
    body = [f"# {data.pretty_name}", "",
            *_about(latest, user), *_loading(manifests), *_versions(manifests), *_columns(latest),
            *_statistics(latest, st), *_charts(), *_build(latest), *_cite(latest, user)]
    # the text ``str(huggingface_hub.DatasetCard(...))`` gives for it (its YAML read back and
    # written again by DatasetCardData: the same; tests/test_schema_published.py compares the two)
    card = f"---\n{data.to_yaml()}\n---\n\n" + "\n".join(body)
    return card.rstrip("\n") + "\n"


def _about(latest: dict, user: dict) -> list[str]:
    out = []
    if user.get("description"):
        out += [str(user["description"]).strip(), ""]
    out += [_summary(latest).replace(f"version: {latest['version']}", f"version: **{latest['version']}**")]
    if user.get("homepage"):
        out += ["", f"Homepage: {user['homepage']}"]
    if user.get("license"):
        lic = user["license"] if isinstance(user["license"], list) else [user["license"]]
        out += ["", "License: " + ", ".join(f"`{x}` ({cardfields.licenses().get(x, x)})" for x in lic) + "."]
    return out + [""]


def _summary(latest: dict) -> str:
    return (f"A text corpus built with corpuspack {latest['software']['corpuspack']}: one row per input document, "
            "cleaned, with publication metadata (title, date, source), language, provenance and quality columns. "
            f"Latest version: {latest['version']} ({_n(latest['counts']['included'])} documents; "
            f"schema {latest['schema_version']}).")


def _loading(manifests: list[dict]) -> list[str]:
    v = versions.config_name(manifests[-1]["version"])
    folder = f"data/{v}"
    return [
        "## Loading", "",
        "Each version is a config (the latest is the default) and a folder of Parquet files, "
        "`data/<config>/`, holding exactly that version's rows: any Parquet tool reads a version from its folder.", "",
        "```python",
        'REPO = "path/to/this/folder"  # or the Hub id, e.g. "user/dataset"',
        "from datasets import load_dataset",
        "ds = load_dataset(REPO)                    # the latest version",
        f'ds = load_dataset(REPO, "{v}")          # a given version',
        f'ds = load_dataset(REPO, "{v}", split="train", streaming=True)  # streaming',
        "",
        "import pandas as pd",
        f'df = pd.read_parquet(f"{{REPO}}/{folder}")  # a local copy; on the Hub: "hf://datasets/user/dataset/{folder}"',
        "import polars as pl",
        f'df = pl.read_parquet(f"{{REPO}}/{folder}/*.parquet")',
        "import duckdb",
        f'duckdb.sql(f"SELECT language, count(*) FROM \'{{REPO}}/{folder}/*.parquet\' GROUP BY language")',
        "```", "",
        _table(["config", "folder", "files"], [
            [f"`{versions.config_name(m['version'])}`", f"`data/{versions.config_name(m['version'])}/`",
             sum(len(i["files"]) for i in loadable_splits(m).values())] for m in reversed(manifests)]),
        "",
    ]


def _versions(manifests: list[dict]) -> list[str]:
    empty = [(m["version"], e) for m in reversed(manifests) if (e := empty_splits(m))]
    return [
        "## Versions (changelog)", "",
        *([f"Empty splits are not in a version's config, which `datasets` could not load otherwise: "
           + "; ".join(f"{v}: {', '.join(splits)}" for v, splits in empty) + ".", ""] if empty else []),
        _table(["version (config)", "released", "documents", "splits", "changes"], [
            [f"{m['version']} (`{versions.config_name(m['version'])}`)", m["released"], _n(m["counts"]["included"]),
             ", ".join(f"{s}: {_n(i['num_examples'])}" for s, i in m["splits"].items()),
             _changes(m)] for m in reversed(manifests)]),
        "",
    ]


def _columns(latest: dict) -> list[str]:
    extra = [c for c in latest["features"] if c not in schema.BY_NAME]
    return [
        "## Columns", "",
        f"Schema version {latest['schema_version']}. Unknown values are null, never guessed; "
        "the `*_method` columns say how each value was found.", "",
        _table(["column", "type", "description"],
               [[f"`{f.name}`", f"`{_type_name(latest['features'][f.name])}`", f.description]
                for f in schema.FIELDS if f.name in latest["features"]]
               + [[f"`{c}`", f"`{_type_name(latest['features'][c])}`", "Carried over from the sidecar manifest."] for c in extra]),
        "",
        "Document ids: the hex hash in the file name (`NNN_<16 to 64 hex>.txt`), else the first 16 hex "
        "digits of the SHA-256 of the file's relative path. Splits are assigned by a hash of the id, so a "
        "document never changes split between versions.", "",
    ]


def _grouped_table(title: str, rows: list[list], n: int, chars: int, top: int = stats_mod.TOP) -> list[str]:
    shown = rows[:top]
    body = [[f"`{r[0]}`" if r[0] is not None else "unknown", _n(r[1]), _share(r[1], n), _n(r[2]), _share(r[2], chars)]
            for r in shown]
    if len(rows) > top:
        rest = rows[top:]
        body.append([f"{len(rest)} others", _n(sum(r[1] for r in rest)), _share(sum(r[1] for r in rest), n),
                     _n(sum(r[2] for r in rest)), _share(sum(r[2] for r in rest), chars)])
    return [_table([title, "documents", "share", "characters", "share"], body), ""]


def _statistics(latest: dict, st: dict) -> list[str]:
    n, chars, d, ln = st["documents"], st["characters"], st["dates"], st["length"]
    c = st["counts"]
    out = ["## Statistics (latest version)", "",
           f"{_n(n)} documents, {_n(chars)} characters. With a date: {_n(d['with_date'])} ({_share(d['with_date'], n)})"
           + (f", from {d['first']} to {d['last']}" if d["first"] else "") + "; with a source: "
           + f"{_n(n - sum(r[1] for r in st['by_source'] if r[0] is None))}.", "",
           "### Languages", "", *_grouped_table("language", st["by_language"], n, chars),
           "### Sources", "", *_grouped_table("source", st["by_source"], n, chars),
           "### Years", "", *_grouped_table("year", st["by_year"], n, chars, top=200),
           "### Length", ""]
    if n:
        out += [f"Characters per document: mean {ln['mean']:,}, minimum {_n(ln['p0'])}, 10th percentile "
                f"{_n(ln['p10'])}, median {_n(ln['p50'])}, 90th percentile {_n(ln['p90'])}, maximum {_n(ln['p100'])}.", ""]
    out += [_table(["characters", "documents"], [[label, _n(k)] for label, k in ln["histogram"]]), "",
            "### How dates and sources were found", "",
            _table(["method", "date", "source"],
                   [[m, _n(st["date_method"].get(m, 0)), _n(st["source_method"].get(m, 0))]
                    for m in sorted(set(st["date_method"]) | set(st["source_method"]), key=lambda k: (k == "none", k))]),
            "", "### What the build left out", "",
            f"Of {_n(c['found'])} input files: {_n(c['included'])} included, {_n(c['duplicate'])} dropped as "
            f"duplicates, {_n(c['rejected'])} rejected. Cleaning removed {_n(st['removed_lines'])} lines from the "
            f"included documents ({_n(st['repeated_lines_removed'])} of them lines repeated across the corpus, "
            f"{_n(st['repeated_line_patterns'])} patterns).", ""]
    rows = ([[f"duplicate ({k})", _n(v)] for k, v in st["duplicates_by_kind"].items()]
            + [[f"rejected: {k}", _n(v)] for k, v in st["rejected_by_reason"].items()])
    if rows:
        out += [_table(["reason", "files"], rows), ""]
    out += [f"Every file is named with its reason in `versions/{latest['version']}/build_report.json`.", ""]
    return out


def _charts() -> list[str]:
    if not charts.available():
        return ["### Charts", "", "Charts were not drawn: matplotlib is not installed "
                f"(`{charts.INSTALL_HINT}`, then `corpuspack card OUT`).", ""]
    return ["### Charts", "", *[f"![{title}]({charts.CHARTS_DIR}/{name})" for name, title in charts.CHARTS.items()], ""]


def _build(latest: dict) -> list[str]:
    v = latest["version"]
    sw = latest["software"]
    return [
        "## How it was built", "",
        f"With `corpuspack build DUMP OUT --version {v}` and the options below. Every input file is accounted "
        f"for in `versions/{v}/build_report.json`; the build manifest `versions/{v}/manifest.json` records the "
        f"input digest (`{latest['inputs']['sha256'][:16]}…`, {_n(latest['inputs']['files'])} files), every option "
        "and the software versions; each data file is named by its SHA-256 (`corpuspack verify` re-checks them, "
        "`corpuspack validate` checks the whole folder). `croissant.json` describes the files in Croissant 1.1.", "",
        "```json", json.dumps(latest["options"], ensure_ascii=False, sort_keys=True), "```", "",
        "Software: " + ", ".join(f"{k} {val}" for k, val in sw.items() if val) + ".", "",
    ]


def _cite(latest: dict, user: dict) -> list[str]:
    return ["## Citation", "", "```bibtex", cardfields.citation(latest), "```", ""]


def _changes(m: dict) -> str:
    c = m.get("changes") or {}
    if not m.get("previous_version"):
        return "first version"
    parts = [f"{k} {c[k]:,}" for k in ("added", "removed", "changed") if k in c]
    return f"since {m['previous_version']}: " + (", ".join(parts) or "no document changes")


def _type_name(feature: dict) -> str:
    if feature.get("_type") == "Value":
        return feature["dtype"]
    if feature.get("_type") in {"List", "Sequence", "LargeList"}:
        return f"list<{_type_name(feature['feature'])}>"
    return feature.get("_type", "?")


def write_card(root: str, extra: dict | None = None, meanwhile=None) -> str:
    """Write the card, its charts (when matplotlib is installed) and ``croissant.json``, for the
    committed versions and ``extra`` (the manifest of a version being committed); ``meanwhile()``,
    if given, runs once the texts are written, while a painter draws the charts."""
    from . import croissant

    manifests = manifests_with(root, extra)
    st = stats_mod.version_stats(root, manifests[-1])
    with painter.drawing(root, st) if charts.available() else contextlib.nullcontext():
        # the charts drawn by the build's painter process, if it started one, while the texts are written
        path = os.path.join(root, CARD_NAME)
        versions.write_text_atomic(path, card_text(root, st, extra))
        croissant.write(root, _yaml_languages(manifests[-1], st), manifests)
        if meanwhile is not None:
            meanwhile()
    return path


def _yaml_languages(latest: dict, st: dict) -> list[str]:
    langs = latest.get("card", {}).get("language") or card_languages(st)
    return [langs] if isinstance(langs, str) else list(langs)
