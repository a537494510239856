"""Character encodings of the SOAP part: legacy charsets real MMSCs send, mislabels, junk before ``<?xml``.

Every document here is real bytes produced by Python's codecs and parsed by the real lxml parser through
:func:`mm7.codec.xml.parse_xml`; nothing is mocked.
"""

from __future__ import annotations

import codecs

import pytest

from mm7.codec.deviations import Deviation
from mm7.codec.xml import _LEGACY, XMLLimits, parse_xml
from mm7.errors import LimitExceededError, MalformedXMLError, XMLSecurityError

NS = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"
ENV = "http://schemas.xmlsoap.org/soap/envelope/"
BOM = codecs.BOM_UTF8


def envelope(subject: str) -> str:
    """A SubmitReq envelope (without XML declaration) whose Subject carries ``subject``."""
    return (
        f'<env:Envelope xmlns:env="{ENV}">\n'
        "<env:Body>\n"
        f'<SubmitReq xmlns="{NS}"><MM7Version>6.8.0</MM7Version>'
        f"<Subject>{subject}</Subject></SubmitReq>\n"
        "</env:Body>\n"
        "</env:Envelope>\n"
    )


def declared(label: str, subject: str, codec: str) -> bytes:
    return (f'<?xml version="1.0" encoding="{label}"?>\n' + envelope(subject)).encode(codec)


def subject_of(root: object) -> str | None:
    found = root.find(f".//{{{NS}}}Subject")  # type: ignore[attr-defined]
    assert found is not None
    text: str | None = found.text
    return text


# (label as the peer writes it, Python codec that produced the bytes, text)
LEGACY: list[tuple[str, str, str]] = [
    ("EUC-KR", "euc_kr", "안녕하세요, 멀티미디어 메시지입니다"),
    ("ks_c_5601-1987", "cp949", "똠방각하 님의 새 MMS"),  # 똠: a CP949 (UHC) syllable outside KS X 1001
    ("KSC5601", "euc_kr", "한국어 제목"),
    ("cp949", "cp949", "똠얌꿍 주문 확인"),
    ("ISO-8859-1", "latin-1", "Grüße aus München, café à la crème"),
    ("ISO-8859-2", "iso8859-2", "Příliš žluťoučký kůň úpěl ďábelské ódy"),
    ("ISO-8859-15", "iso8859-15", "Prix 10 € pour l'œuvre, Ÿ"),
    ("Windows-1251", "cp1251", "Привет, мир! Новое сообщение"),
    ("windows-1252", "cp1252", "“Smart quotes” – 10 € …"),  # noqa: RUF001 (the dash is the point)
    (
        "Shift_JIS",
        "shift_jis",
        "こんにちは、世界〜メッセージ",
    ),  # 〜: WAVE DASH, where Shift_JIS and CP932 differ
    ("Shift_JIS", "cp932", "丸数字①②③"),  # NEC special characters: CP932 under the Shift_JIS label
    ("GB2312", "gb2312", "你好，世界。彩信主题"),  # noqa: RUF001 (CJK punctuation)
    ("GB2312", "gbk", "朱镕基的彩信"),  # 镕 is GBK, not GB2312: senders use the GBK superset
    ("GBK", "gbk", "朱镕基的彩信"),
    ("GB18030", "gb18030", "𠀀 扩展汉字"),
    ("Big5", "big5", "妳好，世界．測試簡訊"),  # noqa: RUF001 (CJK punctuation)
    ("EUC-JP", "euc_jp", "日本語の件名"),
    ("KOI8-R", "koi8-r", "Съешь же ещё этих мягких булок"),
]
IDS = [f"{label}-{codec}" for label, codec, _ in LEGACY]


@pytest.mark.parametrize(("label", "codec", "text"), LEGACY, ids=IDS)
def test_declared_legacy_encoding_is_read(label: str, codec: str, text: str) -> None:
    data = declared(label, text, codec)
    assert not data.isascii()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the bytes really are in the legacy encoding
    assert subject_of(parse_xml(data)) == text  # strict mode: valid XML, read
    deviations: list[Deviation] = []
    assert subject_of(parse_xml(data, deviations=deviations)) == text
    assert deviations == []


@pytest.mark.parametrize(("label", "codec", "text"), LEGACY, ids=IDS)
def test_charset_hint_reads_undeclared_legacy_document(label: str, codec: str, text: str) -> None:
    data = envelope(text).encode(codec)
    assert subject_of(parse_xml(data, charset=label)) == text
    versioned = ('<?xml version="1.0"?>\n' + envelope(text)).encode(codec)  # a declaration without encoding
    assert subject_of(parse_xml(versioned, charset=f' "{label}" ')) == text


@pytest.mark.parametrize(("label", "codec", "text"), LEGACY, ids=IDS)
def test_doctype_in_legacy_encoding_is_refused(label: str, codec: str, text: str) -> None:
    doctype = '<!DOCTYPE env:Envelope [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
    body = doctype + envelope(text + "&e;")
    with_declaration = (f'<?xml version="1.0" encoding="{label}"?>\n' + body).encode(codec)
    for data, charset in [(with_declaration, None), (body.encode(codec), label)]:
        with pytest.raises(XMLSecurityError):
            parse_xml(data, charset=charset)
        with pytest.raises(XMLSecurityError):
            parse_xml(data, charset=charset, deviations=[])


def test_doctype_under_a_mislabel_is_refused() -> None:
    data = declared("EUC-KR", "제목", "utf-8").replace(b"?>\n", b'?>\n<!DOCTYPE x [<!ENTITY a "b">]>\n', 1)
    with pytest.raises(XMLSecurityError):
        parse_xml(data, deviations=[])


MISLABELS = ["EUC-KR", "ks_c_5601-1987", "Shift_JIS", "GB2312", "Big5", "US-ASCII", "UTF-16"]
MISLABELS += ["ISO-8859-1", "ISO-8859-2", "windows-1251", "windows-1252"]


@pytest.mark.parametrize("label", MISLABELS)
def test_utf8_bytes_under_another_label_are_read_with_a_deviation(label: str) -> None:
    text = "안녕하세요 你好 Zażółć Привет"
    data = declared(label, text, "utf-8")
    with pytest.raises(MalformedXMLError, match="UTF-8"):
        parse_xml(data)
    deviations: list[Deviation] = []
    assert subject_of(parse_xml(data, deviations=deviations)) == text
    assert deviations == [
        Deviation(kind="encoding", reason=f"declared {label} but the bytes are UTF-8; read as UTF-8", line=1)
    ]


@pytest.mark.parametrize(
    ("label", "codec", "text"),
    [
        ("ISO-8859-2", "iso8859-2", "Zażółć gęślą jaźń"),
        ("windows-1252", "cp1252", "Crème brûlée"),
        ("GBK", "gbk", "天气预报"),
        ("Shift_JIS", "shift_jis", "お知らせ"),
        ("GB18030", "gb18030", "전송 완료"),
    ],
)
def test_utf8_that_also_decodes_as_the_label_is_still_utf8(label: str, codec: str, text: str) -> None:
    """Decoding proves little: these UTF-8 bytes are valid (mojibake) in the declared charset too."""
    data = declared(label, text, "utf-8")
    assert data.decode(codec) != data.decode("utf-8")
    deviations: list[Deviation] = []
    assert subject_of(parse_xml(data, deviations=deviations)) == text
    assert [d.kind for d in deviations] == ["encoding"]


@pytest.mark.parametrize("text", ["짜", "징짜"])
def test_short_legacy_text_that_happens_to_be_valid_utf8_is_read_as_declared(text: str) -> None:
    data = declared("EUC-KR", text, "euc_kr")
    data.decode("utf-8")  # 짜 is C2 A5 in EUC-KR, "¥" in UTF-8
    deviations: list[Deviation] = []
    assert subject_of(parse_xml(data, deviations=deviations)) == text
    assert deviations == []
    assert subject_of(parse_xml(data)) == text


def test_utf8_bytes_under_the_charset_hint_are_read_with_a_deviation() -> None:
    data = envelope("안녕하세요").encode()
    with pytest.raises(MalformedXMLError):
        parse_xml(data, charset="EUC-KR")
    deviations: list[Deviation] = []
    assert subject_of(parse_xml(data, charset="EUC-KR", deviations=deviations)) == "안녕하세요"
    assert [d.reason for d in deviations] == [
        "the MIME charset is EUC-KR but the bytes are UTF-8; read as UTF-8"
    ]


@pytest.mark.parametrize("label", ["EUC-KR", "Shift_JIS", "UTF-16"])
def test_bytes_that_decode_neither_way_are_malformed(label: str) -> None:
    # 0x81 0x20: a lead byte without its trail byte in every CJK codec (and its superset), and not UTF-8.
    data = declared(label, "x", "ascii").replace(b">x<", b">\x81 <")
    with pytest.raises(MalformedXMLError):
        parse_xml(data)
    with pytest.raises(MalformedXMLError):
        parse_xml(data, deviations=[])


UTF8_DOC = declared("UTF-8", "제목 subject", "utf-8")


@pytest.mark.parametrize(
    ("prefix", "reason"),
    [
        (b"\n\n", "2 blank lines before the XML declaration skipped"),
        (b"\r\n", "1 blank line before the XML declaration skipped"),
        (b"  \t", "whitespace before the XML declaration skipped"),
        (b"\r\n\r\n  \r\n", "3 blank lines before the XML declaration skipped"),
        (BOM + b"\n", "a UTF-8 byte order mark and whitespace before the XML declaration skipped"),
    ],
    ids=["blank-lines", "crlf", "spaces", "indented-crlf-lines", "bom-and-newline"],
)
def test_whitespace_before_declaration_is_skipped_only_when_collecting(prefix: bytes, reason: str) -> None:
    data = prefix + UTF8_DOC
    with pytest.raises(MalformedXMLError, match="before the XML declaration"):
        parse_xml(data)
    deviations: list[Deviation] = []
    root = parse_xml(data, deviations=deviations)
    assert subject_of(root) == "제목 subject"
    assert deviations == [Deviation(kind="encoding", reason=reason, line=1)]
    # Line numbers still point into the document as received.
    line: object = root.sourceline
    assert line == prefix.count(b"\n") + 2


def test_whitespace_before_a_legacy_declaration_is_skipped() -> None:
    data = b"\n" + declared("EUC-KR", "한국어 제목", "euc_kr")
    deviations: list[Deviation] = []
    assert subject_of(parse_xml(data, deviations=deviations)) == "한국어 제목"
    assert [d.reason for d in deviations] == ["1 blank line before the XML declaration skipped"]


def test_whitespace_before_a_utf16_declaration_is_skipped_only_when_collecting() -> None:
    data = ("\n" + '<?xml version="1.0" encoding="UTF-16"?>\n' + envelope("제목")).encode("utf-16")
    with pytest.raises(MalformedXMLError):
        parse_xml(data)
    deviations: list[Deviation] = []
    assert subject_of(parse_xml(data, deviations=deviations)) == "제목"
    assert [d.kind for d in deviations] == ["encoding"]


@pytest.mark.parametrize("data", [BOM + UTF8_DOC, UTF8_DOC, b"\n\n" + envelope("제목").encode()])
def test_clean_documents_need_no_repair(data: bytes) -> None:
    """A BOM right before ``<?xml``, and whitespace before a root element without declaration, are legal."""
    deviations: list[Deviation] = []
    parse_xml(data, deviations=deviations)
    parse_xml(data)
    assert deviations == []


def test_bom_contradicting_the_declaration() -> None:
    data = BOM + declared("ISO-8859-1", "café", "utf-8")
    with pytest.raises(MalformedXMLError, match="byte order mark"):
        parse_xml(data)
    deviations: list[Deviation] = []
    assert subject_of(parse_xml(data, deviations=deviations)) == "café"
    assert [d.reason for d in deviations] == [
        "a UTF-8 byte order mark but declared ISO-8859-1; read as UTF-8"
    ]
    # With nothing but ASCII to read, the contradiction changes nothing.
    ascii_only = BOM + declared("ISO-8859-1", "cafe", "ascii")
    assert subject_of(parse_xml(ascii_only)) == "cafe"


REFUSED_LABELS = ["x-bogus-42", "UTF-7", "unicode-1-1-utf-7", "IBM037", "cp500", "ISO-2022-JP", "HZ-GB-2312"]
REFUSED_LABELS += ["base64", "rot13", "utf-8-sig", "utf 8"]


@pytest.mark.parametrize("label", REFUSED_LABELS)
def test_unknown_and_unsafe_encodings_stay_refused(label: str) -> None:
    data = declared(label, "subject", "ascii")
    modes: tuple[list[Deviation] | None, ...] = (None, [])
    for deviations in modes:
        with pytest.raises(MalformedXMLError, match="not accepted"):
            parse_xml(data, deviations=deviations)
        with pytest.raises(MalformedXMLError, match="not accepted"):
            parse_xml(envelope("subject").encode(), charset=label, deviations=deviations)


@pytest.mark.parametrize("label", ["", "UTF-8 ", " utf-8"])
def test_malformed_encoding_names_are_refused(label: str) -> None:
    """Python's codec lookup forgives these; an XML declaration may not carry them."""
    with pytest.raises(MalformedXMLError, match="not accepted"):
        parse_xml(declared(label, "subject", "ascii"), deviations=[])


def test_utf7_smuggled_doctype_is_refused() -> None:
    doctype = '<!DOCTYPE x [<!ENTITY e "boom">]>'
    data = b'<?xml version="1.0" encoding="UTF-7"?>' + doctype.encode("utf-7").replace(b"<", b"+ADw-")
    assert b"<!DOCTYPE" not in data
    with pytest.raises(MalformedXMLError):
        parse_xml(data + envelope("&e;").encode(), deviations=[])


def test_ebcdic_is_refused() -> None:
    data = ('<?xml version="1.0" encoding="IBM037"?>' + envelope("subject")).encode("cp037")
    with pytest.raises(MalformedXMLError):
        parse_xml(data, deviations=[])


def test_charset_hint_only_when_there_is_no_declared_encoding() -> None:
    # The declaration wins over the hint, both ways.
    assert subject_of(parse_xml(declared("UTF-8", "한국어", "utf-8"), charset="EUC-KR")) == "한국어"
    assert subject_of(parse_xml(declared("EUC-KR", "한국어", "euc_kr"), charset="utf-8")) == "한국어"
    # A BOM wins over the hint.
    assert subject_of(parse_xml(BOM + envelope("한국어").encode(), charset="EUC-KR")) == "한국어"
    utf16 = envelope("한국어").encode("utf-16")
    assert subject_of(parse_xml(utf16, charset="EUC-KR")) == "한국어"
    # Without a hint, an undeclared document is UTF-8: EUC-KR bytes are not.
    with pytest.raises(MalformedXMLError):
        parse_xml(envelope("한국어").encode("euc_kr"), deviations=[])


def test_size_limit_counts_the_bytes_received() -> None:
    data = declared("EUC-KR", "가" * 2000, "euc_kr")  # 2 bytes a syllable here, 3 once in UTF-8
    limits = XMLLimits(max_size=len(data))
    assert subject_of(parse_xml(data, limits=limits)) == "가" * 2000
    with pytest.raises(LimitExceededError):
        parse_xml(data, limits=XMLLimits(max_size=len(data) - 1))


def test_shape_limits_apply_to_legacy_documents() -> None:
    data = declared("Shift_JIS", "件名" + "<a/>" * 50, "shift_jis")
    with pytest.raises(LimitExceededError):
        parse_xml(data, limits=XMLLimits(max_elements=20))
    with pytest.raises(LimitExceededError):
        parse_xml(declared("GBK", "长" * 100, "gbk"), limits=XMLLimits(max_text=99))


@pytest.mark.parametrize("chain", sorted(set(_LEGACY.values())))
def test_accepted_encodings_keep_ascii_as_ascii(chain: tuple[str, ...]) -> None:
    """What reading the declaration before decoding relies on: bytes 0x00-0x7F are ASCII in every codec."""
    ascii_bytes = bytes(range(0x80))
    for codec in chain:
        assert ascii_bytes.decode(codec) == ascii_bytes.decode("ascii")
