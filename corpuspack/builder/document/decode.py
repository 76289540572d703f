"""Stage 2, read/decode: raw bytes to text, or a rejection with a reason.

UTF-8 (with or without BOM) and UTF-16/32 with a BOM are recognised exactly;
anything else is handed to charset-normalizer, a maintained detector, and
accepted only when it is confident and the text it gives looks like text.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

# Magic numbers of common binary formats found in scraped dumps.
_BINARY_MAGIC = (
    b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK\x03\x04", b"\x1f\x8b",
    b"BZh", b"\xfd7zXZ", b"7z\xbc\xaf", b"Rar!", b"\x7fELF", b"MZ", b"SQLite format",
    b"\x00\x00\x01\x00", b"RIFF", b"OggS", b"ID3", b"fLaC", b"\x28\xb5\x2f\xfd",
)
_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
# Share of characters that may be C0/C1 controls (other than tab and line breaks) before
# decoded text is judged binary. Stray controls are a scraping artefact (paragraphs indented
# with SUB, \x1a; a form feed between pages) that cleaning removes and counts: an article
# indented that way holds 1-5% of them. Text whose every other character is a control is
# not text, whatever letters are left.
MAX_CONTROL_SHARE = 0.25
# charset-normalizer's "chaos" (mess) ratio above which a guess is refused.
MAX_CHAOS = 0.2
# Invalid UTF-8 sequences tolerated per KiB (replaced by U+FFFD, encoding
# recorded as `utf-8+replace`) before a file is judged undecodable.
MAX_REPLACED_PER_KB = 1


class Rejected(Exception):
    """A file that cannot become a row; ``reason`` is a short stable code."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    controls: int = 0  # C0/C1 control characters (see _CONTROL) in ``text``: cleaning removes them


#: the control characters cleaning removes and counts: C0 and C1 but tab, line feed and carriage
#: return (a line break; ``normalize`` turns it into one)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def count_controls(text: str) -> int:
    """Number of control characters (``_CONTROL``) in ``text``."""
    return len(_CONTROL.findall(text))


# every byte but those that can start a control character in UTF-8 (C0 and DEL are single
# bytes; C1, U+0080-U+009F, is 0xC2 0x80-0x9F)
_NOT_CONTROL_LEAD = bytes(b for b in range(256) if not (b <= 0x08 or 0x0E <= b <= 0x1F or b in (0x7F, 0xC2)))


def _utf8_may_hold_controls(data: bytes) -> bool:
    """False when UTF-8 ``data`` surely holds no control character (one C-level pass over the
    bytes, ~5 us for 6 kB, where counting with the regex over the text costs ~25 us)."""
    return bool(data.translate(None, _NOT_CONTROL_LEAD))


def decode(data: bytes) -> Decoded:
    """Decode ``data``; raise :class:`Rejected` (empty, binary, undecodable)."""
    if not data or data.isspace():
        raise Rejected("empty", "the file has no content" if not data else "the file holds only white space")
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(name)
            except UnicodeDecodeError as e:
                raise Rejected("undecodable", f"starts with a {name} byte-order mark but is not valid {name}: {e.reason} at byte {e.start}") from None
            return _checked(text, name)
    if data.startswith(_BINARY_MAGIC):
        raise Rejected("binary", f"starts with the signature of a binary format ({data[:8]!r})")
    if b"\x00" in data:
        raise Rejected("binary", "contains NUL bytes and no UTF-16/32 byte-order mark")
    try:
        return _checked(data.decode("utf-8"), "utf-8", _utf8_may_hold_controls(data))
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is not None and best.chaos <= MAX_CHAOS:
        return _checked(str(best), best.encoding)
    # UTF-8 with a few corrupt bytes (a truncated download, a bad copy): keep the
    # document, mark the loss in the encoding name rather than reject it whole.
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if bad and bad <= MAX_REPLACED_PER_KB * max(1, len(data) // 1024):
        return _checked(text, "utf-8+replace")
    raise Rejected("undecodable", "not UTF-8, and no encoding could be detected with confidence")


def _checked(text: str, encoding: str, may_hold_controls: bool = True) -> Decoded:
    """``text`` as decoded, unless it is not text: binary when it holds a NUL, when more than
    ``MAX_CONTROL_SHARE`` of it is control characters, or when nothing but controls, white
    space, digits and punctuation is left without them (no letter)."""
    if not text or text.isspace():
        raise Rejected("empty", "the file holds only white space")
    controls = count_controls(text) if may_hold_controls else 0
    if controls:
        if "\x00" in text:
            raise Rejected("binary", f"decoded as {encoding} but holds NUL characters")
        if controls > MAX_CONTROL_SHARE * len(text):
            raise Rejected("binary", f"decoded as {encoding} but more than {MAX_CONTROL_SHARE:.0%} of it is control characters")
        left = _CONTROL.sub("", text)
        if not left or left.isspace():
            raise Rejected("empty", "the file holds only control characters and white space")
        if not any(c.isalpha() for c in left):
            raise Rejected("binary", f"decoded as {encoding}, but without its {controls} control characters no letter is left")
    return Decoded(text, encoding, controls)
