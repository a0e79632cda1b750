"""``/oauth2/userInfo`` (claims by scope, Cognito's WWW-Authenticate errors), ``/oauth2/revoke``, CORS on the
endpoints a browser fetches (preflights included), and the pool's discovery document once it has a domain;
over HTTPS with the local CA verified."""

from __future__ import annotations

import httpx
import pytest

from tests.api.oauth_world import APP, DOMAIN, ORIGIN, World


@pytest.fixture
def world(oauth_world: World) -> World:
    return oauth_world


TOKEN = f"/{DOMAIN}/oauth2/token"
USERINFO = f"/{DOMAIN}/oauth2/userInfo"
REVOKE = f"/{DOMAIN}/oauth2/revoke"
INVALID_TOKEN = (
    'error="invalid_token", error_description="Access token is expired, disabled, or deleted, or the user '
    'has globally signed out."'
)


def tokens(https: httpx.Client, world: World, scopes: list[str]) -> dict:
    code = world.code(scopes=scopes)
    response = https.post(
        TOKEN,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": world.public,
            "redirect_uri": APP,
        },
    )
    assert response.status_code == 200, response.text
    return response.json()


def info(https: httpx.Client, access_token: str, method: str = "GET") -> httpx.Response:
    return https.request(method, USERINFO, headers={"Authorization": f"Bearer {access_token}"})


@pytest.mark.parametrize(
    ("scopes", "expected"),
    [
        (
            ["openid"],
            {"email", "email_verified", "phone_number", "name", "sub", "username"},
        ),
        (["openid", "email"], {"email", "email_verified", "sub", "username"}),
        (["openid", "phone"], {"phone_number", "sub", "username"}),
        (["openid", "profile"], {"name", "sub", "username"}),
        (["openid", "email", "profile"], {"email", "email_verified", "name", "sub", "username"}),
    ],
)
def test_user_info_claims_by_scope(https, world: World, scopes, expected):
    response = info(https, tokens(https, world, scopes)["access_token"])
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == expected
    assert body["username"] == "alice"
    if "email_verified" in body:
        assert body["email_verified"] == "true"


def test_user_info_accepts_post(https, world: World):
    access = tokens(https, world, ["openid", "email"])["access_token"]
    assert info(https, access, "POST").json()["email"] == "alice@example.com"


def test_user_info_errors(https, world: World):
    response = https.get(USERINFO)
    assert response.status_code == 400
    assert response.headers["www-authenticate"] == (
        'error="invalid_request", error_description="Bad OAuth2 request at UserInfo Endpoint"'
    )
    assert https.get(USERINFO, headers={"Authorization": "Basic abc"}).status_code == 400
    # Garbage, a token without openid, a JSON API token, an M2M token: invalid_token.
    without_openid = tokens(https, world, ["email", "aws.cognito.signin.user.admin"])["access_token"]
    # The client allows USER_PASSWORD_AUTH too: a JSON API sign-in of the same user.
    api_token = world.cognito.initiate_auth(
        ClientId=world.public,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": "Passw0rd!"},
    )["AuthenticationResult"]["AccessToken"]
    m2m = https.post(
        TOKEN, data={"grant_type": "client_credentials"}, headers=world.basic(world.m2m, world.m2m_secret)
    ).json()["access_token"]
    for token in ("not-a-token", without_openid, api_token, m2m):
        response = info(https, token)
        assert response.status_code == 401, token
        assert response.headers["www-authenticate"] == INVALID_TOKEN
        assert response.json()["error"] == "invalid_token"
    # Expired on the emulator's clock, and after a global sign-out.
    access = tokens(https, world, ["openid", "aws.cognito.signin.user.admin"])["access_token"]
    assert info(https, access).status_code == 200
    world.cognito.global_sign_out(AccessToken=access)
    assert info(https, access).status_code == 401
    access = tokens(https, world, ["openid"])["access_token"]
    https.post("/_emulator/clock", json={"advance_seconds": 3601})
    assert info(https, access).status_code == 401


def test_revoke_ends_the_sign_in(https, world: World):
    body = tokens(https, world, ["openid", "aws.cognito.signin.user.admin"])
    assert info(https, body["access_token"]).status_code == 200
    response = https.post(REVOKE, data={"token": body["refresh_token"], "client_id": world.public})
    assert response.status_code == 200 and response.content == b""
    # The access tokens of that sign-in stop working, and so does the refresh token.
    assert info(https, body["access_token"]).status_code == 401
    refreshed = https.post(
        TOKEN,
        data={
            "grant_type": "refresh_token",
            "refresh_token": body["refresh_token"],
            "client_id": world.public,
        },
    )
    assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant"
    # Again, and an unknown token: still 200.
    assert (
        https.post(REVOKE, data={"token": body["refresh_token"], "client_id": world.public}).status_code
        == 200
    )
    assert https.post(REVOKE, data={"token": "unknown", "client_id": world.public}).status_code == 200


def test_revoke_errors(https, world: World):
    body = tokens(https, world, ["openid"])

    def assert_error(response: httpx.Response, error: str, status: int = 400) -> None:
        assert response.status_code == status, response.text
        assert response.json()["error"] == error

    assert_error(https.post(REVOKE, data={"client_id": world.public}), "invalid_request")
    assert_error(
        https.post(REVOKE, data={"client_id": world.public, "token": body["access_token"]}),
        "unsupported_token_type",
    )
    assert_error(
        https.post(REVOKE, data={"client_id": "nope", "token": body["refresh_token"]}), "invalid_client", 401
    )
    assert_error(
        https.post(REVOKE, data={"token": "x"}, headers=world.basic(world.confidential, "wrong")),
        "invalid_client",
        401,
    )
    assert_error(
        https.post(REVOKE, data={"token": "x", "client_id": world.confidential}), "invalid_client", 401
    )
    ok = https.post(
        REVOKE, data={"token": "x"}, headers=world.basic(world.confidential, world.confidential_secret)
    )
    assert ok.status_code == 200
    world.cognito.update_user_pool_client(
        UserPoolId=world.pool_id, ClientId=world.public, EnableTokenRevocation=False
    )
    assert_error(
        https.post(REVOKE, data={"client_id": world.public, "token": body["refresh_token"]}),
        "invalid_request",
    )


@pytest.mark.parametrize("path", [TOKEN, USERINFO, REVOKE])
def test_cors_preflight_and_headers(https, world: World, path):
    preflight = https.options(
        path,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-amz-user-agent,authorization",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ORIGIN
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert (
        preflight.headers["access-control-allow-headers"] == "content-type, x-amz-user-agent, authorization"
    )
    # The answer itself, an error here, carries the header too.
    response = https.post(path, data={}, headers={"Origin": ORIGIN})
    assert response.status_code in (400, 401)
    assert response.headers["access-control-allow-origin"] == ORIGIN
    # An origin the server does not allow is refused by its guard, preflight included.
    refused = https.options(
        path, headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert refused.status_code == 403 and "access-control-allow-origin" not in refused.headers


def test_cors_on_a_successful_token_request(https, world: World):
    code = world.code()
    response = https.post(
        TOKEN,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": world.public,
            "redirect_uri": APP,
        },
        headers={"Origin": ORIGIN, "x-amz-user-agent": "aws-amplify/6"},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ORIGIN


def test_discovery_names_the_domains_endpoints(https, world: World, tls_server):
    discovery = https.get(f"/{world.pool_id}/.well-known/openid-configuration").json()
    base = f"{tls_server.tls_endpoint}/{DOMAIN}"
    assert discovery["authorization_endpoint"] == f"{base}/oauth2/authorize"
    assert discovery["token_endpoint"] == f"{base}/oauth2/token"
    assert discovery["userinfo_endpoint"] == f"{base}/oauth2/userInfo"
    assert discovery["revocation_endpoint"] == f"{base}/oauth2/revoke"
    assert discovery["end_session_endpoint"] == f"{base}/logout"
    assert discovery["token_endpoint_auth_methods_supported"] == ["client_secret_basic", "client_secret_post"]
    # The endpoints it names answer, over the verified HTTPS listener.
    response = https.post(
        discovery["token_endpoint"],
        data={"grant_type": "client_credentials"},
        headers=world.basic(world.m2m, world.m2m_secret),
    )
    assert response.status_code == 200
    world.cognito.delete_user_pool_domain(UserPoolId=world.pool_id, Domain=DOMAIN)
    discovery = https.get(f"/{world.pool_id}/.well-known/openid-configuration").json()
    assert "token_endpoint" not in discovery and "authorization_endpoint" not in discovery
