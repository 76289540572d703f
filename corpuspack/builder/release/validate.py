"""``corpuspack validate OUT``: check an output folder offline before publishing it, for
what the Hub would check online and more. Each problem is a sentence that starts with
the file it is about; an empty list means the folder can be published as it is.

* the card's YAML: parses with ``huggingface_hub.DatasetCard``; ``license`` is a Hub
  license id; ``language`` codes are ISO 639; ``size_categories`` is the right bucket;
  one config per version, the latest the default, every listed file present, and a
  version's folder holding exactly its files;
* ``dataset_info``: features equal to every Parquet file's schema; split row counts and
  sizes equal to the files';
* every data file against its SHA-256 and the card against the manifests (:mod:`.verify`);
* ``load_dataset`` of every version and a streaming read of each of its splits;
* ``croissant.json``: up to date, checksums right, and, with ``mlcroissant`` installed,
  its ``validate`` and a ``load`` of every record set.
"""
from __future__ import annotations

import glob
import json
import os
import tempfile

import pyarrow.parquet as pq

from . import card, cardfields, croissant, verify as verify_mod, versions

CROISSANT_HINT = "pip install 'corpuspack[test]' or mlcroissant"


def validate(root: str, *, load: bool = True) -> list[str]:
    """Problems found (each naming its file); empty when the output can be published as it is."""
    problems = verify_mod.verify(root)
    names = versions.list_versions(root)
    if not names:
        return problems
    manifests = [versions.read_manifest(root, v) for v in names]
    problems += [f"{p}: no version lists it (left by a build that did not finish? `corpuspack card OUT` removes it)"
                 for p in versions.unreferenced(root, manifests=manifests)]  # push would upload them
    data = _card_yaml(root, problems)
    described = []  # what the card says of itself (license, languages...): the data loads all the same
    if data is not None:
        described = _yaml_fields(data, manifests[-1])
        problems += _configs(root, data, manifests)
        problems += _dataset_info(root, data)
    if load and data is not None and not problems:
        problems += _load(root, data)
    problems += _croissant(root, load=load and not problems)
    return described + problems


def _card_yaml(root: str, problems: list[str]) -> dict | None:
    from huggingface_hub import DatasetCard

    path = os.path.join(root, card.CARD_NAME)
    if not os.path.isfile(path):
        return None  # verify said so
    try:
        return DatasetCard.load(path).data.to_dict()
    except Exception as e:  # a YAML or card error, whatever its class
        problems.append(f"{card.CARD_NAME}: the card does not parse: {e}")
        return None


def _yaml_fields(data: dict, latest: dict) -> list[str]:
    out = []
    where = card.CARD_NAME
    if "license" not in data:
        out.append(f"{where}: no license (rebuild with --license, one of corpuspack/data/hub_licenses.tsv)")
    elif problem := cardfields.license_problem(data["license"]):
        out.append(f"{where}: {problem}")
    langs = data.get("language") or []
    for code in [langs] if isinstance(langs, str) else langs:
        if problem := cardfields.language_problem(code):
            out.append(f"{where}: {problem}")
    sizes = data.get("size_categories") or []
    expected = cardfields.size_category(latest["counts"]["included"])
    if sizes != [expected]:
        out.append(f"{where}: size_categories is {sizes!r}, expected [{expected!r}] for "
                   f"{latest['counts']['included']:,} documents")
    for key in ("pretty_name", "task_categories"):
        if not data.get(key):
            out.append(f"{where}: no {key}")
    return out


def _configs(root: str, data: dict, manifests: list[dict]) -> list[str]:
    out = []
    where = card.CARD_NAME
    configs = {c.get("config_name"): c for c in data.get("configs") or []}
    expected = [versions.config_name(m["version"]) for m in manifests]
    # the files of a version's empty splits: in its folder, left out of its config (datasets cannot
    # load an empty split), as the build summary and the card say
    empty = {f["path"] for m in manifests for split in m["splits"].values() if split["num_examples"] == 0
             for f in split["files"]}
    if sorted(configs) != sorted(expected):
        out.append(f"{where}: configs {sorted(configs)} are not the versions' {sorted(expected)}")
    defaults = [name for name, c in configs.items() if c.get("default")]
    if defaults != [expected[-1]]:
        out.append(f"{where}: the default config is {defaults}, expected [{expected[-1]!r}] (the latest version)")
    for name, cfg in configs.items():
        listed = set()
        for df in cfg.get("data_files") or []:
            paths = df.get("path")
            for p in [paths] if isinstance(paths, str) else paths or []:
                listed.add(p)
                if not os.path.isfile(os.path.join(root, p)):
                    out.append(f"{p}: listed by config {name} in {where}, but there is no such file")
        folder = os.path.join(root, "data", name)
        if os.path.isdir(folder):
            extra = sorted(os.path.relpath(p, root).replace(os.sep, "/")
                           for p in glob.glob(os.path.join(folder, "*.parquet")))
            for p in extra:
                if p not in listed and p not in empty:
                    out.append(f"{p}: in the folder of config {name} but not listed by it: a glob of the folder "
                               "would not give that version's rows")
    return out


def _dataset_info(root: str, data: dict) -> list[str]:
    from datasets import Features

    out = []
    configs = {c.get("config_name"): c for c in data.get("configs") or []}
    infos = {i.get("config_name"): i for i in data.get("dataset_info") or []}
    for name, cfg in configs.items():
        info = infos.get(name)
        if info is None:
            out.append(f"{card.CARD_NAME}: config {name} has no dataset_info")
            continue
        try:
            feats = Features._from_yaml_list(info["features"])
        except Exception as e:
            out.append(f"{card.CARD_NAME}: dataset_info of {name}: features do not parse: {e}")
            continue
        split_info = {s["name"]: s for s in info.get("splits") or []}
        for df in cfg.get("data_files") or []:
            paths = df.get("path")
            paths = [paths] if isinstance(paths, str) else paths or []
            rows = size = 0
            for p in paths:
                path = os.path.join(root, p)
                if not os.path.isfile(path):
                    continue  # said above
                try:
                    meta = pq.read_metadata(path)
                    file_feats = Features.from_arrow_schema(pq.read_schema(path))
                except Exception as e:
                    out.append(f"{p}: not a readable Parquet file: {e}")
                    continue
                rows, size = rows + meta.num_rows, size + os.path.getsize(path)
                if file_feats != feats:
                    missing = [c for c in feats if c not in file_feats]
                    added = [c for c in file_feats if c not in feats]
                    changed = [c for c in feats if c in file_feats and file_feats[c] != feats[c]]
                    detail = "; ".join(x for x in (missing and f"missing columns {', '.join(missing)}",
                                                   added and f"columns not in the card {', '.join(added)}",
                                                   changed and f"other types for {', '.join(changed)}") if x)
                    out.append(f"{p}: its schema is not the features of config {name} in {card.CARD_NAME} ({detail})")
            s = split_info.get(df.get("split"))
            if s is None:
                out.append(f"{card.CARD_NAME}: dataset_info of {name} has no split {df.get('split')!r}")
            elif s.get("num_examples") != rows:
                out.append(f"{card.CARD_NAME}: dataset_info of {name} says split {df.get('split')} has "
                           f"{s.get('num_examples')} rows; its files hold {rows}")
    return out


def _load(root: str, data: dict) -> list[str]:
    import datasets
    from datasets import load_dataset

    out = []
    quiet = datasets.utils.are_progress_bars_disabled()
    datasets.disable_progress_bars()
    with tempfile.TemporaryDirectory(prefix="corpuspack-validate-") as cache:
        for cfg in data.get("configs") or []:
            name = cfg["config_name"]
            splits = [df["split"] for df in cfg.get("data_files") or []]
            try:
                ds = load_dataset(root, name, cache_dir=cache)
                if sorted(ds) != sorted(splits):
                    out.append(f"{card.CARD_NAME}: load_dataset of {name} gave splits {sorted(ds)}, expected {sorted(splits)}")
                streamed = load_dataset(root, name, streaming=True)
                for split in splits:
                    if ds[split].num_rows:
                        first = next(iter(streamed[split]))
                        if first["id"] != ds[split][0]["id"]:
                            out.append(f"{card.CARD_NAME}: config {name}, split {split}: streaming gives another first row")
            except Exception as e:  # what a user would see: report it, whatever it is
                out.append(f"{card.CARD_NAME}: load_dataset of config {name} fails: {type(e).__name__}: {e}")
    if not quiet:
        datasets.enable_progress_bars()
    return out


def _croissant(root: str, *, load: bool) -> list[str]:
    path = os.path.join(root, croissant.NAME)
    where = croissant.NAME
    if not os.path.isfile(path):
        return [f"{where}: missing (rebuild the card with `corpuspack card`)"]
    with open(path, encoding="utf-8") as fh:
        try:
            doc = json.load(fh)
        except ValueError as e:
            return [f"{where}: not JSON: {e}"]
    out = []
    for obj in doc.get("distribution", []):
        if obj.get("@type") == "cr:FileObject":
            p = os.path.join(root, obj.get("contentUrl", ""))
            if not os.path.isfile(p):
                out.append(f"{where}: lists {obj.get('contentUrl')}, which is not there")
            elif obj.get("sha256") != verify_mod.file_sha256(p):
                out.append(f"{obj.get('contentUrl')}: its SHA-256 is not the one {where} gives")
    try:
        import mlcroissant as mlc
    except ImportError:
        return out
    try:
        ds = mlc.Dataset(path)
        if load:
            for rs in doc.get("recordSet", []):
                next(iter(ds.records(rs["@id"])), None)
    except Exception as e:  # mlcroissant raises ValidationError and others
        out.append(f"{where}: mlcroissant: {type(e).__name__}: {str(e).strip()[:2000]}")
    return out
