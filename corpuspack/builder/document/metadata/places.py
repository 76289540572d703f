"""The place gazetteer (package data ``corpuspack/data/places.tsv``): capitals, Gulf and Levant
cities and regions, and the countries a dateline may add after its city, in their common spellings.

Columns: id, arabic_variants (``|``; the first is the canonical spelling), kind
(city|region|country), country (ISO 3166 alpha-2). Names are compared on :func:`normalize.tokens`
(alef, ta marbuta and ya variants folded), whole names only. Many place names are also outlet
names (الرياض، القدس، الخبر...): whether a name is a place or an outlet in a dateline is decided by
its position (see :mod:`.dateline`), not here.
"""
from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources

from .normalize import tokens


@dataclass(frozen=True)
class Place:
    id: str
    name: str  # canonical Arabic spelling
    kind: str
    country: str


class Places:
    def __init__(self, places: list[Place], variants: dict[str, list[str]]):
        self._by_key: dict[str, Place] = {}
        for p in places:
            for v in variants[p.id]:
                self._by_key.setdefault(" ".join(tokens(v)), p)
        self.longest = max(len(k.split()) for k in self._by_key)

    def get(self, name: str) -> Place | None:
        """The place whose variant is exactly ``name`` (after normalisation), or None."""
        return self._by_key.get(" ".join(tokens(name)))


@functools.lru_cache(maxsize=1)
def places() -> Places:
    """The packaged place gazetteer, loaded once."""
    text = (resources.files("corpuspack") / "data" / "places.tsv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))
    variants = {r["id"]: [v.strip() for v in r["arabic_variants"].split("|") if v.strip()] for r in rows}
    return Places([Place(r["id"], variants[r["id"]][0], r["kind"], r["country"]) for r in rows], variants)
