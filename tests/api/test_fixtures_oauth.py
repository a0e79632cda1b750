"""Fixture files declare a pool's domain and resource servers, and OAuth clients that use their scopes:
loaded, loaded again, checked with Cognito's rules, exported and loaded back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from emulator.testing import ServerThread
from emulator.worlds import fixtures

POOL = "us-east-1_OAuthFix01"
WEB = "oauthfixtureweb00000000001"
M2M = "oauthfixturem2m00000000001"
M2M_SECRET = "m2msecretm2msecretm2msecretm2msecretm2msecret01"
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"

WORLD = f"""
version: 1
pools:
  - id: {POOL}
    name: oauth-pool
    domain: my-fixture-login
    resource_servers:
      - Identifier: orders
        Name: Orders
        Scopes:
          - {{ScopeName: read, ScopeDescription: Read the orders}}
    clients:
      - id: {WEB}
        name: web
        settings:
          AllowedOAuthFlowsUserPoolClient: true
          AllowedOAuthFlows: [code]
          AllowedOAuthScopes: [openid, email, orders/read]
          CallbackURLs: ["http://localhost:3000/"]
          LogoutURLs: ["http://localhost:3000/"]
          SupportedIdentityProviders: [COGNITO]
      - id: {M2M}
        name: machine
        secret: {M2M_SECRET}
        settings:
          AllowedOAuthFlowsUserPoolClient: true
          AllowedOAuthFlows: [client_credentials]
          AllowedOAuthScopes: [orders/read]
"""


def write(tmp_path: Path, text: str, name: str = "world.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_domain_servers_and_oauth_clients_appear_over_the_api(
    server: ServerThread, cognito: Any, tmp_path: Path
) -> None:
    path = write(tmp_path, WORLD)
    fixtures.load_file(server.emulator, path)
    description = cognito.describe_user_pool_domain(Domain="my-fixture-login")["DomainDescription"]
    assert description["UserPoolId"] == POOL and description["Status"] == "ACTIVE"
    assert cognito.describe_user_pool(UserPoolId=POOL)["UserPool"]["Domain"] == "my-fixture-login"
    server_view = cognito.describe_resource_server(UserPoolId=POOL, Identifier="orders")["ResourceServer"]
    assert server_view["Scopes"] == [{"ScopeName": "read", "ScopeDescription": "Read the orders"}]
    web = cognito.describe_user_pool_client(UserPoolId=POOL, ClientId=WEB)["UserPoolClient"]
    assert web["AllowedOAuthScopes"] == ["openid", "email", "orders/read"]
    m2m = cognito.describe_user_pool_client(UserPoolId=POOL, ClientId=M2M)["UserPoolClient"]
    assert m2m["AllowedOAuthFlows"] == ["client_credentials"]

    # Loading again (a restart on the same database) puts the same world back, changed where the file changed.
    fixtures.load_file(
        server.emulator, write(tmp_path, WORLD.replace("Read the orders", "Read them"), "2.yaml")
    )
    server_view = cognito.describe_resource_server(UserPoolId=POOL, Identifier="orders")["ResourceServer"]
    assert server_view["Scopes"] == [{"ScopeName": "read", "ScopeDescription": "Read them"}]
    fixtures.load_file(
        server.emulator, write(tmp_path, WORLD.replace("my-fixture-login", "renamed"), "3.yaml")
    )
    assert cognito.describe_user_pool_domain(Domain="my-fixture-login")["DomainDescription"] == {}
    assert cognito.describe_user_pool(UserPoolId=POOL)["UserPool"]["Domain"] == "renamed"


def test_a_custom_domain_exports_and_loads_back(server: ServerThread, cognito: Any, tmp_path: Path) -> None:
    custom = WORLD.replace(
        "domain: my-fixture-login",
        f"domain: {{Domain: auth.example.com, CustomDomainConfig: {{CertificateArn: '{CERTIFICATE}'}}, "
        "ManagedLoginVersion: 2}",
    )
    fixtures.load_file(server.emulator, write(tmp_path, custom))
    assert cognito.describe_user_pool(UserPoolId=POOL)["UserPool"]["CustomDomain"] == "auth.example.com"
    with server.emulator.database.session(write=False) as session:
        first = fixtures.export(session)
    exported = next(pool for pool in first["pools"] if pool["id"] == POOL)
    assert exported["domain"] == {
        "Domain": "auth.example.com",
        "ManagedLoginVersion": 2,
        "CustomDomainConfig": {"CertificateArn": CERTIFICATE},
    }
    assert exported["resource_servers"][0]["Identifier"] == "orders"
    server.emulator.reset()
    fixtures.load_file(server.emulator, write(tmp_path, fixtures.dump(first), "exported.yaml"))
    with server.emulator.database.session(write=False) as session:
        assert fixtures.export(session) == first


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("domain: my-fixture-login", "domain: my-aws-login"),
            "pools[0].domain: Domain cannot contain reserved word: aws",
        ),
        (
            ("[openid, email, orders/read]", "[openid, orders/write]"),
            "pools[0].clients[0].settings: Invalid scope requested: orders/write",
        ),
        (
            (f"        secret: {M2M_SECRET}\n", ""),
            "pools[0].clients[1].settings: client_credentials flow can not be selected if client does not "
            "have a client secret.",
        ),
        (
            ('CallbackURLs: ["http://localhost:3000/"]', 'CallbackURLs: ["http://app.example.com/"]'),
            "pools[0].clients[0].settings: http://app.example.com/ cannot use the HTTP protocol.",
        ),
    ],
)
def test_cognitos_rules_are_problems_of_the_file(
    server: ServerThread, cognito: Any, tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    with pytest.raises(fixtures.FixtureError) as excinfo:
        fixtures.load_file(server.emulator, write(tmp_path, WORLD.replace(*change)))
    assert excinfo.value.problems == [expected]
    # Nothing of the file was loaded.
    assert cognito.describe_user_pool_domain(Domain="my-fixture-login")["DomainDescription"] == {}


def test_schema_problems_of_the_new_sections() -> None:
    text = f"""
pools:
  - id: {POOL}
    name: p
    domain: {{ManagedLoginVersion: 2}}
    resource_servers:
      - {{Identifier: a, Name: A, Scopes: [{{ScopeName: x}}]}}
      - {{Identifier: a, Name: again}}
      - {{Name: nameless, UserPoolId: {POOL}}}
"""
    with pytest.raises(fixtures.FixtureError) as excinfo:
        fixtures.check(fixtures.parse(text, "x.yaml"), "x.yaml")
    found = excinfo.value.problems
    assert "pools[0].domain.Domain: is required" in found
    assert any(problem.startswith("pools[0].resource_servers[0].Scopes[0]") for problem in found), found
    assert "pools[0].resource_servers[1].Identifier: resource server 'a' is declared twice" in found
    assert "pools[0].resource_servers[2].Identifier: is required" in found
    assert any(
        problem.startswith("pools[0].resource_servers[2].UserPoolId: not allowed here") for problem in found
    )
