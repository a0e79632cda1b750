"""The token endpoint as an independent OAuth 2.0 client library sees it: authlib's httpx client exchanges a code
with PKCE (client_secret_basic and a public client), refreshes, and fetches an M2M token, over HTTPS with
the local CA verified, and reads userInfo. (The authorize step is issue_code in process until the login
pages exist; the browser path is tested with them.)"""

from __future__ import annotations

import jwt
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from tests.api.oauth_world import APP, DOMAIN, World


@pytest.fixture
def world(oauth_world: World) -> World:
    return oauth_world


def test_authlib_code_flow_with_pkce_and_a_secret(https, world: World, tls_server):
    discovery = https.get(f"/{world.pool_id}/.well-known/openid-configuration").json()
    verifier = generate_token(64)
    code = world.code(
        client_id=world.confidential,
        scopes=["openid", "email"],
        code_challenge=create_s256_code_challenge(verifier),
        code_challenge_method="S256",
    )
    with OAuth2Client(
        world.confidential,
        world.confidential_secret,
        token_endpoint_auth_method="client_secret_basic",
        redirect_uri=APP,
        verify=tls_server.ssl_context(),
    ) as client:
        token = client.fetch_token(discovery["token_endpoint"], code=code, code_verifier=verifier)
        assert {"access_token", "id_token", "refresh_token", "expires_at"} <= set(token)
        info = client.get(discovery["userinfo_endpoint"]).json()
        assert info["email"] == "alice@example.com" and info["username"] == "alice"
        refreshed = client.refresh_token(discovery["token_endpoint"])
        assert refreshed["access_token"] != token["access_token"]
        assert refreshed["refresh_token"] != token["refresh_token"]  # this client rotates


def test_authlib_public_client_and_client_credentials(world: World, tls_server):
    token_url = f"{tls_server.tls_endpoint}/{DOMAIN}/oauth2/token"
    verifier = generate_token(64)
    code = world.code(code_challenge=create_s256_code_challenge(verifier), code_challenge_method="S256")
    with OAuth2Client(
        world.public, token_endpoint_auth_method="none", redirect_uri=APP, verify=tls_server.ssl_context()
    ) as client:
        token = client.fetch_token(token_url, code=code, code_verifier=verifier)
        assert token["token_type"] == "Bearer"
    with OAuth2Client(
        world.m2m,
        world.m2m_secret,
        scope="api/read",
        token_endpoint_auth_method="client_secret_post",
        verify=tls_server.ssl_context(),
    ) as client:
        token = client.fetch_token(token_url, grant_type="client_credentials")
        assert jwt.decode(token["access_token"], options={"verify_signature": False})["scope"] == "api/read"
        assert "refresh_token" not in token and token["token_type"] == "Bearer"
