"""The dataset card (README.md): YAML that `datasets` reads (one config per
version with its data files listed explicitly, the latest marked default, and a
complete ``dataset_info``), and prose a researcher reads, with column
descriptions taken from :mod:`corpuspack.schema`."""
from __future__ import annotations

import os
from collections import Counter

import pyarrow.compute as pc
import pyarrow.parquet as pq
from huggingface_hub import DatasetCard, DatasetCardData

from ... import schema
from . import versions

CARD_NAME = "README.md"


def _manifests(root: str, extra: dict | None = None) -> list[dict]:
    """The committed versions' manifests, oldest first, and ``extra`` (a version being committed)."""
    manifests = [versions.read_manifest(root, v) for v in versions.list_versions(root)]
    if extra is not None:
        manifests = [m for m in manifests if m["version"] != extra["version"]] + [extra]
        manifests.sort(key=lambda m: versions.parse(m["version"]))
    if not manifests:
        raise ValueError(f"{root} holds no committed version (no versions/*/manifest.json): no card to write")
    return manifests


def card_data(root: str, extra: dict | None = None) -> DatasetCardData:
    manifests = _manifests(root, extra)
    configs, infos = [], []
    for m in manifests:
        splits = loadable_splits(m)
        cfg = {"config_name": versions.config_name(m["version"]),
               "data_files": [{"split": s, "path": [f["path"] for f in info["files"]]} for s, info in splits.items()]}
        if m is manifests[-1]:
            cfg["default"] = True
        configs.append(cfg)
        feats = _features(m)
        infos.append({
            "config_name": cfg["config_name"],
            "features": feats._to_yaml_list(),
            "splits": [{"name": s, "num_bytes": info["num_bytes"], "num_examples": info["num_examples"]}
                       for s, info in splits.items()],
            "download_size": sum(f["num_bytes"] for info in splits.values() for f in info["files"]),
            "dataset_size": sum(info["num_bytes"] for info in splits.values()),
        })
    latest = manifests[-1] if manifests else None
    langs = sorted(_column_counts(root, latest, "language")) if latest else []
    return DatasetCardData(
        configs=configs, dataset_info=infos,
        language=[l for l in langs if l != "und"] or None,
        pretty_name=latest["name"] if latest else None,
        size_categories=[_size_category(latest["counts"]["included"])] if latest else None,
        task_categories=["text-generation"],
        tags=["corpuspack"],
    )


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


def _features(manifest: dict):
    from datasets import Features

    return Features.from_dict(manifest["features"])


def _size_category(n: int) -> str:
    for limit, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                         (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M")):
        if n < limit:
            return label
    return "n>10M"


def _shard_paths(root: str, manifest: dict) -> list[str]:
    return [os.path.join(root, f["path"]) for info in manifest["splits"].values() for f in info["files"]]


def _column_counts(root: str, manifest: dict, column: str) -> Counter:
    counts: Counter = Counter()
    for path in _shard_paths(root, manifest):
        col = pq.read_table(path, columns=[column]).column(column)
        for item in pc.value_counts(col).to_pylist():
            counts[item["values"]] += item["counts"]
    return counts


def _date_range(root: str, manifest: dict) -> tuple[str | None, str | None, int]:
    lo = hi = None
    known = 0
    for path in _shard_paths(root, manifest):
        col = pq.read_table(path, columns=["date"]).column("date")
        known += len(col) - col.null_count
        mm = pc.min_max(col).as_py()
        if mm["min"] is not None:
            lo = min(lo, mm["min"]) if lo else mm["min"]
            hi = max(hi, mm["max"]) if hi else mm["max"]
    return (lo.isoformat() if lo else None, hi.isoformat() if hi else None, known)


def _table(header: list[str], rows: list[list]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(out)


def card_text(root: str, extra: dict | None = None) -> str:
    """The card of the committed versions and ``extra`` (the manifest of a version being committed)."""
    data = card_data(root, extra)
    manifests = _manifests(root, extra)
    names = [m["version"] for m in manifests]
    latest = manifests[-1]
    name = latest["name"]
    n = latest["counts"]["included"]
    langs = _column_counts(root, latest, "language")
    sources = _column_counts(root, latest, "source")
    lo, hi, dated = _date_range(root, latest)
    extra = [c for c in latest["features"] if c not in schema.BY_NAME]
    empty = [(m["version"], e) for m in reversed(manifests) if (e := empty_splits(m))]
    body = [
        f"# {name}",
        "",
        f"A text corpus built with corpuspack {latest['software']['corpuspack']}: "
        f"one row per input document, cleaned, with publication metadata, language, provenance and quality columns. "
        f"Latest version: **{latest['version']}** ({n:,} documents; schema {latest['schema_version']}).",
        "",
        "## Loading",
        "",
        "```python",
        "from datasets import load_dataset",
        'ds = load_dataset("path/to/this/folder")                 # the latest version',
        f'ds = load_dataset("path/to/this/folder", "{versions.config_name(names[0])}")       # a given version',
        'ds = load_dataset("path/to/this/folder", streaming=True) # streaming',
        "```",
        "",
        "## Versions",
        "",
        *([f"Empty splits are not in a version's config, which `datasets` could not load otherwise: "
           + "; ".join(f"{v}: {', '.join(splits)}" for v, splits in empty) + ".", ""] if empty else []),
        _table(["version (config)", "released", "documents", "splits", "changes"], [
            [f"{m['version']} (`{versions.config_name(m['version'])}`)", m["released"], f"{m['counts']['included']:,}",
             ", ".join(f"{s}: {i['num_examples']:,}" for s, i in m["splits"].items()),
             _changes(m)] for m in reversed(manifests)]),
        "",
        "## Columns",
        "",
        f"Schema version {latest['schema_version']}. Unknown values are null, never guessed; "
        "the `*_method` columns say how each value was found.",
        "",
        _table(["column", "type", "description"],
               [[f"`{f.name}`", f"`{_type_name(latest['features'][f.name])}`", f.description]
                for f in schema.FIELDS if f.name in latest["features"]]
               + [[f"`{c}`", f"`{_type_name(latest['features'][c])}`", "Carried over from the sidecar manifest."] for c in extra]),
        "",
        "Document ids: the hex hash in the file name (`NNN_<16 to 64 hex>.txt`), else the first 16 hex "
        "digits of the SHA-256 of the file's relative path. Splits are assigned by a hash of the id, so a "
        "document never changes split between versions.",
        "",
        "## Statistics (latest version)",
        "",
        f"- Documents: {n:,}; with a date: {dated:,}" + (f" ({lo} to {hi})" if lo else "") + "; "
        f"with a source: {n - sources.get(None, 0):,}.",
        "- Languages: " + ", ".join(f"`{k}` {v:,}" for k, v in sorted(langs.items(), key=lambda kv: (-kv[1], kv[0]))) + ".",
        "- Top sources: " + (", ".join(f"`{k}` {v:,}" for k, v in sorted(((k, v) for k, v in sources.items() if k),
                                                                      key=lambda kv: (-kv[1], kv[0]))[:10]) or "none") + ".",
        "",
        "## Build",
        "",
        f"Every input file is accounted for in `versions/{latest['version']}/build_report.json`: "
        + ", ".join(f"{k} {v:,}" for k, v in latest["counts"].items()) + ". "
        f"The build manifest `versions/{latest['version']}/manifest.json` records the input digest "
        f"(`{latest['inputs']['sha256'][:16]}…`), every option and the software versions; each data file is named by "
        "its SHA-256 (`corpuspack verify` re-checks them).",
        "",
    ]
    card = DatasetCard(f"---\n{data.to_yaml()}\n---\n\n" + "\n".join(body))
    return str(card).rstrip("\n") + "\n"


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


def write_card(root: str, extra: dict | None = None) -> str:
    path = os.path.join(root, CARD_NAME)
    versions.write_text_atomic(path, card_text(root, extra))
    return path
