"""Stage 2, read/decode: raw bytes to text, or a rejection with a reason.

UTF-8 (with or without BOM) and UTF-16/32 with a BOM are recognised exactly;
anything else is handed to charset-normalizer, a maintained detector, and
accepted only when it is confident and the text it gives looks like text.
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
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


#: the scripts whose short legacy texts can be told by their letters: (name, first and last code
#: point of its block, its Windows code page). The dump's own script (see :mod:`.legacy`) decides
#: which code page a short text that is not UTF-8 is tried in first.
SCRIPTS = (
    ("Arabic", 0x0600, 0x06FF, "cp1256"),
    ("Hebrew", 0x0590, 0x05FF, "cp1255"),
    ("Cyrillic", 0x0400, 0x04FF, "cp1251"),
    ("Greek", 0x0370, 0x03FF, "cp1253"),
    ("Latin", 0x0041, 0x024F, "cp1252"),
)
#: encodings tried first for a short text that is not UTF-8 when nothing else is known, each taken
#: only when the text it gives looks like its script (see :func:`_short_legacy`): windows-1256 for
#: the Arabic script (Arabic, Persian, Urdu: the dumps corpuspack is made for), windows-1252 for
#: Latin-script text
PREFERRED_LEGACY = ("cp1256", "cp1252")
#: a text with fewer bytes outside ASCII than this is "short" for detection (a detector guesses
#: 2-word windows-1256 texts as cp1255, cp932, big5... half the time, 4-word ones 13%, 6-word ones never)
SHORT_NON_ASCII = 64
#: share of a short text's letters that must be in the preferred encoding's script
MIN_SCRIPT_SHARE = 0.6


def decode(data: bytes, encoding: str | None = None, prefer: tuple[str, ...] = PREFERRED_LEGACY) -> Decoded:
    """Decode ``data``; raise :class:`Rejected` (empty, binary, undecodable). ``encoding``: the
    codec for any file that is not UTF-8 or UTF-16/32 (``--encoding``; default: detected).
    ``prefer``: the code pages (of :data:`SCRIPTS`) a short legacy text is tried in first."""
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
        wide = _utf16_32_without_bom(data)
        if wide is None:
            raise Rejected("binary", "contains NUL bytes, no UTF-16/32 byte-order mark, and not the pattern of "
                                     "UTF-16/32 text")
        return wide
    try:
        return _checked(data.decode("utf-8"), "utf-8", _utf8_may_hold_controls(data))
    except UnicodeDecodeError:
        pass
    if encoding is not None:
        try:
            return _checked(data.decode(encoding), encoding)
        except UnicodeDecodeError as e:
            raise Rejected("undecodable", f"not UTF-8, and not valid {encoding} (--encoding): {e.reason} at byte {e.start}") from None
    if is_short(data):
        return _short_legacy(data, prefer)
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


_HIGH = bytes(range(0x80, 0x100))


def is_short(data: bytes) -> bool:
    """Too few bytes outside ASCII for a detector (:data:`SHORT_NON_ASCII`): a legacy text this
    short is decoded by the preferred encodings, not detected."""
    return len(data) - len(data.translate(None, _HIGH)) < SHORT_NON_ASCII


def _utf16_32_without_bom(data: bytes) -> Decoded | None:
    """UTF-32 or UTF-16 text written without a byte-order mark (as some Windows tools do),
    recognised by where its NUL bytes fall: the high bytes of every code unit of UTF-32, and
    in UTF-16 those of ASCII characters (spaces, digits, punctuation), which all lie on one side
    of each 2-byte unit. None when the NULs follow no such pattern or the text does not decode."""
    candidates = []
    if len(data) < MIN_WIDE_BYTES:
        return None
    if len(data) % 4 == 0:
        if not data[3::4].strip(b"\x00") and not data[2::4].translate(None, b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"):
            candidates.append("utf-32-le")
        if not data[0::4].strip(b"\x00") and not data[1::4].translate(None, b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10"):
            candidates.append("utf-32-be")
    if len(data) % 2 == 0 and not candidates:
        even, odd = data[0::2].count(0), data[1::2].count(0)
        if odd and not even and _few_high_bytes(data[1::2]):
            candidates.append("utf-16-le")
        elif even and not odd and _few_high_bytes(data[0::2]):
            candidates.append("utf-16-be")
    for name in candidates:
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        if not _one_script(text):
            continue
        try:
            return _checked(text, name)
        except Rejected:
            continue
    return None


#: fewer bytes than this with NULs and no BOM are not taken for UTF-16/32 (too few code units to
#: tell; the fuzz test found ``"000\x00\x80"`` in UTF-8 read as UTF-16-LE, a CJK character)
MIN_WIDE_BYTES = 32


def _one_script(text: str) -> bool:
    """Nine letters in ten in at most two 256-code-point blocks (Latin counted as one, 0x0000-
    0x024F; Arabic 0x06xx...): text, perhaps with words of a second script, not bytes of something
    else read as 2- or 4-byte units."""
    blocks = Counter(0 if c <= "\u024f" else ord(c) >> 8 for c in text if c.isalpha())
    total = sum(blocks.values())
    return not total or sum(n for _, n in blocks.most_common(2)) >= 0.9 * total


def _few_high_bytes(high: bytes) -> bool:
    """The high bytes of UTF-16 text: NUL for its ASCII (at least 5%: spaces, digits), and
    otherwise the few values of its script's blocks (0x06 for Arabic, 0x20 for punctuation...):
    four values cover 90% of them. A binary file with a few NULs spreads over many values."""
    counts = Counter(high)
    return counts[0] >= 0.05 * len(high) and sum(n for _, n in counts.most_common(4)) >= 0.9 * len(high)


def _looks_script(text: str, first: int, last: int) -> bool:
    """Most letters (:data:`MIN_SCRIPT_SHARE`) in the block ``first``-``last``, and words that hold."""
    letters = [c for c in text if c.isalpha()]
    inside = sum(first <= ord(c) <= last for c in letters)
    return bool(letters) and inside >= MIN_SCRIPT_SHARE * len(letters) and _words_hold(text, first, last)


def _looks_latin(text: str) -> bool:
    """Latin-script text: every letter Latin, most of them plain ASCII (bytes of another script
    read as windows-1252 give words of accented letters only: ``ùìåí``)."""
    letters = [c for c in text if c.isalpha()]
    return (bool(letters) and all(c <= "\u024f" for c in letters)
            and sum(c.isascii() for c in letters) >= 0.5 * len(letters))


def _words_hold(text: str, first: int, last: int) -> bool:
    """No word mixes letters of the block ``first``-``last`` with others or starts with a combining
    mark: what bytes of another legacy encoding give (Hebrew windows-1255 read as windows-1256:
    ``ùىهي ٍهىي``)."""
    for word in text.split():
        if unicodedata.category(word[0]) == "Mn":
            return False
        inside = [first <= ord(c) <= last for c in word if c.isalpha()]
        if any(inside) and not all(inside):
            return False
    return True


def _looks(text: str, codec: str) -> bool:
    """The text a code page of :data:`SCRIPTS` gives looks like that page's script."""
    if codec == "cp1252":
        return _looks_latin(text)
    first, last = _BLOCK[codec]
    return _looks_script(text, first, last)


_BLOCK = {codec: (first, last) for _, first, last, codec in SCRIPTS}


def _short_legacy(data: bytes, prefer: tuple[str, ...] = PREFERRED_LEGACY) -> Decoded:
    """A short text that is not UTF-8: a detector cannot tell encodings apart on a few words, so
    the preferred encodings come first, each taken only when the text it gives looks like its
    script; else a detector's answer only when every encoding it finds plausible gives the same
    text; else a rejection naming the candidates (rather than publishing mojibake)."""
    for name in prefer:
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        if _looks(text, name):
            return _checked(text, name)
    matches = [m for m in from_bytes(data) if m.chaos <= MAX_CHAOS]
    texts = {str(m) for m in matches}
    if len(texts) == 1:
        return _checked(texts.pop(), matches[0].encoding)
    names = ", ".join(sorted({m.encoding for m in matches})[:6]) or "none"
    raise Rejected("undecodable", f"a short text that is not UTF-8, whose encoding cannot be told from its "
                                  f"{len(data)} bytes (plausible: {names}); --encoding decodes it")


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
