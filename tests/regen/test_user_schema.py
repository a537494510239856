"""A user's schema set is a first-class version (issue 15), end to end.

The test writes its own revision of the Rel-6 schema (another target namespace, one more optional element
``CampaignTag`` in SubmitReq and DeliverReq), compiles it with ``scripts/regenerate``, and then, in
subprocesses that import the generated package (the test process never does): registers it with
:func:`mm7.register_schema`, builds, encodes (validated against the user's XSD), decodes strictly, validates
with ``mm7 validate --bindings`` / ``--schemas``, inspects, and sends through :class:`mm7.MM7Client` over real
HTTP loopback to servers made with :func:`mm7.server.make_server`: an MMSC answering the SubmitReq and the
receiver (:func:`mm7.server.make_app`) storing the DeliverReq in its inbox.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "regenerate"
OURS = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"
TEST_NS = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-5-test"
PACKAGE = "testbindings.rel6_mm7_1_5_test"
KEY = "REL-6-MM7-1-5-mmsc"
SUBJECT = '<xs:element name="Subject" type="xs:string" minOccurs="0"/>'
TAG = '<xs:element name="CampaignTag" type="xs:string" minOccurs="0"/>'


@dataclass(frozen=True)
class UserSchema:
    """The generated schema set: the XSD folder, the output folder (put on PYTHONPATH), the XSD file."""

    schemas: Path
    out: Path
    xsd: Path


def _with_tag(xsd: str, type_name: str) -> str:
    start = xsd.index(f'<xs:complexType name="{type_name}">')
    at = xsd.index(SUBJECT, start) + len(SUBJECT)
    return xsd[:at] + "\n          " + TAG + xsd[at:]


@pytest.fixture(scope="module")
def user_schema(tmp_path_factory: pytest.TempPathFactory) -> UserSchema:
    root = tmp_path_factory.mktemp("user-schema")
    schemas, out = root / "schemas", root / "out"
    schemas.mkdir()
    text = (REPO / "schemas" / "REL-6-MM7-1-4.xsd").read_text(encoding="utf-8").replace(OURS, TEST_NS)
    text = _with_tag(_with_tag(text, "submitReqType"), "deliverReqType")
    xsd = schemas / "REL-6-MM7-1-5-test.xsd"
    xsd.write_text(text, encoding="utf-8")
    proc = subprocess.run(
        [str(SCRIPT), "--schemas", str(schemas), "--out", str(out), "--package", "testbindings"],
        capture_output=True,
        text=True,
        check=False,
        timeout=240,
        env={**os.environ, "MM7_PYTHON": sys.executable},
    )
    assert proc.returncode == 0, proc.stderr
    assert (out / "testbindings" / "rel6_mm7_1_5_test" / "schema_facts.py").exists()
    return UserSchema(schemas, out, xsd)


def _env(user: UserSchema, *more: Path) -> dict[str, str]:
    folders = [*map(str, more), str(user.out), os.environ.get("PYTHONPATH", "")]
    path = os.pathsep.join(filter(None, folders))
    return {**os.environ, "PYTHONPATH": path, "NO_COLOR": "1", "COLUMNS": "200"}


def run_python(
    user: UserSchema, code: str, *args: str, path: tuple[Path, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter that can import the generated package; it must succeed."""
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env=_env(user, *path),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def run_mm7(
    user: UserSchema, *args: str | Path, path: tuple[Path, ...] = ()
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mm7.cli", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env=_env(user, *path),
    )


REGISTER = f"""
    import dataclasses, json, sys
    from pathlib import Path
    import mm7
    from mm7.codec.messages import version_of

    version = mm7.register_schema(
        package={PACKAGE!r}, xsd=Path(sys.argv[1]), namespaces=[{TEST_NS!r}], mm7_versions=["6.9.0"],
        key={KEY!r},
    )
"""


@pytest.fixture(scope="module")
def envelopes(user_schema: UserSchema) -> Path:
    """A valid SubmitReq envelope of the user's schema (with CampaignTag), and a broken one."""
    folder = user_schema.out.parent / "envelopes"
    folder.mkdir()
    run_python(
        user_schema,
        REGISTER
        + """
    request = mm7.submit_request(to="15551234567", vasp_id="KEY", mm7_version="6.9.0")
    request = dataclasses.replace(request, campaign_tag="spring")
    wire = mm7.encode(request, transaction_id="t-1")
    Path(sys.argv[2], "valid.xml").write_bytes(wire.envelope)
    twice = wire.envelope.replace(b"</mm7:Recipients>", b"</mm7:Recipients><mm7:Bogus>x</mm7:Bogus>", 1)
    assert twice != wire.envelope
    Path(sys.argv[2], "broken.xml").write_bytes(twice)
    """,
        str(user_schema.xsd),
        str(folder),
    )
    return folder


def test_the_generated_package_is_registered_and_round_trips(user_schema: UserSchema) -> None:
    proc = run_python(
        user_schema,
        REGISTER
        + f"""
    assert version.key == {KEY!r} and version.package == {PACKAGE!r} and version.namespace == {TEST_NS!r}
    assert version.release == 6 and version.registered
    assert mm7.register_schema(
        package={PACKAGE!r}, xsd=Path(sys.argv[1]), namespaces=[{TEST_NS!r}], mm7_versions=["6.9.0"],
        key={KEY!r},
    ) is version  # the same registration again is a no-op

    # The builders use it for its MM7Version; the new element is a field of the new class.
    request = mm7.submit_request(to="15551234567", vasp_id="KEY", mm7_version="6.9.0", subject="Hi")
    assert type(request).__module__.startswith({PACKAGE!r}) and version_of(request) is version
    request = dataclasses.replace(request, campaign_tag="spring")

    # Encoded and validated against the user's XSD (ours has no CampaignTag), in its namespace.
    wire = mm7.encode(request, transaction_id="t-1")
    assert wire.version is version and wire.namespace == {TEST_NS!r}
    assert b"CampaignTag>spring<" in wire.envelope and {TEST_NS!r}.encode() in wire.envelope

    # Decoded strictly: the same object back, with the new element.
    back = mm7.decode(wire.to_bytes(), wire.content_type, mode="strict")
    assert back.version is version and back.operation == "SubmitReq" and back.valid
    assert back.message == request and back.message.campaign_tag == "spring"

    # A Dialect speaks it (by namespace or by key); the built-in schemas keep their namespaces.
    assert mm7.Dialect({TEST_NS!r}, "6.9.0").schema is version
    assert mm7.Dialect({KEY!r}, "6.8.0").schema is version
    assert mm7.Dialect("REL-6-MM7-1-4", "6.8.0").schema is mm7.REL6
    assert mm7.submit_request(to="15551234567", vasp_id="KEY").__class__.__module__.startswith("mm7_bindings")
    print("ok")
    """,
        str(user_schema.xsd),
    )
    assert proc.stdout.strip() == "ok"


def test_conflicts_are_config_errors(user_schema: UserSchema) -> None:
    run_python(
        user_schema,
        REGISTER
        + f"""
    def refused(**changes):
        arguments = dict(package={PACKAGE!r}, xsd=Path(sys.argv[1]), key="another")
        arguments.update(changes)
        try:
            mm7.register_schema(**arguments)
        except mm7.ConfigError as exc:
            return str(exc)
        raise AssertionError(f"registered {{changes}}")

    assert "served by {KEY}" in refused()  # the namespace is taken
    assert "already registered" in refused(key={KEY!r}, mm7_versions=["6.1.0"])
    assert "already registered" in refused(key="REL-6-MM7-1-4")  # a built-in key
    assert "lack" in refused(namespaces=["urn:other"])
    assert "several releases" in refused(mm7_versions=["5.3.0", "6.8.0"])
    assert "cannot import" in refused(package="no_such_bindings_package")
    assert "built-in bindings" in refused(package="mm7_bindings.rel6_mm7_1_4", xsd=mm7.REL6.xsd_path)
    assert mm7.register_schema(package=mm7.REL6.package, xsd=mm7.REL6.xsd_path) is mm7.REL6
    """,
        str(user_schema.xsd),
    )


def test_mm7_validate_with_the_users_bindings(user_schema: UserSchema, envelopes: Path) -> None:
    valid, broken = envelopes / "valid.xml", envelopes / "broken.xml"
    ok = run_mm7(user_schema, "validate", "--bindings", PACKAGE, "--xsd", user_schema.xsd, valid)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "valid (SubmitReq, REL-6-MM7-1-5-test" in ok.stdout
    bad = run_mm7(user_schema, "validate", "--bindings", PACKAGE, "--xsd", user_schema.xsd, broken)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Bogus" in bad.stdout
    # Without the bindings, mm7 does not know the namespace: not an MM7 message it can read.
    unknown = run_mm7(user_schema, "validate", valid)
    assert unknown.returncode != 0
    # Bindings that cannot be registered are a usage error, named.
    missing = run_mm7(
        user_schema, "validate", "--bindings", "no_such_bindings", "--xsd", user_schema.xsd, valid
    )
    assert missing.returncode == 2 and "no_such_bindings" in missing.stderr, missing.stderr


def test_mm7_validate_compiles_a_schema_folder(user_schema: UserSchema, envelopes: Path) -> None:
    ok = run_mm7(
        user_schema, "validate", "--schemas", user_schema.schemas, "--format", "json", envelopes / "valid.xml"
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert json.loads(ok.stdout)["version"] == "REL-6-MM7-1-5-test"
    bad = run_mm7(user_schema, "validate", "--schemas", user_schema.schemas, envelopes / "broken.xml")
    assert bad.returncode == 1, bad.stdout + bad.stderr


def test_mm7_inspect_names_the_schema_it_read_with(user_schema: UserSchema, envelopes: Path) -> None:
    proc = run_mm7(
        user_schema,
        "inspect",
        "--bindings",
        PACKAGE,
        "--xsd",
        user_schema.xsd,
        "--strict",
        envelopes / "valid.xml",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    shown = " ".join(proc.stdout.split())  # rich wraps long rows
    assert f"schema REL-6-MM7-1-5-test (package {PACKAGE}, namespace {TEST_NS})" in shown
    assert f"registered schemas (1) - REL-6-MM7-1-5-test: {PACKAGE} {TEST_NS}" in shown
    assert "CampaignTag" in shown


def test_client_and_receiver_over_http(user_schema: UserSchema, tmp_path: Path) -> None:
    proc = run_python(
        user_schema,
        REGISTER
        + """
    import threading
    from mm7.inbox import open_inbox
    from mm7.server import make_app, make_server

    dialect = mm7.Dialect(version.namespace, "6.9.0")
    received = []

    def mmsc(environ, start_response):
        body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
        request = mm7.decode(body, environ["CONTENT_TYPE"], mode="strict")
        received.append(request)
        response = mm7.response_for(request, 1000, message_id="m-1")
        answer = mm7.encode(response, transaction_id=request.transaction_id)
        start_response("200 OK", [(k, v) for k, v in answer.headers.items()])
        return [answer.body.to_bytes()]

    def serving(app):
        server = make_server(app, port=0, threads=2)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        return server, thread

    # A SubmitReq of the user's schema, sent by the client to an MMSC on loopback.
    server, thread = serving(mmsc)
    try:
        with mm7.MM7Client(f"http://127.0.0.1:{server.effective_port}/mm7", dialect=dialect) as client:
            request = mm7.submit_request(to="15551234567", vasp_id="KEY", mm7_version="6.9.0")
            request = dataclasses.replace(request, campaign_tag="spring")
            answer = client.send(request, mm7.Part.from_text("hello"))
    finally:
        server.close()
        thread.join(10)
    assert answer.operation == "SubmitRsp" and answer.version is version, answer
    assert received[0].version is version and received[0].message.campaign_tag == "spring"

    # A DeliverReq of the user's schema, sent to the receiver, which stores it in its inbox.
    inbox_url = "sqlite:///" + sys.argv[2]
    server, thread = serving(make_app(inbox_url))
    try:
        with mm7.MM7Client(f"http://127.0.0.1:{server.effective_port}/mm7", dialect=dialect) as client:
            deliver = mm7.deliver_request(sender="15551230000", to="12345", mm7_version="6.9.0")
            deliver = dataclasses.replace(deliver, campaign_tag="autumn")
            answer = client.send(deliver, mm7.Part.from_text("hi"))
    finally:
        server.close()
        thread.join(10)
    assert answer.operation == "DeliverRsp" and answer.version is version, answer
    inbox = open_inbox(inbox_url)
    try:
        [stored] = inbox.list()
    finally:
        inbox.close()
    assert stored.namespace == version.namespace
    assert b"CampaignTag>autumn<" in stored.envelope
    print("ok")
    """,
        str(user_schema.xsd),
        str(tmp_path / "inbox.db"),
    )
    assert proc.stdout.strip().endswith("ok")


def entry_point_site(user: UserSchema, tmp_path: Path) -> Path:
    """A folder holding an installed distribution whose ``mm7.schemas`` entry point names the user schema."""
    site = tmp_path / "site"
    info = site / "acme_schema-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: acme-schema\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[mm7.schemas]\nREL-6-MM7-1-5-ep = acme_schema:SCHEMA\n", encoding="utf-8"
    )
    spec = {"package": PACKAGE, "xsd": str(user.xsd), "mm7_versions": ["6.9.0"]}
    (site / "acme_schema.py").write_text(f"SCHEMA = {spec!r}\n", encoding="utf-8")
    return site


def test_an_entry_point_registers_the_schema_on_first_lookup(
    user_schema: UserSchema, envelopes: Path, tmp_path: Path
) -> None:
    """An installed package naming the schema in the ``mm7.schemas`` group: no register_schema call needed."""
    site = entry_point_site(user_schema, tmp_path)
    run_python(
        user_schema,
        f"""
    import sys
    from pathlib import Path
    import mm7

    body = Path(sys.argv[1]).read_bytes()
    decoded = mm7.decode(body, "text/xml; charset=utf-8", mode="strict")
    assert decoded.version.key == "REL-6-MM7-1-5-ep" and decoded.version.package == {PACKAGE!r}
    assert decoded.message.campaign_tag == "spring"
    assert mm7.Dialect({TEST_NS!r}, "6.9.0").schema is decoded.version
    """,
        str(envelopes / "valid.xml"),
        path=(site,),
    )
    proc = run_mm7(user_schema, "validate", "--bindings", PACKAGE, envelopes / "valid.xml", path=(site,))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "REL-6-MM7-1-5-ep" in proc.stdout


def test_a_registered_copy_of_our_schema_takes_our_namespace_only(
    user_schema: UserSchema, tmp_path: Path
) -> None:
    """Precedence: the official REL-6-MM7-1-4.xsd registered from the user's package serves that namespace;
    the other Rel-6 revisions and the built-in classes stay with mm7's REL6."""
    schemas, out = tmp_path / "official", tmp_path / "out"
    schemas.mkdir()
    (schemas / "REL-6-MM7-1-4.xsd").write_bytes((REPO / "schemas" / "REL-6-MM7-1-4.xsd").read_bytes())
    proc = subprocess.run(
        [str(SCRIPT), "--schemas", str(schemas), "--out", str(out), "--package", "official"],
        capture_output=True,
        text=True,
        check=False,
        timeout=240,
        env={**os.environ, "MM7_PYTHON": sys.executable},
    )
    assert proc.returncode == 0, proc.stderr
    run_python(
        user_schema,
        """
    import sys
    import mm7

    official = mm7.register_schema(
        package="official.rel6_mm7_1_4", xsd=sys.argv[1], key="REL-6-MM7-1-4-official"
    )
    assert official is not mm7.REL6 and official.namespace == mm7.REL6.namespace
    assert mm7.Dialect("REL-6-MM7-1-4", "6.8.0").schema is official
    assert mm7.Dialect("REL-6-MM7-1-0", "6.8.0").schema is mm7.REL6
    # Built-in classes stay ours (no MM7Version claimed); what arrives in the namespace is official's.
    request = mm7.submit_request(to="15551234567", vasp_id="KEY")
    wire = mm7.encode(request, transaction_id="t-1")
    assert wire.version is mm7.REL6
    back = mm7.decode(wire.to_bytes(), wire.content_type, mode="strict")
    assert back.version is official and type(back.message).__module__.startswith("official.")
    older = mm7.encode(request, transaction_id="t-2", namespace="REL-6-MM7-1-0")
    assert mm7.decode(older.to_bytes(), older.content_type, mode="tolerant").version is mm7.REL6
    """,
        str(schemas / "REL-6-MM7-1-4.xsd"),
        path=(out,),
    )


def test_a_broken_entry_point_is_a_config_error(user_schema: UserSchema, tmp_path: Path) -> None:
    site = tmp_path / "site"
    info = site / "broken_schema-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: broken-schema\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[mm7.schemas]\nbroken = no_such_module:SCHEMA\n", encoding="utf-8"
    )
    run_python(
        user_schema,
        """
    import mm7
    try:
        mm7.Dialect("REL-6-MM7-1-4", "6.8.0")
    except mm7.ConfigError as exc:
        assert "entry point broken (mm7.schemas)" in str(exc) and "no_such_module" in str(exc), exc
    else:
        raise AssertionError("a broken entry point went unnoticed")
    """,
        path=(site,),
    )


def test_mm7_serve_stores_a_deliver_req_of_an_entry_point_schema(
    user_schema: UserSchema, tmp_path: Path
) -> None:
    """``mm7 serve`` with the schema installed (entry point): a DeliverReq in its namespace is stored."""
    site = entry_point_site(user_schema, tmp_path)
    inbox_url = f"sqlite:///{tmp_path / 'inbox.db'}"
    server = subprocess.Popen(
        [sys.executable, "-m", "mm7.cli", "serve", "--port", "0", "--inbox", inbox_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_env(user_schema, site),
    )
    try:
        assert server.stdout is not None
        line = ""
        while "listening on" not in line:
            line = server.stdout.readline()
            assert line, "mm7 serve exited before listening"
        url = line.split("listening on", 1)[1].strip()
        run_python(
            user_schema,
            f"""
    import dataclasses, sys
    import mm7
    from mm7.inbox import open_inbox

    dialect = mm7.Dialect({TEST_NS!r}, "6.9.0")
    assert dialect.schema.key == "REL-6-MM7-1-5-ep"
    deliver = mm7.deliver_request(sender="15551230000", to="12345", mm7_version="6.9.0")
    deliver = dataclasses.replace(deliver, campaign_tag="winter")
    with mm7.MM7Client(sys.argv[1], dialect=dialect) as client:
        answer = client.send(deliver, mm7.Part.from_text("hi"))
    assert answer.operation == "DeliverRsp" and answer.version is dialect.schema, answer
    inbox = open_inbox(sys.argv[2])
    try:
        [stored] = inbox.list()
    finally:
        inbox.close()
    assert stored.namespace == {TEST_NS!r} and b"CampaignTag>winter<" in stored.envelope
    """,
            url,
            inbox_url,
            path=(site,),
        )
    finally:
        server.terminate()
        assert server.wait(30) == 0
        if server.stdout is not None:
            server.stdout.close()
