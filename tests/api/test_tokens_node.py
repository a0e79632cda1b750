"""Tokens verified by the npm package aws-jwt-verify under Node, and the issuer settings.

The suite installs aws-jwt-verify itself (``npm ci`` in tests/node, once: tests.real_clients); skipped, saying
why, only where node or npm is missing or the install fails, and failed instead under CI.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from test_tokens_support import add_user, claims, make_client, make_pool, sign_in

from emulator.config import Settings
from emulator.testing import ServerThread
from tests import real_clients
from tests.conftest import make_boto_client

NODE_PROJECT = Path(__file__).resolve().parent.parent / "node"


def node_verify(checks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    real_clients.node_project(NODE_PROJECT, "aws-jwt-verify")
    completed = subprocess.run(
        ["node", "verify.mjs"],
        cwd=NODE_PROJECT,
        input=json.dumps(checks),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


@pytest.fixture
def signed_in(server, cognito):
    pool_id = make_pool(cognito)
    client_id = make_client(cognito, pool_id)["ClientId"]
    add_user(server, pool_id, "alice", {"email": "alice@example.com", "email_verified": "true"})
    return pool_id, client_id, sign_in(cognito, client_id, "alice")


def test_aws_jwt_verify_accepts_the_tokens(server, signed_in):
    pool_id, client_id, result = signed_in
    issuer = f"{server.endpoint}/{pool_id}"
    jwks_uri = f"{issuer}/.well-known/jwks.json"
    head, payload, signature = result["AccessToken"].split(".")
    forged_payload = jwt.utils.base64url_encode(
        json.dumps({**claims(result["AccessToken"]), "sub": "x"}).encode()
    )
    tampered = f"{head}.{forged_payload.decode()}.{signature}"
    checks = [
        {"verifier": "rsa", "token": result["IdToken"], "issuer": issuer, "jwksUri": jwks_uri,
         "audience": client_id, "tokenUse": "id"},
        {"verifier": "rsa", "token": result["AccessToken"], "issuer": issuer, "jwksUri": jwks_uri,
         "tokenUse": "access"},
        {"verifier": "rsa", "token": tampered, "issuer": issuer, "jwksUri": jwks_uri},
        {"verifier": "rsa", "token": result["AccessToken"], "issuer": f"{issuer}x", "jwksUri": jwks_uri},
    ]  # fmt: skip
    id_result, access_result, tampered_result, wrong_issuer = node_verify(checks)
    assert id_result["ok"], id_result
    assert id_result["payload"] == claims(result["IdToken"])
    assert access_result["ok"], access_result
    assert access_result["payload"]["username"] == "alice"
    assert not tampered_result["ok"]
    assert not wrong_issuer["ok"] and "issuer" in wrong_issuer["message"].lower()


def test_expired_tokens_are_refused_by_aws_jwt_verify(server, cognito):
    pool_id = make_pool(cognito)
    client_id = make_client(
        cognito, pool_id, AccessTokenValidity=5, TokenValidityUnits={"AccessToken": "minutes"}
    )["ClientId"]
    add_user(server, pool_id, "alice")
    # Tokens issued "10 minutes ago": the emulator's clock is behind, Node's is the real one.
    server.emulator.set_clock_offset(-600)
    access = sign_in(cognito, client_id, "alice")["AccessToken"]
    issuer = f"{server.endpoint}/{pool_id}"
    (outcome,) = node_verify(
        [{"verifier": "rsa", "token": access, "issuer": issuer, "jwksUri": f"{issuer}/.well-known/jwks.json"}]
    )
    assert not outcome["ok"] and outcome["error"] == "JwtExpiredError"


# --- issuer settings -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def aws_issuer_server(tmp_path_factory):
    database = tmp_path_factory.mktemp("aws-issuer") / "emulator.db"
    with ServerThread(Settings(port=0, database=f"sqlite:///{database}", issuer="aws")) as running:
        yield running


def test_aws_issuer_form(aws_issuer_server):
    server = aws_issuer_server
    cognito = make_boto_client(server.endpoint)
    pool_id = make_pool(cognito)
    client_id = make_client(cognito, pool_id)["ClientId"]
    add_user(server, pool_id, "alice")
    result = sign_in(cognito, client_id, "alice")
    aws_issuer = f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    assert claims(result["IdToken"])["iss"] == aws_issuer == claims(result["AccessToken"])["iss"]
    with httpx.Client(base_url=server.endpoint) as http:
        discovery = http.get(f"/{pool_id}/.well-known/openid-configuration").json()
        jwks = http.get(f"/{pool_id}/.well-known/jwks.json").json()
    assert discovery["issuer"] == aws_issuer
    # The keys stay where this server serves them.
    assert discovery["jwks_uri"] == f"{server.endpoint}/{pool_id}/.well-known/jwks.json"
    key = jwt.PyJWKClient(discovery["jwks_uri"]).get_signing_key_from_jwt(result["IdToken"])
    jwt.decode(result["IdToken"], key.key, algorithms=["RS256"], issuer=aws_issuer, audience=client_id)
    # The tokens still work with the emulator's own user APIs.
    cognito.global_sign_out(AccessToken=result["AccessToken"])
    # CognitoJwtVerifier derives the AWS issuer from the pool id; the JWKS is handed to it directly.
    common = {"verifier": "cognito", "userPoolId": pool_id, "clientId": client_id, "jwks": jwks}
    id_outcome, access_outcome, wrong_use = node_verify(
        [
            {**common, "token": result["IdToken"], "tokenUse": "id"},
            {**common, "token": result["AccessToken"], "tokenUse": "access"},
            {**common, "token": result["AccessToken"], "tokenUse": "id"},
        ]
    )
    assert id_outcome["ok"], id_outcome
    assert access_outcome["ok"], access_outcome
    assert not wrong_use["ok"]
    server.emulator.reset()


def test_public_url_sets_the_issuer():
    from emulator.userpools.tokens import issuer_for, jwks_uri

    settings = Settings(public_url="https://auth.example.test:8443/", port=9229)
    assert issuer_for(settings, "eu-west-1_Abc123456") == "https://auth.example.test:8443/eu-west-1_Abc123456"
    assert jwks_uri(settings, "eu-west-1_Abc123456") == (
        "https://auth.example.test:8443/eu-west-1_Abc123456/.well-known/jwks.json"
    )
    assert (
        issuer_for(Settings(host="0.0.0.0", port=9229), "us-east-1_X") == "http://127.0.0.1:9229/us-east-1_X"
    )
    aws = Settings(issuer="aws", public_url="https://ignored.example")
    assert issuer_for(aws, "eu-west-1_Abc123456") == (
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc123456"
    )
