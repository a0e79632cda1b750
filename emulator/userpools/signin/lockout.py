"""Lockout after repeated failed passwords, as Cognito does it.

After five consecutive failures each further attempt is refused for a growing interval (1 s, 2 s, 4 s, ...,
at most 15 minutes) with "Password attempts exceeded". A success resets the count. ``--no-lockout`` turns it off.
"""

from __future__ import annotations

from datetime import timedelta

from emulator.clock import as_utc
from emulator.protocol.context import Context
from emulator.protocol.errors import NotAuthorizedException
from emulator.store.models import User
from emulator.userpools import observers

FREE_ATTEMPTS = 5
MAX_LOCK = timedelta(minutes=15)
LOCKED_MESSAGE = "Password attempts exceeded"


def check(ctx: Context, user: User) -> None:
    if ctx.settings.lockout and user.locked_until is not None and as_utc(user.locked_until) > ctx.now:
        raise NotAuthorizedException(LOCKED_MESSAGE)


def record_failure(ctx: Context, user: User) -> None:
    """Count a failed password and commit it: the request that follows answers with an error."""
    user.failed_attempts = (user.failed_attempts or 0) + 1
    if ctx.settings.lockout and user.failed_attempts >= FREE_ATTEMPTS:
        delay = timedelta(seconds=2 ** min(user.failed_attempts - FREE_ATTEMPTS, 20))
        user.locked_until = ctx.now + min(delay, MAX_LOCK)
    observers.notify(ctx, "password_failed", user)
    ctx.db.commit()


def record_success(user: User) -> None:
    user.failed_attempts = 0
    user.locked_until = None
