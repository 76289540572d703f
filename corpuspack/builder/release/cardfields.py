"""What the card's YAML may hold and what the user sets in it.

* :func:`licenses`, :func:`language_codes`: the Hub's license ids and ISO 639-1 codes,
  shipped as package data (``corpuspack/data/``), so checks need no network;
* :func:`size_category`: the Hub's ``size_categories`` bucket of a row count;
* user fields (``--license``, ``--card-field KEY=VALUE``, ``--card-file card.yaml``) are
  stored in each version's manifest (``card``) and carried to the next version, so a
  rebuild never clobbers them; an empty value removes a field.
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files

#: Computed from the versions: a user may not set them.
COMPUTED = ("configs", "dataset_info", "size_categories")
_SIZES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
          (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"), (1_000_000_000, "100M<n<1B"),
          (10_000_000_000, "1B<n<10B"), (100_000_000_000, "10B<n<100B"), (1_000_000_000_000, "100B<n<1T"))
SIZE_CATEGORIES = tuple(label for _, label in _SIZES) + ("n>1T",)
_LANG3 = re.compile(r"^[a-z]{3}$")


def _data_lines(name: str) -> list[str]:
    text = files("corpuspack").joinpath("data", name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def licenses() -> dict[str, str]:
    """License id -> full name, as the Hub lists them."""
    return dict(line.split("\t", 1) for line in _data_lines("hub_licenses.tsv"))


@lru_cache(maxsize=1)
def language_codes() -> frozenset[str]:
    return frozenset(line.strip() for line in _data_lines("iso639_1.txt"))


def size_category(n: int) -> str:
    for limit, label in _SIZES:
        if n < limit:
            return label
    return "n>1T"


def license_problem(value) -> str | None:
    """Why ``value`` is not a license the Hub accepts, or None."""
    ids = [value] if isinstance(value, str) else value
    if not isinstance(ids, list) or not ids:
        return f"license {value!r} is not a license id or a list of them"
    bad = [v for v in ids if v not in licenses()]
    if bad:
        return (f"license {', '.join(map(repr, bad))} is not a Hugging Face license id "
                f"(e.g. {', '.join(list(licenses())[:6])}, ...; see corpuspack/data/hub_licenses.tsv, or use `other` "
                "with license_name and license_link)")
    return None


def language_problem(code) -> str | None:
    if isinstance(code, str) and (code in language_codes() or _LANG3.match(code)):
        return None
    return f"language {code!r} is not an ISO 639-1 (two letters) or ISO 639-2/3 (three letters) code"


def parse_field(spec: str) -> tuple[str, str]:
    """``KEY=VALUE`` (``--card-field``)."""
    key, sep, value = spec.partition("=")
    if not sep or not key.strip():
        raise ValueError(f"--card-field {spec!r}: expected KEY=VALUE")
    return key.strip(), value


def read_card_file(path: str) -> dict:
    """A YAML mapping of card fields (``--card-file``)."""
    import yaml

    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise ValueError(f"--card-file {path}: not a YAML file in UTF-8 ({type(e).__name__}: "
                         f"{' '.join(str(e).split())})") from None
    if not isinstance(data, dict):
        raise ValueError(f"--card-file {path}: expected a YAML mapping of card fields, got {type(data).__name__}")
    return data


def check(fields: dict) -> dict:
    """The user's fields, checked (ValueError naming the field)."""
    for key in fields:
        if key in COMPUTED:
            raise ValueError(f"card field {key!r} is computed from the versions and cannot be set")
    if fields.get("license") not in (None, ""):
        if problem := license_problem(fields["license"]):
            raise ValueError(problem)
    langs = fields.get("language")
    for code in ([langs] if isinstance(langs, str) else langs or []):
        if problem := language_problem(code):
            raise ValueError(problem)
    return fields


def merge(carried: dict, new: dict) -> dict:
    """Fields carried from the latest version, updated by this build's; an empty value removes one."""
    out = dict(carried)
    for key, value in new.items():
        if value in ("", None):
            out.pop(key, None)
        else:
            out[key] = value
    return dict(sorted(out.items()))


def citation(manifest: dict) -> str:
    """The citation the user set, else a BibTeX entry for the version."""
    user = manifest.get("card", {})
    if user.get("citation"):
        return str(user["citation"]).strip()
    key = "".join(ch if ch.isalnum() else "_" for ch in manifest["name"]).strip("_") or "corpus"
    return (f"@misc{{{key}_{manifest['version'].replace('.', '_')},\n  title = {{{manifest['name']}}},\n"
            f"  note = {{Version {manifest['version']}, built with corpuspack {manifest['software']['corpuspack']}}},\n"
            f"  year = {{{manifest['released'][:4]}}}\n}}")
