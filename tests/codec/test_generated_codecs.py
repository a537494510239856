"""The codec runs generated code, not code built at run time, and stays off xsdata's private modules.

* No module under ``mm7/`` calls ``exec``, ``eval`` or ``compile`` (an AST scan of every ``mm7/**/*.py``):
  the encoders and decoders are the ``codec`` modules ``scripts/regenerate`` writes (``mm7._codegen``).
* xsdata's public API, as its documentation presents it: the value types of ``xsdata.models.datatype``
  (``XmlDateTime``, ``XmlDate``, ``XmlDuration``...), and the entry points ``XmlParser`` /
  ``XmlSerializer`` imported from ``xsdata.formats.dataclass.parsers`` /
  ``xsdata.formats.dataclass.serializers`` with their ``ParserConfig`` / ``SerializerConfig`` from the
  ``.config`` modules beside them. Everything else is private: ``xsdata.formats.dataclass.context`` /
  ``.models`` / ``.parsers.nodes`` / ``.parsers.handlers`` / ``.parsers.utils`` / ``.serializers.tree`` /
  ``.serializers.writers`` ..., ``xsdata.utils.*``, ``xsdata.codegen.*``.
* The rule checked here: (1) at run time, mm7 imports ``xsdata.models.datatype`` at module level and the
  four entry-point modules only inside functions (the xsdata fallback); the generation-time modules
  (``mm7._regenerate``, ``mm7._codegen``, ``mm7._schema_facts``) may import anything. (2) In a fresh
  interpreter, ``import mm7`` and an encode + strict decode of a SubmitReq (the generated fast path) leave
  in ``sys.modules`` no xsdata module beyond what ``import xsdata.models.datatype`` loads by itself (the
  datatype module imports ``xsdata.utils.dates``; that is xsdata's own doing, not ours) — in particular
  nothing under ``xsdata.formats`` (importing even the public parser package loads the private ones).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MM7 = REPO / "mm7"
GENERATION_TIME = {"mm7/_regenerate.py", "mm7/_codegen.py", "mm7/_schema_facts.py"}
MODULE_LEVEL_XSDATA = {"xsdata.models.datatype"}
FALLBACK_XSDATA = {
    "xsdata.formats.dataclass.parsers",
    "xsdata.formats.dataclass.parsers.config",
    "xsdata.formats.dataclass.serializers",
    "xsdata.formats.dataclass.serializers.config",
}


def _sources() -> list[Path]:
    return sorted(MM7.rglob("*.py"))


def _called_name(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "builtins":
        return func.attr
    return None


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_module_under_mm7_executes_source_text(path: Path) -> None:
    tree = ast.parse(path.read_text(), str(path))
    calls = [
        f"{path.relative_to(REPO)}:{node.lineno} {name}()"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and (name := _called_name(node)) in {"exec", "eval", "compile"}
    ]
    assert calls == []


def _xsdata_imports(tree: ast.Module) -> list[tuple[str, bool]]:
    """(module, imported when the module is) for every xsdata import in a module.

    Imports under a top-level ``if TYPE_CHECKING:`` never run; other top-level ``if`` blocks count as
    module level.
    """
    found: list[tuple[str, bool]] = []
    top_level = {id(node) for node in tree.body}
    for parent in ast.walk(tree):
        typing_only = isinstance(parent, ast.If) and ast.unparse(parent.test).endswith("TYPE_CHECKING")
        for node in ast.iter_child_nodes(parent):
            module_level = id(node) in top_level or (
                isinstance(parent, ast.If) and id(parent) in top_level and not typing_only
            )
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("xsdata"):
                found.append((node.module, module_level))
            elif isinstance(node, ast.Import):
                found += [(a.name, module_level) for a in node.names if a.name.startswith("xsdata")]
    return found


def test_run_time_modules_import_only_xsdata_public_api() -> None:
    problems = []
    for path in _sources():
        relative = str(path.relative_to(REPO))
        if relative in GENERATION_TIME:
            continue
        for module, module_level in _xsdata_imports(ast.parse(path.read_text(), relative)):
            allowed = MODULE_LEVEL_XSDATA if module_level else MODULE_LEVEL_XSDATA | FALLBACK_XSDATA
            if module not in allowed:
                where = "module level" if module_level else "in a function"
                problems.append(f"{relative}: {module} ({where})")
    assert problems == []


def test_generated_codec_modules_import_no_xsdata_internals() -> None:
    for codec in sorted((REPO / "generated" / "mm7_bindings").glob("*/codec.py")):
        tree = ast.parse(codec.read_text(), str(codec))
        modules = {module for module, _ in _xsdata_imports(tree)}
        assert modules <= MODULE_LEVEL_XSDATA, (codec, modules)


def _fresh(code: str) -> list[str]:
    run = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=False, cwd=REPO
    )
    assert run.returncode == 0, run.stderr
    return sorted(json.loads(run.stdout.splitlines()[-1]))


def test_encode_and_decode_load_no_private_xsdata_module() -> None:
    baseline = _fresh(
        """
        import json, sys
        import xsdata.models.datatype
        print(json.dumps([m for m in sys.modules if m == "xsdata" or m.startswith("xsdata.")]))
        """
    )
    assert not any(m.startswith("xsdata.formats") for m in baseline)
    loaded = _fresh(
        """
        import json, sys
        import mm7
        req = mm7.submit_request(to="15551234567", vasp_id="vasp", vas_id="vas", sender="12345", subject="Hi")
        wire = mm7.encode(req, content=mm7.related_content([mm7.Part.from_text("Hello")]))
        got = mm7.decode(wire.to_bytes(), wire.content_type)
        assert got.operation == "SubmitReq" and got.message.subject == "Hi", got.message
        from mm7.codec import fastbind
        assert fastbind.plan_for(type(req)).codec is not None
        print(json.dumps([m for m in sys.modules if m == "xsdata" or m.startswith("xsdata.")]))
        """
    )
    assert sorted(set(loaded) - set(baseline)) == []


def test_generated_codec_modules_type_check_strictly(tmp_path: Path) -> None:
    """The generated modules are excluded from the project's mypy run; their hints still hold (--strict).

    mypy is a [dev] tool: the lowest-versions pass (.venv-lowest, runtime + [test] only) skips this.
    """
    pytest.importorskip("mypy", reason="mypy is not installed (the lowest-versions pass has no [dev] tools)")
    generated = REPO / "generated"
    codecs = sorted(str(p.relative_to(generated)) for p in generated.glob("mm7_bindings/*/codec.py"))
    assert codecs
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--follow-imports=silent",
            "--cache-dir",
            str(tmp_path),
            *codecs,
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=generated,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
