"""Short legacy texts are read in the code page of the script the rest of the dump uses
(document/legacy.py): a Cyrillic dump prefers windows-1251, a Hebrew one windows-1255, a Greek one
windows-1253, an Arabic one windows-1256. Real builds of small dumps: UTF-8 articles in the script
(news prose written for these tests) beside headline-sized texts saved in the script's Windows code
page, as old newsroom systems and Windows editors saved them; the rows are read back with
`datasets.load_dataset` and compared with the texts written by hand."""
from __future__ import annotations

import json

import pytest
from datasets import load_dataset

import corpuspack
from corpuspack.builder.document import legacy
from corpuspack.builder.document.decode import Rejected, decode
from corpuspack.builder.options import BuildOptions

ARTICLES = {
    "Cyrillic": [
        "Правительство России утвердило новый порядок выплаты пособий семьям с детьми. Как сообщила "
        "пресс-служба кабинета министров, изменения вступят в силу с первого января следующего года.",
        "В Москве в выходные ожидается похолодание до минус пятнадцати градусов. Синоптики советуют "
        "жителям столицы одеваться теплее и по возможности пользоваться общественным транспортом.",
        "Центральный банк сохранил ключевую ставку на прежнем уровне. Решение совета директоров "
        "объясняется замедлением инфляции в последние месяцы, говорится в заявлении регулятора.",
    ],
    "Hebrew": [
        "ראש הממשלה נפגש היום עם שר האוצר כדי לדון בתקציב המדינה לשנה הבאה. לפי הודעת לשכתו, "
        "השניים סיכמו על הגדלת התקציב למערכת החינוך ולמערכת הבריאות.",
        "מזג האוויר בסוף השבוע יהיה נאה, והטמפרטורות יעלו מעט. בשעות הלילה צפוי קר בהרים, "
        "ובמישור החוף תנשב רוח קלה. לא צפויים גשמים עד אמצע השבוע הבא.",
        "הכנסת אישרה בקריאה ראשונה את הצעת החוק להגנה על הצרכן. לפי ההצעה, חברות התקשורת "
        "יחויבו להודיע ללקוחות על כל שינוי במחיר שלושים יום מראש.",
    ],
    "Greek": [
        "Η κυβέρνηση ανακοίνωσε νέα μέτρα στήριξης για τις οικογένειες με παιδιά. Σύμφωνα με το "
        "υπουργείο Οικονομικών, τα μέτρα θα ισχύσουν από την αρχή του επόμενου έτους.",
        "Ισχυροί άνεμοι και βροχές αναμένονται σήμερα στην Αττική και στα νησιά του Αιγαίου. Η "
        "Πυροσβεστική Υπηρεσία καλεί τους πολίτες να αποφεύγουν τις άσκοπες μετακινήσεις.",
        "Το Κοινοβούλιο ψήφισε το νομοσχέδιο για την ψηφιακή διακυβέρνηση. Η αντιπολίτευση "
        "καταψήφισε τις περισσότερες διατάξεις, κάνοντας λόγο για βιασύνη της κυβέρνησης.",
    ],
    "Arabic": [
        "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في العاصمة بسعة مئتي سرير. وقال الوزير في "
        "مؤتمر صحفي إن المستشفى سيخدم سكان الأحياء الجنوبية ويخفف الضغط على المستشفيات الأخرى.",
        "ارتفعت أسعار النفط في تعاملات اليوم بعد إعلان الدول المنتجة خفض الإنتاج. ويتوقع "
        "المحللون أن تستمر الأسعار في الارتفاع حتى نهاية الشهر الجاري.",
        "فاز المنتخب الوطني على نظيره بثلاثة أهداف مقابل هدف واحد في المباراة الودية التي أقيمت "
        "مساء أمس على الملعب الدولي بحضور جمهور كبير.",
    ],
}
# headline-sized texts (2-4 words), the kind a detector cannot place: each in its script's code page
SHORT = {
    "Cyrillic": ("cp1251", ["Новости дня", "Курс рубля вырос", "Путин подписал указ", "Погода в Москве"]),
    "Hebrew": ("cp1255", ["חדשות היום", "מזג האוויר", "ראש הממשלה אמר", "שער הדולר ירד"]),
    "Greek": ("cp1253", ["Ειδήσεις σήμερα", "Καιρός αύριο", "Νέα μέτρα στήριξης", "Η Βουλή ψήφισε"]),
    "Arabic": ("cp1256", ["أخبار اليوم", "وزير الخارجية", "ارتفاع أسعار النفط", "حالة الطقس"]),
}


def _dump(root, script):
    root.mkdir()
    for i, text in enumerate(ARTICLES[script]):
        (root / f"a{i}.txt").write_text(text, encoding="utf-8")
    codec, shorts = SHORT[script]
    for i, text in enumerate(shorts):
        (root / f"s{i}.txt").write_bytes(text.encode(codec))
    return codec, shorts


@pytest.mark.parametrize("script", ["Cyrillic", "Hebrew", "Greek", "Arabic"])
def test_short_texts_read_in_the_code_page_of_the_dumps_script(tmp_path, script):
    codec, shorts = _dump(tmp_path / "dump", script)
    out = tmp_path / "out"
    corpuspack.build(tmp_path / "dump", out, jobs=1, progress=False)
    rows = load_dataset(str(out), split="train", cache_dir=str(tmp_path / "hf"))
    got = {r["file_name"]: (r["text"], r["encoding"]) for r in rows}
    assert {f"s{i}.txt": (text, codec) for i, text in enumerate(shorts)} == \
        {k: v for k, v in got.items() if k.startswith("s")}
    assert len(got) == len(ARTICLES[script]) + len(shorts)
    manifest = json.loads((out / "versions" / "1.0.0" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["options"]["legacy_encodings"][0] == codec
    report = json.loads((out / "versions" / "1.0.0" / "build_report.json").read_text(encoding="utf-8"))
    choice = report["legacy_encodings"]
    assert (choice["from"], choice["script"], choice["encodings"][0]) == ("sample", script, codec)
    assert choice["documents"] == len(ARTICLES[script])  # the short legacy texts are not counted


@pytest.mark.parametrize("script", ["Cyrillic", "Hebrew", "Greek"])
def test_without_the_dumps_script_the_same_bytes_are_not_read_right(script):
    """What the inference is for: with the fixed Arabic-first preference these texts come out as
    another script's letters or are rejected, never as written."""
    codec, shorts = SHORT[script]
    for text in shorts:
        try:
            assert decode(text.encode(codec)).text != text
        except Rejected:
            pass
        assert decode(text.encode(codec), prefer=legacy.encodings_for(script)).text == text


def test_the_sample_counts_only_confident_documents():
    cyrillic = [t.encode("utf-8") for t in ARTICLES["Cyrillic"]]
    arabic_short = [t.encode("cp1256") for t in SHORT["Arabic"][1] * 10]  # many, but short legacy: not counted
    choice = legacy.infer(arabic_short + cyrillic)
    assert (choice.script, choice.encodings, choice.documents) == ("Cyrillic", ("cp1251", "cp1252"), 3)
    assert legacy.infer(arabic_short).encodings == ("cp1256", "cp1252")  # nothing confident: the default
    assert legacy.infer(arabic_short).source == "default"
    long_arabic_legacy = " ".join(ARTICLES["Arabic"]).encode("cp1256")  # long enough for the detector
    assert legacy.infer([long_arabic_legacy] + cyrillic[:1]).script == "Arabic"


def test_encoding_option_needs_no_sample(tmp_path):
    codec, shorts = _dump(tmp_path / "dump", "Hebrew")
    out = tmp_path / "out"
    corpuspack.build(tmp_path / "dump", out, jobs=1, progress=False, encoding="cp1255")
    report = json.loads((out / "versions" / "1.0.0" / "build_report.json").read_text(encoding="utf-8"))
    assert report["legacy_encodings"] == {"encodings": [], "from": "--encoding"}
    rows = load_dataset(str(out), split="train", cache_dir=str(tmp_path / "hf"))
    assert sorted(r["text"] for r in rows if r["encoding"] == "cp1255") == sorted(shorts)


def test_the_option_is_checked():
    with pytest.raises(ValueError, match="legacy_encodings"):
        BuildOptions(legacy_encodings=("koi8-r",))


def test_the_sample_is_the_first_entries_of_the_builds_own_walk(tmp_path):
    """The sample is taken from the walk the build makes anyway (the dump is walked once): it is
    the first legacy.SAMPLE files in the walk's order, and they are built like the others. Here
    the first 100 names hold Cyrillic articles, the 30 after them longer Greek ones (more letters
    in all): a sample of any other files, or of all of them, would choose Greek."""
    root = tmp_path / "dump"
    root.mkdir()
    for i in range(legacy.SAMPLE):
        (root / f"a{i:03}.txt").write_text(f"{ARTICLES['Cyrillic'][i % 3]} {i}", encoding="utf-8")
    greek = " ".join(ARTICLES["Greek"]) * 20
    for i in range(30):
        (root / f"b{i:03}.txt").write_text(f"{greek} {i}", encoding="utf-8")
    out = tmp_path / "out"
    result = corpuspack.build(root, out, jobs=1, progress=False)
    report = json.loads((out / "versions" / "1.0.0" / "build_report.json").read_text(encoding="utf-8"))
    choice = report["legacy_encodings"]
    assert (choice["script"], choice["documents"], choice["encodings"][0]) == ("Cyrillic", 100, "cp1251")
    assert result.counts["found"] == 130  # the sampled files are built too, once each
    rows = load_dataset(str(out), split="train", cache_dir=str(tmp_path / "hf"))
    assert sorted(r["file_name"] for r in rows) == sorted(p.name for p in root.iterdir())
