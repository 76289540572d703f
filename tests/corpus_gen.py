"""Deterministic generator of an Arabic news-like corpus with known duplicates.

``generate_corpus(n_docs, seed, *, dup_rate, near_dup_rate, other_lang_rate)``
returns a list of ``(file_name, text, truth)``; ``truth`` is a dict:

* ``kind``  -- ``original`` | ``exact_dup`` | ``near_dup`` | ``other_lang``
* ``group`` -- row index of the original article (itself for originals and
  other-language documents); exact and near duplicates point to an earlier row
* ``edit``  -- for duplicates: ``identical``/``whitespace``/``tatweel``/
  ``diacritics``/``presentation`` (exact) or ``swap``/``sentence``/
  ``boilerplate`` (near), else None
* ``site``  -- index of the site whose dateline and footer the document carries
* ``lang``  -- ``ar`` or ``en``

Articles are sentences of real Arabic words (the vocabulary of the seed files
in examples/seeds plus a built-in list, Zipf-weighted), wrapped in one of a few
sites' datelines and footers, so that many distinct articles share the same
dateline and footer lines. Near duplicates are made from an earlier original by
a few adjacent word swaps, one changed sentence, or added boilerplate lines.
"""
from __future__ import annotations

import itertools
import random
import re
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "examples" / "seeds"

_BUILTIN_AR = """
قال أعلن أكد أشار أوضح أضاف وزير رئيس الحكومة الدولة البلاد العاصمة المدينة مجلس النواب الشعب
الاقتصاد السوق النفط الغاز الأسعار البنك المركزي الدولار الليرة الجنيه الدينار الريال التضخم النمو
الصحة المستشفى الأطباء المرضى اللقاح الوباء التعليم المدارس الجامعة الطلاب المعلمين الامتحانات
الرياضة المنتخب المباراة الفريق الدوري البطولة الملعب اللاعب المدرب الهدف الفوز الخسارة
الطقس الأمطار الحرارة الرياح الثلوج الجفاف الزراعة المزارعين القمح المحاصيل المياه السدود
الشرطة الجيش الأمن القوات الحدود المعبر اللاجئين المساعدات الإنسانية المنظمة الدولية الأمم المتحدة
الانتخابات البرلمان الأحزاب المعارضة الدستور القانون المحكمة القاضي القرار الحكم الاتفاق المفاوضات
الطاقة الكهرباء الشبكة المحطة الشمسية الرياح المصنع العمال الأجور البطالة الاستثمار المشروع الميناء
الثقافة الكتاب المعرض المهرجان السينما المسرح الفنان الموسيقى التراث المتحف الآثار السياحة الفندق
يوم أمس اليوم غدا الأسبوع الشهر العام صباح مساء خلال بعد قبل منذ حتى بين على في من إلى عن مع
جديد كبير صغير مهم واسع سريع بطيء قوي ضعيف أول آخر ثاني ثالث عدة بعض كل جميع أكثر أقل
"""

_EN = """
the minister said on government country capital city council parliament people economy market oil gas prices
bank central dollar inflation growth health hospital doctors patients vaccine education schools university
students teachers sports team match league coach goal weather rain heat wind farmers wheat water police army
security forces border refugees aid international organisation united nations elections parties opposition
constitution law court judge decision agreement negotiations energy electricity plant workers wages investment
project port culture book festival cinema theatre artist music heritage museum tourism hotel yesterday today
tomorrow week month year morning evening during after before since between with from about new large small
important fast strong weak first last several some all more less report officials announced added noted
""".split()

_SITES = [
    {"dateline": "دمشق-سانا", "footer": ["مقالات ذات صلة", "زر الذهاب إلى الأعلى"]},
    {"dateline": "موسكو - سبوتنيك", "footer": ["اترك تعليقاً", "لن يتم نشر عنوان بريدك الإلكتروني."]},
    {"dateline": "القاهرة (رويترز) -", "footer": ["شارك هذا المقال", "فيسبوك تويتر واتساب تلغرام"]},
    {"dateline": "بيروت - وكالات", "footer": [
        "جميع الحقوق محفوظة لموقع الأخبار العربية ويمنع نسخ أو إعادة نشر المحتوى دون إذن مسبق من إدارة التحرير",
        "تابعونا على مواقع التواصل الاجتماعي للحصول على آخر الأخبار العاجلة"]},
    {"dateline": "الرياض - واس", "footer": ["اقرأ أيضا", "الأكثر قراءة", "العودة إلى الصفحة الرئيسية"]},
    {"dateline": "عمان - بترا", "footer": ["Discussion about this post"]},
    {"dateline": "تونس - وات", "footer": ["المصدر: وكالات", "اشترك في النشرة البريدية"]},
    {"dateline": "الرباط - ماب", "footer": []},
]
_MONTHS = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"]
_FURNITURE = [
    "اضغط هنا للاشتراك في قناتنا على يوتيوب",
    "تابعوا آخر الأخبار عبر تطبيقنا",
    "إعلان",
    "شاركها على فيسبوك",
    "حمل تطبيق الموقع الآن",
]
_HARAKAT = ["\u064e", "\u064f", "\u0650", "\u0651", "\u0652"]


def _vocabulary() -> list[str]:
    words: set[str] = set(_BUILTIN_AR.split())
    if SEEDS.is_dir():
        for f in sorted(SEEDS.glob("*.txt")):
            for w in f.read_text(encoding="utf-8").split():
                w = re.sub(r"[^\u0621-\u064a]", "", w)
                if len(w) >= 2:
                    words.add(w)
    return sorted(words)


class _Writer:
    def __init__(self, rng: random.Random, article_words: tuple[int, int] = (150, 450)):
        self.rng = rng
        self.article_words = article_words
        vocab = _vocabulary()
        rng.shuffle(vocab)
        self.vocab = vocab
        self.cum = list(itertools.accumulate(1.0 / (i + 1) ** 0.9 for i in range(len(vocab))))
        self.en_cum = list(itertools.accumulate(1.0 / (i + 1) ** 0.9 for i in range(len(_EN))))

    def sentence(self, lang: str = "ar") -> str:
        n = self.rng.randint(8, 18)
        if lang == "en":
            words = self.rng.choices(_EN, cum_weights=self.en_cum, k=n)
            return " ".join(words).capitalize() + "."
        return " ".join(self.rng.choices(self.vocab, cum_weights=self.cum, k=n)) + "."

    def article(self, site: dict, lang: str = "ar") -> tuple[str, list[list[str]]]:
        """(title, paragraphs as lists of sentences)"""
        rng = self.rng
        n_words = rng.randint(*self.article_words)
        paras, count = [], 0
        while count < n_words:
            p = [self.sentence(lang) for _ in range(rng.randint(2, 4))]
            count += sum(len(s.split()) for s in p)
            paras.append(p)
        title = self.sentence(lang).rstrip(".")
        return title, paras


def _render(title: str, paras: list[list[str]], site: dict, date: str, extra_top=(), extra_bottom=()) -> str:
    lines = list(extra_top) + [title, f"{site['dateline']} {date}"]
    lines += [" ".join(p) for p in paras]
    lines += list(extra_bottom) + list(site["footer"])
    return "\n".join(lines) + "\n"


def _exact_variant(text: str, kind: str, rng: random.Random) -> str:
    if kind == "identical":
        return text
    if kind == "whitespace":
        text = text.replace(" ", "  ", rng.randint(1, 5)).replace("\n", "\n\n")
        return " " + text + "   \n"
    words = text.split(" ")
    if kind == "tatweel":
        for _ in range(5):
            i = rng.randrange(len(words))
            w = words[i]
            if len(w) > 3 and "\n" not in w:
                words[i] = w[:2] + "\u0640" + w[2:]
        return " ".join(words)
    if kind == "diacritics":
        for _ in range(8):
            i = rng.randrange(len(words))
            w = words[i]
            if len(w) > 2 and "\u0621" <= w[1] <= "\u064a":
                words[i] = w[:2] + rng.choice(_HARAKAT) + w[2:]
        return " ".join(words)
    if kind == "presentation":  # lam-alef ligature, folded back by NFKC
        return text.replace("لا", "\ufefb")
    raise ValueError(kind)


def write_corpus(folder: Path, docs: list[tuple[str, str, dict]]) -> None:
    """Write generated documents (``generate_corpus``'s items) into ``folder``, one file each."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text, _ in docs:
        (folder / name).write_text(text, encoding="utf-8")


def generate_corpus(
    n_docs: int,
    seed: int = 0,
    *,
    dup_rate: float = 0.05,
    near_dup_rate: float = 0.1,
    other_lang_rate: float = 0.02,
    article_words: tuple[int, int] = (150, 450),
) -> list[tuple[str, str, dict]]:
    rng = random.Random(seed)
    writer = _Writer(rng, article_words)
    out: list[tuple[str, str, dict]] = []
    originals: list[int] = []  # rows of Arabic originals
    store: dict[int, tuple] = {}  # row -> (title, paras, site_index, date)
    seen: set[str] = set()  # near-duplicate texts made so far
    for i in range(n_docs):
        r = rng.random()
        if originals and r < dup_rate:
            kind = "exact_dup"
        elif originals and r < dup_rate + near_dup_rate:
            kind = "near_dup"
        elif r < dup_rate + near_dup_rate + other_lang_rate:
            kind = "other_lang"
        else:
            kind = "original"
        name = f"{i:06d}_{rng.getrandbits(64):016x}.txt"
        if kind in ("original", "other_lang"):
            s = rng.randrange(len(_SITES))
            lang = "en" if kind == "other_lang" else "ar"
            title, paras = writer.article(_SITES[s], lang)
            date = f"{rng.randint(1, 28)} {rng.choice(_MONTHS)} {rng.randint(2015, 2024)}"
            if lang == "en":
                text = "\n".join([title, *(" ".join(p) for p in paras)]) + "\n"
            else:
                text = _render(title, paras, _SITES[s], date)
                originals.append(i)
                store[i] = (title, paras, s, date)
            out.append((name, text, {"kind": kind, "group": i, "edit": None, "site": s, "lang": lang}))
            continue
        src = rng.choice(originals)
        title, paras, s, date = store[src]
        if kind == "exact_dup":
            edit = rng.choice(["identical", "whitespace", "tatweel", "diacritics", "presentation"])
            text = _exact_variant(out[src][1], edit, rng)
        else:
            edit = rng.choice(["swap", "sentence", "boilerplate"])
            for _ in range(20):  # two near dups of one story must not be identical
                text = _near_variant(writer, title, paras, s, date, edit)
                if text not in seen:
                    break
            seen.add(text)
        out.append((name, text, {"kind": kind, "group": src, "edit": edit, "site": s, "lang": "ar"}))
    return out


def _near_variant(writer: _Writer, title, paras, s: int, date: str, edit: str) -> str:
    rng = writer.rng
    paras = [list(p) for p in paras]
    top: list[str] = []
    bottom: list[str] = []
    if edit == "swap":  # a few adjacent word swaps inside sentences
        slots = [(p, j) for p in range(len(paras)) for j in range(len(paras[p]))]
        for p, j in rng.sample(slots, min(len(slots), rng.randint(2, 3))):  # distinct sentences
            w = paras[p][j].split(" ")
            ks = [k for k in range(len(w) - 1) if w[k] != w[k + 1].rstrip(".")]
            k = rng.choice(ks)  # a real change, never a no-op swap
            w[k], w[k + 1] = w[k + 1], w[k]
            paras[p][j] = " ".join(w)
    elif edit == "sentence":  # one sentence rewritten
        p = rng.randrange(len(paras))
        j = rng.randrange(len(paras[p]))
        paras[p][j] = writer.sentence()
    else:  # page furniture of another site added around the story
        top = rng.sample(_FURNITURE, rng.randint(1, 2))
        bottom = rng.sample(_FURNITURE, 1)
    return _render(title, paras, _SITES[s], date, top, bottom)


if __name__ == "__main__":  # pragma: no cover
    import sys

    for name, text, truth in generate_corpus(int(sys.argv[1]) if len(sys.argv) > 1 else 5, 1):
        print("=" * 20, name, truth)
        print(text)
