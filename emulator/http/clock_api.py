"""``/_emulator/clock``: time travel over HTTP.

GET answers ``{"now": ISO time, "offset_seconds": N}``. POST takes exactly one of
``{"advance_seconds": N}``, ``{"set": ISO time}`` or ``{"reset": true}`` and answers like GET.

The offset lives in the database (``Emulator.clock_offset``), and every request reads it, so every worker
process and every host on the same database sees the same time. Everything that expires (codes, sessions,
tokens, lockouts, TOTP windows) is computed from that clock, so moving it expires them without sleeping.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from emulator.clock import utcnow
from emulator.engine.core import CLOCK_OFFSET_KEY, Emulator
from emulator.store.models import EmulatorState

# Far enough for any expiry Cognito has (refresh tokens live up to 10 years), small enough for datetime.
MAX_OFFSET_SECONDS = 100 * 366 * 86400


class ClockError(ValueError):
    """A time-travel request that cannot be carried out (answered with HTTP 400)."""


def clock_view(emulator: Emulator) -> dict[str, Any]:
    """``{"now": ISO, "offset_seconds": N}`` as the emulator sees it now."""
    with emulator.database.session(write=False) as session:
        offset = emulator.clock_offset(session)
        now = emulator.now(session)
    return {"now": now.isoformat(), "offset_seconds": offset}


def _check_offset(offset: float) -> float:
    if not math.isfinite(offset) or abs(offset) > MAX_OFFSET_SECONDS:
        raise ClockError(f"the clock can move at most {MAX_OFFSET_SECONDS} seconds from real time")
    return offset


def advance(emulator: Emulator, seconds: float) -> dict[str, Any]:
    """Move the clock ``seconds`` forward (negative: back). Read and write in one write transaction, so two
    clients advancing at once both count."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds):
        raise ClockError("advance_seconds must be a number")
    with emulator.database.session() as session, session.begin():
        offset = _check_offset(emulator.clock_offset(session) + float(seconds))
        row = session.get(EmulatorState, CLOCK_OFFSET_KEY)
        if row is None:
            session.add(EmulatorState(key=CLOCK_OFFSET_KEY, value=repr(offset)))
        else:
            row.value = repr(offset)
    return clock_view(emulator)


def parse_time(value: Any) -> datetime:
    """An ISO 8601 instant; without a zone it is UTC."""
    if not isinstance(value, str):
        raise ClockError("set must be an ISO 8601 time, e.g. 2030-01-01T00:00:00Z")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ClockError(f"set is not an ISO 8601 time: {value!r}") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def set_time(emulator: Emulator, when: datetime | str) -> dict[str, Any]:
    """Make the emulator's clock read ``when`` now (and run on from there)."""
    instant = parse_time(when) if isinstance(when, str) else when
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    emulator.set_clock_offset(_check_offset((instant - utcnow()).total_seconds()))
    return clock_view(emulator)


def reset(emulator: Emulator) -> dict[str, Any]:
    """Back to real time."""
    emulator.set_clock_offset(0.0)
    return clock_view(emulator)


def apply(emulator: Emulator, body: Any) -> dict[str, Any]:
    """Carry out one POST body: exactly one of advance_seconds, set, reset."""
    if not isinstance(body, dict):
        raise ClockError(
            'the body must be a JSON object: {"advance_seconds": N}, {"set": ISO} or {"reset": true}'
        )
    given = [key for key in ("advance_seconds", "set", "reset") if key in body]
    unknown = sorted(set(body) - {"advance_seconds", "set", "reset"})
    if unknown:
        raise ClockError(f"unknown member(s): {', '.join(unknown)}")
    if len(given) != 1:
        raise ClockError("give exactly one of advance_seconds, set or reset")
    if given[0] == "advance_seconds":
        return advance(emulator, body["advance_seconds"])
    if given[0] == "set":
        return set_time(emulator, parse_time(body["set"]))
    if body["reset"] is not True:
        raise ClockError("reset must be true")
    return reset(emulator)


def _emulator(request: Request) -> Emulator:
    return request.app.state.emulator


async def get_clock(request: Request) -> JSONResponse:
    return JSONResponse(await run_in_threadpool(clock_view, _emulator(request)))


async def post_clock(request: Request) -> JSONResponse:
    raw = await request.body()
    try:
        body = orjson.loads(raw) if raw.strip() else None
    except orjson.JSONDecodeError:
        return JSONResponse({"error": "the body is not valid JSON"}, status_code=400)
    try:
        return JSONResponse(await run_in_threadpool(apply, _emulator(request), body))
    except ClockError as error:
        return JSONResponse({"error": str(error)}, status_code=400)


routes = [
    Route("/_emulator/clock", get_clock, methods=["GET"]),
    Route("/_emulator/clock", post_clock, methods=["POST"]),
]
