"""Hostile XML through ``mm7.decode``: as a bare text/xml body and as the root part of a multipart.

Each case states the typed error it must end in, and is checked for bounded time and Python heap. DTD-based
attacks also prove that no connection reached a listening socket on 127.0.0.1 and that no local file was
opened (a FIFO sentinel) or leaked into an error message.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

import mm7
from mm7.codec.xml import XMLLimits
from mm7.errors import (
    LimitExceededError,
    MalformedXMLError,
    MM7Error,
    RemoteCodecError,
    RemoteValidationError,
    XMLSecurityError,
)
from tests.security import (
    ROOT,
    as_bare,
    as_root,
    assert_bounded,
    assert_rejected,
    decode_outcome,
    envelope,
    envelope_body,
    fifo_sentinel,
    silent_listener,
)

WRAPPERS: dict[str, Callable[[bytes], tuple[bytes, str]]] = {"bare": as_bare, "multipart-root": as_root}
DECL = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def with_doctype(doctype: str, *, replace_status: str | None = None, encoding: str = "utf-8") -> bytes:
    """The valid envelope with a DOCTYPE in front (and StatusText replaced, e.g. by an entity reference)."""
    body = envelope_body()
    if replace_status is not None:
        body = body.replace("Success", replace_status)
    text = doctype + "\n" + body
    if encoding == "utf-8":
        return DECL + text.encode()
    return text.encode(encoding)


def billion_laughs() -> bytes:
    entities = ['<!ENTITY lol1 "lol">']
    entities += [f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(2, 11)]
    return with_doctype(f"<!DOCTYPE lolz [{''.join(entities)}]>", replace_status="&lol10;")


def quadratic_blowup() -> bytes:
    return with_doctype(f'<!DOCTYPE q [<!ENTITY a "{"x" * 50_000}">]>', replace_status="&a;" * 10_000)


def deep(levels: int) -> bytes:
    return b"<a>" * levels + b"</a>" * levels


def with_status(text: bytes) -> bytes:
    return envelope().replace(b"Success", text)


# (name, document, expected error class, MM7 status code, limit name or None)
REFUSED: list[tuple[str, Callable[[], bytes], type[MM7Error], int, str | None]] = [
    ("billion-laughs", billion_laughs, XMLSecurityError, 2007, None),
    ("quadratic-blowup", quadratic_blowup, XMLSecurityError, 2007, None),
    ("internal-doctype-lowercase", lambda: with_doctype("<!doctype x>"), XMLSecurityError, 2007, None),
    ("deep-nesting-1e5", lambda: deep(100_000), MalformedXMLError, 2007, None),
    ("deep-nesting-over-limit", lambda: deep(100), LimitExceededError, 2007, "xml.max_depth"),
    ("huge-text", lambda: with_status(b"A" * 100_000), LimitExceededError, 2007, "xml.max_text"),
    (
        "huge-attribute",
        lambda: envelope().replace(b"Samsung Galaxy", b"A" * 100_000),
        LimitExceededError,
        2007,
        "xml.max_text",
    ),
    ("over-max-size", lambda: with_status(b"A" * 2_000_000), LimitExceededError, 2007, "xml.max_size"),
    (
        "many-elements",
        lambda: envelope().replace(b"<StatusText>", b"<a/>" * 20_000 + b"<StatusText>"),
        LimitExceededError,
        2007,
        "xml.max_elements",
    ),
    ("nul-byte", lambda: with_status(b"Suc\x00cess"), MalformedXMLError, 2007, None),
    ("nul-char-reference", lambda: with_status(b"&#0;"), MalformedXMLError, 2007, None),
    ("undefined-entity", lambda: with_status(b"&foo;"), MalformedXMLError, 2007, None),
    (
        # Strict: named as an "encoding" deviation (tolerant reads it as UTF-8, see below).
        "declared-utf16-but-utf8",
        lambda: envelope().replace(b"UTF-8", b"UTF-16"),
        RemoteValidationError,
        4004,
        None,
    ),
    ("unknown-encoding", lambda: envelope().replace(b"UTF-8", b"x-bogus-42"), MalformedXMLError, 2007, None),
    ("empty-document", lambda: b"", MalformedXMLError, 2007, None),
    ("not-xml", lambda: b"hello, world", MalformedXMLError, 2007, None),
    ("truncated", lambda: envelope()[:-40], MalformedXMLError, 2007, None),
    (
        "cdata-hiding-doctype",  # refused by the byte pre-check even inside CDATA: safe, if conservative
        lambda: with_status(b"<![CDATA[<!DOCTYPE x>]]>"),
        XMLSecurityError,
        2007,
        None,
    ),
    (
        "xinclude-not-processed",  # XInclude is never expanded: the element is just invalid MM7
        lambda: with_status(
            b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/>'
        ),
        RemoteValidationError,
        4004,
        None,
    ),
    (
        "not-soap",
        lambda: b'<?xml version="1.0"?><html><body>hi</body></html>',
        RemoteCodecError,
        2007,
        None,
    ),
]


@pytest.mark.parametrize("wrap", sorted(WRAPPERS))
@pytest.mark.parametrize(
    ("name", "build", "expected", "status", "limit"), REFUSED, ids=[c[0] for c in REFUSED]
)
def test_hostile_xml_is_refused(
    name: str,
    build: Callable[[], bytes],
    expected: type[MM7Error],
    status: int,
    limit: str | None,
    wrap: str,
) -> None:
    body, content_type = WRAPPERS[wrap](build())
    error = assert_rejected(decode_outcome(body, content_type), expected, status_code=status, limit=limit)
    assert "Traceback" not in str(error)


# Harmless oddities a peer may send: decoded, with the right value, in bounded time.
ACCEPTED: list[tuple[str, Callable[[], bytes]]] = [
    ("utf16-bom", lambda: ('<?xml version="1.0" encoding="UTF-16"?>\n' + envelope_body()).encode("utf-16")),
    ("utf16-bom-no-declaration", lambda: envelope_body().encode("utf-16")),
    ("utf8-bom", lambda: b"\xef\xbb\xbf" + envelope()),
    ("latin1-declared", lambda: envelope().replace(b"UTF-8", b"ISO-8859-1")),
    (
        "processing-instructions",
        lambda: (
            envelope()
            .replace(b"?>\n", b'?>\n<?xml-stylesheet type="text/xsl" href="http://127.0.0.1:1/x.xsl"?>\n', 1)
            .replace(b"<env:Body>", b"<env:Body><?evil data?>")
        ),
    ),
    ("cdata-section", lambda: envelope().replace(b"369500617770864640", b"<![CDATA[369500617770864640]]>")),
    (
        "schema-location-hint",  # instance schemaLocation hints are never fetched
        lambda: envelope().replace(
            b"<env:Envelope ",
            b'<env:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            b'xsi:schemaLocation="urn:x http://127.0.0.1:1/x.xsd" ',
        ),
    ),
    ("comments", lambda: envelope().replace(b"<env:Body>", b"<env:Body><!-- <!ENTITY x 'y'> -->")),
]


@pytest.mark.parametrize("wrap", sorted(WRAPPERS))
def test_mislabelled_utf8_is_read_tolerantly_with_an_encoding_deviation(wrap: str) -> None:
    body, content_type = WRAPPERS[wrap](envelope().replace(b"UTF-8", b"UTF-16"))
    outcome = decode_outcome(body, content_type, mode="tolerant")
    assert outcome.error is None, repr(outcome.error)
    assert_bounded(outcome)
    decoded = outcome.result
    assert [d.kind for d in decoded.deviations] == ["encoding"]  # type: ignore[attr-defined]
    assert decoded.message.message_id == "369500617770864640"  # type: ignore[attr-defined]


@pytest.mark.parametrize("wrap", sorted(WRAPPERS))
@pytest.mark.parametrize(("name", "build"), ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_harmless_oddities_decode(name: str, build: Callable[[], bytes], wrap: str) -> None:
    body, content_type = WRAPPERS[wrap](build())
    if name == "comments":
        # The "<!ENTITY" inside a comment trips the byte pre-check: refused, which is safe.
        assert_rejected(decode_outcome(body, content_type), XMLSecurityError)
        return
    with silent_listener() as listener:
        body = body.replace(b"127.0.0.1:1/", f"127.0.0.1:{listener.port}/".encode())
        outcome = decode_outcome(body, content_type)
    assert outcome.error is None, repr(outcome.error)
    assert_bounded(outcome)
    decoded = outcome.result
    assert decoded.operation == "DeliveryReportReq"  # type: ignore[attr-defined]
    assert decoded.message.message_id == "369500617770864640"  # type: ignore[attr-defined]


def _external_doctypes(url: str, file_url: str) -> dict[str, str]:
    return {
        "xxe-file-passwd": '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        "xxe-file-sentinel": f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "{file_url}">]>',
        "xxe-http-listener": f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "{url}">]>',
        "xxe-http-port-1": '<!DOCTYPE x [<!ENTITY xxe SYSTEM "http://127.0.0.1:1/">]>',
        "external-dtd-http": f'<!DOCTYPE Envelope SYSTEM "{url}">',
        "external-dtd-file": f'<!DOCTYPE Envelope SYSTEM "{file_url}">',
        "external-dtd-public": f'<!DOCTYPE Envelope PUBLIC "-//EVIL//DTD x//EN" "{url}">',
        "parameter-entity-http": f'<!DOCTYPE x [<!ENTITY % p SYSTEM "{url}"> %p;]>',
        "parameter-entity-file": f'<!DOCTYPE x [<!ENTITY % p SYSTEM "{file_url}"> %p;]>',
        "parameter-entity-oob": (
            f'<!DOCTYPE x [<!ENTITY % file SYSTEM "file:///etc/passwd"><!ENTITY % dtd SYSTEM "{url}"> %dtd;]>'
        ),
    }


EXTERNAL = sorted(_external_doctypes("u", "f"))


@pytest.mark.parametrize("wrap", sorted(WRAPPERS))
@pytest.mark.parametrize("name", EXTERNAL)
def test_external_entities_and_dtds_touch_nothing(name: str, wrap: str, tmp_path: Path) -> None:
    passwd = Path("/etc/passwd").read_text(errors="replace").splitlines()[0]
    with silent_listener() as listener, fifo_sentinel(tmp_path) as sentinel:
        doctype = _external_doctypes(listener.url, sentinel.url)[name]
        body, content_type = WRAPPERS[wrap](with_doctype(doctype, replace_status="&xxe;"))
        outcome = decode_outcome(body, content_type)
        error = assert_rejected(outcome, XMLSecurityError, status_code=2007)
    assert not sentinel.opened.is_set(), "the parser opened a local file named in the document"
    assert passwd not in str(error) and "root:" not in str(error)
    assert passwd not in repr(error.__cause__)


#: The cases naming the FIFO sentinel: the ones whose check ("no local file opened") is kernel evidence.
FILE_CASES = ["external-dtd-file", "parameter-entity-file", "xxe-file-sentinel"]


@pytest.mark.parametrize("name", FILE_CASES)
def test_the_sentinel_catches_a_parser_that_opens_local_files(name: str, tmp_path: Path) -> None:
    """The file checks above can fail on this machine's libxml2.

    This libxml2 has no HTTP client (``"http" not in etree.LIBXML_FEATURES`` here), so the listener in the
    tests above cannot see a connection even from a parser that resolves everything; the FIFO can. Given the
    same documents, a parser that loads DTDs and resolves entities opens the FIFO and the sentinel records it:
    the assertion ``not sentinel.opened.is_set()`` above is live, not vacuous.
    """
    with fifo_sentinel(tmp_path) as sentinel:
        doctype = _external_doctypes("http://127.0.0.1:1/", sentinel.url)[name]
        insecure = etree.XMLParser(resolve_entities=True, load_dtd=True, no_network=True)
        # The FIFO reads as empty, so the parse may fail (undefined entity); the open has happened anyway.
        with contextlib.suppress(etree.XMLSyntaxError):
            etree.fromstring(with_doctype(doctype, replace_status="&xxe;"), insecure)
        # libxml2 reads the FIFO to its end, which comes only when the watcher closes the write end, after
        # recording the open: no race.
        assert sentinel.opened.is_set(), f"{name}: the sentinel did not see libxml2 open the FIFO"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
@pytest.mark.parametrize("name", ["external-dtd-http", "parameter-entity-http", "xxe-http-listener"])
def test_utf16_doctype_never_reaches_the_network(name: str, encoding: str, tmp_path: Path) -> None:
    """A DOCTYPE in UTF-16/32 slips past the byte pre-check, but libxml2 (no_network) still never connects."""
    with silent_listener() as listener, fifo_sentinel(tmp_path) as sentinel:
        doctype = _external_doctypes(listener.url, sentinel.url)[name]
        body = with_doctype(doctype, replace_status="&xxe;", encoding=encoding)
        outcome = decode_outcome(body, "text/xml")
    # Whatever the class, it is refused with "message format corrupt" and nothing was fetched.
    assert isinstance(outcome.error, MM7Error) and outcome.error.status_code == 2007  # type: ignore[attr-defined]
    assert_bounded(outcome)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_utf16_external_dtd_opens_no_local_file(encoding: str, tmp_path: Path) -> None:
    with fifo_sentinel(tmp_path) as sentinel:
        body = with_doctype(f'<!DOCTYPE Envelope SYSTEM "{sentinel.url}">', encoding=encoding)
        outcome = decode_outcome(body, "text/xml")
    assert isinstance(outcome.error, XMLSecurityError), repr(outcome.error)
    assert not sentinel.opened.is_set(), "libxml2 opened the FIFO named by the DOCTYPE"


def test_utf16_billion_laughs_is_a_security_error() -> None:
    body = billion_laughs().split(b"\n", 1)[1].decode().encode("utf-16")
    assert_rejected(decode_outcome(body, "text/xml"), XMLSecurityError)


def test_many_attributes_are_refused_quickly() -> None:
    attrs = " ".join(f'a{i}=""' for i in range(40_000)).encode()
    xml = envelope().replace(b"<UACapabilities ", b"<UACapabilities " + attrs + b" ")
    start = time.perf_counter()  # no tracemalloc here: it would slow the parse down further
    with pytest.raises(LimitExceededError):
        mm7.decode(xml, "text/xml")
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0, f"took {elapsed:.1f} s"


def test_many_attributes_small_count_is_bounded() -> None:
    """Up to a few thousand attributes the cost is small; the schema then refuses them (4004)."""
    attrs = " ".join(f'a{i}=""' for i in range(3000)).encode()
    xml = envelope().replace(b"<UACapabilities ", b"<UACapabilities " + attrs + b" ")
    assert_rejected(decode_outcome(xml, "text/xml"), RemoteValidationError, status_code=4004)


def test_many_namespace_declarations_are_bounded() -> None:
    decls = b" ".join(b'xmlns:p%d="urn:%d"' % (i, i) for i in range(40_000))
    xml = envelope().replace(b"<env:Body>", b"<env:Body " + decls + b">")
    outcome = decode_outcome(xml, "text/xml")
    assert_bounded(outcome)


def test_xml_limits_are_configurable() -> None:
    """Raising a limit lets a borderline document through; lowering it refuses a normal one."""
    xml = envelope().replace(b"Success", b"S" * 70_000)  # over the default max_text of 64 Ki
    assert_rejected(decode_outcome(xml, "text/xml"), LimitExceededError, limit="xml.max_text")
    relaxed = decode_outcome(xml, "text/xml", xml_limits=XMLLimits(max_text=100_000))
    assert relaxed.error is None, relaxed.error

    normal = envelope()
    for limits, name in [
        (XMLLimits(max_size=len(normal) - 1), "xml.max_size"),
        (XMLLimits(max_depth=3), "xml.max_depth"),
        (XMLLimits(max_elements=5), "xml.max_elements"),
        (XMLLimits(max_text=5), "xml.max_text"),
    ]:
        assert_rejected(decode_outcome(normal, "text/xml", xml_limits=limits), LimitExceededError, limit=name)
        at_limit = decode_outcome(normal, "text/xml", xml_limits=XMLLimits())
        assert at_limit.error is None


def test_peak_rss_of_xml_attacks_is_bounded() -> None:
    """tracemalloc does not see libxml2's C heap: measure the real peak RSS of a fresh process instead."""
    script = textwrap.dedent(
        """
        import json, resource, sys
        import mm7
        from tests.security import envelope, as_root
        from tests.security.test_xml_attacks import REFUSED, billion_laughs, deep, quadratic_blowup
        mm7.decode(envelope(), "text/xml")  # warm up: schemas compiled, bindings imported
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        for _name, build, *_ in REFUSED:
            for body, ct in ((build(), "text/xml"), as_root(build())):
                try:
                    mm7.decode(body, ct)
                except mm7.MM7Error:
                    pass
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({"base_kb": base, "peak_kb": peak}))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    usage = json.loads(proc.stdout.strip().splitlines()[-1])
    grown_mb = (usage["peak_kb"] - usage["base_kb"]) / 1024
    assert grown_mb < 100, f"peak RSS grew by {grown_mb:.0f} MB over all XML attacks"
