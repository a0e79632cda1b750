"""Databases for the tests: SQLite files by default, PostgreSQL when configured or installed.

``COGNITO_EMULATOR_TEST_DATABASE`` (a SQLAlchemy URL) makes the suite's shared server, and every test that
asks for "the configured database", use that server instead of a SQLite file. For PostgreSQL the URL
names a database the tests may connect to as a user that may create databases: each user of it gets a
fresh database of its own (``emulator_test_<random>``), dropped afterwards, so runs never see each other.

Tests that need PostgreSQL whatever is configured (two emulator processes on one database) use
``postgres_server()``: the configured PostgreSQL URL, or else a throwaway cluster started from Debian's
``postgresql`` package when it is installed (``initdb`` as the ``postgres`` user when running as root),
or None: those tests are then skipped.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from emulator.store.database import normalise_url

ENV = "COGNITO_EMULATOR_TEST_DATABASE"
# A PostgreSQL server URL: every server-backed test then runs twice, on the default database and on a fresh
# database on this server, within the one `python -m pytest` run (this is how CI runs the PostgreSQL part).
ALSO_ENV = "COGNITO_EMULATOR_TEST_POSTGRES"


def suite_kinds() -> list[str]:
    """The databases server-backed tests run on: "default" and, with COGNITO_EMULATOR_TEST_POSTGRES, "postgresql"."""
    return ["default", "postgresql"] if os.environ.get(ALSO_ENV, "").strip() else ["default"]


def _psycopg_installed() -> bool:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return False
    return True


def configured_url() -> str | None:
    value = os.environ.get(ENV, "").strip()
    return value or None


def is_postgres(url: str | URL | None) -> bool:
    return url is not None and normalise_url(url).get_backend_name() == "postgresql"


@contextlib.contextmanager
def fresh_postgres_database(server_url: str | URL) -> Iterator[str]:
    """A new, empty database on the server of ``server_url``; dropped when the block ends."""
    base = normalise_url(server_url)
    name = f"emulator_test_{secrets.token_hex(6)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield base.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextlib.contextmanager
def suite_database(directory: Path, kind: str = "default") -> Iterator[str]:
    """The configured database (a fresh one on a PostgreSQL server), or a SQLite file in ``directory``;
    ``kind="postgresql"``: a fresh database on the COGNITO_EMULATOR_TEST_POSTGRES server."""
    if kind == "postgresql":
        with fresh_postgres_database(os.environ[ALSO_ENV].strip()) as fresh:
            yield fresh
        return
    url = configured_url()
    if url is None:
        yield f"sqlite:///{directory / 'emulator.db'}"
    elif is_postgres(url):
        with fresh_postgres_database(url) as fresh:
            yield fresh
    else:
        yield url


# --- a throwaway PostgreSQL cluster ----------------------------------------------------------------------
def _postgres_bin() -> Path | None:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return versions[-1].parent if versions else None


class LocalPostgres:
    """A PostgreSQL cluster in a temporary directory on a free port, for one test session."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.directory = Path(tempfile.mkdtemp(prefix="emulator-pg-"))
        self.port = _free_port()
        self.user: str | None = None
        if os.geteuid() == 0:
            # initdb and postgres refuse to run as root: run them as Debian's postgres user.
            self.user = "postgres"
            entry = pwd.getpwnam(self.user)
            os.chown(self.directory, entry.pw_uid, entry.pw_gid)

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    @property
    def url(self) -> str:
        # Over the socket in our own directory: no password, nothing else on the machine can reach it.
        return f"postgresql+psycopg://postgres@/postgres?host={self.directory}&port={self.port}"

    def start(self) -> LocalPostgres:
        data = self.directory / "data"
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(self.directory / "log"),
            "-w",
            "-o",
            f"-p {self.port} -k {self.directory} -c listen_addresses='' -c fsync=off -c max_connections=200",
            "start",
        )
        return self

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run(
                str(self.bindir / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "immediate", "stop"
            )
        shutil.rmtree(self.directory, ignore_errors=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _free_port() -> int:
    from emulator.testing.server import free_port

    return free_port()


@contextlib.contextmanager
def postgres_server() -> Iterator[str | None]:
    """A PostgreSQL URL to create databases on: the configured one, a throwaway cluster, or None."""
    url = configured_url() or os.environ.get(ALSO_ENV, "").strip() or None
    if is_postgres(url):
        yield url
        return
    bindir = _postgres_bin()
    if (
        bindir is None
        or not _psycopg_installed()
        or (os.geteuid() == 0 and not (shutil.which("runuser") and _has_user("postgres")))
    ):
        yield None
        return
    cluster = LocalPostgres(bindir)
    try:
        cluster.start()
        _wait_ready(cluster.url)
        yield cluster.url
    finally:
        cluster.stop()


def _wait_ready(url: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while True:
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
        finally:
            engine.dispose()
