"""What the OAuth 2.0 endpoints of a domain share: running a handler through the engine, Cognito's JSON
answers and errors, form bodies, the Basic header, and CORS for the endpoints a browser ``fetch``es.

CORS: the request guard (emulator.http.guard) has already refused an origin the server's origin policy does
not allow (loopback origins, ``--cors-origin``); an ``Origin`` that reaches an endpoint is answered with
``Access-Control-Allow-Origin`` on success and on error, and its preflight (``OPTIONS``) with the methods and
the headers Amplify and the AWS SDKs send (``content-type``, ``authorization``, ``x-amz-user-agent``, ...).
"""

from __future__ import annotations

import base64
import binascii
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

import anyio
import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator import ids
from emulator.engine.core import Emulator
from emulator.protocol.errors import CognitoError, InternalErrorException
from emulator.userpools.oauth.errors import OAuthError

log = logging.getLogger("emulator")

JSON = "application/json;charset=UTF-8"
NO_STORE = {"cache-control": "no-store", "pragma": "no-cache"}
# Request headers a page may send to these endpoints (answered to a preflight that asks for them).
ALLOWED_HEADERS = frozenset(
    {
        "authorization",
        "content-type",
        "x-amz-user-agent",
        "x-amz-date",
        "x-amz-security-token",
        "amz-sdk-invocation-id",
        "amz-sdk-request",
        "cache-control",
        "pragma",
    }
)
PREFLIGHT_MAX_AGE = "600"


class BadRequest(Exception):
    """A request the endpoint cannot read (not a form, repeated parameters): ``invalid_request``."""


def cors_headers(request: Request) -> dict[str, str]:
    origin = request.headers.get("origin")
    if not origin:
        return {}
    return {"access-control-allow-origin": origin, "vary": "Origin"}


def json_response(
    request: Request, body: dict[str, Any] | None, status: int = 200, **headers: str
) -> Response:
    content = orjson.dumps(body) if body is not None else b""
    return Response(
        content,
        status_code=status,
        media_type=JSON if body is not None else None,
        headers={**NO_STORE, **cors_headers(request), **headers},
    )


def oauth_error(request: Request, error: OAuthError) -> Response:
    return json_response(request, error.body(), error.status)


async def form(request: Request) -> dict[str, str]:
    """The fields of an ``application/x-www-form-urlencoded`` body, one value each."""
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise BadRequest("not a form")
    return parse_form(await request.body())


def parse_form(raw: bytes) -> dict[str, str]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("not UTF-8") from None
    fields: dict[str, str] = {}
    for name, value in parse_qsl(text, keep_blank_values=True):
        if name in fields:
            raise BadRequest(f"{name} given twice")
        fields[name] = value
    return fields


def basic_credentials(request: Request) -> tuple[str, str] | None:
    """``(client_id, secret)`` of an ``Authorization: Basic`` header; None without one. A garbled one raises
    ``OAuthError("invalid_client", status=401)``."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        raise OAuthError("invalid_client", status=401)
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise OAuthError("invalid_client", status=401) from None
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise OAuthError("invalid_client", status=401)
    # RFC 6749 2.3.1: both form-encoded before they are joined.
    return unquote_plus(client_id), unquote_plus(secret)


def caller(request: Request) -> dict[str, Any]:
    return {
        "ip": request.client.host if request.client else None,
        "user_agent": request.headers.get("user-agent"),
        "amz_user_agent": request.headers.get("x-amz-user-agent"),
        "signed": False,
    }


async def run(request: Request, handler: Callable[[Any], Any], *, name: str, writes: bool = True) -> Any:
    """``handler(ctx)`` through ``Emulator.run`` in a worker thread, in the domain's region."""
    emulator: Emulator = request.app.state.emulator
    domain = request.state.pool_domain
    return await anyio.to_thread.run_sync(
        lambda: emulator.run(handler, name=name, writes=writes, region=domain.region, caller=caller(request))
    )


def logged(
    name: str, endpoint: Callable[[Request], Awaitable[Response]]
) -> Callable[[Request], Awaitable[Response]]:
    """One log line per request, like the API's; a CognitoError that is no OAuth error (a trigger that
    failed, say) is ``invalid_request`` with its message, an internal one ``server_error``."""

    async def wrapped(request: Request) -> Response:
        started = time.perf_counter()
        try:
            response = await endpoint(request)
        except OAuthError as error:
            response = oauth_error(request, error)
        except InternalErrorException:
            response = json_response(request, {"error": "server_error"}, 500)
        except CognitoError as error:
            response = oauth_error(request, OAuthError("invalid_request", error.message or None))
        elapsed = (time.perf_counter() - started) * 1000
        log.info(
            "%s %s -> %s %.1fms",
            name,
            request.state.pool_domain.domain,
            response.status_code,
            elapsed,
            extra={
                "request": {
                    "operation": name,
                    "domain": request.state.pool_domain.domain,
                    "status": response.status_code,
                    "ms": round(elapsed, 1),
                    "request_id": ids.request_id(),
                }
            },
        )
        return response

    return wrapped


def preflight(methods: str) -> Callable[[Request], Awaitable[Response]]:
    async def answer(request: Request) -> Response:
        headers = {
            "access-control-allow-methods": methods,
            "access-control-max-age": PREFLIGHT_MAX_AGE,
            **cors_headers(request),
        }
        asked = request.headers.get("access-control-request-headers")
        if asked:
            wanted = [item.strip().lower() for item in asked.split(",") if item.strip()]
            allowed = [item for item in wanted if item in ALLOWED_HEADERS]
            if allowed:
                headers["access-control-allow-headers"] = ", ".join(allowed)
        return Response(status_code=200, headers=headers)

    return answer


def cors_routes(
    path: str, endpoint: Callable[[Request], Awaitable[Response]], methods: list[str], *, name: str
) -> list[Route]:
    """The endpoint's route and its preflight's."""
    return [
        Route(path, logged(name, endpoint), methods=methods, name=name),
        Route(path, preflight(", ".join([*methods, "OPTIONS"])), methods=["OPTIONS"]),
    ]
