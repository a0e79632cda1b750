"""A pool with a domain, a resource server and OAuth clients, served over HTTPS by a ServerThread whose local CA
the clients verify for real; shared by the OAuth endpoint tests. Registered as a plugin in tests/conftest.py:
``tls_server`` (one HTTPS ServerThread per module), ``https`` (httpx on it, the CA verified; resets the
emulator and its clock after the test) and ``oauth_world`` (a World)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from emulator.config import Settings
from emulator.testing import ServerThread
from emulator.testing.oauth import authorization_code, pkce_pair
from tests.conftest import make_boto_client
from tests.helpers import make_user
from tests.reliability.databases import suite_database

DOMAIN = "oauth-test"
APP = "http://localhost:3000/"
OTHER_APP = "http://localhost:3000/other"
ORIGIN = "http://localhost:3000"
ALL_USER_SCOPES = ["openid", "email", "phone", "profile", "aws.cognito.signin.user.admin", "api/read"]


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    with (
        suite_database(tmp_path_factory.mktemp("db"), "default") as database,
        ServerThread(Settings(port=0, database=database), tls=True) as running,
    ):
        yield running


@pytest.fixture
def https(tls_server: ServerThread) -> Iterator[httpx.Client]:
    """httpx on the HTTPS listener, verifying its certificate with the local CA."""
    with httpx.Client(
        base_url=tls_server.tls_endpoint or "", verify=tls_server.ssl_context(), timeout=10
    ) as client:
        yield client
    tls_server.emulator.reset()
    tls_server.emulator.set_clock_offset(0)


@dataclass
class World:
    server: ServerThread
    pool_id: str
    public: str  # code + implicit, no secret
    confidential: str
    confidential_secret: str
    m2m: str
    m2m_secret: str
    cognito: Any

    def code(self, client_id: str | None = None, **kwargs: Any) -> str:
        kwargs.setdefault("username", "alice")
        kwargs.setdefault("redirect_uri", APP)
        return authorization_code(self.server.emulator, client_id=client_id or self.public, **kwargs)

    def basic(self, client_id: str, secret: str) -> dict[str, str]:
        return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}

    @staticmethod
    def pkce() -> tuple[str, str]:
        return pkce_pair()


@pytest.fixture
def oauth_world(tls_server: ServerThread, https: httpx.Client) -> World:
    """The pool, domain, resource server, clients and user of the OAuth tests (a module aliases it as
    ``world``)."""
    cognito = make_boto_client(tls_server.endpoint)
    pool = cognito.create_user_pool(PoolName="oauth")["UserPool"]["Id"]
    cognito.create_user_pool_domain(UserPoolId=pool, Domain=DOMAIN)
    cognito.create_resource_server(
        UserPoolId=pool,
        Identifier="api",
        Name="API",
        Scopes=[
            {"ScopeName": "read", "ScopeDescription": "read"},
            {"ScopeName": "write", "ScopeDescription": "write"},
        ],
    )
    oauth = {
        "AllowedOAuthFlowsUserPoolClient": True,
        "CallbackURLs": [APP, OTHER_APP],
        "LogoutURLs": [APP],
        "SupportedIdentityProviders": ["COGNITO"],
        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    }
    public = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="web",
        AllowedOAuthFlows=["code", "implicit"],
        AllowedOAuthScopes=ALL_USER_SCOPES,
        **oauth,
    )["UserPoolClient"]
    confidential = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="server",
        GenerateSecret=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email", "api/read"],
        RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 0},
        **oauth,
    )["UserPoolClient"]
    m2m = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="machine",
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["api/read", "api/write"],
    )["UserPoolClient"]
    make_user(
        cognito,
        pool,
        "alice",
        attributes={
            "email": "alice@example.com",
            "email_verified": "true",
            "phone_number": "+15555550100",
            "name": "Alice Example",
        },
    )
    return World(
        server=tls_server,
        pool_id=pool,
        public=public["ClientId"],
        confidential=confidential["ClientId"],
        confidential_secret=confidential["ClientSecret"],
        m2m=m2m["ClientId"],
        m2m_secret=m2m["ClientSecret"],
        cognito=cognito,
    )
