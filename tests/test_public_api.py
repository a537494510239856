"""The public surface of ``mm7`` is pinned here: adding or removing a name is a deliberate change."""

from __future__ import annotations

import re
import types
from pathlib import Path

import mm7

EXPECTED = [
    "REL5", "REL6", "AsyncMM7Client", "ClientStatusError", "CodecError", "ConfigError", "DecodedMessage",
    "Deviation", "Dialect", "EncodedMessage", "Extension", "LimitExceededError", "Limits", "LocalCodecError",
    "LocalError", "LocalValidationError", "MIMEError", "MM7Client", "MM7Error", "MM7Message",
    "MM7StatusError", "MM7ValidationError", "MalformedXMLError", "Part", "Profile", "RemoteCodecError",
    "RemoteError", "RemoteValidationError", "SchemaVersion", "ServerStatusError", "ServiceStatusError",
    "TransportError", "UnsupportedOperationError", "UnsupportedVersionError", "ValidationProblem",
    "XMLLimits", "XMLSecurityError", "__version__", "decode", "deliver_request", "delivery_report_request",
    "encode", "encode_error", "generate_smil", "mixed_content", "new_transaction_id", "register_schema",
    "related_content", "response_for", "submit_request",
]  # fmt: skip


def test_all_is_pinned() -> None:
    assert mm7.__all__ == EXPECTED


def test_all_is_what_the_module_holds() -> None:
    """httpx's test: every public name of the module is in ``__all__`` and nothing else is.

    Submodules aside; names loaded on first use count once they are.
    """
    for name in mm7.__all__:
        getattr(mm7, name)
    public = {
        name
        for name, value in vars(mm7).items()
        if (not name.startswith("_") or name == "__version__") and not isinstance(value, types.ModuleType)
    }
    assert sorted(public) == sorted(mm7.__all__)
    assert not {"Any", "TYPE_CHECKING", "annotations", "importlib", "typing"} & set(vars(mm7))


def test_every_public_name_resolves() -> None:
    for name in mm7.__all__:
        assert getattr(mm7, name) is not None, name


def test_unknown_attribute_raises_attribute_error() -> None:
    try:
        mm7.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_readme_library_example_runs(tmp_path: Path) -> None:
    """The README's library example, run for real (a small image file stands in for cat.jpg)."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    block = re.search(r"```python\n(.*?)```", readme, re.S)
    assert block is not None
    image = tmp_path / "cat.jpg"
    image.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8)
    sent = mm7.encode(
        mm7.submit_request(to="15551234567", vasp_id="KEY", vas_id="12345mms", sender="12345", subject="Hi"),
        content=mm7.related_content([mm7.Part.from_file(image), mm7.Part.from_text("Hi there!")]),
    )
    namespace = {"mm7": mm7, "body": sent.to_bytes(), "content_type": sent.content_type}
    code = block.group(1).replace('"cat.jpg"', repr(str(image)))
    exec(compile(code, "README.md", "exec"), namespace)
    got = namespace["got"]
    assert got.operation == "SubmitReq"
    kinds = [p.media_type for p in got.media_parts()]
    assert kinds == ["image/jpeg", "text/plain"]
    smil = got.smil()
    assert smil is not None and smil.media_type == "application/smil"
    assert namespace["wire"].headers["Content-Length"] == str(len(namespace["wire"].to_bytes()))
