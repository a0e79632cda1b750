"""The README's table of supported operations must match the registry and the service model.

When this fails after you implemented an operation, run ``python scripts/operations_table.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.identitypools import operations as identity_operations
from emulator.protocol import service_model
from emulator.userpools import operations
from tests.helpers import load_script

ROOT = Path(__file__).resolve().parents[2]


script = load_script("operations_table")


def test_the_committed_readme_table_is_current():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert script.with_table(readme, script.render_table()) == readme, (
        "README.md's operations table is stale: run python scripts/operations_table.py"
    )


def test_the_table_lists_every_model_operation_once():
    table = script.render_table()
    rows = [
        line for line in table.splitlines() if line.startswith("| ") and not line.startswith("| Operation")
    ]
    names = [row.split("|")[1].strip() for row in rows]
    assert names == service_model.operation_names()
    implemented = set(operations.load_all())
    for row, name in zip(rows, names, strict=True):
        assert row.endswith("| yes |") == (name in implemented), row
    assert f"{len(implemented)} of {len(names)} operations" in table


def test_the_identity_pools_table_is_committed_and_current():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count(script.IDENTITY_START) == 1 and readme.count(script.IDENTITY_END) == 1
    assert script.with_tables(readme) == readme, (
        "README.md's operations tables are stale: run python scripts/operations_table.py"
    )
    table = script.render_table("cognito-identity")
    rows = [
        line for line in table.splitlines() if line.startswith("| ") and not line.startswith("| Operation")
    ]
    names = [row.split("|")[1].strip() for row in rows]
    assert names == service_model.operation_names("cognito-identity")
    implemented = set(identity_operations.load_all())
    for row, name in zip(rows, names, strict=True):
        assert row.endswith("| yes |") == (name in implemented), row
    assert f"{len(implemented)} of {len(names)} operations of the cognito-identity API" in table


def test_check_mode_reports_a_stale_identity_table(tmp_path):
    stale = tmp_path / "README.md"
    stale.write_text(
        f"{script.START}\n{script.END}\n\n{script.IDENTITY_START}\n| old | table |\n{script.IDENTITY_END}\n"
    )
    assert script.main(["--check", "--readme", str(stale)]) == 1
    assert script.main(["--readme", str(stale)]) == 0
    assert "| GetCredentialsForIdentity | yes |" in stale.read_text()
    assert script.main(["--check", "--readme", str(stale)]) == 0


def test_check_mode_reports_a_stale_readme(tmp_path, capsys):
    stale = tmp_path / "README.md"
    stale.write_text(f"# Title\n\n{script.START}\n| old | table |\n{script.END}\n\nMore text.\n")
    assert script.main(["--check", "--readme", str(stale)]) == 1
    assert "stale" in capsys.readouterr().err

    assert script.main(["--readme", str(stale)]) == 0
    text = stale.read_text()
    assert text.startswith("# Title\n\n")
    assert text.endswith(f"{script.END}\n\nMore text.\n")
    assert "| old | table |" not in text
    assert script.main(["--check", "--readme", str(stale)]) == 0


def test_missing_markers_are_an_error(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("no markers here\n")
    with pytest.raises(SystemExit):
        script.main(["--check", "--readme", str(readme)])
