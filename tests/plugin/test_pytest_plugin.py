"""The pytest plugin in a fresh project that only installs the package.

``test_plugin_in_a_fresh_project`` builds the package's wheel from a copy of this source, installs it (without
its dependencies, which this interpreter already has) into an empty directory and runs pytest in a new
project directory whose only link to the emulator is that installation: no ``-p``, no conftest, the plugin is
found through its ``pytest11`` entry point, templates and static files come from the wheel. Building the
wheel fetches setuptools from PyPI once (pip's build isolation).

``test_plugin_in_a_new_virtualenv`` does the whole thing a user does: a new virtualenv, ``pip install`` of the
package with all its dependencies from PyPI, then pytest. It takes a minute or more, so it runs only when
``COGNITO_EMULATOR_FULL_INSTALL_TEST=1``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

WORLD = f"""
version: 1
pools:
  - id: us-east-1_Plugin001
    name: plugin-world
    settings:
      AutoVerifiedAttributes: [email]
    mfa:
      MfaConfiguration: "ON"
      SoftwareTokenMfaConfiguration: {{Enabled: true}}
    clients:
      - id: pluginclient0000000000001
        name: web
        settings:
          ExplicitAuthFlows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
    users:
      - username: tina
        password: Passw0rd!
        attributes: {{email: tina@example.com, email_verified: true}}
        mfa: {{totp: true, preferred: TOTP}}
        totp_secret: {TOTP_SECRET}
"""

# What a user of the plugin writes: no imports from the emulator at all.
SAMPLE_TESTS = f'''
import re

import pytest

POOL = "us-east-1_Plugin001"
CLIENT = "pluginclient0000000000001"


def test_sign_up_confirm_and_expire_a_token(cognito):
    client = cognito.client
    client.sign_up(
        ClientId=CLIENT,
        Username="alice",
        Password="Passw0rd!",
        UserAttributes=[{{"Name": "email", "Value": "alice@example.com"}}],
    )
    assert cognito.messages(username="alice")[0]["destination"] == "alice@example.com"
    client.confirm_sign_up(ClientId=CLIENT, Username="alice", ConfirmationCode=cognito.last_code("alice"))
    assert client.admin_get_user(UserPoolId=POOL, Username="alice")["UserStatus"] == "CONFIRMED"


def test_every_test_starts_from_the_fixture_world(cognito):
    pools = cognito.client.list_user_pools(MaxResults=60)["UserPools"]
    assert [pool["Id"] for pool in pools] == [POOL]
    assert [user["username"] for user in cognito.users()] == ["tina"]
    assert cognito.messages() == []
    assert cognito.clock()["offset_seconds"] == 0


def test_totp_sign_in_and_time_travel(cognito):
    client = cognito.client
    challenge = client.initiate_auth(
        ClientId=CLIENT,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={{"USERNAME": "tina", "PASSWORD": "Passw0rd!"}},
    )
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    code = cognito.totp_code("tina")
    assert code == cognito.totp_code("{TOTP_SECRET}")
    tokens = client.respond_to_auth_challenge(
        ClientId=CLIENT,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=challenge["Session"],
        ChallengeResponses={{"USERNAME": "tina", "SOFTWARE_TOKEN_MFA_CODE": code}},
    )["AuthenticationResult"]
    assert client.get_user(AccessToken=tokens["AccessToken"])["Username"] == "tina"
    cognito.advance_clock(3601)
    with pytest.raises(client.exceptions.NotAuthorizedException):
        client.get_user(AccessToken=tokens["AccessToken"])


def test_load_fixture_lasts_until_the_next_reset(cognito, tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text("pools:\\n  - id: us-east-1_Extra0001\\n    name: extra\\n")
    cognito.load_fixture(extra)
    assert len(cognito.client.list_user_pools(MaxResults=60)["UserPools"]) == 2
    cognito.reset()
    assert len(cognito.client.list_user_pools(MaxResults=60)["UserPools"]) == 1


def test_the_session_emulator_is_the_same_object(cognito_emulator, cognito):
    assert cognito is cognito_emulator
    assert re.match(r"^http://127\\.0\\.0\\.1:[0-9]+$", cognito.endpoint)
    assert cognito.health()["status"] == "ok"

'''


def write_project(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "world.yaml").write_text(textwrap.dedent(WORLD))
    (directory / "pytest.ini").write_text("[pytest]\ncognito_emulator_fixtures = world.yaml\n")
    (directory / "test_app.py").write_text(SAMPLE_TESTS)


def run_pytest(python: str, project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--durations=3"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def clean_environment() -> dict[str, str]:
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("COGNITO_EMULATOR_", "PYTEST_", "PYTHON")) and key != "VIRTUAL_ENV"
    }


def copy_source(target: Path) -> Path:
    """The files a build needs, so that building never writes into this working tree."""
    target.mkdir(parents=True)
    shutil.copy2(ROOT / "pyproject.toml", target)
    readme = ROOT / "README.md"
    if readme.exists():
        shutil.copy2(readme, target)
    else:
        (target / "README.md").write_text("cognito-emulator\n")
    shutil.copytree(ROOT / "emulator", target / "emulator", ignore=shutil.ignore_patterns("__pycache__"))
    return target


def assert_passed(result: subprocess.CompletedProcess[str], count: int) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert re.search(rf"\b{count} passed\b", output), output


def test_plugin_in_a_fresh_project(tmp_path):
    source = copy_source(tmp_path / "source")
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "--wheel-dir",
            str(wheels),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    (wheel,) = wheels.glob("cognito_emulator-*.whl")
    site = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(site), str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    project = tmp_path / "project"
    write_project(project)
    env = clean_environment()
    env["PYTHONPATH"] = str(site)  # the installed package only: this working tree is not on the path
    result = run_pytest(sys.executable, project, env)
    assert_passed(result, 5)
    # The plugin came from the installation, through its entry point.
    probe = subprocess.run(
        [sys.executable, "-c", "import emulator, emulator.http.console; print(emulator.__file__)"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    assert probe.stdout.strip().startswith(str(site)), probe.stdout + probe.stderr


def test_a_failing_test_in_the_project_fails(tmp_path):
    """The plugin's fixtures do not hide failures (the run above could not pass by accident)."""
    project = tmp_path / "project"
    write_project(project)
    (project / "test_app.py").write_text(
        "def test_no_code(cognito):\n    cognito.last_code('nobody')\n"
        "def test_wrong(cognito):\n    assert cognito.users() == ['someone']\n"
    )
    env = clean_environment()
    env["PYTHONPATH"] = str(ROOT)
    # The plugin from this working tree by -p; an installed copy's entry point would register it twice.
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "emulator.pytest_plugin"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    assert "2 failed" in result.stdout
    assert "NoCodeError: no code in the outbox for user 'nobody'" in result.stdout


@pytest.mark.skipif(
    os.environ.get("COGNITO_EMULATOR_FULL_INSTALL_TEST") != "1",
    reason="a new virtualenv with every dependency from PyPI takes a minute or more: "
    "set COGNITO_EMULATOR_FULL_INSTALL_TEST=1",
)
def test_plugin_in_a_new_virtualenv(tmp_path):
    source = copy_source(tmp_path / "source")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = str(venv / "bin" / "python")
    install = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", str(source), "pytest"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    project = tmp_path / "project"
    write_project(project)
    result = run_pytest(python, project, clean_environment())
    assert_passed(result, 5)
