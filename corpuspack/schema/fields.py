"""The published columns of a corpuspack dataset: one source of truth.

Every other part (the builder, the dataset card, the validator, the tests)
reads these definitions; nothing else spells a column name or type.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa


@dataclass(frozen=True)
class Field:
    name: str
    type: pa.DataType
    description: str
    nullable: bool = True
    group: str = "document"  # document | metadata | provenance | quality | dedup

    def arrow(self) -> pa.Field:
        return pa.field(self.name, self.type, nullable=self.nullable)


_S = pa.string()
_F32 = pa.float32()
_I32 = pa.int32()
_LIST_S = pa.list_(pa.string())

FIELDS: tuple[Field, ...] = (
    # -- the document
    Field("id", _S, "Stable document id: the hex hash in the file name (`000_8de2ff6bbf66210d.txt` -> `8de2ff6bbf66210d`), else a SHA-256 prefix of the relative path.", False),
    Field("file_name", _S, "Path of the input file relative to the dump root, with `/` separators (bytes of a name that are not UTF-8 written as `\\xNN`).", False),
    Field("text", _S, "The cleaned document text.", False),
    # -- publication metadata
    Field("title", _S, "Headline of the document, or null when none is found.", group="metadata"),
    Field("date", pa.date32(), "Publication date, or null when unknown (never guessed from the body or the clock).", group="metadata"),
    Field("source", _S, "Canonical id of the outlet: the publisher named by the text or manifest, else the credited agency; null when unknown.", group="metadata"),
    Field("publisher", _S, "Canonical id of the publishing outlet, when named.", group="metadata"),
    Field("agency", _S, "Canonical id of the credited news agency, when named.", group="metadata"),
    Field("credit", _S, "The literal credit or dateline text the source was read from (kept even when generic, e.g. `وكالات`).", group="metadata"),
    Field("dateline_place", _S, "Place named by the document's dateline (`الباحة` in `الباحة 26 شوال 1436 هـ الموافق 11 أغسطس 2015 م واس`, `دبي` in `دبي، الإمارات العربية المتحدة (CNN)--`), in the place gazetteer's spelling; null when there is no dateline or its place cannot be told from an outlet name.", group="metadata"),
    Field("cited_outlets", _LIST_S, "Canonical ids of other outlets the body cites, sorted.", group="metadata"),
    Field("url", _S, "URL of the document, from a sidecar manifest; null otherwise.", group="metadata"),
    Field("language", _S, "ISO 639-1 code of the main language, or `und` when undetermined.", False, group="metadata"),
    Field("language_score", _F32, "Confidence of the language decision, 0 to 1.", False, group="metadata"),
    # -- how each value was found
    Field("title_method", _S, "How `title` was found: `repeated_line`, `first_line`, `html` (the page's title), `manifest`, or null.", group="provenance"),
    Field("date_method", _S, "How `date` was found: `dateline`, `marker`, `date_line`, `manifest`, or null; `dateline_calendars_disagree`, `marker_calendars_disagree` or `date_line_calendars_disagree` (and `date` null) when that place gives the day in the Hijri and the Gregorian calendar and the two are more than a day apart.", group="provenance"),
    Field("source_method", _S, "How `source` was found: `dateline`, `credit`, `bracket`, `prefix`, `manifest`, `url`, or null.", group="provenance"),
    Field("dateline_place_method", _S, "How `dateline_place` was found: `gazetteer` (a known place in the dateline's place slot), `position` (an unknown name in the place slot of a dateline whose credit is a known outlet), or null.", group="provenance"),
    Field("language_method", _S, "Which detector decided `language` (e.g. `cld2`, `langdetect`, `manifest`).", False, group="provenance"),
    Field("sha256", _S, "SHA-256 (hex) of the raw input bytes.", False, group="provenance"),
    Field("encoding", _S, "Encoding the input bytes were decoded from (e.g. `utf-8`, `utf-8-sig`, `utf-16`, `cp1256`).", False, group="provenance"),
    Field("removed_lines", _I32, "Number of non-blank lines removed by cleaning: known boilerplate, a repeated title line, lines repeated across the corpus.", False, group="provenance"),
    # -- size and quality signals (nothing is dropped for quality by default)
    Field("num_chars", _I32, "Number of characters in `text`.", False, group="quality"),
    Field("num_words", _I32, "Number of whitespace-separated words in `text`.", False, group="quality"),
    Field("num_lines", _I32, "Number of non-empty lines in `text`.", False, group="quality"),
    Field("mean_line_length", _F32, "Mean length in characters of the non-empty lines.", False, group="quality"),
    Field("arabic_script_ratio", _F32, "Share of letters in `text` that are in the Arabic script.", False, group="quality"),
    Field("quality_warnings", _LIST_S, "OSCAR-style warnings: `tiny`, `short_lines`, `noisy`, `mixed_script`, ...", False, group="quality"),
    # -- corpus-level duplicates
    Field("near_dup_cluster", _S, "Id of the representative of this document's near-duplicate cluster; null for a unique document.", group="dedup"),
    Field("near_dup_cluster_size", _I32, "Number of documents in the near-duplicate cluster (1 for a unique document).", False, group="dedup"),
)
