"""``/_emulator/messages``: read and empty the outbox over HTTP.

GET answers ``{"messages": [...]}``, newest first, filtered by the query parameters ``pool_id``,
``username``, ``channel``, ``destination`` and ``limit``; DELETE empties it (or one pool's part of it).

``GET /confirmUser`` is where the confirmation links of CONFIRM_WITH_LINK emails lead (Cognito's hosted
``/confirmUser``): it confirms the sign-up as ConfirmSignUp would.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from emulator.crypto.secret_hash import compute_secret_hash
from emulator.engine.core import Emulator
from emulator.protocol.errors import CognitoError
from emulator.store.models import UserPoolClient
from emulator.userpools import outbox

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


async def confirm_user(request: Request) -> PlainTextResponse:
    params = request.query_params
    client_id, username, code = (
        params.get("client_id"),
        params.get("user_name"),
        params.get("confirmation_code"),
    )
    if not client_id or not username or not code:
        return PlainTextResponse("client_id, user_name and confirmation_code are required", status_code=400)
    emulator = _emulator(request)

    def confirm() -> None:
        body = {"ClientId": client_id, "Username": username, "ConfirmationCode": code}
        with emulator.database.session(write=False) as session:
            client = session.get(UserPoolClient, client_id)
            # The link works for clients with a secret too: the hosted page knows the secret.
            if client is not None and client.secret:
                body["SecretHash"] = compute_secret_hash(client.id, client.secret, username)
        emulator.call("ConfirmSignUp", body)

    try:
        await run_in_threadpool(confirm)
    except CognitoError as error:
        return PlainTextResponse(f"{error.code}: {error.message}", status_code=error.status)
    return PlainTextResponse("Your registration has been confirmed!")


routes = [
    Route("/_emulator/messages", list_messages, methods=["GET"]),
    Route("/_emulator/messages", clear_messages, methods=["DELETE"]),
    Route("/confirmUser", confirm_user, methods=["GET"]),
]
