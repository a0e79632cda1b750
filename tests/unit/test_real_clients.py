"""tests.real_clients: a client that cannot be had skips its tests with the reason, or under CI fails them; a
Node project whose node_modules matches its lock file is not installed again."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests import real_clients


@pytest.fixture
def no_tools(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("CHROMIUM", raising=False)
    monkeypatch.setattr(real_clients, "CHROMIUM_CANDIDATES", ())
    monkeypatch.setattr(Path, "exists", lambda self: False)


@pytest.mark.parametrize(("ci", "require"), [("", ""), ("true", "0")])
def test_a_missing_client_is_a_skip_in_words(no_tools, monkeypatch, ci, require):
    monkeypatch.setenv("CI", ci)
    monkeypatch.setenv(real_clients.REQUIRE_ENV, require)
    with pytest.raises(pytest.skip.Exception, match=r"node is not installed, needed by amplify/"):
        real_clients.node_project(Path("tests/amplify"), "aws-amplify")
    with pytest.raises(pytest.skip.Exception, match=r"no Chromium for the browser tests \(apt-get install"):
        real_clients.chromium()


@pytest.mark.parametrize(("ci", "require"), [("true", ""), ("", "1")])
def test_under_ci_a_missing_client_fails(no_tools, monkeypatch, ci, require):
    monkeypatch.setenv("CI", ci)
    monkeypatch.setenv(real_clients.REQUIRE_ENV, require)
    with pytest.raises(pytest.fail.Exception, match=r"node is not installed.*CI runs every client suite"):
        real_clients.node_project(Path("tests/amplify"), "aws-amplify")
    with pytest.raises(pytest.fail.Exception, match="no Chromium"):
        real_clients.chromium()


def test_npm_ci_runs_once_per_lock_file(tmp_path, monkeypatch):
    project = tmp_path / "project"
    project.mkdir()
    (project / "package.json").write_text('{"name": "x"}')
    (project / "package-lock.json").write_text('{"lockfileVersion": 3}')
    runs: list[list[str]] = []

    def fake_npm(command, cwd, **kwargs):  # type: ignore[no-untyped-def]
        runs.append(command)
        # As npm ci does: node_modules anew.
        shutil.rmtree(Path(cwd) / "node_modules", ignore_errors=True)
        (Path(cwd) / "node_modules" / "left-pad").mkdir(parents=True)
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(subprocess, "run", fake_npm)
    real_clients._install.cache_clear()
    assert real_clients.node_project(project, "left-pad") == project
    assert runs[0][1] == "ci"
    real_clients._install.cache_clear()
    real_clients.node_project(project, "left-pad")
    assert len(runs) == 1, "node_modules matches the lock file: no second install"
    (project / "package-lock.json").write_text('{"lockfileVersion": 3, "packages": {}}')
    real_clients._install.cache_clear()
    real_clients.node_project(project, "left-pad")
    assert len(runs) == 2, "a changed lock file installs again"
    real_clients._install.cache_clear()
