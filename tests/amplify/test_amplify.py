"""The Amplify JS v6 end-to-end suite: Node scripts drive the real ``aws-amplify`` client against a server
started here, one scenario per process, each on a fresh world.

The scripts (``signin.mjs``, ``session.mjs``, ``mfa.mjs``, ``signup.mjs``) get the world as JSON in
``AMPLIFY_WORLD``: the endpoint and, per signInStep (and a few named roles), the pool id, client id,
username and password (plus a TOTP secret where one is set up). Each prints a JSON summary with every
request Amplify made and every answer, and exits non-zero on failure; the summary is shown here then.

Skipped (not failed) only when ``node`` is missing or ``tests/amplify/node_modules`` is absent
(``npm ci`` in tests/amplify installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from emulator.config import Settings
from emulator.crypto import totp
from emulator.testing import ServerThread
from tests.conftest import make_boto_client

HERE = Path(__file__).parent
NODE = shutil.which("node")
PASSWORD = "Passw0rd!"
SCRIPT_TIMEOUT = 60

pytestmark = pytest.mark.skipif(
    NODE is None or not (HERE / "node_modules" / "aws-amplify").is_dir(),
    reason="the Amplify suite needs node and tests/amplify/node_modules (run `npm ci` in tests/amplify)",
)

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

NEEDS_TRIGGERS = pytest.mark.xfail(reason="needs Lambda triggers (issue 6)", strict=False)
MARKS = {
    "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE": [NEEDS_TRIGGERS],
    "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE_SRP": [NEEDS_TRIGGERS],
}


# --- the world ---------------------------------------------------------------------------------------------
SMS_CONFIG = {"SnsCallerArn": "arn:aws:iam::123456789012:role/sns", "ExternalId": "amplify-suite"}
ALL_FLOWS = [
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_AUTH",
    "ALLOW_CUSTOM_AUTH",
]


def _pool(cognito: Any, name: str, mode: str, *, sms: bool, software: bool, email: bool) -> tuple[str, str]:
    pool_id = cognito.create_user_pool(
        PoolName=name,
        AutoVerifiedAttributes=["email"],
        Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]}},
    )["UserPool"]["Id"]
    config: dict[str, Any] = {"UserPoolId": pool_id, "MfaConfiguration": mode}
    if sms:
        config["SmsMfaConfiguration"] = {"SmsConfiguration": SMS_CONFIG}
    if software:
        config["SoftwareTokenMfaConfiguration"] = {"Enabled": True}
    if email:
        config["EmailMfaConfiguration"] = {"Message": "Your sign-in code is {####}", "Subject": "Your code"}
    cognito.set_user_pool_mfa_config(**config)
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="amplify",
        ExplicitAuthFlows=ALL_FLOWS,
        PreventUserExistenceErrors="ENABLED",
    )["UserPoolClient"]["ClientId"]
    return pool_id, client_id


def _user(
    cognito: Any, pool: tuple[str, str], username: str, attributes: dict[str, str], *, temporary: bool = False
) -> dict[str, Any]:
    pool_id, client_id = pool
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        UserAttributes=[{"Name": name, "Value": value} for name, value in attributes.items()],
        MessageAction="SUPPRESS",
        **({"TemporaryPassword": PASSWORD} if temporary else {}),
    )
    if not temporary:
        cognito.admin_set_user_password(
            UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True
        )
    return {"userPoolId": pool_id, "userPoolClientId": client_id, "username": username, "password": PASSWORD}


def _email(username: str) -> dict[str, str]:
    return {"email": f"{username}@example.com", "email_verified": "true"}


def _phone(number: str) -> dict[str, str]:
    return {"phone_number": number, "phone_number_verified": "true"}


def _enrol_totp(cognito: Any, user: dict[str, Any]) -> str:
    """Sign in once, add TOTP with the access token and make it the preferred factor; return the secret."""
    tokens = cognito.initiate_auth(
        ClientId=user["userPoolClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user["username"], "PASSWORD": user["password"]},
    )["AuthenticationResult"]
    secret = cognito.associate_software_token(AccessToken=tokens["AccessToken"])["SecretCode"]
    # A step in the past: the scripts' codes (current step onwards) stay usable after this one.
    code = totp.code_at(secret, datetime.fromtimestamp(datetime.now(UTC).timestamp() - 30, UTC))
    cognito.verify_software_token(AccessToken=tokens["AccessToken"], UserCode=code)
    cognito.set_user_mfa_preference(
        AccessToken=tokens["AccessToken"], SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    return secret


class WorldBuilder:
    """Builds the world's entries on demand (pools once, each user only when a scenario needs it): a scenario
    gets a fresh world that holds just what it uses, which keeps the suite fast."""

    def __init__(self, cognito: Any) -> None:
        self.cognito = cognito
        self.pools: dict[str, tuple[str, str]] = {}

    def pool(self, kind: str) -> tuple[str, str]:
        if kind not in self.pools:
            mode, factors = {
                "optional": ("OPTIONAL", {"sms": True, "software": True, "email": True}),
                "totp-required": ("ON", {"sms": False, "software": True, "email": False}),
                "email-required": ("ON", {"sms": False, "software": False, "email": True}),
                "setup-choice": ("ON", {"sms": False, "software": True, "email": True}),
            }[kind]
            self.pools[kind] = _pool(self.cognito, f"amplify-{kind}", mode, **factors)
        return self.pools[kind]

    def entry(self, name: str) -> dict[str, Any]:
        cognito = self.cognito
        optional = self.pool("optional")
        pool_id = optional[0]
        if name in ("DONE", "MFA_OPTIONAL", "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION"):
            return _user(cognito, optional, name.lower(), _email(name.lower()))
        if name in ("CONFIRM_SIGN_IN_WITH_PASSWORD", "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE"):
            return _user(cognito, optional, name.lower(), _email(name.lower()))
        if name == "CONFIRM_SIGN_IN_WITH_SMS_CODE":
            user = _user(cognito, optional, "sms", _phone("+15555550101"))
            cognito.admin_set_user_mfa_preference(
                UserPoolId=pool_id, Username="sms", SMSMfaSettings={"Enabled": True, "PreferredMfa": True}
            )
            return user
        if name == "CONFIRM_SIGN_IN_WITH_TOTP_CODE":
            user = _user(cognito, optional, "totp", _email("totp"))
            user["totpSecret"] = _enrol_totp(cognito, user)
            return user
        if name == "CONFIRM_SIGN_IN_WITH_EMAIL_CODE":
            user = _user(cognito, optional, "email", _email("email"))
            cognito.admin_set_user_mfa_preference(
                UserPoolId=pool_id, Username="email", EmailMfaSettings={"Enabled": True, "PreferredMfa": True}
            )
            return user
        if name == "CONTINUE_SIGN_IN_WITH_MFA_SELECTION":
            user = _user(cognito, optional, "select", {**_email("select"), **_phone("+15555550102")})
            cognito.admin_set_user_mfa_preference(
                UserPoolId=pool_id,
                Username="select",
                SMSMfaSettings={"Enabled": True},
                EmailMfaSettings={"Enabled": True},
            )
            return user
        if name == "CONTINUE_SIGN_IN_WITH_TOTP_SETUP":
            return _user(cognito, self.pool("totp-required"), "totpsetup", {})
        if name == "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP":
            return _user(cognito, self.pool("email-required"), "emailsetup", {})
        if name == "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION":
            return _user(cognito, self.pool("setup-choice"), "setupchoice", {})
        if name == "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED":
            return _user(cognito, optional, "newpass", _email("newpass"), temporary=True)
        if name == "RESET_PASSWORD":
            user = _user(cognito, optional, "reset", _email("reset"))
            cognito.admin_reset_user_password(UserPoolId=pool_id, Username="reset")
            return user
        if name == "CONFIRM_SIGN_UP":
            cognito.sign_up(
                ClientId=optional[1],
                Username="unconfirmed",
                Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "unconfirmed@example.com"}],
            )
            return {
                "userPoolId": pool_id,
                "userPoolClientId": optional[1],
                "username": "unconfirmed",
                "password": PASSWORD,
            }
        if name == "SIGN_UP":
            return {"userPoolId": pool_id, "userPoolClientId": optional[1]}
        raise KeyError(f"no world entry {name}")


# --- the server and running the scripts ----------------------------------------------------------------------
@pytest.fixture(scope="session")
def amplify_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    database = tmp_path_factory.mktemp("amplify") / "emulator.db"
    settings = Settings(port=0, database=f"sqlite:///{database}", lockout=True)
    with ServerThread(settings) as running:
        yield running


def fresh_world(server: ServerThread, entries: list[str]) -> dict[str, Any]:
    """A fresh world for one scenario (the scenarios change passwords, MFA settings and users)."""
    server.emulator.reset()
    builder = WorldBuilder(make_boto_client(server.endpoint))
    return {"endpoint": server.endpoint, "steps": {name: builder.entry(name) for name in entries}}


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
def test_scenario(script: str, scenario: str, amplify_server: ServerThread) -> None:
    world = fresh_world(amplify_server, SCENARIOS[script][scenario])
    result = run_script(script, scenario, world=world)
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
