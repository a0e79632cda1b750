"""The emulator's own HTTP API under ``/_emulator``: health, reset (and later the outbox, the clock, ...)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from emulator import __version__
from emulator.engine.core import Emulator
from emulator.worlds.fixtures import FixtureError


def _emulator(request: Request) -> Emulator:
    return request.app.state.emulator


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok", "version": __version__})


async def reset(request: Request) -> JSONResponse:
    try:
        await run_in_threadpool(_emulator(request).reset)
    except FixtureError as exc:
        # The world was wiped but a start-up fixture file no longer loads: say which and why.
        return JSONResponse({"__type": "FixtureError", "message": str(exc)}, status_code=400)
    return JSONResponse({})


routes = [
    Route("/_emulator/health", health, methods=["GET"]),
    Route("/_emulator/reset", reset, methods=["POST"]),
]
