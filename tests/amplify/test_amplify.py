"""The Amplify JS v6 end-to-end suite: Node scripts drive the real ``aws-amplify`` client against a server
started here with the demo world (fixtures/signin-steps.yaml), one scenario per process, each on the world
as declared.

The scripts (``signin.mjs``, ``session.mjs``, ``mfa.mjs``, ``signup.mjs``) get the world as JSON in
``AMPLIFY_WORLD``: the endpoint and, per signInStep (and a few named roles), the pool id, client id,
username and password taken from the README's "Every sign-in step" table (so the suite proves what the
table tells a person), plus the fixture's TOTP secrets. Each script prints a JSON summary, with every request
Amplify made and every answer when a scenario fails, and exits non-zero on failure; the summary is shown here.

The suite installs aws-amplify itself (``npm ci`` in tests/amplify, once: tests.real_clients); the tests are
skipped, saying why, only where node or npm is missing or the install fails, and fail instead under CI.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.config import Settings
from emulator.testing import ServerThread
from emulator.worlds import fixtures
from tests import real_clients
from tests.conftest import make_boto_client

HERE = Path(__file__).parent
NODE = shutil.which("node")
SCRIPT_TIMEOUT = 60


@pytest.fixture(scope="module", autouse=True)
def amplify_js() -> Path:
    """aws-amplify installed in tests/amplify (tests.real_clients: npm ci once, or a skip that says why)."""
    return real_clients.node_project(HERE, "aws-amplify")


# Scenarios per script, each with the world entries it uses (test_scenario_lists checks the names against
# each script's --list).
SCENARIOS: dict[str, dict[str, list[str]]] = {
    "signin.mjs": {
        "DONE": ["DONE"],
        "DONE_USER_PASSWORD_AUTH": ["DONE"],
        "DONE_USER_AUTH_PASSWORD": ["DONE"],
        "DONE_USER_AUTH_PASSWORD_SRP": ["DONE"],
        "CONFIRM_SIGN_IN_WITH_SMS_CODE": ["CONFIRM_SIGN_IN_WITH_SMS_CODE"],
        "CONFIRM_SIGN_IN_WITH_TOTP_CODE": ["CONFIRM_SIGN_IN_WITH_TOTP_CODE"],
        "CONFIRM_SIGN_IN_WITH_EMAIL_CODE": ["CONFIRM_SIGN_IN_WITH_EMAIL_CODE"],
        "CONFIRM_SIGN_IN_WITH_EMAIL_CODE_PASSWORDLESS": ["CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION"],
        "CONFIRM_SIGN_IN_WITH_SMS_CODE_PASSWORDLESS": ["CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION"],
        "CONTINUE_SIGN_IN_WITH_MFA_SELECTION": ["CONTINUE_SIGN_IN_WITH_MFA_SELECTION"],
        "CONTINUE_SIGN_IN_WITH_TOTP_SETUP": ["CONTINUE_SIGN_IN_WITH_TOTP_SETUP"],
        "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP": ["CONTINUE_SIGN_IN_WITH_EMAIL_SETUP"],
        "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION": ["CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION"],
        "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION_EMAIL": ["CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION"],
        "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION": ["CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION"],
        "CONFIRM_SIGN_IN_WITH_PASSWORD": ["CONFIRM_SIGN_IN_WITH_PASSWORD"],
        "CONFIRM_SIGN_IN_WITH_PASSWORD_SRP": ["CONFIRM_SIGN_IN_WITH_PASSWORD"],
        "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE": ["CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE"],
        "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE_SRP": ["CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE"],
        "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED": ["CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED"],
        "RESET_PASSWORD": ["RESET_PASSWORD"],
        "CONFIRM_SIGN_UP": ["CONFIRM_SIGN_UP"],
    },
    "session.mjs": {
        "CURRENT_USER_AND_SESSION": ["DONE"],
        "USER_ATTRIBUTES": ["DONE"],
        "CHANGE_PASSWORD": ["DONE"],
        "SIGN_OUT_LOCAL": ["DONE"],
        "SIGN_OUT_GLOBAL": ["DONE"],
        "DELETE_USER": ["DONE"],
    },
    "mfa.mjs": {"TOTP_SETUP_AND_PREFERENCE": ["MFA_OPTIONAL"], "EMAIL_PREFERENCE": ["MFA_OPTIONAL"]},
    "signup.mjs": {"SIGN_UP_AUTO_SIGN_IN": ["SIGN_UP"], "SIGN_UP_AUTO_SIGN_IN_USER_AUTH": ["SIGN_UP"]},
}

# Per-scenario pytest marks (e.g. xfail while a server feature is missing); none are needed today.
MARKS: dict[str, list[Any]] = {}


# --- the world: the demo fixture (fixtures/signin-steps.yaml) ------------------------------------------------
ROOT = HERE.parents[1]
DEMO = ROOT / "fixtures" / "signin-steps.yaml"
README = ROOT / "README.md"
# The fourteen signInSteps of Amplify JS v6; the README's table names the demo user of each.
SIGN_IN_STEPS = (
    "DONE",
    "CONFIRM_SIGN_UP",
    "RESET_PASSWORD",
    "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED",
    "CONFIRM_SIGN_IN_WITH_PASSWORD",
    "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION",
    "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE",
    "CONFIRM_SIGN_IN_WITH_SMS_CODE",
    "CONFIRM_SIGN_IN_WITH_TOTP_CODE",
    "CONFIRM_SIGN_IN_WITH_EMAIL_CODE",
    "CONTINUE_SIGN_IN_WITH_MFA_SELECTION",
    "CONTINUE_SIGN_IN_WITH_TOTP_SETUP",
    "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP",
    "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION",
)
# Not a step of its own: a confirmed user without MFA in the demo's MFA-optional pool, for the scenarios that
# set MFA up after signing in. Added through the admin API on top of the demo world.
MFA_OPTIONAL_POOL = "us-east-1_Demo00002"
MFA_OPTIONAL_USER = {"username": "mfa-optional", "password": "Passw0rd!", "email": "mfa-optional@example.com"}


def _custom_answer() -> str:
    """The answer the demo's CUSTOM_AUTH triggers expect (their module says it)."""
    spec = importlib.util.spec_from_file_location(
        "demo_custom_challenge", DEMO.parent / "triggers" / "custom_challenge.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.ANSWER)


def readme_table() -> dict[str, dict[str, str]]:
    """The README's "Every sign-in step" table: signInStep -> pool, client, username, password (the first
    backticked value of each cell), exactly what a person reads to do the same by hand."""
    text = README.read_text(encoding="utf-8")
    start, end = text.find("<!-- signin-steps:start -->"), text.find("<!-- signin-steps:end -->")
    assert 0 <= start < end, "README.md has no <!-- signin-steps:start/end --> section"
    rows: dict[str, dict[str, str]] = {}
    for line in text[start:end].splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        values = [re.match(r"`([^`]*)`", cell) for cell in cells[:5]]
        if len(cells) >= 5 and all(values) and values[0].group(1) in SIGN_IN_STEPS:  # type: ignore[union-attr]
            step, pool, client, username, password = (value.group(1) for value in values)  # type: ignore[union-attr]
            rows[step] = {
                "userPoolId": pool,
                "userPoolClientId": client,
                "username": username,
                "password": password,
            }
    return rows


def demo_world() -> dict[str, dict[str, Any]]:
    """World entries (pool id, client id, username, password) from the README's table, with the TOTP secrets and
    email addresses of the demo fixture and the answer of its custom-challenge triggers."""
    table = readme_table()
    missing = [step for step in SIGN_IN_STEPS if step not in table]
    assert not missing, f"the README's sign-in step table has no row for {missing}"
    declared = {user.username: user for pool in fixtures.read(DEMO).pools for user in pool.users}
    steps: dict[str, dict[str, Any]] = {}
    for step, row in table.items():
        entry: dict[str, Any] = dict(row)
        user = declared[row["username"]]
        if user.totp_secret:
            entry["totpSecret"] = user.totp_secret
        if user.attributes.get("email"):
            entry["email"] = user.attributes["email"]
        steps[step] = entry
    steps["CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE"]["customAnswer"] = _custom_answer()
    done = steps["DONE"]
    steps["SIGN_UP"] = {"userPoolId": done["userPoolId"], "userPoolClientId": done["userPoolClientId"]}
    mfa = steps["CONFIRM_SIGN_IN_WITH_TOTP_CODE"]  # the demo's MFA-optional pool
    assert mfa["userPoolId"] == MFA_OPTIONAL_POOL
    steps["MFA_OPTIONAL"] = {
        "userPoolId": MFA_OPTIONAL_POOL,
        "userPoolClientId": mfa["userPoolClientId"],
        "username": MFA_OPTIONAL_USER["username"],
        "password": MFA_OPTIONAL_USER["password"],
        "email": MFA_OPTIONAL_USER["email"],
    }
    return steps


def add_mfa_optional_user(cognito: Any) -> None:
    """(Re)create the MFA-optional user without any MFA."""
    user = MFA_OPTIONAL_USER
    with contextlib.suppress(cognito.exceptions.UserNotFoundException):
        cognito.admin_delete_user(UserPoolId=MFA_OPTIONAL_POOL, Username=user["username"])
    cognito.admin_create_user(
        UserPoolId=MFA_OPTIONAL_POOL,
        Username=user["username"],
        UserAttributes=[
            {"Name": "email", "Value": user["email"]},
            {"Name": "email_verified", "Value": "true"},
        ],
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=MFA_OPTIONAL_POOL, Username=user["username"], Password=user["password"], Permanent=True
    )


# --- the server and running the scripts ----------------------------------------------------------------------
@pytest.fixture(scope="session")
def amplify_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    """The emulator with the demo world loaded at start (as ``cognito-emulator serve --fixtures``)."""
    database = tmp_path_factory.mktemp("amplify") / "emulator.db"
    settings = Settings(port=0, database=f"sqlite:///{database}", lockout=True, fixtures=[str(DEMO)])
    with ServerThread(settings) as running:
        yield running


@pytest.fixture(scope="session")
def steps() -> dict[str, dict[str, Any]]:
    return demo_world()


def fresh_world(server: ServerThread, steps: dict[str, dict[str, Any]], entries: list[str]) -> dict[str, Any]:
    """The demo world as declared, for one scenario (scenarios change passwords, MFA settings and users).

    Loading the fixture again puts every declared user back exactly as declared (attributes, password, status,
    MFA, no lockout; a deleted one comes back); the outbox is emptied so every code read is one sent now.
    This is what POST /_emulator/reset ends with, without its wipe, which would also re-create the pools and
    their RSA signing keys (about a second per reset)."""
    fixtures.load_file(server.emulator, DEMO)
    httpx.delete(f"{server.endpoint}/_emulator/messages", timeout=10).raise_for_status()
    if "MFA_OPTIONAL" in entries:
        add_mfa_optional_user(make_boto_client(server.endpoint))
    return {"endpoint": server.endpoint, "steps": {name: steps[name] for name in entries}}


def run_script(
    script: str, *arguments: str, world: dict[str, Any] | None = None
) -> subprocess.CompletedProcess:
    env = {**os.environ, "NODE_NO_WARNINGS": "1"}
    if world is not None:
        env["AMPLIFY_WORLD"] = json.dumps(world)
    return subprocess.run(
        [NODE or "node", script, *arguments],
        cwd=HERE,
        env=env,
        capture_output=True,
        text=True,
        timeout=SCRIPT_TIMEOUT,
    )


def _cases() -> list[Any]:
    return [
        pytest.param(script, name, id=f"{script.removesuffix('.mjs')}:{name}", marks=MARKS.get(name, []))
        for script, names in SCENARIOS.items()
        for name in names
    ]


@pytest.mark.parametrize(("script", "scenario"), _cases())
def test_scenario(
    script: str, scenario: str, amplify_server: ServerThread, steps: dict[str, dict[str, Any]]
) -> None:
    world = fresh_world(amplify_server, steps, SCENARIOS[script][scenario])
    try:
        result = run_script(script, scenario, world=world)
    except subprocess.TimeoutExpired as timeout:
        pytest.fail(
            f"node {script} {scenario} took over {SCRIPT_TIMEOUT}s\n{timeout.stdout}\n{timeout.stderr}"
        )
    if result.returncode != 0:
        pytest.fail(
            f"node {script} {scenario} exited {result.returncode}\n"
            f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}",
            pytrace=False,
        )
    summary = json.loads(result.stdout)
    assert summary["ok"] and [item["scenario"] for item in summary["results"]] == [scenario]


@pytest.mark.parametrize("script", list(SCENARIOS))
def test_scenario_lists(script: str) -> None:
    """Every scenario a script has runs here (and nothing listed here is missing from the script)."""
    result = run_script(script, "--list")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == list(SCENARIOS[script])


if __name__ == "__main__":
    # The world as JSON for running a script by hand against `cognito-emulator serve --fixtures
    # fixtures/signin-steps.yaml`:  AMPLIFY_WORLD="$(python -m tests.amplify.test_amplify)" node tests/amplify/signin.mjs DONE
    import sys

    print(
        json.dumps(
            {"endpoint": sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:9229", "steps": demo_world()}
        )
    )
