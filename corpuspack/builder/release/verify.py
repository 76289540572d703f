"""Re-check an output folder: every data file of every version exists, has the
SHA-256 its manifest and its own name give, and the card lists exactly them."""
from __future__ import annotations

import os

from . import card, versions
from .write import file_sha256


def verify(root: str) -> list[str]:
    """Problems found, as sentences naming the file; an empty list means all is well."""
    problems: list[str] = []
    names = versions.list_versions(root)
    if not names:
        return [f"{root} holds no committed version (no versions/*/manifest.json)"]
    checked: dict[str, str] = {}
    for v in names:
        m = versions.read_manifest(root, v)
        for split, info in m["splits"].items():
            if sum(f["num_rows"] for f in info["files"]) != info["num_examples"]:
                problems.append(f"version {v}, split {split}: file row counts do not add up to num_examples")
            for f in info["files"]:
                path = os.path.join(root, f["path"])
                if not os.path.isfile(path):
                    problems.append(f"version {v}: data file {f['path']} is missing")
                    continue
                actual = checked.get(path) or checked.setdefault(path, file_sha256(path))
                if actual != f["sha256"]:
                    problems.append(f"version {v}: data file {f['path']} has SHA-256 {actual}, the manifest says {f['sha256']}")
                elif f["sha256"][:20] not in os.path.basename(f["path"]):
                    problems.append(f"version {v}: data file {f['path']} is not named by its content")
    card_path = os.path.join(root, card.CARD_NAME)
    if problems:  # the card is computed from the data files: check it only when they are sound
        return problems
    if not os.path.isfile(card_path):
        problems.append(f"the dataset card {card.CARD_NAME} is missing")
    else:
        with open(card_path, encoding="utf-8") as fh:
            if fh.read() != card.card_text(root):
                problems.append(f"the dataset card {card.CARD_NAME} does not match the version manifests (rebuild it with `corpuspack card`)")
    return problems
