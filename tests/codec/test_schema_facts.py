"""The tolerant reader's schema facts are generated with the bindings; at run time nothing reads the XSD."""

from __future__ import annotations

import dataclasses
import importlib

import pytest

from mm7._schema_facts import read_schema, render_facts
from mm7.codec.schema_model import FACTS_MODULE, ComplexType, model_for
from mm7.codec.versions import REL5, REL6, SchemaVersion
from mm7.errors import ConfigError


@pytest.mark.parametrize("version", [REL5, REL6], ids=lambda v: v.key)
def test_the_committed_facts_are_what_the_xsd_says(version: SchemaVersion) -> None:
    module = importlib.import_module(f"{version.package}.{FACTS_MODULE}")
    source = module.__file__
    assert source is not None
    with open(source, encoding="utf-8") as committed:
        assert committed.read() == render_facts(read_schema(version.xsd_path), version.xsd_path.name)


@pytest.mark.parametrize("version", [REL5, REL6], ids=lambda v: v.key)
def test_the_model_is_read_without_the_xsd(version: SchemaVersion) -> None:
    elsewhere = dataclasses.replace(version, _schema_file="no-such-schema.xsd")
    assert not elsewhere.xsd_path.exists()
    model = model_for(elsewhere)
    assert model.namespace == version.namespace
    submit = model.elements["SubmitReq"]
    assert isinstance(submit, ComplexType)
    assert submit.children["MM7Version"].position < submit.children["Recipients"].position
    recipients = submit.children["Recipients"].type
    assert isinstance(recipients, ComplexType)
    # To, Cc and Bcc are alternatives of one repeated choice: they share a position.
    assert len({recipients.children[name].position for name in ("To", "Cc", "Bcc")}) == 1


def test_bindings_without_facts_say_how_to_get_them() -> None:
    orphan = dataclasses.replace(REL6, package="json")  # any importable package without schema facts
    with pytest.raises(ConfigError, match="regenerate"):
        model_for(orphan)
