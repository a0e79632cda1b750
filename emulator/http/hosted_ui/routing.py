"""The hosted pages' routes: each request logged in one line (like the API's), and an error the pages did not
answer themselves shown as the error page (500 for the emulator's own fault), never a stack trace or JSON."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from emulator.protocol.errors import CognitoError, InternalErrorException

from . import render

log = logging.getLogger("emulator.requests")
Endpoint = Callable[[Request], Awaitable[Response]]


def _logged(name: str, endpoint: Endpoint) -> Endpoint:
    async def wrapped(request: Request) -> Response:
        started = time.perf_counter()
        try:
            response = await endpoint(request)
        except InternalErrorException:
            response = render.error_page(request, "Something went wrong.", status_code=500)
        except CognitoError as error:
            response = render.error_page(request, error.message, status_code=400)
        elapsed = (time.perf_counter() - started) * 1000
        served = getattr(request.state, "pool_domain", None)
        domain = served.domain if served is not None else "-"
        log.info(
            "%s %s %s -> %s %.1fms",
            name,
            request.method,
            domain,
            response.status_code,
            elapsed,
            extra={
                "request": {
                    "operation": name,
                    "domain": domain,
                    "method": request.method,
                    "status": response.status_code,
                    "ms": round(elapsed, 1),
                }
            },
        )
        return response

    return wrapped


def page_route(path: str, endpoint: Endpoint, method: str, name: str) -> Route:
    """A route of the hosted pages, logged as ``name``."""
    return Route(path, _logged(name, endpoint), methods=[method])
