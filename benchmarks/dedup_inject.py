"""Copies of real articles as a republisher makes them, injected into a real dump (fixed seed).

What a copy of a wire story looks like on another site (how republished wire copy differs from
the agency's text, as copy desks edit it): the same body with the republisher's page header and
footer lines around it; a credit or dateline line added (``(رويترز) -``, ``المصدر: وكالات``); a
few words changed to the house style (a day name for ``أمس``, a verb of saying for another, a
word inserted); one sentence rewritten or replaced; the last paragraph cut (stories are cut from
the bottom) or a middle one dropped; "read also" links and share prompts added. Each kind below
is one of these edits, applied to a distinct original:

* ``exact``: the same bytes under another name.
* ``words``: 2-4 words replaced by or inserted from another article (house-style edits).
* ``sentence``: one sentence of a 1,500-3,000-character article replaced by a sentence of
  another article (one sentence in ten to twenty).
* ``paragraph``: the last paragraph cut, or a middle one dropped (articles of >= 4 paragraphs).
* ``furniture``: a credit line, a "read also" line and a share prompt added around the body,
  lines of this copy only.
* ``republished``: the body between the header and footer lines of one of four republishing
  sites; each site's lines recur on all its pages, so the corpus-level pass removes them and
  the copy becomes the original's text.

and one kind of pair that must not be merged:

* ``furniture_only``: two distinct short articles (< 700 characters) given the same page
  furniture (a newsletter paragraph longer than 200 characters, which repeated-line removal
  never touches, and three short lines), shared by that pair only.
"""
from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from pathlib import Path

SENTENCE_END = re.compile(r"(?<=[.!؟?])\s+")

CREDITS = ["(رويترز) -", "المصدر: وكالات", "(أ ف ب) -", "وكالات - ", "(د ب أ) -", "المصدر: رويترز"]
READ_ALSO = ["اقرأ أيضا:", "اقرأ أيضاً:", "مواضيع ذات صلة:", "ذات صلة:"]
SHARE = ["شارك هذا الخبر", "تابعونا على تويتر", "لمتابعة آخر الأخبار تابعونا على فيسبوك", "انشر على واتساب"]
SITES = [  # (header lines, footer lines) of four republishing sites
    (["الرئيسية | أخبار | عربي ودولي", "موقع الخليج الإخباري - آخر تحديث"],
     ["جميع الحقوق محفوظة لموقع الخليج الإخباري 2018", "اشترك في النشرة البريدية"]),
    (["بوابة النيل الإخبارية", "أخبار عاجلة"], ["حقوق النشر محفوظة لبوابة النيل", "تواصل معنا | من نحن | سياسة الخصوصية"]),
    (["شبكة الرافدين", "الصفحة الرئيسية > أخبار"], ["© شبكة الرافدين للأنباء", "للإعلان على الموقع اتصل بنا"]),
    (["صحيفة المغرب اليوم الإلكترونية"], ["جميع المقالات تعبر عن رأي كتابها", "صحيفة المغرب اليوم - كل الحقوق محفوظة"]),
]
NEWSLETTER = ("اشترك في نشرتنا البريدية اليومية لتصلك أهم الأخبار والتحليلات والتقارير الخاصة من مراسلينا "
              "في العواصم العربية والعالمية مباشرة إلى بريدك الإلكتروني كل صباح، ويمكنك إلغاء الاشتراك في أي "
              "وقت من خلال الرابط الموجود في أسفل كل رسالة نرسلها إليك")


@dataclass(frozen=True)
class Injected:
    name: str  # file name in the dump
    kind: str
    original: str  # file name of the article it copies (for furniture_only: its pair)


KINDS = ("exact", "words", "sentence", "paragraph", "furniture", "republished", "furniture_only")


def _name(kind: str, i: int) -> str:
    return f"9{KINDS.index(kind)}{i:03d}_" + hashlib.sha256(f"{kind}-{i}".encode()).hexdigest()[:16] + ".txt"


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n") if p.strip()]


def _words_edit(text: str, donor: str, rng: random.Random) -> str:
    words, pool = text.split(" "), [w for w in donor.split() if len(w) > 2]
    for _ in range(rng.randint(2, 4)):
        i = rng.randrange(1, len(words) - 1)
        if rng.random() < 0.5:
            words[i] = rng.choice(pool)
        else:
            words.insert(i, rng.choice(pool))
    return " ".join(words)


def _sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(text) if len(s) > 40]


def _sentence_edit(text: str, donor: str, rng: random.Random) -> str | None:
    own, other = _sentences(text), _sentences(donor)
    if len(own) < 3 or not other:
        return None
    target = rng.choice(own[1:])  # not the lead sentence
    return text.replace(target, rng.choice(other), 1)


def _paragraph_edit(text: str, rng: random.Random) -> str | None:
    paras = _paragraphs(text)
    if len(paras) < 4:
        return None
    drop = len(paras) - 1 if rng.random() < 0.6 else rng.randrange(1, len(paras) - 1)
    return "\n".join(p for i, p in enumerate(paras) if i != drop)


def _furniture_edit(text: str, donor_title: str, rng: random.Random) -> str:
    return "\n".join([rng.choice(CREDITS), text, f"{rng.choice(READ_ALSO)} {donor_title}", rng.choice(SHARE)])


def inject(originals: dict[str, str], titles: dict[str, str], seed: int = 13,
           counts: dict[str, int] | None = None) -> tuple[dict[str, str], list[Injected]]:
    """The files to add to the dump or to put in place of an original (name -> text), and what
    each is. ``originals``: name -> text
    of the real articles; ``titles``: name -> title (from the truth file) for "read also" lines."""
    counts = {"exact": 100, "words": 50, "sentence": 50, "paragraph": 50, "furniture": 50,
              "republished": 80, "furniture_only": 40, **(counts or {})}
    rng = random.Random(seed)
    names = sorted(originals)
    order = names[:]
    rng.shuffle(order)
    used: set[str] = set()
    files: dict[str, str] = {}
    made: list[Injected] = []

    def take(fit) -> str:
        for n in order:
            if n not in used and fit(originals[n]):
                used.add(n)
                return n
        raise ValueError("not enough originals for the injection")

    def donor() -> str:
        return originals[rng.choice(names)]

    for kind in ("exact", "words", "sentence", "paragraph", "furniture", "republished"):
        for i in range(counts[kind]):
            while True:
                fit = {"sentence": lambda t: 1500 <= len(t) <= 3000 and len(_sentences(t)) >= 5,
                       "paragraph": lambda t: len(_paragraphs(t)) >= 4}.get(kind, lambda t: len(t) >= 300)
                src = take(fit)
                text = originals[src]
                if kind == "exact":
                    copy = text
                elif kind == "words":
                    copy = _words_edit(text, donor(), rng)
                elif kind == "sentence":
                    copy = _sentence_edit(text, donor(), rng)
                elif kind == "paragraph":
                    copy = _paragraph_edit(text, rng)
                elif kind == "furniture":
                    copy = _furniture_edit(text, titles.get(rng.choice(names), "خبر"), rng)
                else:
                    head, foot = SITES[i % len(SITES)]
                    copy = "\n".join([*head, text, *foot])
                if copy is not None and copy != text or kind == "exact":
                    break
            name = _name(kind, i)
            files[name] = copy
            made.append(Injected(name, kind, src))
    for i in range(counts["furniture_only"]):
        a, b = (take(lambda t: 150 <= len(t) < 700) for _ in range(2))
        lines = [f"{NEWSLETTER} - رقم {i}", f"{rng.choice(READ_ALSO)} {titles.get(rng.choice(names), 'خبر')}",
                 rng.choice(SHARE), rng.choice(CREDITS)]
        for n in (a, b):  # in place of the original: neither is a copy of an article of the dump
            files[n] = "\n".join([originals[n], *lines])
        made.append(Injected(b, "furniture_only", a))
    return files, made


def load_dump(folder: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(name -> text, name -> title) of a real dump and its ``.truth.jsonl`` beside it."""
    import json

    originals = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))}
    truth = folder.parent / f"{folder.name}.truth.jsonl"
    titles = {}
    if truth.exists():
        for line in truth.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            titles[r["filename"]] = r.get("title") or ""
    return originals, titles
