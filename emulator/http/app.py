"""The Starlette application: routes only. Protocol endpoint, emulator API, and (later) .well-known."""

from __future__ import annotations

import logging
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from emulator import __version__, ids, logging_setup, worlds
from emulator.config import Settings
from emulator.engine import Emulator
from emulator.http import clock_api, console, emulator_api, outbox_api, user_import, wellknown, wire
from emulator.http.admin_token import AdminTokenMiddleware
from emulator.http.console import api as console_api
from emulator.http.domain_site import DomainSite
from emulator.http.guard.body_limit import RequestEntityTooLargeException
from emulator.http.guard.chain import RequestGuard
from emulator.http.guard.origins import OriginPolicy
from emulator.protocol.errors import InternalErrorException

log = logging.getLogger("emulator")

# Headers AWS clients send and browsers must be allowed to send (Amplify JS, the AWS SDK for JavaScript).
EXPOSED_HEADERS = ["x-amzn-errortype", "x-amzn-requestid", "x-amzn-errormessage", "x-amz-request-id"]


async def index(request: Request) -> JSONResponse:
    return JSONResponse(
        {"service": "cognito-emulator", "version": __version__, "protocol": "POST / with X-Amz-Target"}
    )


async def internal_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error serving %s %s", request.method, request.url.path, exc_info=exc)
    error = InternalErrorException(f"Internal error: {type(exc).__name__}")
    return wire.error_response(error, ids.request_id())


async def too_large(request: Request, exc: Exception) -> Response:
    # A chunked body that passed --max-body-size while a route read it (emulator.http.guard.body_limit).
    return JSONResponse({"error": str(exc)}, status_code=413, headers={"connection": "close"})


class PolicyCORSMiddleware(CORSMiddleware):
    """Starlette's CORS headers, for the origins the guard's policy allows (wildcards included)."""

    def __init__(self, app: ASGIApp, policy: OriginPolicy, **options: Any) -> None:
        super().__init__(app, allow_origins=["*"] if policy.any else [], **options)
        self.policy = policy

    def is_allowed_origin(self, origin: str) -> bool:
        return self.policy.allows(origin)


class CognitoASGI:
    """The server's ASGI app: Cognito calls without an ``Origin`` header (SDKs, not browsers) go straight to
    ``wire.respond``; everything else through Starlette's routes and middleware.

    The Starlette stack adds nothing to such a call (CORS only answers requests with an Origin, the admin
    token only guards /_emulator, errors are answered by wire.respond itself), but its five middleware
    layers and router were about a fifth of the CPU of a GetUser. ``internal_error`` stays the answer to
    an unexpected exception on both paths.
    """

    def __init__(self, app: Starlette) -> None:
        self.app = app
        self.state = app.state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"] == "/"
            and not any(name == b"origin" for name, _ in scope["headers"])
        ):
            scope["app"] = self.app
            request = Request(scope, receive)
            try:
                response = await wire.respond(request, self.state)
            except Exception as exc:
                response = await internal_error(request, exc)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def create_app(settings: Settings | None = None, emulator: Emulator | None = None) -> RequestGuard:
    """The server's ASGI app: the request guard (emulator.http.guard), the pool domains' site, then the Cognito
    fast path or Starlette."""
    if emulator is None:
        emulator = worlds.install(Emulator(settings or Settings.from_env()))
    # Pool domains (emulator.http.domain_site) by Host name or path prefix, before the server's own routes.
    return RequestGuard(DomainSite(CognitoASGI(_starlette(emulator)), emulator), emulator)


def _starlette(emulator: Emulator) -> Starlette:
    cors = Middleware(
        PolicyCORSMiddleware,
        policy=OriginPolicy(emulator.settings.cors_origins, public_url=emulator.settings.public_url),
        allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=EXPOSED_HEADERS,
        max_age=600,
    )
    routes = [
        Route("/", wire.handle, methods=["POST"]),
        Route("/", index, methods=["GET"]),
        *emulator_api.routes,
        *outbox_api.routes,
        *clock_api.routes,
        *console_api.routes,
        *console.routes,
        *wellknown.routes,
        *user_import.routes,
    ]
    middleware = [cors]
    if emulator.settings.admin_token:
        # Inside CORS, so a browser also reads the 401 (emulator.http.admin_token).
        middleware.append(Middleware(AdminTokenMiddleware, token=emulator.settings.admin_token))
    handlers = {Exception: internal_error, RequestEntityTooLargeException: too_large}
    app = Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)  # type: ignore[arg-type]
    app.state.emulator = emulator
    return app


def app_from_env() -> RequestGuard:
    """Factory for uvicorn's worker processes: settings come from COGNITO_EMULATOR_* variables and the
    parent process has already created the schema."""
    settings = Settings.from_env()
    # A worker is a fresh process: without this its request log lines would go nowhere.
    logging_setup.configure(settings.log_level, settings.log_format)
    return create_app(emulator=worlds.install(Emulator(settings, create_schema=False), load_now=False))
