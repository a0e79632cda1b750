"""A pool with a domain and an OAuth app client for the hosted-page tests, and helpers to sign in on them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest

from emulator.config import Settings
from emulator.store.models import UserPoolClient
from emulator.testing import ServerThread
from emulator.userpools.oauth import codes
from tests.api.hosted_ui_browser import Browser, query_of
from tests.helpers import make_pool
from tests.reliability.databases import suite_database, suite_kinds

REDIRECT = "http://localhost:3000/callback"
SIGNED_OUT = "http://localhost:3000/signed-out"
DOMAIN = "hosted-ui-test"


@pytest.fixture(scope="module", params=suite_kinds(), name="server")
def tls_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerThread]:
    """A hosted-UI test module's own server, with the HTTPS listener (the shared one has none): the pages are
    reached over HTTPS and verified with the emulator's local CA. A module takes it (it replaces the shared
    ``server`` there) with ``tls_server = hosted_ui_world.tls_server``, and ``tls_endpoint`` the same way."""
    with (
        suite_database(tmp_path_factory.mktemp("db"), request.param) as database,
        ServerThread(Settings(port=0, database=database, lockout=True), tls=True) as running,
    ):
        yield running


@pytest.fixture
def tls_endpoint(server: ServerThread) -> str:
    assert server.tls_endpoint is not None
    return server.tls_endpoint


def browser_for(server: ServerThread, world: World) -> Browser:
    return Browser(world.base, verify=server.ssl_context())


@dataclass
class World:
    pool_id: str
    client_id: str
    domain: str
    base: str  # the domain's root URL (path form)

    def authorize_params(self, **more: str) -> dict[str, str]:
        return {
            "client_id": self.client_id,
            "response_type": "code",
            "redirect_uri": REDIRECT,
            "scope": "openid email aws.cognito.signin.user.admin",
            "state": "st-123",
            **more,
        }


def make_world(
    cognito: Any, endpoint: str, *, domain: str = DOMAIN, pool: dict[str, Any] | None = None, **client: Any
) -> World:
    pool_id = make_pool(cognito, PoolName="hosted", **(pool or {}))
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=domain)
    settings: dict[str, Any] = {
        "AllowedOAuthFlowsUserPoolClient": True,
        "AllowedOAuthFlows": ["code", "implicit"],
        "AllowedOAuthScopes": ["openid", "email", "profile", "aws.cognito.signin.user.admin"],
        "CallbackURLs": [REDIRECT],
        "LogoutURLs": [SIGNED_OUT],
        "SupportedIdentityProviders": ["COGNITO"],
        # No USER_PASSWORD_AUTH: the hosted pages sign in whatever the client's API flows are.
        "ExplicitAuthFlows": [
            "ALLOW_USER_SRP_AUTH",
            "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
        ],
        **client,
    }
    created = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="web", **settings)[
        "UserPoolClient"
    ]
    return World(pool_id, created["ClientId"], domain, f"{endpoint}/{domain}")


def redeem(server: Any, client_id: str, code: str, redirect_uri: str = REDIRECT) -> Any:
    """The code's facts (user, scopes, nonce), through the same rules /oauth2/token uses; the code is spent."""

    def run(ctx):  # type: ignore[no-untyped-def]
        client = ctx.db.get(UserPoolClient, client_id)
        redeemed = codes.redeem_code(ctx, client, code=code, redirect_uri=redirect_uri, code_verifier=None)
        return {"username": redeemed.user.username, "scopes": redeemed.scopes, "nonce": redeemed.nonce}

    return server.emulator.run(run, name="OAuth2Token")


def open_login(browser: Browser, world: World, **params: str):  # type: ignore[no-untyped-def]
    """authorize -> 302 to /login -> the login page."""
    response = browser.get("oauth2/authorize", **world.authorize_params(**params))
    assert response.status_code == 302, response.text
    assert urlsplit(response.headers["location"]).path == f"/{world.domain}/login"
    page = browser.follow(response)
    assert page.status_code == 200, page.text
    return page


def sign_in(browser: Browser, world: World, username: str, password: str, **params: str):  # type: ignore[no-untyped-def]
    page = open_login(browser, world, **params)
    return browser.submit(page, {"username": username, "password": password})


def code_of(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 302, response.text[:2000]
    location = response.headers["location"]
    assert location.startswith(REDIRECT + "?"), location
    return query_of(location)["code"]
