"""JUnit XML reports (``mm7 validate --format junit``): the file format CI systems read test results from.

The structure is the one Ant's JUnit report task introduced and Jenkins, GitLab, GitHub Actions reporters
and Azure Pipelines read: a ``testsuites`` root holding one ``testsuite`` (``name``, ``tests``,
``failures``, ``errors``, ``skipped``, ``time``, ``timestamp``, ``hostname``; ``properties``), and in it one
``testcase`` (``name``, ``classname``, ``time``) per test, holding a ``failure`` (the test ran and found a
problem) or an ``error`` (it could not run), each with a ``message`` and ``type`` attribute and the details
as text, and a ``system-out`` with what the test printed. Times are in seconds.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from lxml import etree

__all__ = ["JUnitCase", "Outcome", "junit_report"]

Outcome = Literal["passed", "failure", "error"]

#: Characters XML 1.0 cannot carry (controls, lone surrogates from undecodable file names, U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class JUnitCase:
    """One test's result.

    Attributes:
        name: The test's name (for ``mm7 validate``, the file).
        classname: The group CI systems file it under.
        seconds: How long it took.
        outcome: ``passed``, ``failure`` (it ran and found a problem) or ``error`` (it could not run).
        message: One line saying what went wrong (``failure``/``error`` only).
        type: The kind of problem (``failure``/``error`` only).
        details: Every problem, one a line (``failure``/``error`` only).
        output: What the test reports besides (``system-out``); empty for none.
    """

    name: str
    classname: str
    seconds: float
    outcome: Outcome = "passed"
    message: str = ""
    type: str = ""
    details: str = ""
    output: str = ""


def _xml_text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def junit_report(
    cases: Sequence[JUnitCase],
    *,
    suite: str,
    seconds: float,
    properties: Iterable[tuple[str, str]] = (),
    timestamp: datetime | None = None,
) -> bytes:
    """Write a JUnit XML report of one test suite.

    Args:
        cases: The tests, in the order to list them.
        suite: The suite's name (also the root's).
        seconds: How long the whole run took (wall clock).
        properties: Name and value pairs describing the run (``properties`` element).
        timestamp: When the run started; now when None. Written as local time without a zone, as the
            format asks.

    Returns:
        The report, UTF-8 with an XML declaration.
    """
    failures = sum(case.outcome == "failure" for case in cases)
    errors = sum(case.outcome == "error" for case in cases)
    counts = {"tests": str(len(cases)), "failures": str(failures), "errors": str(errors)}
    root = etree.Element("testsuites", {"name": suite, **counts, "time": _seconds(seconds)})
    started = (timestamp or datetime.now()).replace(microsecond=0, tzinfo=None)
    testsuite = etree.SubElement(
        root,
        "testsuite",
        {
            "name": suite,
            **counts,
            "skipped": "0",
            "time": _seconds(seconds),
            "timestamp": started.isoformat(),
            "hostname": _xml_text(socket.gethostname()),
        },
    )
    listed = list(properties)
    if listed:
        holder = etree.SubElement(testsuite, "properties")
        for name, value in listed:
            etree.SubElement(holder, "property", name=_xml_text(name), value=_xml_text(value))
    for case in cases:
        testcase = etree.SubElement(
            testsuite,
            "testcase",
            name=_xml_text(case.name),
            classname=_xml_text(case.classname),
            time=_seconds(case.seconds),
        )
        if case.outcome != "passed":
            problem = etree.SubElement(
                testcase, case.outcome, message=_xml_text(case.message), type=_xml_text(case.type)
            )
            problem.text = _xml_text(case.details)
        if case.output:
            etree.SubElement(testcase, "system-out").text = _xml_text(case.output)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
