"""``/_emulator/messages``: read and empty the outbox over HTTP.

GET answers ``{"messages": [...]}``, newest first, filtered by the query parameters ``pool_id``,
``username``, ``channel``, ``destination`` and ``limit``; DELETE empties it (or one pool's part of it).
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from emulator import outbox
from emulator.core import Emulator

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000


def _emulator(request: Request) -> Emulator:
    return request.app.state.emulator


def _bad_request(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=400)


async def list_messages(request: Request) -> JSONResponse:
    params = request.query_params
    raw_limit = params.get("limit")
    limit = DEFAULT_LIMIT
    if raw_limit:
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
            return _bad_request(f"limit must be a whole number from 1 to {MAX_LIMIT}")
        limit = int(raw_limit)
    channel = params.get("channel")
    if channel and channel.upper() not in outbox.CHANNELS:
        return _bad_request("channel must be EMAIL or SMS")

    def read() -> list[dict[str, object]]:
        with _emulator(request).database.session(write=False) as session:
            rows = outbox.list_messages(
                session,
                pool_id=params.get("pool_id"),
                username=params.get("username"),
                channel=channel,
                destination=params.get("destination"),
                limit=limit,
            )
            return [outbox.message_view(row) for row in rows]

    return JSONResponse({"messages": await run_in_threadpool(read)})


async def clear_messages(request: Request) -> JSONResponse:
    def clear() -> int:
        with _emulator(request).database.session() as session, session.begin():
            return outbox.clear_messages(session, pool_id=request.query_params.get("pool_id"))

    return JSONResponse({"deleted": await run_in_threadpool(clear)})


routes = [
    Route("/_emulator/messages", list_messages, methods=["GET"]),
    Route("/_emulator/messages", clear_messages, methods=["DELETE"]),
]
