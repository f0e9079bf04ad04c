"""The run-time package never depends on the development tools.

Run-time: ``python/user_segmentation`` (the dbt plugin, input file and format, segmentation,
the report, the CLI). Tools: ``python/user_segmentation_tools`` (generator, benchmark) and
whatever the ``tools`` extra in pyproject.toml lists (psutil). No run-time module may import
either, at the top or inside a function; the CLI reaches the tools only through
``importlib`` when ``generate`` or ``bench`` runs.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "python" / "user_segmentation"
TOOLS = ROOT / "python" / "user_segmentation_tools"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# Modules whose public names this project declares (report*.py belong to another change).
OWNED = sorted(
    [p for p in RUNTIME.glob("*.py") if not p.name.startswith("report")] + list(TOOLS.glob("*.py")),
    key=str,
)
# Import names of distributions whose import name differs from the distribution name.
IMPORT_NAMES = {"scikit-learn": "sklearn", "pyyaml": "yaml", "jinja2": "jinja2"}


def _distribution(requirement: str) -> str:
    return re.split(r"[\s<>=!~\[;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _import_name(requirement: str) -> str:
    name = _distribution(requirement)
    return IMPORT_NAMES.get(name, name.replace("-", "_"))


def _imported_modules(path: Path) -> set[str]:
    """Top-level names of every absolute import in the file (module level and in functions)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


RUNTIME_DEPENDENCIES = {_distribution(r) for r in PYPROJECT["project"]["dependencies"]}
TOOL_ONLY = {_import_name(r) for r in PYPROJECT["project"]["optional-dependencies"]["tools"]} - {
    _import_name(r) for r in PYPROJECT["project"]["dependencies"]
}
FORBIDDEN = TOOL_ONLY | {"psutil", "user_segmentation_tools"}


def test_there_are_runtime_and_tool_modules() -> None:
    names = {p.name for p in RUNTIME.glob("*.py")}
    assert {"dbt_plugin.py", "input_file.py", "input_format.py", "clustering.py", "report.py", "cli.py"} <= names
    assert not {"bench.py", "generator.py"} & names, "the tools belong in python/user_segmentation_tools"
    assert {p.name for p in TOOLS.glob("*.py")} >= {"__init__.py", "bench.py", "generator.py"}


@pytest.mark.parametrize("module", sorted(RUNTIME.glob("*.py")), ids=lambda p: p.name)
def test_runtime_module_imports_no_tool(module: Path) -> None:
    bad = _imported_modules(module) & FORBIDDEN
    assert not bad, f"{module.relative_to(ROOT)} imports tool-only {sorted(bad)}"


def test_psutil_is_not_a_runtime_dependency() -> None:
    assert "psutil" not in RUNTIME_DEPENDENCIES
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert "psutil" in {_distribution(r) for r in extras["tools"]}


def test_dev_extra_installs_the_tools() -> None:
    """``make install`` installs ``.[dev]``: it must bring every tool dependency."""
    extras = PYPROJECT["project"]["optional-dependencies"]
    dev = {_distribution(r) for r in extras["dev"]}
    assert {_distribution(r) for r in extras["tools"]} <= dev | {"user-segmentation[tools]"}


def test_tools_need_nothing_undeclared() -> None:
    """What the tools import from outside the standard library is declared (run time or `tools`)."""
    declared = {_import_name(r) for r in PYPROJECT["project"]["dependencies"]} | TOOL_ONLY
    declared |= {"user_segmentation", "user_segmentation_tools"}
    for module in TOOLS.glob("*.py"):
        third_party = {m for m in _imported_modules(module) if m not in sys.stdlib_module_names}
        assert third_party <= declared, f"{module.name} imports undeclared {sorted(third_party - declared)}"


def test_runtime_imports_without_the_tool_dependencies() -> None:
    """With psutil and the tools package made unimportable, every run-time module still imports."""
    modules = sorted(f"user_segmentation.{p.stem}" for p in RUNTIME.glob("*.py") if p.stem != "__init__")
    blocked = sorted(FORBIDDEN)
    code = (
        "import importlib, sys\n"
        f"for name in {blocked!r}: sys.modules[name] = None\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-3000:]


def test_cli_tool_commands_say_what_to_install_when_the_tools_are_missing(monkeypatch, capsys) -> None:
    from user_segmentation.cli import main

    monkeypatch.setitem(sys.modules, "psutil", None)  # import psutil -> ModuleNotFoundError
    monkeypatch.delitem(sys.modules, "user_segmentation_tools.bench", raising=False)
    assert main(["bench", "--rows", "10"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "psutil" in err and "pip install -e '.[tools]'" in err


def _top_level_names(tree: ast.Module) -> dict[str, ast.AST]:
    """Names bound at module level (functions, classes, assignments) and the value assigned."""
    names: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names[node.name] = node
        elif isinstance(node, ast.Assign):
            names |= {t.id: node.value for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = node.value
    return names


@pytest.mark.parametrize("module", OWNED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_module_declares_its_public_names(module: Path) -> None:
    names = _top_level_names(ast.parse(module.read_text(encoding="utf-8")))
    assert "__all__" in names, f"{module.name} has no __all__"
    public = ast.literal_eval(names["__all__"])
    undefined = set(public) - set(names)
    assert not undefined, f"{module.name}: __all__ names undefined {sorted(undefined)}"
