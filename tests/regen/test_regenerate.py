"""scripts/regenerate: the committed bindings match the schemas, drift is caught, output is deterministic,
and a user-supplied schema set compiles into an importable package.

The real tree is never written: every run that generates goes to a temporary copy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "regenerate"
REL6_NS = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-4"
NEW_NS = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-6-MM7-1-5"


def regenerate(*args: str | Path) -> subprocess.CompletedProcess[str]:
    # The script runs under the interpreter running the tests, wherever it lives (not python3 from PATH).
    return subprocess.run(
        [str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        timeout=240,
        env={**os.environ, "MM7_PYTHON": sys.executable},
    )


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A private copy of schemas/ and generated/."""
    shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    shutil.copytree(REPO / "generated", tmp_path / "generated", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_check_passes_on_the_committed_tree() -> None:
    before = tree_bytes(REPO / "generated")
    proc = regenerate("--check")
    assert proc.returncode == 0, proc.stderr
    assert "matches" in proc.stdout
    assert tree_bytes(REPO / "generated") == before  # --check never writes


def test_check_on_an_untouched_copy_passes(copy: Path) -> None:
    proc = regenerate("--check", "--schemas", copy / "schemas", "--out", copy / "generated")
    assert proc.returncode == 0, proc.stderr


def test_edited_schema_makes_check_fail_naming_the_drifted_file(copy: Path) -> None:
    xsd = copy / "schemas" / "REL-6-MM7-1-4.xsd"
    text = xsd.read_text()
    anchor = '<xs:element name="Subject" type="xs:string" minOccurs="0"/>'
    assert anchor in text
    xsd.write_text(
        text.replace(
            anchor, anchor + '\n          <xs:element name="CampaignTag" type="xs:string" minOccurs="0"/>', 1
        )
    )
    before = tree_bytes(copy / "generated")
    proc = regenerate("--check", "--schemas", copy / "schemas", "--out", copy / "generated")
    assert proc.returncode == 1
    assert "differs: rel6_mm7_1_4/rel_6_mm7_1_4.py" in proc.stderr
    assert "rel5_mm7_1_3" not in proc.stderr  # only the edited schema's package drifted
    assert tree_bytes(copy / "generated") == before


@pytest.mark.parametrize("package", ["rel6_mm7_1_4", "rel5_mm7_1_3"])
def test_hand_edited_codec_module_makes_check_fail_naming_it(copy: Path, package: str) -> None:
    codec = copy / "generated" / "mm7_bindings" / package / "codec.py"
    lines = codec.read_text().splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith("def fill_"))
    lines.insert(index + 1, "    pass  # a hand edit\n")
    codec.write_text("".join(lines))
    proc = regenerate("--check", "--schemas", copy / "schemas", "--out", copy / "generated")
    assert proc.returncode == 1
    assert f"differs: {package}/codec.py" in proc.stderr
    assert proc.stderr.count("differs:") == 1  # nothing else drifted


def test_removed_codec_module_is_reported(copy: Path) -> None:
    (copy / "generated" / "mm7_bindings" / "rel5_mm7_1_3" / "codec.py").unlink()
    proc = regenerate("--check", "--schemas", copy / "schemas", "--out", copy / "generated")
    assert proc.returncode == 1
    assert "missing from committed tree: rel5_mm7_1_3/codec.py" in proc.stderr


def test_removed_generated_file_is_reported(copy: Path) -> None:
    (copy / "generated" / "mm7_bindings" / "soap_envelope_1_1" / "__init__.py").unlink()
    proc = regenerate("--check", "--schemas", copy / "schemas", "--out", copy / "generated")
    assert proc.returncode == 1
    assert "missing from committed tree: soap_envelope_1_1/__init__.py" in proc.stderr


def test_regenerating_twice_gives_identical_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        proc = regenerate("--schemas", REPO / "schemas", "--out", out)
        assert proc.returncode == 0, proc.stderr
    assert tree_bytes(first) == tree_bytes(second)
    # ...and identical to what is committed.
    assert tree_bytes(first / "mm7_bindings") == tree_bytes(REPO / "generated" / "mm7_bindings")


def test_user_supplied_schema_set_compiles_and_imports(tmp_path: Path) -> None:
    schemas = tmp_path / "user-schemas"
    schemas.mkdir()
    text = (REPO / "schemas" / "REL-6-MM7-1-4.xsd").read_text().replace(REL6_NS, NEW_NS)
    anchor = '<xs:element name="Subject" type="xs:string" minOccurs="0"/>'
    text = text.replace(
        anchor, anchor + '\n          <xs:element name="CampaignTag" type="xs:string" minOccurs="0"/>', 1
    )
    (schemas / "REL-6-MM7-1-5.xsd").write_text(text)
    out = tmp_path / "out"
    proc = regenerate("--schemas", schemas, "--out", out, "--package", "my_bindings")
    assert proc.returncode == 0, proc.stderr
    assert (out / "my_bindings" / "rel6_mm7_1_5" / "__init__.py").exists()
    assert (out / "my_bindings" / "rel6_mm7_1_5" / "codec.py").exists()
    probe = textwrap.dedent(
        f"""
        import dataclasses, sys
        sys.path.insert(0, {str(out)!r})
        from my_bindings.rel6_mm7_1_5 import SubmitReq
        from xsdata.formats.dataclass.serializers import XmlSerializer
        names = {{f.name for f in dataclasses.fields(SubmitReq)}}
        assert "campaign_tag" in names, sorted(names)
        assert SubmitReq.Meta.namespace == {NEW_NS!r}
        fields = {{f.name: f for f in dataclasses.fields(SubmitReq)}}
        assert fields["campaign_tag"].metadata["name"] == "CampaignTag"
        print("ok")
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"
    assert _bind_user_message(out, tmp_path) == "generated"


def _bind_user_message(out: Path, cwd: Path) -> str:
    """Encode and decode a user-schema SubmitReq through fastbind; say which path did it."""
    probe = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(out)!r})
        from lxml import etree
        from xsdata.formats.dataclass.serializers import XmlSerializer
        from my_bindings.rel6_mm7_1_5 import SubmitReq, SenderIdType, RecipientsType, MultiAddressType
        from my_bindings.rel6_mm7_1_5 import AddressType, ContentReferenceType
        from mm7.codec import fastbind
        req = SubmitReq(
            mm7_version="6.8.0",
            sender_identification=SenderIdType(vasp_id="v"),
            recipients=RecipientsType(to=[MultiAddressType(number=[AddressType(value="1")])]),
            campaign_tag="spring",
            content=ContentReferenceType(href="cid:x"),
        )
        element = fastbind.to_element(req, nsmap={{None: {NEW_NS!r}}})
        expected = etree.fromstring(XmlSerializer().render(req, ns_map={{None: {NEW_NS!r}}}).encode())
        assert etree.tostring(element, method="c14n") == etree.tostring(expected, method="c14n")
        assert fastbind.from_element(element, SubmitReq) == req
        print("generated" if fastbind.plan_for(SubmitReq).codec else "xsdata")
        """
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False, cwd=cwd)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def test_user_schema_set_without_codecs_is_bound_by_xsdata(tmp_path: Path) -> None:
    schemas = tmp_path / "user-schemas"
    schemas.mkdir()
    text = (REPO / "schemas" / "REL-6-MM7-1-4.xsd").read_text().replace(REL6_NS, NEW_NS)
    anchor = '<xs:element name="Subject" type="xs:string" minOccurs="0"/>'
    text = text.replace(
        anchor, anchor + '\n          <xs:element name="CampaignTag" type="xs:string" minOccurs="0"/>', 1
    )
    (schemas / "REL-6-MM7-1-5.xsd").write_text(text)
    out = tmp_path / "out"
    proc = regenerate("--schemas", schemas, "--out", out, "--package", "my_bindings", "--no-codecs")
    assert proc.returncode == 0, proc.stderr
    assert not (out / "my_bindings" / "rel6_mm7_1_5" / "codec.py").exists()
    assert _bind_user_message(out, tmp_path) == "xsdata"


def test_empty_schema_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    proc = regenerate("--schemas", tmp_path / "empty", "--out", tmp_path / "out")
    assert proc.returncode != 0
    assert "no .xsd files" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_without_mm7_python_the_script_runs_under_python3_from_path(tmp_path: Path) -> None:
    """The active virtualenv's python3 (first on PATH) runs it, not an interpreter found in the checkout."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    marker = tmp_path / "used"
    shim = bin_dir / "python3"
    shim.write_text(f'#!/bin/sh\necho "$@" >> "{marker}"\nexec "{sys.executable}" "$@"\n')
    shim.chmod(0o755)
    (tmp_path / "none").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "MM7_PYTHON"}
    env["PATH"] = f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin"
    proc = subprocess.run(
        [str(SCRIPT), "--schemas", tmp_path / "none", "--out", tmp_path / "out"],
        capture_output=True,
        text=True,
        check=False,
        timeout=240,
        env=env,
    )
    assert proc.returncode != 0 and "no .xsd files" in proc.stderr  # mm7._regenerate ran, and refused
    assert "-m mm7._regenerate" in marker.read_text()


def test_the_mm7_command_passes_no_codecs_on(tmp_path: Path) -> None:
    """``mm7 regenerate --no-codecs`` (the installed command) writes bindings and facts without codec.py."""
    schemas = tmp_path / "user-schemas"
    schemas.mkdir()
    (schemas / "REL-6-MM7-1-5.xsd").write_text((REPO / "schemas" / "REL-6-MM7-1-4.xsd").read_text())
    out = tmp_path / "out"
    mm7_script = Path(sys.executable).with_name("mm7")
    command = [str(mm7_script), "regenerate", "--schemas", str(schemas), "--out", str(out)]
    proc = subprocess.run(
        [*command, "--package", "cli_bindings", "--no-codecs"],
        capture_output=True,
        text=True,
        check=False,
        timeout=240,
        env={**os.environ, "MM7_PYTHON": sys.executable},
    )
    assert proc.returncode == 0, proc.stderr
    package = out / "cli_bindings" / "rel6_mm7_1_5"
    assert (package / "schema_facts.py").exists() and (package / "rel_6_mm7_1_5.py").exists()
    assert not (package / "codec.py").exists()
