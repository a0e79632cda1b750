"""The site of every stored user pool domain: its OAuth 2.0 endpoints (``emulator.http.oauth.routes``) and hosted
login pages (``emulator.http.hosted_ui.routes``), where Cognito serves them at
``https://<prefix>.auth.<region>.amazoncognito.com`` or at a custom domain.

A request reaches a domain in one of two ways, on the plain HTTP port and on the HTTPS port alike:

- **by path prefix**: ``/<domain>/oauth2/token``, ``/<domain>/login``, ... (``<domain>`` a stored prefix or a
  custom domain's FQDN). This is the form Amplify JS builds from ``oauth.domain: 'localhost:9230/<domain>'``
  (``https://`` + domain + ``/oauth2/...``). The first path segment is taken as a domain only when it could be
  one (lower-case letters, digits, hyphens and dots) and is not ``console``; pool ids (``us-east-1_Ab12``, with
  ``_`` and capitals), ``/_emulator``, ``/console`` and ``/`` can never be domains, so those paths keep their
  meaning. A segment that names no stored domain falls through to the rest of the server (which answers 404).
- **by Host name**: ``Host: <prefix>.auth.<region>.localhost[:port]`` (browsers resolve every ``*.localhost``
  to loopback) for a prefix domain of a pool in that region, or ``Host: <custom domain>`` for a stored custom
  domain. A ``*.auth.<region>.localhost`` name without such a domain is a 404; so is every path that the
  domain's routes do not have.

The routes see paths relative to the domain's root (``/oauth2/token``, ``/login``): for the path form the prefix
is moved into the ASGI ``root_path``, so ``request.url`` stays the full URL the client used and
``request.url_for`` builds URLs under the prefix.

What an endpoint gets: ``request.state.pool_domain``, a ``PoolDomain`` (``emulator.http.pool_domain``, which
routes may import; this module imports the routes) with
``domain`` (the stored Domain), ``pool_id``, ``region`` (the pool's), ``custom`` (a custom domain),
``managed_login_version`` (1 classic hosted UI, 2 managed login) and ``base_url``: the domain's root as this
client reached it, without a trailing slash (``https://localhost:9230/my-app`` or
``http://my-app.auth.us-east-1.localhost:9229``); ``base_url + "/login"`` is the login page.
``request.app.state.emulator`` is the Emulator, as on every route.
"""

from __future__ import annotations

import logging
import re

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from emulator.engine.core import Emulator
from emulator.http import hosted_ui, oauth
from emulator.http.guard.hosts import split_host
from emulator.http.guard.origins import is_loopback_host
from emulator.http.pool_domain import PoolDomain
from emulator.userpools import domains
from emulator.userpools.domains import ServedDomain

log = logging.getLogger("emulator")

# A first path segment that could be a stored domain: a prefix, or a custom domain's FQDN.
_CANDIDATE = re.compile(r"^[a-z0-9][a-z0-9.\-]{0,252}$")
# First path segments of the server's own routes that a domain prefix could also spell.
RESERVED_SEGMENTS = frozenset({"console"})


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error serving %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"error": "server_error"}, status_code=500)


def site_app(emulator: Emulator) -> Starlette:
    """The routes of a domain, relative to its root."""
    app = Starlette(
        routes=[*oauth.routes, *hosted_ui.routes],
        exception_handlers={Exception: _server_error},
    )
    app.state.emulator = emulator
    return app


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope["headers"]:
        if name == wanted:
            return value.decode("latin-1")
    return None


class DomainSite:
    """ASGI: requests for a stored domain go to the domain's routes, every other request to ``app``."""

    def __init__(self, app: ASGIApp, emulator: Emulator) -> None:
        self.app = app
        self.emulator = emulator
        self.site = site_app(emulator)
        public = emulator.settings.public_url
        self._own_host = split_host(public.split("://", 1)[-1].split("/", 1)[0]) if public else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host_header = _header(scope, b"host") or ""
        host = split_host(host_header).rstrip(".")
        root = scope.get("root_path", "")
        if self._host_may_be_domain(host):
            found = await run_in_threadpool(self._lookup, domains.served_by_host, host)
            if found is not None:
                await self._serve(scope, receive, send, found, root, host_header)
                return
            if domains.LOCAL_PREFIX_HOST.match(host):
                await _not_found(f"No user pool domain is served at {host}.")(scope, receive, send)
                return
        path = scope["path"]
        segment, slash, _rest = (
            path[len(root) + 1 :].partition("/") if path.startswith(root + "/") else ("", "", "")
        )
        if slash and segment not in RESERVED_SEGMENTS and _CANDIDATE.match(segment):
            found = await run_in_threadpool(self._lookup, domains.served, segment)
            if found is not None:
                await self._serve(scope, receive, send, found, f"{root}/{segment}", host_header)
                return
        await self.app(scope, receive, send)

    def _host_may_be_domain(self, host: str) -> bool:
        if not host or host == self._own_host:
            return False
        if host.endswith(".localhost"):
            return domains.LOCAL_PREFIX_HOST.match(host) is not None
        # A custom domain is a name with dots; loopback names and IP addresses are the server's own.
        return "." in host and not is_loopback_host(host) and not _is_address(host)

    def _lookup(self, find: object, name: str) -> ServedDomain | None:
        with self.emulator.database.session(write=False) as session:
            return find(session, name)  # type: ignore[operator,no-any-return]

    async def _serve(
        self, scope: Scope, receive: Receive, send: Send, found: ServedDomain, root: str, host_header: str
    ) -> None:
        base = f"{scope.get('scheme', 'http')}://{host_header or _server_of(scope)}{root}"
        pool_domain = PoolDomain(
            domain=found.domain,
            pool_id=found.pool_id,
            region=found.region,
            custom=found.custom,
            managed_login_version=found.managed_login_version,
            base_url=base.rstrip("/"),
        )
        state = dict(scope.get("state") or {})
        state["pool_domain"] = pool_domain
        await self.site({**scope, "root_path": root, "state": state}, receive, send)


def _is_address(host: str) -> bool:
    return bool(re.fullmatch(r"[0-9.]+|[0-9a-f:]+", host))


def _server_of(scope: Scope) -> str:
    server = scope.get("server") or ("127.0.0.1", 0)
    return f"{server[0]}:{server[1]}"


def _not_found(message: str) -> Response:
    return JSONResponse({"error": message}, status_code=404)
