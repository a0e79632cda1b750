"""The layers of docs/architecture.md hold: import-linter's contracts in pyproject.toml pass on the code, fail on
a copy with one import that runs the wrong way, and the import graph has no loop."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = [
    sys.executable,
    "-c",
    "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())",
]


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` run on the ``emulator`` package found under ``root``, with the contracts in its
    pyproject.toml."""
    return subprocess.run(
        [*LINT, "--no-cache", str(root / "pyproject.toml")],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_contracts_are_kept():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "wrong_import", "broken"),
    [
        # the engine reaching up into the worlds that drive it
        (
            "emulator/engine/core.py",
            "from emulator.worlds import fixtures",
            "emulator.engine.core -> emulator.worlds",
        ),
        # a Cognito rule reaching up into the HTTP face
        (
            "emulator/userpools/users.py",
            "import emulator.http.wire",
            "emulator.userpools.users -> emulator.http",
        ),
        # the user pools reaching up into the identity pools that read them
        (
            "emulator/userpools/pools.py",
            "from emulator.identitypools import logins",
            "emulator.userpools.pools -> emulator.identitypools",
        ),
        # an identity pool rule that knows HTTP
        (
            "emulator/identitypools/roles.py",
            "import starlette.requests",
            "emulator.identitypools.roles -> starlette",
        ),
        # a service rule that knows HTTP
        (
            "emulator/userpools/outbox.py",
            "import starlette.requests",
            "emulator.userpools.outbox -> starlette",
        ),
    ],
)
def test_a_wrong_way_import_breaks_a_contract(tmp_path: Path, module: str, wrong_import: str, broken: str):
    copy = tmp_path / "project"
    shutil.copytree(ROOT / "emulator", copy / "emulator", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    target = copy / module
    target.write_text(target.read_text() + f"\n{wrong_import}  # deliberately the wrong way\n")
    result = lint(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "0 broken" not in result.stdout and "BROKEN" in result.stdout
    assert broken in result.stdout.replace("\n", " ").replace("  ", " ")


def test_the_import_graph_has_no_loop():
    """Not even through imports inside functions (those under TYPE_CHECKING aside, which never run)."""
    graph = grimp.build_graph("emulator", cache_dir=None, exclude_type_checking_imports=True)
    loops = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if graph.chain_exists(importer=imported, imported=module):
                loops.append(f"{module} <-> {imported}")
    assert loops == []


def test_no_module_is_over_600_lines():
    long = {
        str(path.relative_to(ROOT)): count
        for path in (ROOT / "emulator").rglob("*.py")
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert long == {}
