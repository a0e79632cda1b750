"""``--max-body-size``: a request body larger than the limit is refused while it is read, never buffered.

AWS publishes no request size limit for the Cognito API; no request of the implemented operations comes
near 1 MiB (the default). A ``Content-Length`` over the limit is refused before a byte is read; a body
without one (chunked) is counted as it arrives and refused at the first chunk past the limit.
"""

from __future__ import annotations

from starlette.types import Message, Receive

from emulator.errors import CognitoError


class RequestEntityTooLargeException(CognitoError):
    """Raised from ``receive`` when a chunked body passes the limit (the wire answers it AWS-style)."""

    status = 413


def too_large_message(limit: int, size: int | None = None) -> str:
    got = f" ({size} bytes)" if size is not None else ""
    return (
        f"The request body is larger than this emulator accepts{got}: at most {limit} bytes "
        "(--max-body-size, COGNITO_EMULATOR_MAX_BODY_SIZE)."
    )


def counting(receive: Receive, limit: int) -> Receive:
    """``receive`` that raises RequestEntityTooLargeException once more than ``limit`` bytes arrived."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise RequestEntityTooLargeException(too_large_message(limit))
        return message

    return wrapped
