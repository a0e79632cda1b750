"""The ``cognito-emulator serve`` command as users run it: a real subprocess, its banner, its
configuration from flags and COGNITO_EMULATOR_* variables, a clean Ctrl-C, persistence across a
restart, and several worker processes sharing one SQLite file."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from emulator.cli.commands import main
from emulator.config import ENV_PREFIX, Settings
from emulator.testing.server import free_port
from tests.conftest import make_boto_client

ROOT = Path(__file__).resolve().parents[2]


class Served:
    """One ``python -m emulator serve`` process, its output going to files."""

    def __init__(self, tmp_path: Path, args: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT):
        environ = {key: value for key, value in os.environ.items() if not key.startswith(ENV_PREFIX)}
        environ["PYTHONPATH"] = str(ROOT)
        environ.update(env or {})
        self.stdout_path = tmp_path / f"stdout-{time.monotonic_ns()}.txt"
        self.stderr_path = self.stdout_path.with_name(self.stdout_path.name.replace("stdout", "stderr"))
        with self.stdout_path.open("wb") as stdout, self.stderr_path.open("wb") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "emulator", "serve", *args],
                cwd=cwd,
                env=environ,
                stdout=stdout,
                stderr=stderr,
            )

    def wait_until_ready(self, port: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(
                    f"the emulator exited with {self.process.returncode}:\n{self.stderr_path.read_text()}"
                )
            try:
                if httpx.get(f"http://127.0.0.1:{port}/_emulator/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        pytest.fail("the emulator did not answer in time")

    @property
    def banner(self) -> str:
        return self.stdout_path.read_text().splitlines()[0]

    def interrupt(self) -> int:
        """Ctrl-C, as a user stops it; returns the exit code."""
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def served() -> Iterator[list[Served]]:
    """Started processes, killed at the end if a test failed before stopping them."""
    started: list[Served] = []
    yield started
    for process in started:
        process.kill()


@pytest.fixture(scope="module")
def workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, int, Path]]:
    """``serve --workers 2`` without --database, in an empty working directory. Module-scoped so that it
    boots (several seconds on a busy machine) while the restart test runs."""
    cwd = tmp_path_factory.mktemp("workers")
    port = free_port()
    process = Served(cwd, ["--port", str(port), "--workers", "2"], cwd=cwd)
    yield process, port, cwd
    process.kill()


def test_pools_and_clients_survive_a_restart(tmp_path, served, workers):
    database = tmp_path / "emulator.db"
    port = free_port()
    # First start: the port from COGNITO_EMULATOR_PORT, nothing on the command line.
    first = Served(tmp_path, ["--database", f"sqlite:///{database}"], env={ENV_PREFIX + "PORT": str(port)})
    served.append(first)
    first.wait_until_ready(port)
    assert first.banner.startswith("Cognito emulator ")
    assert f"listening on http://127.0.0.1:{port}" in first.banner
    assert f"database: sqlite:///{database}" in first.banner
    assert first.banner.endswith("pools: 0")

    cognito = make_boto_client(f"http://127.0.0.1:{port}")
    pool = cognito.create_user_pool(PoolName="durable", UserPoolTags={"keep": "yes"})["UserPool"]
    client = cognito.create_user_pool_client(UserPoolId=pool["Id"], ClientName="app", GenerateSecret=True)[
        "UserPoolClient"
    ]
    assert first.interrupt() == 0
    assert "Traceback" not in first.stderr_path.read_text()

    # Second start: an explicit --port beats the environment variable; logs as JSON lines.
    second_port = free_port()
    second = Served(
        tmp_path,
        ["--port", str(second_port), "--database", f"sqlite:///{database}", "--log-format", "json"],
        env={ENV_PREFIX + "PORT": str(port)},
    )
    served.append(second)
    second.wait_until_ready(second_port)
    # In JSON format the banner is the first JSON line among the logs, on stderr; stdout stays empty.
    assert second.stdout_path.read_text() == ""
    banner = json.loads(second.stderr_path.read_text().splitlines()[0])
    assert f"listening on http://127.0.0.1:{second_port}" in banner["message"]
    assert banner["message"].endswith("pools: 1")
    assert (banner["url"], banner["pools"], banner["logger"]) == (
        f"http://127.0.0.1:{second_port}",
        1,
        "emulator",
    )

    cognito = make_boto_client(f"http://127.0.0.1:{second_port}")
    assert cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"] == pool
    again = cognito.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"])[
        "UserPoolClient"
    ]
    assert again == client
    assert again["ClientSecret"] == client["ClientSecret"]
    assert second.interrupt() == 0
    log = [json.loads(line) for line in second.stderr_path.read_text().splitlines()]
    requests = [entry for entry in log if entry["logger"] == "emulator.requests"]
    assert any(entry["message"].startswith("DescribeUserPoolClient ") for entry in requests), log
    assert {entry["level"] for entry in log} <= {"DEBUG", "INFO", "WARNING"}


def test_several_workers_share_the_default_database(workers):
    process, port, cwd = workers
    process.wait_until_ready(port)
    # No --database: a SQLite file under ./.cognito-emulator/ of the working directory, created on start.
    assert (cwd / ".cognito-emulator" / "emulator.db").is_file()
    assert "database: sqlite:///.cognito-emulator/emulator.db" in process.banner

    created = set()
    for n in range(6):
        # A new connection each time, so that both workers get requests.
        cognito = make_boto_client(f"http://127.0.0.1:{port}")
        created.add(cognito.create_user_pool(PoolName=f"pool-{n}")["UserPool"]["Id"])
    listed = make_boto_client(f"http://127.0.0.1:{port}").list_user_pools(MaxResults=60)["UserPools"]
    assert {summary["Id"] for summary in listed} == created
    assert process.interrupt() == 0
    # Each worker logs its requests.
    assert process.stderr_path.read_text().count("emulator.requests: CreateUserPool ") == 6


# --- configuration, without a server ----------------------------------------------------------------------
def test_every_setting_has_an_environment_variable():
    environ = {
        ENV_PREFIX + "HOST": "0.0.0.0",
        ENV_PREFIX + "PORT": "1234",
        ENV_PREFIX + "DATABASE": "sqlite:///x.db",
        ENV_PREFIX + "FIXTURES": "a.yaml, b.yaml",
        ENV_PREFIX + "REGION": "eu-west-1",
        ENV_PREFIX + "ACCOUNT_ID": "111122223333",
        ENV_PREFIX + "WORKERS": "3",
        ENV_PREFIX + "LOG_LEVEL": "debug",
        ENV_PREFIX + "CORS_ORIGINS": "http://localhost:3000,http://localhost:5173",
        ENV_PREFIX + "LOCKOUT": "false",
    }
    settings = Settings.from_env(environ)
    assert settings.host == "0.0.0.0"
    assert settings.port == 1234
    assert settings.database == "sqlite:///x.db"
    assert settings.fixtures == ["a.yaml", "b.yaml"]
    assert settings.region == "eu-west-1"
    assert settings.account_id == "111122223333"
    assert settings.workers == 3
    assert settings.log_level == "debug"
    assert settings.cors_origins == ["http://localhost:3000", "http://localhost:5173"]
    assert settings.lockout is False
    assert settings.base_url == "http://127.0.0.1:1234"
    # An explicit value (a flag) beats the environment.
    assert Settings.from_env(environ, port=9999, region=None).port == 9999


def test_defaults():
    settings = Settings.from_env({})
    assert (settings.host, settings.port, settings.region, settings.workers) == (
        "127.0.0.1",
        9229,
        "us-east-1",
        0,
    )
    assert settings.database == "sqlite:///.cognito-emulator/emulator.db"
    # Loopback origins and hosts only (emulator.http.guard), and a 1 MiB body limit.
    assert (settings.cors_origins, settings.allowed_hosts) == ([], [])
    assert settings.max_body_size == 1024 * 1024


def test_worker_count(monkeypatch):
    """No --workers: one per CPU, at most 4; one for an in-memory database; an explicit value is kept."""
    from emulator.cli.commands import worker_count

    on_file = Settings.from_env({})
    for cpus, expected in ((1, 1), (2, 2), (16, 4), (None, 1)):
        monkeypatch.setattr(os, "cpu_count", lambda cpus=cpus: cpus)
        assert worker_count(on_file) == expected
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    for memory in ("sqlite://", "sqlite:///:memory:"):
        assert worker_count(Settings.from_env({}, database=memory)) == 1
    assert worker_count(Settings.from_env({}, workers=3)) == 3
    assert worker_count(Settings.from_env({}, database="sqlite://", workers=2)) == 2


def test_every_setting_but_the_account_id_has_a_flag(capsys):
    with pytest.raises(SystemExit) as excinfo:
        main(["serve", "--help"])
    assert excinfo.value.code == 0
    help_text = capsys.readouterr().out
    flags = {
        "cors_origins": "--cors-origin",
        "allowed_hosts": "--allowed-host",
        "webauthn_origins": "--webauthn-origin",
        "triggers": "--trigger",
        "lockout": "--no-lockout",
    }
    for field in dataclasses.fields(Settings):
        if field.name == "account_id":
            continue
        flag = flags.get(field.name, "--" + field.name.replace("_", "-"))
        assert flag in help_text, field.name


def test_version(capsys):
    with pytest.raises(SystemExit) as excinfo:
        main(["--version"])
    assert excinfo.value.code == 0
    assert capsys.readouterr().out.startswith("cognito-emulator ")
