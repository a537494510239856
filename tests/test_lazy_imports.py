"""``import mm7`` loads what the package needs to exist, not what only some calls need.

Checked by name in a fresh interpreter (deterministic, unlike a timing): after ``import mm7`` none of the
modules below is in ``sys.modules``. Each is loaded by the call that needs it: the generated bindings by
the first message of their version, the MIME parser and the tolerant reader by the first decode, the
client, receiver, inbox and simulator (and requests, psycopg) when they are used, ``mimetypes`` when a
file part's type is guessed. How long ``import mm7`` takes is measured in benchmarks/, not here.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: Modules (each with its submodules) that ``import mm7`` must not load.
NOT_AT_IMPORT = (
    "mm7_bindings",
    "mm7.cli",
    "mm7.client",
    "mm7.inbox",
    "mm7.profiles",
    "mm7.server",
    "mm7.simulator",
    "mm7.codec.message_types",
    "mm7.codec.mime.decoder",
    "mm7.codec.mime.references",
    "mm7.codec.schema_model",
    "mm7.codec.smil",
    "mm7.codec.tolerance",
    "requests",
    "psycopg",
    "xsdata.formats.dataclass.parsers",
    "xsdata.formats.dataclass.serializers",
    "xsdata.formats.dataclass.context",
    "mimetypes",
    "secrets",
)

_PROBE = """
import json, sys
import mm7
print(json.dumps(sorted(sys.modules)))
"""


def _loaded(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def after_import() -> set[str]:
    return _loaded(_PROBE)


@pytest.mark.parametrize("module", NOT_AT_IMPORT)
def test_import_mm7_does_not_load(module: str, after_import: set[str]) -> None:
    assert not {m for m in after_import if m == module or m.startswith(module + ".")}


_FIRST_DECODE = """
import json, sys
import mm7
report = mm7.delivery_report_request(message_id="m", recipient="1555", sender="1", mm_status="Retrieved")
wire = mm7.encode(report)
mm7.decode(wire.to_bytes(), wire.content_type)
print(json.dumps(sorted(sys.modules)))
"""


def test_the_first_decode_loads_the_parser_and_the_tolerant_reader() -> None:
    loaded = _loaded(_FIRST_DECODE)
    assert {"mm7.codec.mime.decoder", "mm7.codec.tolerance"} <= loaded


def test_the_mime_package_names_the_decoder_lazily() -> None:
    from mm7.codec import mime
    from mm7.codec.mime import MultipartDecoder, decode, decoder

    assert decode is decoder.decode and MultipartDecoder is decoder.MultipartDecoder
    assert mime.decode is decode
    with pytest.raises(AttributeError, match="no_such_name"):
        mime.no_such_name  # noqa: B018 - the attribute access is the test
