"""Per-document language identification: fast, deterministic, langdetect-level accuracy.

``detect_language(text) -> (code, score, method)``

* ``code``: ISO 639-1 code (``"ar"``, ``"fa"``, ``"en"`` ...) or ``"und"`` when undetermined.
* ``score``: confidence in 0..1 (0.0 for ``"und"``).
* ``method``: which detector decided: ``"cld2"``, ``"langdetect"`` or ``"none"`` (undetermined
  before any detector ran).

How it works (see docs/language_id.md for the measurements behind each rule):

1. The first ``MAX_CHARS`` characters are taken; URLs and e-mail addresses are removed (and,
   only if CLD2 rejects the text, control characters and lone surrogates). Fewer than
   ``MIN_LETTERS`` letters -> ``und``.
2. CLD2 (pycld2, ~0.1-0.2 ms, model compiled into the extension) runs first. Its answer is kept
   when CLD2 calls it reliable, the top language covers at least ``CLD2_MIN_PERCENT`` % of the
   text, and it is a language that langdetect (the reference) also knows.
3. Otherwise (unsure, unknown, or a language outside langdetect's 55, which for Arabic-script text
   is how CLD2 goes wrong: Pashto/Sindhi/Uzbek for short Persian), langdetect decides (run by
   langdetect-rs where installed: the same probabilities, bit for bit, faster): seeded
   (seed 0), on a private ``DetectorFactory`` built once per process (thread-safe, so the global
   factory of ``langdetect.detect`` is never touched), on the first 1,000 characters.
4. Texts with fewer than ``SHORT_LETTERS`` letters keep their answer, but the score is scaled down
   by ``letters / SHORT_LETTERS`` so that callers can tell a guess on a few words from a
   confident answer.

Pure and deterministic: the same text always gives the same triple, in any process or thread
(each process builds its own langdetect factory on first use; forked workers inherit a built one).
"""

from __future__ import annotations

import os
import re
import threading

__all__ = ["detect_language", "UND", "MIN_LETTERS", "SHORT_LETTERS"]

UND = "und"
MAX_CHARS = 500  # CLD2 looks at this much (trade-off measured in docs/language_id.md)
LANGDETECT_CHARS = 1000  # langdetect fallback looks at this much
MIN_LETTERS = 4  # fewer letters than this: 'und'
SHORT_LETTERS = 30  # fewer letters than this: score scaled down by letters / SHORT_LETTERS
CLD2_MIN_PERCENT = 70  # CLD2's top language must cover this share of the text to be trusted
LANGDETECT_SEED = 0

# langdetect's languages, as ISO 639-1 (zh-cn / zh-tw -> zh)
_LANGDETECT_LANGS = frozenset(
    "af ar bg bn ca cs cy da de el en es et fa fi fr gu he hi hr hu id it ja kn ko lt lv mk ml mr "
    "ne nl no pa pl pt ro ru sk sl so sq sv sw ta te th tl tr uk ur vi zh".split()
)
# CLD2 still emits some withdrawn ISO 639-1 codes
_CLD2_FIX = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro", "nb": "no"}

_URL_RE = re.compile(r"(?:https?://|www\.)\S+")
_MAIL_RE = re.compile(r"[-_.0-9A-Za-z]{1,64}@[-_.0-9A-Za-z]{1,255}")
# C0/C1 controls (except tab/newline/CR), lone surrogates, noncharacters: CLD2 raises on some
_BAD_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")

_lock = threading.Lock()
_factories = {}  # fast (langdetect-rs) or not -> private DetectorFactory, built once per process


def _iso(code: str) -> str:
    """Map a detector's code to ISO 639-1, or 'und'."""
    code = code.lower().split("-")[0]
    code = _CLD2_FIX.get(code, code)
    if len(code) == 2 and code.isalpha() and code != "un" and code != "xx":
        return code
    return UND


def _langdetect_package(fast: bool = True):
    """langdetect's algorithm: the langdetect-rs package (the same probabilities, bit for bit,
    ~25x faster per call and ~3x faster to load; see docs/language_id.md), or langdetect itself
    when langdetect-rs is not installed (``pip install langdetect-rs``) or ``fast`` is False."""
    if fast:
        try:
            import langdetect_rs
        except ImportError:  # pragma: no cover - a platform without its wheel
            pass
        else:
            return langdetect_rs
    import langdetect

    return langdetect


def _langdetect_factory(fast: bool = True):
    factory = _factories.get(fast)
    if factory is None:
        with _lock:
            factory = _factories.get(fast)
            if factory is None:
                from langdetect.detector_factory import PROFILES_DIRECTORY

                package = _langdetect_package(fast)
                # the profiles ship inside langdetect's package; load them in sorted order
                # (load_profile uses os.listdir order, which may differ between file systems)
                profiles = []
                for name in sorted(os.listdir(PROFILES_DIRECTORY)):
                    with open(os.path.join(PROFILES_DIRECTORY, name), encoding="utf-8") as fh:
                        profiles.append(fh.read())
                factory = package.DetectorFactory()
                factory.load_json_profile(profiles)
                factory.errors = package.LangDetectException
                factory.set_seed(LANGDETECT_SEED)
                _factories[fast] = factory
    return factory


def _langdetect(text: str, fast: bool = True) -> tuple[str, float]:
    factory = _langdetect_factory(fast)
    detector = factory.create()  # a new Detector (own seeded Random) per call
    detector.append(text[:LANGDETECT_CHARS])
    try:
        best = detector.get_probabilities()
    except factory.errors:  # "no features in text"
        return UND, 0.0
    if not best:
        return UND, 0.0
    return _iso(best[0].lang), float(best[0].prob)


def _cld2(text: str):
    """(code, percent, reliable) from CLD2, or None if CLD2 refused the input even cleaned."""
    import pycld2

    try:
        reliable, _nbytes, details = pycld2.detect(text, isPlainText=True)
    except (pycld2.error, UnicodeError, ValueError):
        try:  # rare: controls / lone surrogates; clean only then (cleaning costs more than CLD2)
            reliable, _nbytes, details = pycld2.detect(_BAD_RE.sub(" ", text), isPlainText=True)
        except (pycld2.error, UnicodeError, ValueError):
            return None
    _name, code, percent, _score = details[0]
    return _iso(code), int(percent), bool(reliable)


def _count_letters(text: str, stop: int) -> int:
    """Number of letters in text, counting no further than ``stop``."""
    n = 0
    for ch in text:
        if ch.isalpha():
            n += 1
            if n >= stop:
                break
    return n


def _strip_addresses(text: str) -> str:
    if "://" in text or "www." in text:
        text = _URL_RE.sub(" ", text)
    if "@" in text:
        text = _MAIL_RE.sub(" ", text)
    return text


def detect_language(text: str) -> tuple[str, float, str]:
    """Language of ``text``: (ISO 639-1 code or 'und', score in 0..1, method).

    Deterministic and side-effect free (apart from a once-per-process, lock-guarded load of
    langdetect's shipped profiles the first time the fallback is needed).
    """
    if not text:
        return UND, 0.0, "none"
    sample = _strip_addresses(text[:MAX_CHARS])
    letters = _count_letters(sample, SHORT_LETTERS)
    if letters < MIN_LETTERS:
        return UND, 0.0, "none"

    code, score, method = UND, 0.0, "cld2"
    got = _cld2(sample)
    if got is not None:
        c_code, percent, reliable = got
        if reliable and percent >= CLD2_MIN_PERCENT and c_code in _LANGDETECT_LANGS:
            code, score = c_code, percent / 100.0
    if code == UND:  # the reference detector sees its usual window, not just CLD2's
        code, score = _langdetect(sample if len(text) <= MAX_CHARS else _strip_addresses(text[:LANGDETECT_CHARS]))
        method = "langdetect"
        if code == UND:
            score = 0.0

    if letters < SHORT_LETTERS:
        score *= letters / SHORT_LETTERS
    return code, round(min(max(score, 0.0), 1.0), 4), method
