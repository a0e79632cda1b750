"""Secrets hygiene: the logs of a full run (every flow, at debug level, text and JSON) never show a password,
a refresh or access token, a session value, a TOTP secret or a client secret; the database keeps refresh
tokens and sessions only as hashes; signing keys leave the server only as public JWKS; codes and secrets
come from a cryptographic random source.

The codes in the outbox's log line are there on purpose: they are what a user would read in the message.
"""

from __future__ import annotations

import ast
import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from emulator.testing import EmulatorClient
from tests.reliability.load import EmulatorProcess, boto_client

PASSWORD = "Secret-Passw0rd-one!"
NEW_PASSWORD = "Secret-Passw0rd-two!"
RESET_PASSWORD = "Secret-Passw0rd-three!"
WRONG_PASSWORD = "Wrong-Passw0rd-guess!"
TEMPORARY = "Temporary-Passw0rd-1!"
ADMIN_SET = "Admin-Set-Passw0rd-1!"
EMULATOR = Path(__file__).resolve().parents[2] / "emulator"


def _code(http: httpx.Client, pool_id: str, username: str) -> str:
    messages = http.get("/_emulator/messages", params={"pool_id": pool_id, "username": username}).json()
    return next(message["code"] for message in messages["messages"] if message.get("code"))


def full_run(endpoint: str) -> tuple[set[str], str]:
    """Every flow once; returns (the secrets the clients handled, the pool id)."""
    cognito = boto_client(endpoint)
    http = httpx.Client(base_url=endpoint, timeout=30)
    secrets: set[str] = {PASSWORD, NEW_PASSWORD, RESET_PASSWORD, WRONG_PASSWORD, TEMPORARY, ADMIN_SET}
    pool_id = cognito.create_user_pool(
        PoolName="secrets", AutoVerifiedAttributes=["email"], MfaConfiguration="OPTIONAL"
    )["UserPool"]["Id"]
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="OPTIONAL"
    )
    flows = [
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    ]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=flows
    )["UserPoolClient"]["ClientId"]
    secret_client = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="server", ExplicitAuthFlows=flows, GenerateSecret=True
    )["UserPoolClient"]
    secrets.add(secret_client["ClientSecret"])

    def collect(result: dict[str, Any]) -> dict[str, Any]:
        for key in ("AccessToken", "IdToken", "RefreshToken"):
            if result.get(key):
                secrets.add(result[key])
        return result

    # Sign-up, confirmation, password and SRP sign-in, a wrong password.
    cognito.sign_up(
        ClientId=client_id,
        Username="alice",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}],
    )
    cognito.confirm_sign_up(
        ClientId=client_id, Username="alice", ConfirmationCode=_code(http, pool_id, "alice")
    )
    with pytest.raises(ClientError):
        cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": WRONG_PASSWORD},
        )
    tokens = collect(
        cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
        )["AuthenticationResult"]
    )
    collect(
        AWSSRP("alice", PASSWORD, pool_id, client_id, client=cognito).authenticate_user()[
            "AuthenticationResult"
        ]
    )
    collect(
        cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
        )["AuthenticationResult"]
    )
    collect(
        cognito.get_tokens_from_refresh_token(RefreshToken=tokens["RefreshToken"], ClientId=client_id)[
            "AuthenticationResult"
        ]
    )
    cognito.change_password(
        AccessToken=tokens["AccessToken"], PreviousPassword=PASSWORD, ProposedPassword=NEW_PASSWORD
    )
    # Forgotten password.
    cognito.forgot_password(ClientId=client_id, Username="alice")
    cognito.confirm_forgot_password(
        ClientId=client_id,
        Username="alice",
        ConfirmationCode=_code(http, pool_id, "alice"),
        Password=RESET_PASSWORD,
    )
    # TOTP: associate, verify, prefer; then a sign-in through the SOFTWARE_TOKEN_MFA challenge.
    tokens = collect(
        cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": RESET_PASSWORD},
        )["AuthenticationResult"]
    )
    totp_secret = cognito.associate_software_token(AccessToken=tokens["AccessToken"])["SecretCode"]
    secrets.add(totp_secret)
    cognito.verify_software_token(AccessToken=tokens["AccessToken"], UserCode=pyotp.TOTP(totp_secret).now())
    cognito.set_user_mfa_preference(
        AccessToken=tokens["AccessToken"], SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    challenge = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": RESET_PASSWORD},
    )
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    secrets.add(challenge["Session"])
    with pytest.raises(ClientError):  # a wrong code first (the session survives a wrong answer)
        cognito.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=challenge["Session"],
            ChallengeResponses={"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": "000000"},
        )
    helper = EmulatorClient(endpoint)
    helper.advance_clock(30)  # a TOTP code is accepted once: the next one
    totp_code = helper.totp_code(totp_secret)
    secrets.add(totp_code)  # as good as a password for 30 s
    collect(
        cognito.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=challenge["Session"],
            ChallengeResponses={"USERNAME": "alice", "SOFTWARE_TOKEN_MFA_CODE": totp_code},
        )["AuthenticationResult"]
    )
    # An invited user: temporary password, NEW_PASSWORD_REQUIRED, a new password; then an admin sets one.
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="bob",
        TemporaryPassword=TEMPORARY,
        UserAttributes=[
            {"Name": "email", "Value": "bob@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    challenge = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "bob", "PASSWORD": TEMPORARY},
    )
    secrets.add(challenge["Session"])
    collect(
        cognito.admin_respond_to_auth_challenge(
            UserPoolId=pool_id,
            ClientId=client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=challenge["Session"],
            ChallengeResponses={"USERNAME": "bob", "NEW_PASSWORD": NEW_PASSWORD},
        )["AuthenticationResult"]
    )
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="bob", Password=ADMIN_SET, Permanent=True)
    # A client with a secret, revocation, sign-out.
    import base64
    import hmac

    secret_hash = base64.b64encode(
        hmac.new(
            secret_client["ClientSecret"].encode(), b"bob" + secret_client["ClientId"].encode(), "sha256"
        ).digest()
    ).decode()
    server_tokens = collect(
        cognito.initiate_auth(
            ClientId=secret_client["ClientId"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "bob", "PASSWORD": ADMIN_SET, "SECRET_HASH": secret_hash},
        )["AuthenticationResult"]
    )
    cognito.revoke_token(
        Token=server_tokens["RefreshToken"],
        ClientId=secret_client["ClientId"],
        ClientSecret=secret_client["ClientSecret"],
    )
    with pytest.raises(ClientError):  # a revoked refresh token, presented again
        cognito.initiate_auth(
            ClientId=secret_client["ClientId"],
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": server_tokens["RefreshToken"], "SECRET_HASH": secret_hash},
        )
    cognito.global_sign_out(AccessToken=tokens["AccessToken"])
    with pytest.raises(ClientError):  # a signed-out access token
        cognito.get_user(AccessToken=tokens["AccessToken"])
    # The emulator's own API and console pages show users and the outbox, never key material or passwords.
    for path in (
        "/_emulator/messages",
        f"/_emulator/users?pool_id={pool_id}",
        "/_emulator/",
        f"/_emulator/pools/{pool_id}",
    ):
        page = http.get(path)
        assert page.status_code == 200, path
        assert "PRIVATE KEY" not in page.text and PASSWORD not in page.text, path
    http.close()
    return secrets, pool_id


def _needles(secret: str) -> list[str]:
    """The secret, and for long ones a distinctive slice too (catches a truncated copy in a log line)."""
    return [secret] + ([secret[8:40]] if len(secret) > 60 else [])


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_logs_of_a_full_run_hold_no_secrets(tmp_path, log_format):
    database = f"sqlite:///{tmp_path / 'emulator.db'}"
    args = ["--log-level", "debug", "--log-format", log_format]
    with EmulatorProcess(database, tmp_path / "server.log", workers=1, args=args) as server:
        secrets, _ = full_run(server.endpoint)
    log = (tmp_path / "server.log").read_text(errors="replace")
    assert "SignUp" in log and "RespondToAuthChallenge" in log  # the requests were logged
    assert "emulator.outbox" in log and "SIGN_UP" in log  # the outbox line shows its code, on purpose
    leaked = sorted({secret[:24] for secret in secrets for needle in _needles(secret) if needle in log})
    assert leaked == [], f"secrets in the {log_format} log: {leaked}"


def test_database_keeps_refresh_tokens_and_sessions_only_as_hashes(tmp_path):
    path = tmp_path / "emulator.db"
    with EmulatorProcess(f"sqlite:///{path}", tmp_path / "server.log", workers=1) as server:
        secrets, pool_id = full_run(server.endpoint)
        # A sign-in left half-way: its session is stored, by hash only.
        cognito = boto_client(server.endpoint)
        clients = cognito.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"]
        client_id = next(client["ClientId"] for client in clients if client["ClientName"] == "app")
        open_session = cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": RESET_PASSWORD},
        )["Session"]
        jwks = httpx.get(f"{server.endpoint}/{pool_id}/.well-known/jwks.json").json()
    with sqlite3.connect(path) as connection:
        dump = "\n".join(connection.iterdump())
        message_free_dump = "\n".join(
            line for line in dump.splitlines() if 'INSERT INTO "messages"' not in line
        )
        client_secret = connection.execute(
            "SELECT secret FROM user_pool_clients WHERE secret IS NOT NULL"
        ).fetchone()[0]
        session_ids = {row[0] for row in connection.execute("SELECT id FROM auth_sessions")}
        token_hashes = {row[0] for row in connection.execute("SELECT token_hash FROM refresh_tokens")}
        private_keys = [row[0] for row in connection.execute("SELECT private_pem FROM signing_keys")]
    connection.close()
    assert hashlib.sha256(open_session.encode()).hexdigest() in session_ids
    assert open_session not in dump
    refresh_tokens = {secret for secret in secrets if secret.count(".") == 4}  # the 5-part (JWE-shaped) ones
    assert refresh_tokens and all(
        hashlib.sha256(token.encode()).hexdigest() in token_hashes for token in refresh_tokens
    )
    # Nothing a client handled is in the database as such, except what the server must give back: the
    # TOTP secret (to check codes), the client secret (DescribeUserPoolClient returns it), and the
    # temporary password in the invitation message of the outbox (what the invited user reads).
    stored = {secret for secret in secrets if any(needle in dump for needle in _needles(secret))}
    must_keep = {secret for secret in secrets if len(secret) == 32 and secret.isupper()}  # base32 TOTP
    must_keep |= {client_secret, TEMPORARY}
    assert stored <= must_keep, sorted(item[:24] for item in stored - must_keep)
    assert TEMPORARY not in message_free_dump
    # Signing keys: private halves only in the database; JWKS carries public members only.
    assert private_keys and all("PRIVATE KEY" in pem for pem in private_keys)
    for key in jwks["keys"]:
        assert set(key) == {"alg", "e", "kid", "kty", "n", "use"}
    assert "PRIVATE KEY" not in json.dumps(jwks)


def test_codes_and_secrets_come_from_a_cryptographic_random_source():
    """No module of the emulator uses the ``random`` module (predictable); ``secrets`` is there instead."""
    users_of_random = []
    users_of_secrets = set()
    for source in EMULATOR.rglob("*.py"):
        tree = ast.parse(source.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if "random" in names:
                users_of_random.append(str(source.relative_to(EMULATOR)))
            if "secrets" in names:
                users_of_secrets.add(str(source.relative_to(EMULATOR)))
    assert users_of_random == []
    for module in (
        "crypto/codes.py",
        "crypto/totp.py",
        "crypto/srp.py",
        "userpools/signin/sessions.py",
        "userpools/tokens/refresh_tokens.py",
        "ids.py",
    ):
        assert module in users_of_secrets, module
