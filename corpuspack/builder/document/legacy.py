"""Which code page a dump's short legacy texts are read in first, inferred from the dump itself.

A text that is not UTF-8 and has few bytes outside ASCII (:func:`.decode.is_short`) cannot be told
apart by a detector: the same bytes are Arabic in windows-1256, Cyrillic in windows-1251 and Hebrew
in windows-1255. The rest of the dump tells which: before pass 1 the build reads a bounded sample,
the first :data:`SAMPLE` entries of the input in its fixed order (the order every build walks it
in, so the choice is the same whatever ``--jobs``), taken from the build's own walk, decodes each, and counts the letters of each
script of :data:`.decode.SCRIPTS` in the documents decoded with confidence (UTF-8/16/32, or a
legacy text long enough for the detector; short legacy texts, which depend on the choice, are
left out). The script with the most letters gives the code page tried first, then windows-1252;
a sample without such a document keeps :data:`.decode.PREFERRED_LEGACY`. ``--encoding`` decodes
every legacy text itself: no sample is read. The choice is an option of the build (in the
manifest and the options fingerprint) and the report says where it came from.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from .decode import PREFERRED_LEGACY, SCRIPTS, Rejected, decode, is_short
from .inputs import Entry, Payload
from .inputs.spool import Spooled

#: entries read before pass 1
SAMPLE = 100
#: larger files are left out of the sample (read whole in pass 1 anyway; the sample stays cheap)
SAMPLE_MAX_BYTES = 1 << 20
#: characters of each sampled text whose letters are counted
SAMPLE_CHARS = 1 << 16

_LETTERS = {name: ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F)) if name == "Latin" else ((first, last),)
            for name, first, last, _ in SCRIPTS}  # the code point ranges of each script's letters
_CODE_PAGE = {name: codec for name, _, _, codec in SCRIPTS}


class Preference(NamedTuple):
    """The code pages short legacy texts are tried in, and why."""
    encodings: tuple[str, ...]
    source: str  # sample | default (no confident document in the sample) | option | --encoding
    script: str | None = None  # the sample's script
    documents: int = 0  # sampled documents decoded with confidence
    letters: dict | None = None  # their letters per script

    def report(self) -> dict:
        out = {"encodings": list(self.encodings), "from": self.source}
        if self.source in ("sample", "default"):
            out.update(script=self.script, documents=self.documents, letters=self.letters or {})
        return out


def encodings_for(script: str) -> tuple[str, ...]:
    """The code pages tried for a dump in ``script``: its own, then windows-1252."""
    return tuple(dict.fromkeys((_CODE_PAGE[script], "cp1252")))


def choose(options, reader, entries) -> tuple[Preference, Iterator]:
    """The preference of a build: ``--encoding``, the option given, or inferred from a sample of
    ``entries``, the build's own walk of the input (read through ``reader``). Returns it with the
    entries to build from: ``entries`` itself, the sampled ones put back in front (the dump is
    walked once: a folder of 100,000 files is listed and sorted in ~0.1 s of CPU)."""
    if options.encoding:
        return Preference((), "--encoding"), entries
    if options.legacy_encodings:
        return Preference(tuple(options.legacy_encodings), "option"), entries
    entries = iter(entries)
    head = list(itertools.islice(entries, SAMPLE))
    return infer(sample(reader, head)), itertools.chain(head, entries)


def sample(reader, head: list[Entry]) -> list[bytes]:
    """The bytes of the entries of ``head`` (the first :data:`SAMPLE` entries of the input) it
    can read, up to :data:`SAMPLE_MAX_BYTES` each."""
    out = []
    for _, source in head:
        if isinstance(source, Payload):
            if isinstance(source.data, Spooled):  # an archive's reader process spooled it
                if source.data.length <= SAMPLE_MAX_BYTES:
                    out.append(source.data.read())
            elif source.data is not None and len(source.data) <= SAMPLE_MAX_BYTES:
                out.append(source.data)
            continue
        try:
            st = reader.stat(source)
            if st.st_size <= SAMPLE_MAX_BYTES:
                out.append(reader.read(source, st.st_size, SAMPLE_MAX_BYTES))
        except OSError:  # pass 1 reports it
            continue
    return out


def letter_counts(text: str) -> dict[str, int]:
    """The letters of each script in ``text`` (:data:`_LETTERS`' ranges), counted over its code
    points as one numpy array (a regular expression's list of matches per script cost ~3x as much)."""
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
    return {name: sum(int(np.count_nonzero((points >= lo) & (points <= hi))) for lo, hi in ranges)
            for name, ranges in _LETTERS.items()}


def infer(documents: list[bytes]) -> Preference:
    """The preference the letters of the confidently decoded ``documents`` give."""
    letters = dict.fromkeys(_LETTERS, 0)
    confident = 0
    for data in documents:
        try:
            decoded = decode(data, prefer=())
        except Rejected:
            continue
        if is_short(data) and not decoded.encoding.startswith("utf"):
            continue  # decoded by a guess this choice would steer
        confident += 1
        for name, n in letter_counts(decoded.text[:SAMPLE_CHARS]).items():
            letters[name] += n
    counted = {name: n for name, n in letters.items() if n}
    if not counted:
        return Preference(PREFERRED_LEGACY, "default", None, confident, {})
    script = max(counted, key=lambda name: (counted[name], -list(_LETTERS).index(name)))
    return Preference(encodings_for(script), "sample", script, confident, counted)
