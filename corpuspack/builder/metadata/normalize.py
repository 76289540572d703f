"""Character-level normalisation shared by the metadata rules (one job: make spellings comparable).

Two levels, both built once at import:

* :func:`fold` (dates, titles, positional rules): ASCII digits (Arabic-Indic and
  Persian), alef variants -> ا, ta marbuta -> ه, alef maqsura / Persian ye -> ي,
  Persian kaf -> ك, no tatweel, no diacritics, no ZWNJ/ZWJ, Latin lower-cased.
  Punctuation is kept, so a date's separators survive.
* :func:`tokens` (gazetteer look-ups): :func:`fold`, then every punctuation
  mark becomes a space, except brackets which become their own tokens "(" ")".
"""
from __future__ import annotations

import functools
import re

_DIGITS = {**{0x0660 + i: str(i) for i in range(10)}, **{0x06F0 + i: str(i) for i in range(10)}}
_LETTERS = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ة": "ه", "ۀ": "ه", "ە": "ه", "ھ": "ه",
    "ى": "ي", "ی": "ي", "ې": "ي", "ۍ": "ي", "ێ": "ي",
    "ک": "ك", "ڪ": "ك",
    "ؤ": "و",
    "۔": ".", "٫": ".", "٬": ",", "،": "،",
}
_DROP = [0x0640, 0x200C, 0x200D, 0x200E, 0x200F, 0x061C, 0xFEFF, 0x00AD]
_DROP += list(range(0x064B, 0x0660)) + [0x0670] + list(range(0x06D6, 0x06EE)) + list(range(0x0610, 0x061B))

FOLD_TABLE: dict[int, object] = {**_DIGITS, **{ord(k): v for k, v in _LETTERS.items()}, **{c: None for c in _DROP}}

_FOLD_PAIRS = [(chr(c), "") for c in _DROP]  # marks go first, then the letters and digits
_FOLD_PAIRS += [(chr(k), v) for k, v in FOLD_TABLE.items() if v is not None and chr(k) != v]
_TOKEN_PAIRS = _FOLD_PAIRS + [("[", "("), ("]", ")"), ("{", "("), ("}", ")"), ("﴾", "("), ("﴿", ")"),
                              ("(", " ( "), (")", " ) ")]
_PUNCT = re.compile(r"[^\w()\s]|_")
# Punctuation common in the texts, blanked by plain replaces before the split; anything rarer
# that _PUNCT blanks too is left to the regex fallback in text_tokens.
_SEPARATORS = [(c, " ") for c in ".,،:;؛!?؟«»\"'“”‘’/\\|-–—_*+=&%#@…<>•·\u202a\u202b\u202c"
               if _PUNCT.fullmatch(c)]


def _replace_all(s: str, pairs: list[tuple[str, str]]) -> str:
    for a, b in pairs:  # C-level scans and replaces: several times faster than re.sub or str.translate
        if a in s:
            s = s.replace(a, b)
    return s


@functools.lru_cache(maxsize=1024)
def fold(s: str) -> str:
    """Normalised spelling for comparisons; keeps punctuation; lower-cases Latin."""
    return _replace_all(s, _FOLD_PAIRS).lower()


def fold_spaces(s: str) -> str:
    """Collapse every whitespace run to one space and strip the ends."""
    return " ".join(s.split())


def tokens(s: str) -> list[str]:
    """Word tokens of ``s`` for gazetteer matching; brackets are kept as tokens."""
    return text_tokens(s)


def text_tokens(s: str) -> list[str]:
    """Word tokens: :func:`fold`, punctuation to spaces, brackets as their own tokens."""
    s = _replace_all(_replace_all(s, _TOKEN_PAIRS).lower(), _SEPARATORS)
    toks = s.split()
    if "".join(toks).replace("(", "").replace(")", "").isalnum():
        return toks  # only letters, digits and lone brackets left: exactly what _PUNCT.sub gives
    return _PUNCT.sub(" ", s).split()
