"""``serve`` starts that cannot work: each says why in one line with exit status 2 (no traceback, no banner),
and changes nothing, not even when another emulator is serving the same database on the same port."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.cli import main
from emulator.config import ENV_PREFIX
from emulator.store import Database
from emulator.testing.server import free_port
from tests.api.test_cli import ROOT, Served
from tests.conftest import make_boto_client

DEMO = ROOT / "fixtures" / "signin-steps.yaml"
DEMO_POOL = "us-east-1_Demo00001"
# A hung start fails the test instead of hanging the suite; a good one ends in a second or two.
START_TIMEOUT = 30


def serve(
    args: list[str], tmp_path: Path, env: dict[str, str] | None = None, prefix: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {key: value for key, value in os.environ.items() if not key.startswith(ENV_PREFIX)}
    environ["PYTHONPATH"] = str(ROOT)
    environ.update(env or {})
    return subprocess.run(
        [*(prefix or []), sys.executable, "-m", "emulator", "serve", *args],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT,
    )


@pytest.fixture
def served() -> Iterator[list[Served]]:
    started: list[Served] = []
    yield started
    for process in started:
        process.kill()


def assert_one_line(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stdout == "", "no banner for a start that fails"
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("cognito-emulator: "), result.stderr
    assert expected in result.stderr


def test_a_start_on_a_taken_port_changes_nothing(tmp_path, served):
    """Server B on server A's port and database, with the same fixtures: B stops before opening the database,
    so A's user stays confirmed (loading the fixtures again would make it UNCONFIRMED)."""
    port = free_port()
    # A plain path names a SQLite file.
    first = Served(
        tmp_path, ["--port", str(port), "--database", "world.db", "--fixtures", str(DEMO)], cwd=tmp_path
    )
    served.append(first)
    first.wait_until_ready(port)
    assert "database: sqlite:///world.db" in first.banner
    cognito = make_boto_client(f"http://127.0.0.1:{port}")
    cognito.admin_confirm_sign_up(UserPoolId=DEMO_POOL, Username="confirm-sign-up")
    cognito.admin_set_user_password(
        UserPoolId=DEMO_POOL, Username="reset-password", Password="Another-Passw0rd!", Permanent=True
    )

    second = serve(["--port", str(port), "--database", "world.db", "--fixtures", str(DEMO)], tmp_path)
    assert_one_line(second, f"cannot listen on 127.0.0.1:{port}: the address is already in use")
    users = {
        user["Username"]: user["UserStatus"] for user in cognito.list_users(UserPoolId=DEMO_POOL)["Users"]
    }
    assert users["confirm-sign-up"] == "CONFIRMED"
    assert users["reset-password"] == "CONFIRMED"
    # Not even a new database is created.
    third = serve(["--port", str(port), "--database", "other.db"], tmp_path)
    assert_one_line(third, "already in use")
    assert not (tmp_path / "other.db").exists()
    assert first.interrupt() == 0


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["--database", "foo://bar"], {}, "--database foo://bar: unknown kind of database 'foo'"),
        (["--database", "sqlite+nosuchdriver:///x.db"], {}, "unknown kind of database 'sqlite+nosuchdriver'"),
        (["--trigger", "nonsense"], {}, "--trigger: a trigger mapping is NAME=TARGET, got 'nonsense'"),
        (
            ["--trigger", "x=ruby:foo"],
            {},
            "a trigger target is python:module:function or http(s)://host:port",
        ),
        (["--trigger", "x=python:"], {}, "got 'python:'"),
        ([], {ENV_PREFIX + "TRIGGERS": "x=ruby:foo"}, "--trigger: a trigger target is"),
        ([], {ENV_PREFIX + "PORT": "abc"}, "COGNITO_EMULATOR_PORT='abc' is not a whole number"),
        ([], {ENV_PREFIX + "WORKERS": "two"}, "COGNITO_EMULATOR_WORKERS='two' is not a whole number"),
        (["--port", "99999"], {}, "port 99999 is out of range: a port is a number from 0 to 65535"),
        ([], {ENV_PREFIX + "PORT": "-1"}, "port -1 is out of range"),
        (["--workers", "-2"], {}, "workers -2"),
        (["--max-body-size", "0"], {}, "max-body-size 0: give the largest request body in bytes"),
        (
            [],
            {ENV_PREFIX + "MAX_BODY_SIZE": "1MB"},
            "COGNITO_EMULATOR_MAX_BODY_SIZE='1MB' is not a whole number",
        ),
        (
            [],
            {ENV_PREFIX + "LOG_LEVEL": "loud"},
            "log-level 'loud': choose one of debug, info, warning, error",
        ),
        ([], {ENV_PREFIX + "LOG_FORMAT": "xml"}, "log-format 'xml': choose one of text, json"),
        (["--lambda-endpoint", "localhost:3001"], {}, "--lambda-endpoint 'localhost:3001'"),
        (["--iam-credentials", "nosecret"], {}, "--iam-credentials wants ACCESS_KEY:SECRET"),
        (
            ["--cors-origin", "notanorigin"],
            {},
            "--cors-origin 'notanorigin': give an origin as scheme://host",
        ),
        (
            ["--cors-origin", "https://app.example.com/path"],
            {},
            "--cors-origin 'https://app.example.com/path'",
        ),
        ([], {ENV_PREFIX + "CORS_ORIGINS": "ftp://x"}, "--cors-origin 'ftp://x'"),
        (
            ["--allowed-host", "a/b"],
            {},
            "--allowed-host 'a/b': give a host name without scheme, port or path",
        ),
        (["--allowed-host", "http://emulator"], {}, "--allowed-host 'http://emulator'"),
        (["--host", "no-such-host.invalid"], {}, "cannot listen on no-such-host.invalid:"),
        (["--host", "192.0.2.1"], {}, "cannot listen on 192.0.2.1:"),
    ],
)
def test_a_mistake_is_one_line_and_status_2(tmp_path, args, env, expected):
    port = [] if "--port" in args or ENV_PREFIX + "PORT" in env else ["--port", str(free_port())]
    result = serve([*port, "--database", "e.db", *args], tmp_path, env)
    assert_one_line(result, expected)
    assert not (tmp_path / "e.db").exists()


def test_postgresql_without_its_driver_names_the_extra(tmp_path):
    """As if neither psycopg nor psycopg2 were installed: both imports fail."""
    fake = tmp_path / "without-drivers"
    fake.mkdir()
    for name in ("psycopg", "psycopg2"):
        (fake / f"{name}.py").write_text("raise ImportError('not installed')\n")
    result = serve(
        ["--port", str(free_port()), "--database", "postgresql://user:secret@127.0.0.1/cognito"],
        tmp_path,
        env={"PYTHONPATH": f"{fake}{os.pathsep}{ROOT}"},
    )
    assert_one_line(result, "PostgreSQL needs its driver: pip install 'cognito-emulator[postgres]'")
    assert "secret" not in result.stderr


def test_a_database_server_that_refuses_is_one_line(tmp_path):
    pytest.importorskip("psycopg", reason="the postgres extra: pip install -e '.[test,postgres]'")
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    result = serve(
        ["--port", str(free_port()), "--database", "postgresql://user:secret@127.0.0.1:1/x"], tmp_path
    )
    assert_one_line(result, "cannot use the database postgresql+psycopg://user:***@127.0.0.1:1/x: connection")
    assert "Connection refused" in result.stderr and "secret" not in result.stderr


def test_a_database_under_a_file_is_one_line(tmp_path):
    (tmp_path / "not-a-directory").write_text("")
    result = serve(["--port", str(free_port()), "--database", "not-a-directory/e.db"], tmp_path)
    assert_one_line(
        result, "cannot use the database sqlite:///not-a-directory/e.db: not-a-directory is not a directory"
    )


def _without_root_powers() -> list[str]:
    """A command prefix under which permissions apply: none for an ordinary user; for root (CI, containers),
    util-linux's setpriv dropping the capabilities that let root write anywhere."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    prefix = [setpriv or "setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner"]
    if setpriv is None or subprocess.run([*prefix, "true"], capture_output=True).returncode != 0:
        pytest.skip("running as root without a working setpriv (util-linux): file permissions cannot apply")
    return prefix


@pytest.mark.parametrize(
    ("setup", "database", "expected"),
    [
        ("read-only directory", "locked/e.db", "unable to open database file (the file and its directory"),
        ("read-only directory", "locked/new/e.db", "Permission denied: locked/new"),
        ("read-only file", "ro.db", "attempt to write a readonly database"),
    ],
)
def test_an_unwritable_database_is_one_line(tmp_path, setup, database, expected):
    prefix = _without_root_powers()
    if setup == "read-only directory":
        (tmp_path / "locked").mkdir(mode=0o555)
    else:
        # An emulator database that is up to date: opening it alone writes nothing.
        made = Database(f"sqlite:///{tmp_path / 'ro.db'}")
        made.create_schema()
        made.dispose()
        (tmp_path / "ro.db").chmod(0o444)
    result = serve(["--port", str(free_port()), "--database", database], tmp_path, prefix=prefix)
    assert_one_line(result, expected)


def test_a_start_waiting_for_the_database_says_so(tmp_path, served):
    """Another process holds the database's write lock: the start says what it waits for, then serves once
    the lock is released."""
    database = tmp_path / "busy.db"
    port = free_port()
    with open(f"{database}-writelock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # One process (no workers): uvicorn serves the socket bound before the database was opened.
        waiting = Served(
            tmp_path, ["--port", str(port), "--database", str(database), "--workers", "1"], cwd=tmp_path
        )
        served.append(waiting)
        deadline = time.monotonic() + START_TIMEOUT
        while "still preparing the database" not in waiting.stderr_path.read_text():
            assert waiting.process.poll() is None, waiting.stderr_path.read_text()
            assert time.monotonic() < deadline, "no word from a start that waits"
            time.sleep(0.1)
        assert "another process may hold its write lock" in waiting.stderr_path.read_text()
    waiting.wait_until_ready(port)
    assert waiting.interrupt() == 0, "Ctrl-C stops a one-process server cleanly"
    assert "Traceback" not in waiting.stderr_path.read_text()


def test_export_takes_a_plain_path_and_refuses_an_unknown_kind(tmp_path, capsys):
    made = Database(str(tmp_path / "world.db"))
    made.create_schema()
    made.dispose()
    assert main(["export", "--database", str(tmp_path / "world.db")]) == 0
    assert capsys.readouterr().out.startswith("# A cognito-emulator fixture file")
    assert main(["export", "--database", "foo://bar"]) == 2
    assert "--database foo://bar: unknown kind of database 'foo'" in capsys.readouterr().err
