"""JSON Lines: one document per line (``.jsonl``, ``.jsonl.gz``, ``.jsonl.zst``), read as a stream.

A line is an object; its ``--text-field`` (default ``text``) is the document, its ``--id-field``
(default ``id``, when present) the document's id; every other field goes to the build's sidecar
manifest (``url``, ``date``, ``source``, ``title``, ``language`` fill those columns with method
``manifest``; the others become columns of their own). A line is named ``<file>:<line number>``
(1-based). A line that is not such an object is a rejection naming the file and line; blank lines
are skipped and counted.

JSON may escape a UTF-16 code unit alone (``"\\ud83d"``: an emoji's first half, the text cut after
it), which no UTF-8 text, Arrow column or JSON file written here can hold: each such unpaired
surrogate, in a value or a field name, is replaced by U+FFFD (the replacement character) and the
report counts the lines repaired (``inputs``, ``unpaired_surrogates_replaced``).
"""
from __future__ import annotations

import codecs
import gzip
import importlib
import io
import itertools
import json
import re
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from typing import BinaryIO

from ....schema.fields import FIELDS
from . import Entry, InputOptions, Payload, Tally, zstd

SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst")
# fields a line may carry besides its text and id, and which published columns they fill
_SIDECAR_KNOWN = frozenset({"url", "date", "source", "title", "language"})
_PUBLISHED = frozenset(f.name for f in FIELDS)
_SURROGATE = re.compile("[\ud800-\udfff]")  # in a str json.loads made: an unpaired one (pairs are joined)


def is_jsonl(name: str) -> bool:
    return name.lower().endswith(SUFFIXES)


def _decompressed(name: str, raw: BinaryIO) -> BinaryIO:
    lower = name.lower()
    if lower.endswith(".gz"):
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if lower.endswith(".zst"):
        return zstd.reader(raw)
    return raw


def stream_errors() -> tuple[type[BaseException], ...]:
    """What a damaged or cut-short stream raises while it is read: a compressed file, or an
    archive (a JSON Lines member of one included)."""
    errors: list[type[BaseException]] = [OSError, EOFError, zlib.error, tarfile.TarError, zipfile.BadZipFile]
    for module, name in (("zstandard", "ZstdError"), ("stream_unzip", "UnzipError"), ("isal.isal_zlib", "error")):
        try:
            errors.append(getattr(importlib.import_module(module), name))
        except ImportError:
            pass
    return tuple(errors)


def entries(rel: str, opener: Callable[[], BinaryIO], opts: InputOptions, tally: Tally) -> Iterator[Entry]:
    """The lines of the JSON Lines file ``rel`` (opened by ``opener``) as entries; returns the
    number of the last line named (0 for none), for :func:`named_as_line`."""
    n = named = 0
    try:
        with opener() as raw, _decompressed(rel, raw) as f:
            for n, line in enumerate(_utf8_lines(f, tally), 1):
                if not line.strip():
                    tally.skipped["blank_line"] += 1
                    continue
                tally.forms["jsonl"] += 1
                named = n
                yield _entry(rel, n, line, opts, tally)
    except stream_errors() as e:
        tally.forms["jsonl"] += 1
        where = f"after line {n}" if n else "from its start"
        named = n + 1
        yield f"{rel}:{n + 1}", Payload(None, refused=("unreadable", f"{rel} cannot be read {where}: {type(e).__name__}: {e}"))
    return named


def named_as_line(rel: str, lines: dict[str, int]) -> tuple[str, str] | None:
    """Whether the file ``rel`` is named as a line of a JSON Lines file read before it is
    (``a.jsonl:1`` beside ``a.jsonl``): ``lines`` maps each such file to the number of its last
    line named (what :func:`entries` returns). The refusal (``name_collision``) if so: the line
    keeps the name, the file is not read (its id, the hash of the name, would be the line's, and
    with ids of their own two rows would be published under one name). None otherwise."""
    head, _, number = rel.rpartition(":")
    last = lines.get(head)
    if last is None or not (number.isascii() and number.isdigit()) or number[0] == "0" or int(number) > last:
        return None
    return ("name_collision", f"its name is that of line {number} of {head}, a JSON Lines file of the dump "
                              f"whose lines are named {head}:1, {head}:2, ...: the line was read, this file "
                              "was not read (rename it)")


def _utf8_lines(f: BinaryIO, tally: Tally) -> Iterator[bytes]:
    """The lines of ``f`` in UTF-8. JSON Lines are UTF-8, but a file saved as UTF-16 or UTF-32 (a
    Windows editor's "Unicode", PowerShell 5's ``>``) is told by its first bytes (a byte-order mark,
    or the pattern of zero bytes of RFC 4627 section 3) and decoded (an invalid sequence as U+FFFD):
    read as UTF-8, each of its lines was refused as not JSON. Counted (``inputs.jsonl_files_transcoded``)."""
    lines = iter(f)
    first = next(lines, None)
    if first is None:
        return
    encoding = _wide_encoding(first[:4])
    if encoding is None:
        yield first
        yield from lines
        return
    tally.repaired["transcoded_files"] += 1
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    pending = ""
    for chunk in itertools.chain([first], iter(lambda: f.read(1 << 16), b"")):
        *whole, pending = (pending + decoder.decode(chunk)).split("\n")
        for line in whole:
            yield (line + "\n").encode("utf-8", "surrogatepass")
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending.encode("utf-8", "surrogatepass")


def _wide_encoding(head: bytes) -> str | None:
    """UTF-16 or UTF-32 (with its byte order when there is no mark) from a file's first bytes; None
    for UTF-8 (or anything else)."""
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                          (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if head.startswith(bom):
            return encoding
    if len(head) < 4 or head[0] and head[1] and head[2] and head[3]:  # no zero byte among the first four
        return None
    zero = tuple(b == 0 for b in head)
    return {(True, True, True, False): "utf-32-be", (False, True, True, True): "utf-32-le",
            (True, False, True, False): "utf-16-be", (False, True, False, True): "utf-16-le"}.get(zero)


def _entry(rel: str, n: int, line: bytes, opts: InputOptions, tally: Tally) -> Entry:
    name = f"{rel}:{n}"
    try:
        obj = json.loads(line)
    except ValueError as e:
        return name, _bad(rel, n, f"not JSON ({e})")
    if (b"\\ud" in line or b"\\uD" in line) and _has_surrogate(obj):  # (a cheap test of the bytes first)
        obj = _repaired(obj)
        tally.repaired["unpaired_surrogates"] += 1
    if not isinstance(obj, dict):
        return name, _bad(rel, n, f"a JSON {type(obj).__name__}, not an object")
    text = obj.pop(opts.text_field, None)
    if not isinstance(text, str):
        why = "no" if text is None else f"a {type(text).__name__} as its"
        return name, _bad(rel, n, f"{why} text field {opts.text_field!r} (--text-field)")
    doc_id = obj.pop(opts.id_field, None)
    if isinstance(doc_id, (dict, list)) or (isinstance(doc_id, str) and not doc_id.strip()):
        return name, _bad(rel, n, f"its id field {opts.id_field!r} is not a plain value: {doc_id!r}")
    if doc_id is not None and not isinstance(doc_id, str):
        doc_id = json.dumps(doc_id)  # a number or true/false as its JSON text (Python's str made "True")
    clash = sorted(k for k in obj if (k in _PUBLISHED and k not in _SIDECAR_KNOWN) or k.startswith("_"))
    if clash:
        return name, _bad(rel, n, f"field(s) {', '.join(clash)} would overwrite published columns; rename them")
    if obj and tally.fields is not None:
        tally.fields(name, obj)
    return name, Payload(text.encode("utf-8"), None if doc_id is None else str(doc_id).strip())


def _has_surrogate(value) -> bool:
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, list):
        return any(map(_has_surrogate, value))
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    return False


def _repaired(value):
    """``value`` (what json.loads made) with every unpaired surrogate replaced by U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_repaired(v) for v in value]
    if isinstance(value, dict):
        return {_repaired(k): _repaired(v) for k, v in value.items()}
    return value


def _bad(rel: str, n: int, why: str) -> Payload:
    return Payload(None, refused=("bad_line", f"line {n} of {rel}: {why}"))
