"""NextToken for the list operations: an opaque, checked position."""

from __future__ import annotations

import base64

from emulator.protocol.errors import InvalidParameterException


def token(position: int) -> str:
    return base64.urlsafe_b64encode(f"position:{position}".encode()).decode("ascii")


def offset(next_token: str | None) -> int:
    if next_token is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(next_token.encode("ascii")).decode("ascii")
        kind, _, value = text.partition(":")
        position = int(value)
    except (ValueError, UnicodeError):
        raise InvalidParameterException("Invalid pagination token") from None
    if kind != "position" or position < 0:
        raise InvalidParameterException("Invalid pagination token")
    return position
