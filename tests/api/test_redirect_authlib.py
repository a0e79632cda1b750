"""The authorization code flow with PKCE through a generic OAuth 2.0 client library, authlib's httpx client,
against the emulator's HTTPS listener (verified with its local CA): authlib builds the authorize URL (S256
challenge, state, nonce), a plain HTTP client signs in on the login page (tests.oauth_world.walk_login, also
with a TOTP code), authlib checks the state and exchanges the code, refreshes, and calls userInfo. The ID
token's signature is verified against the pool's JWKS with joserfc (a JOSE library independent of the
emulator's PyJWT), with its issuer, audience, nonce and at_hash. So authlib agrees with Amplify (the browser and
Node tests in tests/amplify/) on the same endpoints.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from typing import Any

import httpx
import pyotp
import pytest
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from emulator.config import Settings
from emulator.testing import ServerThread
from tests import oauth_world

APP = "http://localhost:3000/"
SCOPE = "openid email profile aws.cognito.signin.user.admin"


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    folder = tmp_path_factory.mktemp("authlib")
    settings = Settings(port=0, database=f"sqlite:///{folder / 'emulator.db'}")
    with ServerThread(settings, tls=True) as server:
        oauth_world.load(server.emulator, folder, APP)
        yield server


def domain_url(emulator: ServerThread) -> str:
    return f"{emulator.tls_endpoint}/{oauth_world.DOMAIN}"


def oauth_client(emulator: ServerThread) -> OAuth2Client:
    return OAuth2Client(
        client_id=oauth_world.CLIENT,
        scope=SCOPE,
        redirect_uri=APP,
        code_challenge_method="S256",
        token_endpoint_auth_method="none",  # a public client: client_id in the body, no secret
        verify=emulator.ssl_context(),
    )


def sign_in(emulator: ServerThread, client: OAuth2Client, answers: dict[str, Any]) -> dict[str, Any]:
    """authlib's authorize URL, the login page, authlib's code exchange: the token and what was sent."""
    verifier = generate_token(64)
    nonce = generate_token(20)
    url, state = client.create_authorization_url(
        f"{domain_url(emulator)}/oauth2/authorize", code_verifier=verifier, nonce=nonce
    )
    with httpx.Client(verify=emulator.ssl_context()) as browser:
        back, visited = oauth_world.walk_login(browser, url, answers, APP)
    token = client.fetch_token(
        f"{domain_url(emulator)}/oauth2/token",
        authorization_response=back,
        state=state,
        code_verifier=verifier,
    )
    return {"token": dict(token), "nonce": nonce, "back": back, "verifier": verifier, "visited": visited}


def verified_claims(emulator: ServerThread, token: str, **expected: Any) -> dict[str, Any]:
    jwks = httpx.get(f"{emulator.endpoint}/{oauth_world.POOL}/.well-known/jwks.json").json()
    decoded = jwt.decode(token, KeySet.import_key_set(jwks), algorithms=["RS256"])
    registry = jwt.JWTClaimsRegistry(
        exp={"essential": True},
        **{name: {"essential": True, "value": value} for name, value in expected.items()},
    )
    registry.validate(decoded.claims)
    return decoded.claims


def issuer(emulator: ServerThread) -> str:
    discovery = httpx.get(f"{emulator.endpoint}/{oauth_world.POOL}/.well-known/openid-configuration").json()
    return discovery["issuer"]


def at_hash(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()


def test_the_code_flow_with_pkce_through_authlib(emulator: ServerThread) -> None:
    client = oauth_client(emulator)
    answers = {"username": oauth_world.ALICE["username"], "password": oauth_world.PASSWORD}
    result = sign_in(emulator, client, answers)
    token = result["token"]
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600
    assert {"access_token", "id_token", "refresh_token"} <= set(token)

    claims = verified_claims(
        emulator,
        token["id_token"],
        iss=issuer(emulator),
        aud=oauth_world.CLIENT,
        nonce=result["nonce"],
        token_use="id",
    )
    assert claims["cognito:username"] == "alice" and claims["email"] == oauth_world.ALICE["email"]
    assert claims["at_hash"] == at_hash(token["access_token"])
    access = verified_claims(emulator, token["access_token"], iss=issuer(emulator), token_use="access")
    assert access["client_id"] == oauth_world.CLIENT and access["sub"] == claims["sub"]
    assert set(access["scope"].split()) == set(SCOPE.split())

    # userInfo with authlib's authorised client: the claims of the granted scopes.
    info = client.get(f"{domain_url(emulator)}/oauth2/userInfo").json()
    assert info["sub"] == claims["sub"] and info["email"] == oauth_world.ALICE["email"]
    assert info["name"] == oauth_world.ALICE["name"]

    # A refresh through authlib: new access and ID tokens for the same grant.
    refreshed = client.refresh_token(
        f"{domain_url(emulator)}/oauth2/token", refresh_token=token["refresh_token"]
    )
    assert refreshed["access_token"] != token["access_token"]
    again = verified_claims(emulator, refreshed["access_token"], iss=issuer(emulator), token_use="access")
    assert again["origin_jti"] == access["origin_jti"] and again["scope"] == access["scope"]

    # The code was single use: authlib gets invalid_grant for it the second time.
    with pytest.raises(OAuthError) as excinfo:
        oauth_client(emulator).fetch_token(
            f"{domain_url(emulator)}/oauth2/token",
            authorization_response=result["back"],
            code_verifier=result["verifier"],
        )
    assert excinfo.value.error == "invalid_grant"


def test_a_wrong_verifier_and_a_forged_signature_fail(emulator: ServerThread) -> None:
    client = oauth_client(emulator)
    verifier = generate_token(64)
    url, state = client.create_authorization_url(
        f"{domain_url(emulator)}/oauth2/authorize", code_verifier=verifier
    )
    answers = {"username": oauth_world.ALICE["username"], "password": oauth_world.PASSWORD}
    with httpx.Client(verify=emulator.ssl_context()) as browser:
        back, _visited = oauth_world.walk_login(browser, url, answers, APP)
    with pytest.raises(OAuthError) as excinfo:
        client.fetch_token(
            f"{domain_url(emulator)}/oauth2/token",
            authorization_response=back,
            state=state,
            code_verifier=generate_token(64),
        )
    assert excinfo.value.error == "invalid_grant"
    # A token signed by someone else does not verify against the pool's JWKS.
    token = sign_in(emulator, oauth_client(emulator), answers)["token"]["id_token"]
    header, payload, signature = token.split(".")
    forged_payload = base64.urlsafe_b64encode(
        base64.urlsafe_b64decode(payload + "==").replace(b'"alice"', b'"mallory"')
    ).rstrip(b"=")
    with pytest.raises(BadSignatureError):
        verified_claims(emulator, f"{header}.{forged_payload.decode()}.{signature}")


def test_the_code_flow_for_a_user_with_totp_mfa(emulator: ServerThread) -> None:
    answers = {
        "username": oauth_world.BOB["username"],
        "password": oauth_world.PASSWORD,
        oauth_world.ONE_TIME_CODE: lambda: pyotp.TOTP(oauth_world.TOTP_SECRET).now(),
    }
    result = sign_in(emulator, oauth_client(emulator), answers)
    claims = verified_claims(
        emulator, result["token"]["id_token"], aud=oauth_world.CLIENT, nonce=result["nonce"]
    )
    assert claims["cognito:username"] == "bob"
    # The password alone was not enough: a page asked for the TOTP code, and the code was posted.
    posts = [step for step in result["visited"] if step.startswith("POST ")]
    assert len(posts) == 2, result["visited"]
