"""``POST /oauth2/token`` over HTTPS (the local CA verified): the authorization_code grant with PKCE and its
checks, refresh_token with and without rotation, client_credentials with custom scopes, client
authentication, and every error of the endpoint."""

from __future__ import annotations

import base64
import hashlib

import httpx
import jwt
import pytest

from tests.api.oauth_world import APP, DOMAIN, OTHER_APP, World


@pytest.fixture
def world(oauth_world: World) -> World:
    return oauth_world


TOKEN = f"/{DOMAIN}/oauth2/token"


def claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def post(https: httpx.Client, data: dict[str, str], **headers: str) -> httpx.Response:
    return https.post(TOKEN, data=data, headers=headers)


def assert_error(response: httpx.Response, error: str, status: int = 400) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json;charset=UTF-8"
    assert response.json()["error"] == error


def test_the_code_flow_with_pkce_as_amplify_sends_it(https, world: World):
    verifier, challenge = world.pkce()
    code = world.code(
        scopes=["openid", "email", "aws.cognito.signin.user.admin", "api/read"],
        nonce="nonce-1",
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    response = post(
        https,
        {
            "grant_type": "authorization_code",
            "code": code,
            "client_id": world.public,
            "redirect_uri": APP,
            "code_verifier": verifier,
        },
        **{"x-amz-user-agent": "aws-amplify/6.15.0 auth/4 framework/0"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json;charset=UTF-8"
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert list(body) == ["id_token", "access_token", "refresh_token", "expires_in", "token_type"]
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    access, identity = claims(body["access_token"]), claims(body["id_token"])
    assert access["scope"] == "openid email aws.cognito.signin.user.admin api/read"
    assert access["username"] == "alice" and access["client_id"] == world.public and access["version"] == 2
    assert access["origin_jti"] == identity["origin_jti"] and "event_id" not in access
    assert access["auth_time"] == identity["auth_time"]
    assert identity["nonce"] == "nonce-1" and identity["aud"] == world.public
    assert identity["cognito:username"] == "alice" and identity["email"] == "alice@example.com"
    # openid with email: the ID token has the email attributes only (openid alone would give them all).
    assert identity["email_verified"] is True and "name" not in identity and "phone_number" not in identity
    digest = hashlib.sha256(body["access_token"].encode()).digest()
    assert identity["at_hash"] == base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()
    # Signed with the pool's keys (its JWKS).
    jwks = https.get(f"/{world.pool_id}/.well-known/jwks.json").json()
    key = jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(body["access_token"])["kid"]]
    jwt.decode(body["access_token"], key.key, algorithms=["RS256"])
    # Replayed: the code is used up.
    again = post(
        https,
        {"grant_type": "authorization_code", "code": code, "client_id": world.public, "redirect_uri": APP,
         "code_verifier": verifier},
    )  # fmt: skip
    assert_error(again, "invalid_grant")


def test_the_access_token_of_the_code_flow_calls_get_user_and_refreshes(https, world: World):
    code = world.code(scopes=["openid", "aws.cognito.signin.user.admin"])
    body = post(
        https,
        {"grant_type": "authorization_code", "code": code, "client_id": world.public, "redirect_uri": APP},
    ).json()
    user = world.cognito.get_user(AccessToken=body["access_token"])
    assert user["Username"] == "alice"
    refreshed = post(
        https,
        {"grant_type": "refresh_token", "refresh_token": body["refresh_token"], "client_id": world.public},
    )
    assert refreshed.status_code == 200, refreshed.text
    fields = refreshed.json()
    assert set(fields) == {
        "id_token",
        "access_token",
        "expires_in",
        "token_type",
    }  # no rotation on this client
    assert claims(fields["access_token"])["scope"] == "openid aws.cognito.signin.user.admin"
    assert claims(fields["access_token"])["origin_jti"] == claims(body["access_token"])["origin_jti"]
    assert "nonce" not in claims(fields["id_token"])
    # Amplify refreshes with the JSON API: the scopes stay.
    api = world.cognito.get_tokens_from_refresh_token(
        RefreshToken=body["refresh_token"], ClientId=world.public
    )
    assert (
        claims(api["AuthenticationResult"]["AccessToken"])["scope"] == "openid aws.cognito.signin.user.admin"
    )


def test_a_code_without_openid_gives_no_id_token_and_no_self_service(https, world: World):
    code = world.code(scopes=["email", "api/read"])
    body = post(
        https,
        {"grant_type": "authorization_code", "code": code, "client_id": world.public, "redirect_uri": APP},
    ).json()
    assert "id_token" not in body and claims(body["access_token"])["scope"] == "email api/read"
    with pytest.raises(world.cognito.exceptions.NotAuthorizedException, match="required scopes"):
        world.cognito.get_user(AccessToken=body["access_token"])


def test_pkce_checks(https, world: World):
    verifier, challenge = world.pkce()
    base = {"grant_type": "authorization_code", "client_id": world.public, "redirect_uri": APP}
    for given in (None, world.pkce()[0], verifier[:40], challenge):
        code = world.code(code_challenge=challenge, code_challenge_method="S256")
        data = {**base, "code": code, **({"code_verifier": given} if given else {})}
        assert_error(post(https, data), "invalid_grant")
    # A verifier sent for a code issued without a challenge is not looked at.
    code = world.code()
    assert post(https, {**base, "code": code, "code_verifier": verifier}).status_code == 200


def test_redirect_uri_must_be_the_authorize_requests(https, world: World):
    base = {"grant_type": "authorization_code", "client_id": world.public}
    # Another registered URL: the code was not issued for it.
    assert_error(post(https, {**base, "code": world.code(), "redirect_uri": OTHER_APP}), "invalid_grant")
    # A URL that is no callback of the client (here without the trailing slash), as Cognito answers it.
    assert_error(
        post(https, {**base, "code": world.code(), "redirect_uri": APP.rstrip("/")}), "unauthorized_client"
    )
    assert_error(post(https, {**base, "code": world.code()}), "invalid_request")


def test_codes_expire_after_five_minutes(https, world: World):
    code = world.code()
    data = {"grant_type": "authorization_code", "client_id": world.public, "redirect_uri": APP, "code": code}
    assert https.post("/_emulator/clock", json={"advance_seconds": 301}).status_code == 200
    assert_error(post(https, data), "invalid_grant")
    # A code of another client is no code of this one.
    code = world.code(client_id=world.confidential)
    assert_error(post(https, {**data, "code": code}), "invalid_grant")


def test_client_authentication(https, world: World):
    code = world.code(client_id=world.confidential)
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": APP}
    # No secret, a wrong one, a garbled Basic header, an unknown client.
    assert_error(post(https, {**data, "client_id": world.confidential}), "invalid_client")
    assert_error(
        post(https, {**data, "client_id": world.confidential, "client_secret": "wrong"}), "invalid_client"
    )
    assert_error(post(https, data, **world.basic(world.confidential, "wrong")), "invalid_client", 401)
    assert_error(post(https, data, Authorization="Basic not-base64!"), "invalid_client", 401)
    assert_error(post(https, data, Authorization="Bearer abc"), "invalid_client", 401)
    assert_error(post(https, {**data, "client_id": "1234567890abcdefghijklmnop"}), "invalid_client")
    # A public client that sends a secret cannot be authenticated either.
    assert_error(
        post(https, {**data, "client_id": world.public, "client_secret": "x", "code": world.code()}),
        "invalid_client",
    )
    # The secret in the body, then in the Basic header: both work (the first use spends the code).
    ok = post(https, {**data, "client_id": world.confidential, "client_secret": world.confidential_secret})
    assert ok.status_code == 200, ok.text
    data["code"] = world.code(client_id=world.confidential)
    ok = post(https, data, **world.basic(world.confidential, world.confidential_secret))
    assert ok.status_code == 200, ok.text
    # Rotation on this client: the refresh gives a new refresh token, and the old one stops working.
    old = ok.json()["refresh_token"]
    rotated = post(
        https,
        {"grant_type": "refresh_token", "refresh_token": old},
        **world.basic(world.confidential, world.confidential_secret),
    )
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["refresh_token"] != old
    again = post(
        https,
        {"grant_type": "refresh_token", "refresh_token": old},
        **world.basic(world.confidential, world.confidential_secret),
    )
    assert_error(again, "invalid_grant")


def test_request_errors(https, world: World):
    assert_error(post(https, {"client_id": world.public}), "invalid_request")
    assert_error(post(https, {"grant_type": "password", "client_id": world.public}), "unsupported_grant_type")
    assert_error(
        post(https, {"grant_type": "authorization_code", "redirect_uri": APP, "code": "x"}), "invalid_request"
    )
    assert_error(
        post(https, {"grant_type": "authorization_code", "client_id": world.public, "redirect_uri": APP}),
        "invalid_request",
    )
    assert_error(
        post(https, {"grant_type": "authorization_code", "client_id": world.public, "redirect_uri": APP,
                     "code": "00000000-0000-4000-8000-000000000000"}),
        "invalid_grant",
    )  # fmt: skip
    # Not a form, and a parameter given twice.
    response = https.post(TOKEN, json={"grant_type": "authorization_code", "client_id": world.public})
    assert_error(response, "invalid_request")
    response = https.post(
        TOKEN,
        content=f"grant_type=refresh_token&grant_type=authorization_code&client_id={world.public}",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert_error(response, "invalid_request")
    assert_error(post(https, {"grant_type": "refresh_token", "client_id": world.public}), "invalid_request")
    assert_error(
        post(https, {"grant_type": "refresh_token", "client_id": world.public, "refresh_token": "nope"}),
        "invalid_grant",
    )
    # A grant the client is not allowed: client_credentials for the public client, code for the M2M one.
    assert_error(
        post(https, {"grant_type": "client_credentials", "client_id": world.public}), "unauthorized_client"
    )
    assert_error(
        post(https, {"grant_type": "authorization_code", "code": "x", "redirect_uri": APP},
             **world.basic(world.m2m, world.m2m_secret)),
        "unauthorized_client",
    )  # fmt: skip
    # A client of another pool is unknown on this domain.
    other_pool = world.cognito.create_user_pool(PoolName="other")["UserPool"]["Id"]
    other = world.cognito.create_user_pool_client(UserPoolId=other_pool, ClientName="x")["UserPoolClient"]
    assert_error(
        post(https, {"grant_type": "refresh_token", "client_id": other["ClientId"], "refresh_token": "x"}),
        "invalid_client",
    )
    # An unknown domain is a 404.
    assert https.post("/no-such-domain/oauth2/token", data={"grant_type": "x"}).status_code == 404


def test_client_credentials_with_custom_scopes(https, world: World):
    auth = world.basic(world.m2m, world.m2m_secret)
    response = post(https, {"grant_type": "client_credentials"}, **auth)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "expires_in", "token_type"}
    token = claims(body["access_token"])
    assert token["sub"] == world.m2m and token["client_id"] == world.m2m and token["token_use"] == "access"
    assert token["scope"] == "api/read api/write" and "username" not in token and token["version"] == 2
    assert set(token) == {
        "sub",
        "token_use",
        "scope",
        "auth_time",
        "iss",
        "exp",
        "iat",
        "version",
        "jti",
        "client_id",
    }
    body = post(https, {"grant_type": "client_credentials", "scope": "api/write"}, **auth).json()
    assert claims(body["access_token"])["scope"] == "api/write"
    # Standard scopes and scopes the client lacks are invalid_scope.
    assert_error(
        post(https, {"grant_type": "client_credentials", "scope": "openid"}, **auth), "invalid_scope"
    )
    assert_error(
        post(https, {"grant_type": "client_credentials", "scope": "api/admin"}, **auth), "invalid_scope"
    )
    # The secret is required; in the body works too.
    assert_error(post(https, {"grant_type": "client_credentials", "client_id": world.m2m}), "invalid_client")
    response = post(
        https, {"grant_type": "client_credentials", "client_id": world.m2m, "client_secret": world.m2m_secret}
    )
    assert response.status_code == 200
    # An M2M token is no user's: GetUser refuses it.
    with pytest.raises(world.cognito.exceptions.NotAuthorizedException):
        world.cognito.get_user(AccessToken=body["access_token"])


def test_the_token_endpoint_by_host_name(https, world: World, tls_server):
    port = tls_server.settings.tls_port
    auth = world.basic(world.m2m, world.m2m_secret)
    response = https.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials"},
        headers={**auth, "Host": f"{DOMAIN}.auth.us-east-1.localhost:{port}"},
    )
    assert response.status_code == 200, response.text


def test_get_client_token_is_the_client_credentials_grant_of_the_json_api(https, world: World):
    result = world.cognito.get_client_token(ClientId=world.m2m, Secret=world.m2m_secret)[
        "ClientAuthenticationResult"
    ]
    assert result["TokenType"] == "Bearer" and result["ExpiresIn"] == 3600
    token = claims(result["AccessToken"])
    assert (
        token["sub"] == world.m2m
        and token["scope"] == "api/read api/write"
        and token["token_use"] == "access"
    )
    jwks = https.get(f"/{world.pool_id}/.well-known/jwks.json").json()
    key = jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(result["AccessToken"])["kid"]]
    jwt.decode(result["AccessToken"], key.key, algorithms=["RS256"])
    narrowed = world.cognito.get_client_token(
        ClientId=world.m2m, Secret=world.m2m_secret, Scopes=["api/read"]
    )
    assert claims(narrowed["ClientAuthenticationResult"]["AccessToken"])["scope"] == "api/read"
    errors = world.cognito.exceptions
    with pytest.raises(errors.InvalidParameterException, match="Invalid scope requested: openid"):
        world.cognito.get_client_token(ClientId=world.m2m, Secret=world.m2m_secret, Scopes=["openid"])
    with pytest.raises(errors.NotAuthorizedException, match="Unable to verify secret"):
        world.cognito.get_client_token(ClientId=world.m2m, Secret="w" * 51)
    with pytest.raises(errors.NotAuthorizedException, match="client_credentials"):
        world.cognito.get_client_token(ClientId=world.confidential, Secret=world.confidential_secret)
    with pytest.raises(errors.ResourceNotFoundException):
        world.cognito.get_client_token(ClientId="1234567890abcdefghijklmnop", Secret="x" * 51)


def test_the_id_token_of_openid_alone_has_every_readable_attribute(https, world: World):
    code = world.code(scopes=["openid"])
    body = post(
        https,
        {"grant_type": "authorization_code", "code": code, "client_id": world.public, "redirect_uri": APP},
    ).json()
    identity = claims(body["id_token"])
    assert identity["name"] == "Alice Example" and identity["phone_number"] == "+15555550100"
    assert identity["email"] == "alice@example.com"
