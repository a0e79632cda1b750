"""AWS JSON 1.1 in and out: the ``POST /`` endpoint that every Cognito client talks to.

It knows the protocol and nothing of Cognito's rules: read ``X-Amz-Target``, parse the JSON body, hand
both to ``Emulator.call``, and write the result or the error the way AWS does (``__type`` and
``message`` in the body, ``x-amzn-ErrorType`` and ``x-amzn-RequestId`` headers).
"""

from __future__ import annotations

import functools
import logging
import re
import time
from datetime import datetime
from typing import Any

import anyio
import anyio.to_thread
import orjson
from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import Response

from emulator import ids
from emulator.clock import as_utc
from emulator.engine.core import SERVICES, USER_POOLS, Emulator
from emulator.http import sigv4
from emulator.protocol import service_model
from emulator.protocol.errors import CognitoError, SerializationException, UnknownOperationException

log = logging.getLogger("emulator.requests")

CONTENT_TYPE = "application/x-amz-json-1.1"
# Cognito calls running at once in one process, readers and writers counted apart. Python runs one thread
# at a time: with 8 threads a GetUser load spent a third of its CPU handing the GIL between them (AdminGetUser
# on one worker: 375 /s with 8 threads, 550 /s with one). Readers never wait for anything but the GIL, so one
# runs at a time. Writers take turns on the database's write lock: one holds it while the next waits, ready
# the moment it is released; a writer also never waits for a reader's thread. Several workers
# (--workers) use several cores.
READ_CALLS = 1
WRITE_CALLS = 2
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/([a-z0-9-]+)/")


def _default(value: Any) -> Any:
    # AWS JSON serialises timestamps as epoch seconds. SQLite hands back naive datetimes: they are UTC.
    if isinstance(value, datetime):
        return as_utc(value).timestamp()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def encode(payload: dict[str, Any]) -> bytes:
    # Without OPT_PASSTHROUGH_DATETIME orjson writes datetimes as ISO strings itself and never calls _default.
    return orjson.dumps(payload, default=_default, option=orjson.OPT_PASSTHROUGH_DATETIME)


def region_from_authorization(header: str | None) -> str | None:
    """The region of a SigV4 credential scope (the signature itself is not checked here)."""
    if not header:
        return None
    match = _CREDENTIAL_SCOPE.search(header)
    return match.group(1) if match else None


def check_content_type(value: str | None) -> None:
    """AWS JSON 1.1 only, as AWS routes a request by its content type: anything else (text/plain, a form,
    application/json, x-amz-json-1.0) is an unknown operation. It also means no web page can call the API
    without a CORS preflight (the content type is not one a plain form or no-cors fetch may send)."""
    kind = (value or "").split(";", 1)[0].strip().lower()
    if kind != CONTENT_TYPE:
        got = f"got {value!r}" if value else "none was sent"
        raise UnknownOperationException(f"The Content-Type of a request must be {CONTENT_TYPE} ({got}).")


# X-Amz-Target prefix -> the service it names: user pools and identity pools share the port.
_PREFIXES = {service_model.target_prefix(service) + ".": service for service in SERVICES}


def operation_from_target(target: str | None) -> tuple[str, str]:
    """(service, operation) of an X-Amz-Target header."""
    if target is None:
        prefix = service_model.target_prefix() + "."
        raise UnknownOperationException(
            f"The X-Amz-Target header is missing: send X-Amz-Target: {prefix}<Operation>."
        )
    for prefix, service in _PREFIXES.items():
        if target.startswith(prefix) and target != prefix:
            return service, target[len(prefix) :]
    raise UnknownOperationException(f"Unknown operation {target or ''}".strip())


def parse_body(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise SerializationException(f"Unable to parse the request body as JSON: {exc.msg}") from None
    if not isinstance(body, dict):
        raise SerializationException("The request body must be a JSON object")
    return _without_nulls(body)


def _without_nulls(value: Any) -> Any:
    """AWS JSON treats a member whose value is null as absent: drop them, so operations never see None."""
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def check_signature(
    request: Request, emulator: Emulator, name: str, raw: bytes, service: str = USER_POOLS
) -> None:
    """With --iam-credentials, an IAM-authorised operation must be signed with one of them (SigV4), or with
    unexpired credentials the emulator's identity pools issued (GetCredentialsForIdentity)."""
    if emulator.settings.iam_credentials and name in _IAM_OPERATIONS[service]:
        sigv4.verify(
            _KnownCredentials(_credentials(tuple(emulator.settings.iam_credentials)), emulator),
            method=request.method,
            path=request.url.path,
            query=request.url.query,
            headers=request.headers,
            body=raw,
            service=service,
        )


_IAM_OPERATIONS = {service: sigv4.iam_operations(service) for service in SERVICES}


class _KnownCredentials:
    """The --iam-credentials, then the temporary credentials the identity pools issued."""

    def __init__(self, configured: dict[str, sigv4.Credentials], emulator: Emulator) -> None:
        self.configured = configured
        self.emulator = emulator

    def get(self, access_key: str) -> sigv4.Credentials | None:
        found = self.configured.get(access_key)
        if found is not None:
            return found
        issued = self.emulator.issued_credentials(access_key)
        if issued is None:
            return None
        return sigv4.Credentials(issued.access_key_id, issued.secret_key, issued.session_token_hash)


@functools.cache
def _credentials(items: tuple[str, ...]) -> dict[str, sigv4.Credentials]:
    return sigv4.parse_credentials(items)


def error_response(error: CognitoError, request_id: str) -> Response:
    return Response(
        encode({"__type": error.code, "message": error.message}),
        status_code=error.status,
        media_type=CONTENT_TYPE,
        headers={
            "x-amzn-ErrorType": error.code,
            "x-amzn-RequestId": request_id,
            # A body refused half-read (--max-body-size): close rather than read and discard the rest.
            **({"connection": "close"} if error.status == 413 else {}),
        },
    )


def _limiter(state: State, emulator: Emulator, name: str, service: str = USER_POOLS) -> anyio.CapacityLimiter:
    """The readers' or the writers' limiter for this call (READ_CALLS, WRITE_CALLS)."""
    limiters = getattr(state, "call_limiters", None)
    if limiters is None:
        # Made on first use: a limiter belongs to the event loop that serves the app.
        limiters = state.call_limiters = (
            anyio.CapacityLimiter(READ_CALLS),
            anyio.CapacityLimiter(WRITE_CALLS),
        )
    operation = emulator.services[service].get(name)
    # A read-first attempt (refresh) counts as a writer: it may become one, and run a trigger that calls
    # back into the emulator (a PreTokenGeneration function reading the user's groups) and needs a reader.
    return limiters[1] if operation is None or operation.writes else limiters[0]


async def handle(request: Request) -> Response:
    """The Starlette endpoint (requests from browsers, which go through the CORS middleware)."""
    return await respond(request, request.app.state)


async def respond(request: Request, state: State) -> Response:
    """One Cognito call: the operation's answer or its error, logged. ``state`` is the app's state (its
    emulator, and the limiters made on first use)."""
    emulator: Emulator = state.emulator
    request_id = ids.request_id()
    started = time.perf_counter()
    name = request.headers.get("x-amz-target", "")
    service = USER_POOLS
    fields: dict[str, Any] = {}
    try:
        check_content_type(request.headers.get("content-type"))
        service, name = operation_from_target(request.headers.get("x-amz-target"))
        raw = await request.body()
        check_signature(request, emulator, name, raw, service)
        body = parse_body(raw)
        region = region_from_authorization(request.headers.get("authorization"))
        caller = {
            "ip": request.client.host if request.client else None,
            "user_agent": request.headers.get("user-agent"),
            "amz_user_agent": request.headers.get("x-amz-user-agent"),
            "signed": bool(request.headers.get("authorization")),
        }
        result = await anyio.to_thread.run_sync(
            lambda: emulator.call(
                name,
                body,
                region=region,
                request_id=request_id,
                caller=caller,
                log_fields=fields,
                service=service,
            ),
            limiter=_limiter(state, emulator, name, service),
        )
        response = Response(
            encode(result), status_code=200, media_type=CONTENT_TYPE, headers={"x-amzn-RequestId": request_id}
        )
        outcome = "OK"
    except CognitoError as error:
        response = error_response(error, request_id)
        outcome = error.code
    elapsed = (time.perf_counter() - started) * 1000
    details = " ".join(f"{key}={value}" for key, value in fields.items() if value is not None)
    log.info(
        "%s %s-> %s %s %.1fms",
        name or "-",
        details + " " if details else "",
        response.status_code,
        outcome,
        elapsed,
        # The same facts as fields, for --log-format json (emulator.logging_setup).
        extra={
            "request": {
                "operation": name or None,
                **fields,
                "status": response.status_code,
                "outcome": outcome,
                "ms": round(elapsed, 1),
                "request_id": request_id,
            }
        },
    )
    return response
