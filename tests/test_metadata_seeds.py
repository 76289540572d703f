"""The five bundled seeds give exactly the metadata of issue 3's table."""
import datetime as dt
import unicodedata
from pathlib import Path

import pytest

from corpuspack.builder.document.metadata import KEYS, extract_metadata
from corpuspack.builder.document.metadata.normalize import fold_spaces

SEEDS = Path(__file__).resolve().parent.parent / "examples" / "seeds"


def seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return unicodedata.normalize("NFC", path.read_text(encoding="utf-8").replace("\r\n", "\n"))


# cited outlets, read by hand: 000 "شبكة قنوات RT"; 001 'قناة "آر تي"' (سبوتنيك is its credit's
# agency, not a citation); 002 and 003 name no outlet ("الجمهورية العربية السورية" is not one);
# 004 "روسيا اليوم" and "وكالة تاس" (سانا is its own source)
EXPECTED = {
    "000": dict(title=None, date=None, source=None, publisher=None, agency=None, credit=None, cited={"rt"}),
    "001": dict(title="لافروف: سنسعى لرؤية نهج صادق من الولايات المتحدة وحلف الناتو بشأن الضمانات الأمنية",
                date=dt.date(2022, 2, 18), source="urdupoint", publisher="urdupoint", agency="sputnik",
                credit="أردو بوینت نتورك ۔ / سبوتنيك - 18 فبراير 2022ء", cited={"rt"}),
    "002": dict(title="واشنطن: حققنا تقدّماً مع الروس ونعمل على إخراج الإيرانيين من سوريا", date=None, source=None,
                publisher=None, agency=None, credit="وكالات روسيّة", cited=set()),
    "003": dict(title="روسيا تطالب الغرب بإحترام السيادة السورية .. وتعاون أمريكي محتمل لمكافحة الإرهاب",
                date=None, source=None, publisher=None, agency=None, credit=None, cited=set()),
    "004": dict(title=None, date=None, source="sana", publisher=None, agency="sana", credit="موسكو-سانا",
                cited={"rt", "tass"}),
}


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_seed(prefix):
    exp = EXPECTED[prefix]
    m = extract_metadata(seed(prefix))
    assert tuple(m) == KEYS
    got_title = fold_spaces(m["title"]) if m["title"] else None
    exp_title = fold_spaces(unicodedata.normalize("NFC", exp["title"])) if exp["title"] else None
    assert got_title == exp_title
    assert m["date"] == exp["date"]
    assert m["source"] == exp["source"]
    assert m["publisher"] == exp["publisher"]
    assert m["agency"] == exp["agency"]
    assert m["credit"] == (unicodedata.normalize("NFC", exp["credit"]) if exp["credit"] else None)
    assert m["cited_outlets"] == sorted(exp["cited"])  # exact: a spurious citation fails too
    # a value and its method are null together
    for value, method in (("title", "title_method"), ("date", "date_method"), ("source", "source_method")):
        assert (m[value] is None) == (m[method] is None)


def test_seed_methods():
    assert extract_metadata(seed("001"))["title_method"] == "repeated_line"
    assert extract_metadata(seed("001"))["date_method"] == "dateline"
    assert extract_metadata(seed("001"))["source_method"] == "dateline"
    assert extract_metadata(seed("002"))["title_method"] == "first_line"
    assert extract_metadata(seed("003"))["title_method"] == "repeated_line"
    assert extract_metadata(seed("004"))["source_method"] == "dateline"


def test_pure_and_deterministic():
    texts = [seed(p) for p in sorted(EXPECTED)]
    first = [extract_metadata(t) for t in texts]
    assert [extract_metadata(t) for t in reversed(texts)][::-1] == first


def test_empty_and_blank_text():
    for text in ("", "\n\n", "   "):
        m = extract_metadata(text)
        assert tuple(m) == KEYS and m["cited_outlets"] == [] and all(m[k] is None for k in KEYS if k != "cited_outlets")
