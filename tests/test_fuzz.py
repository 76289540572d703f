"""Property-based tests of the per-document function (hypothesis): arbitrary bytes and arbitrary
Unicode never make it raise anything but a rejection, it gives the same record every time (also
in another process with another hash seed), and a text it keeps keeps its letters.

A longer campaign: ``CORPUSPACK_FUZZ_EXAMPLES=20000 python -m pytest tests/test_fuzz.py``."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from collections import Counter
from importlib.resources import files

from hypothesis import HealthCheck, assume, given, settings, strategies as st

from conftest import REPO
from corpuspack.builder.document.decode import Rejected
from corpuspack.builder.document.process import process_document
from corpuspack.builder.options import DocOptions

EXAMPLES = int(os.environ.get("CORPUSPACK_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
OPTS = DocOptions()

ARABIC = [chr(c) for c in range(0x0621, 0x064B)] + list("٠١٢٣٤٥٦٧٨٩،؛؟")
texts = st.one_of(
    st.text(),  # any code point but surrogates
    st.text(alphabet=st.sampled_from(ARABIC + list(" \n.\u200c\u200f\u0640\u064b\t"))),
    st.lists(st.text(alphabet=st.sampled_from(ARABIC + [" "]), min_size=1, max_size=40), max_size=20).map("\n".join),
)


def run(data: bytes):
    try:
        return process_document("fuzz.txt", data, OPTS)
    except Rejected as e:
        return e


def comparable(result):
    if isinstance(result, Rejected):
        return ("rejected", result.reason, result.detail)
    return {k: v.tolist() if hasattr(v, "tolist") else v for k, v in result.items()}


@FUZZ
@given(st.binary(max_size=4000))
def test_any_bytes_give_a_record_or_a_rejection_and_the_same_one_twice(data):
    assert comparable(run(data)) == comparable(run(data))


@FUZZ
@given(texts, st.sampled_from(["utf-8", "utf-16", "utf-16-le", "utf-32-be", "cp1256"]))
def test_any_text_gives_a_record_or_a_rejection_and_the_same_one_twice(text, encoding):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        assume(False)
    assert comparable(run(data)) == comparable(run(data))


_BOILERPLATE = {line.strip() for line in files("corpuspack.data").joinpath("boilerplate.txt").read_text("utf-8").splitlines()}


def letters(text: str) -> Counter:
    """Letters (Unicode categories L*) after NFC, but the Arabic tatweel (U+0640, a stretch of
    the line between letters, category Lm): a line of nothing but tatweel is blank to the cleaner
    (found by this test: ``"ـ"`` alone is removed, as the blank line it is)."""
    return Counter(c for c in unicodedata.normalize("NFC", text)
                   if unicodedata.category(c).startswith("L") and c != "\u0640")


@FUZZ
@given(texts)
def test_a_kept_text_keeps_every_letter(text):
    """UTF-8 text with no line repeated and no listed boilerplate line: the record's text holds
    exactly the letters of the input (after NFC); a rejection is for a text without letters, or
    one that is mostly control characters."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assume(len(set(lines)) == len(lines) and not _BOILERPLATE.intersection(lines))
    result = run(text.encode("utf-8"))
    if isinstance(result, Rejected):
        controls = sum(unicodedata.category(c) == "Cc" and c not in "\t\n\r\x0b\x0c" for c in text)
        assert not letters(text) or result.reason == "binary" and controls, (result.reason, result.detail)
        return
    assert letters(result["text"]) == letters(text)


def test_the_same_records_in_another_process_with_another_hash_seed():
    """Same bytes, same record, whatever the interpreter's string-hash seed (set and dict order)."""
    script = (
        "import json, random, sys\n"
        "from corpuspack.builder.document.process import process_document\n"
        "from corpuspack.builder.document.decode import Rejected\n"
        "from corpuspack.builder.options import DocOptions\n"
        "rng = random.Random(14); out = []\n"
        "alphabet = [chr(c) for c in range(0x0621, 0x064B)] + list(' \\n.abc٣')\n"
        "for i in range(40):\n"
        "    text = ''.join(rng.choice(alphabet) for _ in range(rng.randrange(1, 400)))\n"
        "    try:\n"
        "        r = process_document(f'{i}.txt', text.encode(), DocOptions()); out.append(r['_doc_digest'])\n"
        "    except Rejected as e:\n"
        "        out.append(e.reason)\n"
        "print(json.dumps(out))\n")
    results = []
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
        results.append(json.loads(done.stdout))
    assert results[0] == results[1]
    digests = [r for r in results[0] if len(r) >= 16 and not r.strip("0123456789abcdef")]
    assert len(digests) > 20  # most are records (their digests), not rejections
