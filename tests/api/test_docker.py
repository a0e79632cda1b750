"""The Dockerfile, as far as it can be tested without a container engine: what it copies, who it runs as, and
its start and health-check commands, run here the way the image runs them (ENTRYPOINT + CMD with the image's
environment, the working directory standing in for the /data volume, the repository for /app)."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import httpx

from emulator.testing import EmulatorClient
from emulator.testing.server import free_port

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    result = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, rest = line.partition(" ")
            result.append((name.upper(), rest.strip()))
    return result


def one(name: str) -> str:
    found = [rest for instruction, rest in instructions() if instruction == name]
    assert len(found) == 1, f"{name}: {found}"
    return found[0]


def environment() -> dict[str, str]:
    result: dict[str, str] = {}
    for instruction, rest in instructions():
        if instruction == "ENV":
            for item in shlex.split(rest):
                key, _, value = item.partition("=")
                result[key] = value
    return result


def test_the_image_is_slim_non_root_and_keeps_its_data_in_a_volume():
    assert re.fullmatch(r"python:3\.1[1-9]-slim", one("FROM"))
    user = one("USER")
    assert user not in ("root", "0")
    assert f"useradd --system --uid 10001 --user-group --home-dir /data --create-home {user}" in DOCKERFILE
    assert json.loads(one("VOLUME")) == ["/data"]
    env = environment()
    assert env["COGNITO_EMULATOR_DATABASE"] == "sqlite:////data/emulator.db"
    assert one("EXPOSE") == env["COGNITO_EMULATOR_PORT"] == "9229"
    # USER comes after the install (root installs) and before the start command.
    names = [name for name, _ in instructions()]
    assert names.index("RUN") < names.index("USER") < names.index("CMD")


def test_everything_copied_exists_and_is_not_docker_ignored():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for instruction, rest in instructions():
        if instruction == "COPY":
            *sources, _target = rest.split()
            for source in sources:
                assert (ROOT / source).exists(), source
                assert source not in ignored, source
    assert {"tests", ".git", "**/node_modules"} <= ignored


def test_start_and_health_check_commands(tmp_path):
    entrypoint = json.loads(one("ENTRYPOINT"))
    command = json.loads(one("CMD"))
    health = json.loads(one("HEALTHCHECK").split(" CMD ", 1)[1])
    assert entrypoint == ["cognito-emulator"]
    assert command[:3] == ["serve", "--host", "0.0.0.0"]
    assert "/app/fixtures/signin-steps.yaml" in command
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("COGNITO_EMULATOR_")}
    env.update(environment())
    env["COGNITO_EMULATOR_DATABASE"] = env["COGNITO_EMULATOR_DATABASE"].replace("/data", str(tmp_path))
    env["COGNITO_EMULATOR_PORT"] = str(port)  # docker run -e COGNITO_EMULATOR_PORT=...
    env["PYTHONPATH"] = str(ROOT)
    # The cognito-emulator script is `python -m emulator`; /app is this repository.
    args = [sys.executable, "-m", "emulator", *[part.replace("/app/", f"{ROOT}/") for part in command]]
    health_args = [sys.executable, *health[1:]]

    def healthy() -> bool:
        return subprocess.run(health_args, env=env, capture_output=True, timeout=10).returncode == 0

    assert not healthy()
    process = subprocess.Popen(
        args, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while not healthy():
            assert process.poll() is None, process.stderr.read()
            assert time.monotonic() < deadline, "the emulator did not become healthy"
            time.sleep(0.1)
        banner = process.stdout.readline()
        assert f"listening on http://127.0.0.1:{port}" in banner and "pools: 6" in banner
        assert f"database: sqlite:///{tmp_path}/emulator.db" in banner
        client = EmulatorClient(f"http://127.0.0.1:{port}")
        tokens = client.client.initiate_auth(
            ClientId="demo00001client00000000001",
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "done", "PASSWORD": "Passw0rd!"},
        )
        assert "AuthenticationResult" in tokens
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_emulator/", timeout=10) as console:
            assert "demo-basic" in console.read().decode()
        # Bound to 0.0.0.0, it serves what a published port is reached by, and no other name (rebinding).
        for host, status in (("localhost", 200), ("127.0.0.1", 200), ("cognito", 403), ("evil.example", 403)):
            answer = httpx.get(
                f"http://127.0.0.1:{port}/_emulator/health", headers={"host": f"{host}:{port}"}
            )
            assert answer.status_code == status, host
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert (tmp_path / "emulator.db").exists()
    assert not healthy()
