"""JSON inspection endpoints used by the CLI, the test helpers and the console's live parts.

``GET /_emulator/users[?pool_id=P][&search=S][&limit=N]``
    ``{"users": [...], "total": N}``: status, enabled, attributes, groups and MFA of each user.
``GET /_emulator/totp?username=U[&pool_id=P]``
    ``{"pool_id", "username", "code", "seconds_left", "now", "pending"}``: the code an authenticator app
    holding the user's TOTP secret shows now, by the emulator's clock (the pending secret of an unfinished
    AssociateSoftwareToken when the user has no verified one yet). 404 when there is no such user, 409 when
    the user has no TOTP secret, 400 when the username names users of several pools and no pool is given.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from emulator.engine.core import Emulator
from emulator.http.console import views

MAX_LIMIT = 10_000


class _NoSecret(LookupError):
    pass


def _emulator(request: Request) -> Emulator:
    return request.app.state.emulator


def _error(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def list_users(request: Request) -> JSONResponse:
    params = request.query_params
    limit = None
    if params.get("limit"):
        raw = params["limit"]
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
            return _error(f"limit must be a whole number from 1 to {MAX_LIMIT}", 400)
        limit = int(raw)
    emulator = _emulator(request)

    def read() -> dict[str, Any]:
        with emulator.database.session(write=False) as session:
            pool_id = params.get("pool_id")
            if pool_id:
                views.get_pool(session, pool_id)
            found, total = views.list_users(session, pool_id, search=params.get("search"), limit=limit)
            return {"users": found, "total": total}

    try:
        return JSONResponse(await run_in_threadpool(read))
    except views.NotFound as exc:
        return _error(str(exc), 404)


async def totp_code(request: Request) -> JSONResponse:
    params = request.query_params
    username = params.get("username")
    if not username:
        return _error("username is required", 400)
    emulator = _emulator(request)

    def read() -> dict[str, Any]:
        with emulator.database.session(write=False) as session:
            user = views.find_user(emulator, session, username, params.get("pool_id") or None)
            view = views.totp_view(emulator, session, user)
            secret = view.get("verified") or view.get("pending")
            if secret is None:
                raise _NoSecret(f"user {username!r} has no TOTP secret (no software token set up)")
            return {
                "pool_id": user.pool_id,
                "username": user.username,
                "code": secret["code"],
                "seconds_left": view["seconds_left"],
                "now": view["now"],
                "pending": "verified" not in view,
                # During a re-setup (AssociateSoftwareToken again) both secrets exist.
                **(
                    {"pending_code": view["pending"]["code"]}
                    if "verified" in view and "pending" in view
                    else {}
                ),
            }

    try:
        return JSONResponse(await run_in_threadpool(read))
    except views.NotFound as exc:
        return _error(str(exc), 404)
    except views.Ambiguous as exc:
        return _error(str(exc), 400)
    except _NoSecret as exc:
        return _error(str(exc), 409)


routes = [
    Route("/_emulator/users", list_users, methods=["GET"]),
    Route("/_emulator/totp", totp_code, methods=["GET"]),
]
