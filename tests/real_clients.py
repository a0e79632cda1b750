"""The outside clients some tests drive (Amplify JS and aws-jwt-verify on Node, Chromium through Playwright),
installed or found by the suite itself, so that ``python -m pytest`` on a fresh clone runs every test.

- A Node project (tests/amplify, tests/node) is installed with ``npm ci`` from its lock file the first time a
  test needs it, once: a stamp in ``node_modules`` records the lock file it was installed from, and a file
  lock makes pytest-xdist workers wait for the one that installs.
- A client that really cannot be had (no node or npm, no network for npm, no Chromium) skips its tests
  with the reason in words (``-rs`` in pyproject.toml prints it in the summary); under CI (``CI=true``, or
  ``COGNITO_EMULATOR_TEST_REQUIRE_CLIENTS=1``, which .ci/run sets) it fails them instead: a CI run that
  skipped a client suite has not tested what it claims.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

REQUIRE_ENV = "COGNITO_EMULATOR_TEST_REQUIRE_CLIENTS"
STAMP = ".cognito-emulator-installed"
NPM_TIMEOUT_SECONDS = 900
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser")


def required() -> bool:
    """Whether a missing client fails its tests: COGNITO_EMULATOR_TEST_REQUIRE_CLIENTS if set, else CI."""
    explicit = os.environ.get(REQUIRE_ENV, "").strip().lower()
    if explicit:
        return explicit not in ("0", "false", "no", "off")
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def missing(reason: str) -> NoReturn:
    """Skip the test for ``reason``, or under CI fail it."""
    if required():
        pytest.fail(f"{reason} (CI runs every client suite: {REQUIRE_ENV}=1 or CI=true)", pytrace=False)
    pytest.skip(reason)


def node_project(project: Path, package: str) -> Path:
    """``project`` with its node_modules installed from its lock file (``package`` is one it must hold)."""
    if shutil.which("node") is None:
        missing(f"node is not installed, needed by {project.name}/ (apt-get install nodejs npm)")
    problem = _install(project)
    if problem is not None:
        missing(problem)
    if not (project / "node_modules" / package).is_dir():
        missing(f"{package} is not in {project}/node_modules after npm ci")
    return project


def _lock_digest(project: Path) -> str:
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        digest.update((project / name).read_bytes())
    return digest.hexdigest()


@contextlib.contextmanager
def _exclusive(project: Path) -> Iterator[None]:
    """One installer at a time for ``project``, across processes (xdist workers); outside the repository."""
    import fcntl

    key = hashlib.sha256(str(project.resolve()).encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"cognito-emulator-npm-{key}.lock"
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@functools.cache
def _install(project: Path) -> str | None:
    """npm ci in ``project`` unless node_modules already matches its lock file; why it could not, or None."""
    stamp = project / "node_modules" / STAMP
    digest = _lock_digest(project)
    if stamp.is_file() and stamp.read_text().strip() == digest:
        return None
    npm = shutil.which("npm")
    if npm is None:
        return f"npm is not installed, needed to install {project.name}/'s Node clients (apt-get install npm)"
    with _exclusive(project):
        # Another process may have installed it while this one waited.
        if stamp.is_file() and stamp.read_text().strip() == digest:
            return None
        try:
            result = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=project,
                capture_output=True,
                text=True,
                timeout=NPM_TIMEOUT_SECONDS,
            )
        except subprocess.TimeoutExpired:
            return f"npm ci in {project} took more than {NPM_TIMEOUT_SECONDS} s"
        if result.returncode != 0:
            last = (result.stderr.strip() or result.stdout.strip()).splitlines()[-3:]
            return f"npm ci in {project} failed (exit {result.returncode}): {' | '.join(last)}"
        stamp.write_text(digest + "\n")
    return None


def chromium() -> str:
    """The system Chromium for Playwright (CHROMIUM, or on the PATH, or /usr/bin/chromium); never a browser
    of Playwright's own (``playwright install`` is never run)."""
    candidates = [os.environ.get("CHROMIUM"), *map(shutil.which, CHROMIUM_CANDIDATES), "/usr/bin/chromium"]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    missing("no Chromium for the browser tests (apt-get install chromium, or set CHROMIUM to its path)")


def playwright_sync_api():  # type: ignore[no-untyped-def]
    """playwright.sync_api, which the test extra installs."""
    try:
        from playwright import sync_api
    except ImportError:
        missing("Playwright for Python is not installed (pip install -e '.[test]')")
    return sync_api
