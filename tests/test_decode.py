"""Each decoding path and each decoding rejection, on bytes made here."""
import codecs

import pytest

from corpuspack.builder.decode import Rejected, decode

ARABIC = ("أكد وزير الخارجية الروسي سيرغي لافروف استحالة تسوية الأزمة في سورية دون توحيد جهود "
          "المجتمع الدولي في مواجهة التطرف والإرهاب، وقال إن الحل السياسي هو الطريق الوحيد.\n")


@pytest.mark.parametrize("data, encoding", [
    (ARABIC.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + ARABIC.encode("utf-8"), "utf-8-sig"),
    (codecs.BOM_UTF16_LE + ARABIC.encode("utf-16-le"), "utf-16"),
    (codecs.BOM_UTF16_BE + ARABIC.encode("utf-16-be"), "utf-16"),
    (codecs.BOM_UTF32_LE + ARABIC.encode("utf-32-le"), "utf-32"),
    (ARABIC.encode("cp1256"), "cp1256"),
])
def test_decoding_paths(data, encoding):
    d = decode(data)
    assert d.encoding == encoding
    assert d.text.lstrip("\ufeff") == ARABIC


def test_short_windows_1256_is_still_detected():
    text = "موسكو-سانا\nأكد وزير الخارجية الروسي"
    d = decode(text.encode("cp1256"))
    assert (d.encoding, d.text) == ("cp1256", text)


def test_utf8_with_one_corrupt_byte_is_kept_and_marked():
    data = ARABIC.encode() * 3 + b"\xd9" + ARABIC.encode() * 3
    d = decode(data)
    assert d.encoding == "utf-8+replace"
    assert d.text.count("\ufffd") == 1 and d.text.startswith(ARABIC)


def test_plain_ascii_is_utf8():
    assert decode(b"Hello world\n").encoding == "utf-8"


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (b"  \n\t\r\n", "empty"),
    (codecs.BOM_UTF8 + b"   ", "empty"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "binary"),
    (b"%PDF-1.7\n" + b"x" * 50, "binary"),
    (b"PK\x03\x04" + b"\x00" * 20, "binary"),
    (b"text with a \x00 NUL byte", "binary"),
    (b"\x01\x02\x03\x04\x05\x06 abc \x07\x08" * 20, "binary"),
    (codecs.BOM_UTF16_LE + b"\x00\xd8", "undecodable"),  # lone surrogate after a UTF-16 BOM
    (ARABIC.encode() + b"\xff\xc3" * 40 + ARABIC.encode(), "undecodable"),
])
def test_rejections(data, reason):
    with pytest.raises(Rejected) as e:
        decode(data)
    assert e.value.reason == reason
    assert e.value.detail
