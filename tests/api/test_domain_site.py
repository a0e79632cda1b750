"""The domain site (emulator.http.domain_site): every stored pool domain served by path prefix and by Host name,
with ``request.state.pool_domain`` for its routes; unknown domains 404; the server's own paths unchanged."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from emulator.http.domain_site import DomainSite
from tests.helpers import make_pool

CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"


async def _probe(request: Request) -> JSONResponse:
    domain = request.state.pool_domain
    return JSONResponse(
        {
            "domain": domain.domain,
            "pool_id": domain.pool_id,
            "region": domain.region,
            "custom": domain.custom,
            "base_url": domain.base_url,
            "url": str(request.url),
            "login": str(request.url_for("probe")),
        }
    )


def _site(server) -> DomainSite:  # type: ignore[no-untyped-def]
    app = server.server.config.app.app  # RequestGuard -> DomainSite
    assert isinstance(app, DomainSite)
    return app


@pytest.fixture
def probe(server) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """A route of the domain site that shows what an endpoint is given (test only)."""
    routes = _site(server).site.router.routes
    route = Route("/probe/here", _probe, name="probe")
    routes.append(route)
    yield
    routes.remove(route)


@pytest.fixture
def pool_id(cognito) -> str:  # type: ignore[no-untyped-def]
    pool = make_pool(cognito, PoolName="site")
    cognito.create_user_pool_domain(UserPoolId=pool, Domain="my-login")
    return pool


def test_a_prefix_domain_is_served_by_path(probe, pool_id, http: httpx.Client, endpoint: str):
    response = http.get("/my-login/probe/here")
    assert response.status_code == 200
    assert response.json() == {
        "domain": "my-login",
        "pool_id": pool_id,
        "region": "us-east-1",
        "custom": False,
        "base_url": f"{endpoint}/my-login",
        "url": f"{endpoint}/my-login/probe/here",
        "login": f"{endpoint}/my-login/probe/here",
    }
    assert http.get("/my-login/nothing-here").status_code == 404
    # A segment that is no stored domain falls through to the server's own routes (which have none).
    assert http.get("/other-login/probe/here").status_code == 404


def test_a_prefix_domain_is_served_by_host_name(probe, pool_id, http: httpx.Client, endpoint: str):
    port = endpoint.rsplit(":", 1)[1]
    host = f"my-login.auth.us-east-1.localhost:{port}"
    response = http.get("/probe/here", headers={"Host": host})
    assert response.status_code == 200
    assert response.json()["base_url"] == f"http://{host}"
    assert response.json()["pool_id"] == pool_id
    # Another region, or a prefix no pool has: 404.
    assert (
        http.get("/probe/here", headers={"Host": f"my-login.auth.eu-west-1.localhost:{port}"}).status_code
        == 404
    )
    assert (
        http.get("/probe/here", headers={"Host": f"nope.auth.us-east-1.localhost:{port}"}).status_code == 404
    )


def test_a_custom_domain_is_served_by_its_own_name_and_by_path(probe, cognito, http: httpx.Client):
    pool = make_pool(cognito, PoolName="custom")
    # Before the domain exists, its name is no Host this server answers (DNS rebinding guard).
    assert http.get("/probe/here", headers={"Host": "auth.example.com"}).status_code == 403
    cognito.create_user_pool_domain(
        UserPoolId=pool, Domain="auth.example.com", CustomDomainConfig={"CertificateArn": CERTIFICATE}
    )
    response = http.get("/probe/here", headers={"Host": "auth.example.com"})
    assert response.status_code == 200
    assert response.json()["custom"] is True
    assert response.json()["base_url"] == "http://auth.example.com"
    response = http.get("/auth.example.com/probe/here")
    assert response.status_code == 200 and response.json()["pool_id"] == pool
    cognito.delete_user_pool_domain(UserPoolId=pool, Domain="auth.example.com")
    assert http.get("/probe/here", headers={"Host": "auth.example.com"}).status_code == 403
    assert http.get("/auth.example.com/probe/here").status_code == 404


def test_the_servers_own_paths_keep_their_meaning(probe, pool_id, http: httpx.Client, cognito):
    assert http.get("/").json()["service"] == "cognito-emulator"
    assert http.get(f"/{pool_id}/.well-known/jwks.json").status_code == 200
    assert http.get("/_emulator/health").status_code in (200, 404)
    assert cognito.describe_user_pool_domain(Domain="my-login")["DomainDescription"]["UserPoolId"] == pool_id
