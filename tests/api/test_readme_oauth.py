"""The README's curl walk through the code flow with PKCE and the client_credentials call ("The code flow with
PKCE, by hand"), run as it is written: the block between ``<!-- oauth-curl:start -->`` and ``<!-- oauth-curl:end -->``
goes to bash unchanged except for the HTTPS port (the test's listener instead of 9230), in a directory whose
``.cognito-emulator/tls/ca.pem`` is the emulator's CA, against the demo world."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest

from emulator.config import Settings
from emulator.testing import ServerThread
from tests import real_clients

ROOT = Path(__file__).resolve().parents[2]
START, END = "<!-- oauth-curl:start -->", "<!-- oauth-curl:end -->"


def readme_block() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.count(END) == 1
    block = text[text.index(START) : text.index(END)]
    found = re.search(r"^```sh\n(.*?)^```$", block, re.S | re.M)
    assert found, "the oauth-curl section of README.md has no ```sh block"
    return found.group(1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerThread, Path]]:
    for tool in ("bash", "curl", "python3"):
        if shutil.which(tool) is None:
            real_clients.missing(f"the README's walk-through needs {tool} (apt-get install {tool})")
    folder = tmp_path_factory.mktemp("readme-oauth")
    settings = Settings(
        port=0,
        database=f"sqlite:///{folder / 'emulator.db'}",
        fixtures=[str(ROOT / "fixtures" / "signin-steps.yaml")],
        # The CA lands in <folder>/.cognito-emulator/tls/ca.pem, the README's path relative to the folder.
        tls_dir=str(folder / ".cognito-emulator"),
    )
    with ServerThread(settings, tls=True) as server:
        assert server.ca_path == folder / ".cognito-emulator" / "tls" / "ca.pem"
        yield server, folder


def run(block: str, server: ServerThread, folder: Path) -> subprocess.CompletedProcess[str]:
    script = block.replace("localhost:9230", f"localhost:{server.settings.tls_port}")
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], cwd=folder, capture_output=True, text=True, timeout=120
    )


def test_the_readme_walk_through_works_as_written(demo: tuple[ServerThread, Path]) -> None:
    server, folder = demo
    block = readme_block()
    assert "localhost:9230" in block  # the only thing the test changes
    result = run(block, server, folder)
    assert result.returncode == 0, result.stderr + result.stdout
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 3, result.stdout
    tokens, info, machine = lines
    assert {"access_token", "id_token", "refresh_token"} <= set(tokens) and tokens["token_type"] == "Bearer"
    identity = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    assert identity["cognito:username"] == "hosted-ui" and identity["aud"] == "demo00006client00000000001"
    assert info["email"] == "hosted-ui@example.com" and info["sub"] == identity["sub"]
    assert (
        machine["token_type"] == "Bearer"
        and machine["expires_in"] == 3600
        and set(machine)
        == {
            "access_token",
            "expires_in",
            "token_type",
        }
    )
    access = jwt.decode(machine["access_token"], options={"verify_signature": False})
    # What the README says of it.
    assert access["sub"] == access["client_id"] == "demo00006machine0000000001"
    assert access["scope"] == "demo-api/read"


def test_the_walk_through_can_fail(demo: tuple[ServerThread, Path]) -> None:
    """A wrong password stops the block (no code comes back): the test above proves something."""
    server, folder = demo
    result = run(readme_block().replace("password=Passw0rd!", "password=Wrong-passw0rd"), server, folder)
    assert result.returncode != 0
