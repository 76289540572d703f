"""Each decoding path and each decoding rejection, on bytes made here."""
import codecs

import pytest
from hypothesis import given, strategies as st

from corpuspack.builder.document.decode import Rejected, decode

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


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_without_a_byte_order_mark_are_recognised_by_their_nuls(encoding):
    d = decode(ARABIC.encode(encoding))
    assert (d.encoding, d.text) == (encoding, ARABIC)


def test_nuls_in_no_utf16_pattern_are_still_binary():
    data = ARABIC.encode("utf-16-le")
    with pytest.raises(Rejected) as e:
        decode(data[:40] + b"\x00\x00\x00" + data[40:])  # NULs on both sides of the 2-byte units
    assert e.value.reason == "binary"


@pytest.mark.parametrize("text", ["خبر عاجل", "الحكومة تعلن", "وزير الخارجية الروسي", "مرحبا", "پژوهش گروه چهار"])
def test_a_few_words_of_windows_1256_are_read_as_arabic_script(text):
    """A detector alone read such texts as cp1255 (Hebrew), cp932, big5 ... (issue #14); the
    encoding of the script corpuspack is made for comes first."""
    d = decode(text.encode("cp1256"))
    assert (d.encoding, d.text) == ("cp1256", text)


def test_a_few_words_of_windows_1252_are_read_as_latin_script():
    assert decode("café déjà vu".encode("cp1252")) == decode("café déjà vu".encode("cp1252"), "cp1252")
    assert decode("café déjà vu".encode("cp1252")).text == "café déjà vu"


@pytest.mark.parametrize("text, encoding", [("שלום עולם", "cp1255"), ("привет мир", "cp1251"),
                                            ("γεια σου κόσμε", "cp1253")])
def test_a_short_text_whose_encoding_cannot_be_told_is_rejected_not_published_as_mojibake(text, encoding):
    with pytest.raises(Rejected) as e:
        decode(text.encode(encoding))
    assert e.value.reason == "undecodable" and "--encoding" in e.value.detail
    assert decode(text.encode(encoding), encoding).text == text  # what --encoding does


def test_a_forced_encoding_that_does_not_fit_is_a_rejection_naming_it():
    with pytest.raises(Rejected) as e:
        decode(b"\x81\x8d\x8f\x90\x9d" * 10, "cp1252")
    assert e.value.reason == "undecodable" and "cp1252" in e.value.detail
    assert decode(ARABIC.encode("utf-8"), "cp1252").encoding == "utf-8"  # UTF-8 is UTF-8 whatever is forced


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
    (b"\x00\x00\x01\x00" + bytes(range(256)) * 4, "binary"),  # an icon: NULs, but no UTF-16/32 text
    (b"\x01\x02\x03\x04\x05\x06 abc \x07\x08" * 20, "binary"),
    (codecs.BOM_UTF16_LE + b"\x00\xd8", "undecodable"),  # lone surrogate after a UTF-16 BOM
    (ARABIC.encode() + b"\xff\xc3" * 40 + ARABIC.encode(), "undecodable"),
])
def test_rejections(data, reason):
    with pytest.raises(Rejected) as e:
        decode(data)
    assert e.value.reason == reason
    assert e.value.detail


def test_c1_controls_in_utf8_are_binary_and_latin1_punctuation_is_not():
    with pytest.raises(Rejected) as e:
        decode(("\u0081\u0082\u0083\u0084 ab" * 40).encode())
    assert e.value.reason == "binary"
    assert decode((("«" + ARABIC + "» \u00a0 ") * 20).encode()).encoding == "utf-8"


_POOL = [chr(c) for c in [*range(0, 0x30), *range(0x7A, 0xB0), 0x600, 0x627, 0x200F, 0xFEFF, 0x1F600]]
_CONTROLS = [chr(c) for c in [*range(0, 0x09), *range(0x0E, 0x20), *range(0x7F, 0xA0)]]  # by hand: C0 but \t-\r, DEL, C1


@given(st.text(st.sampled_from(_POOL), max_size=60), st.sampled_from(_CONTROLS), st.text(st.sampled_from(_POOL), max_size=60))
def test_the_byte_precheck_never_hides_a_control_character(before, control, after):
    """Any text holding a control character (placed at any position among bytes of every UTF-8
    length) passes the byte pre-check, so the control share is counted."""
    from corpuspack.builder.document.decode import _utf8_may_hold_controls

    assert _utf8_may_hold_controls((before + control + after).encode("utf-8"))


@given(st.text(st.sampled_from([c for c in _POOL if not "\x08" < c < "\x0e" and not c < "\x20" and not "\x7e" < c < "\xc0"]
                                + ["\t", "\n", "\r", "\xe9", "\u0100"]), max_size=120))
def test_the_byte_precheck_passes_text_without_controls_over(text):
    """Text without C0/C1 controls and without U+0080-U+00BF (whose UTF-8 lead byte 0xC2 the
    pre-check cannot tell from a C1 control's) skips the count: tab and line breaks, Arabic,
    astral characters, Latin letters whose second UTF-8 byte is 0x80-0x9F after another lead."""
    from corpuspack.builder.document.decode import _utf8_may_hold_controls

    assert not _utf8_may_hold_controls(text.encode("utf-8"))
