"""The hosted UI's browser sessions: what the domain session cookie stands for.

A sign-in on the hosted pages leaves a session for (pool, client, user, provider); its cookie carries a random
value of which only the SHA-256 is stored. While it lives (``SESSION_VALIDITY`` from the sign-in, by the
emulator's clock) /oauth2/authorize for the same client answers with a code at once, unless ``prompt=login``.
/logout ends it. A new sign-in in the same browser ends the one before.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete

from emulator.clock import as_utc
from emulator.protocol.context import Context
from emulator.store.models import User, UserPool, UserPoolClient
from emulator.store.models_hosted_ui import HostedUISession

# Cognito keeps a hosted-UI sign-in for an hour.
SESSION_VALIDITY = timedelta(hours=1)
COGNITO = "COGNITO"


@dataclass(frozen=True)
class LiveSession:
    user: User
    auth_time: datetime


def _key(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def create(
    ctx: Context,
    pool: UserPool,
    client: UserPoolClient,
    user: User,
    *,
    auth_time: datetime,
    previous: str | None = None,
    provider: str = COGNITO,
) -> str:
    """Store a new session (ending ``previous``, the browser's last one) and return the cookie's value."""
    if previous:
        end(ctx, previous)
    purge_expired(ctx)
    value = secrets.token_urlsafe(48)
    ctx.db.add(
        HostedUISession(
            id=_key(value),
            pool_id=pool.id,
            client_id=client.id,
            user_id=user.id,
            provider=provider,
            auth_time=auth_time,
            created_at=ctx.now,
            expires_at=ctx.now + SESSION_VALIDITY,
            ended_at=None,
        )
    )
    return value


def live(
    ctx: Context, value: str | None, pool: UserPool, client: UserPoolClient, provider: str = COGNITO
) -> LiveSession | None:
    """The signed-in user behind a cookie's value, for this pool and client, if the session still lives and
    the user may still sign in (enabled, confirmed)."""
    if not value:
        return None
    row = ctx.db.get(HostedUISession, _key(value))
    if (
        row is None
        or row.pool_id != pool.id
        or row.client_id != client.id
        or row.provider != provider
        or row.ended_at is not None
        or as_utc(row.expires_at) <= ctx.now
    ):
        return None
    user = ctx.db.get(User, row.user_id)
    if user is None or not user.enabled or user.status not in ("CONFIRMED", "EXTERNAL_PROVIDER"):
        return None
    return LiveSession(user=user, auth_time=as_utc(row.auth_time))


def end(ctx: Context, value: str | None) -> None:
    """End the session behind a cookie's value (nothing happens for an unknown one)."""
    if not value:
        return
    row = ctx.db.get(HostedUISession, _key(value))
    if row is not None and row.ended_at is None:
        row.ended_at = ctx.now


def purge_expired(ctx: Context) -> None:
    """Drop sessions that expired a day ago (each new sign-in does this: one indexed delete)."""
    cutoff = ctx.now - timedelta(days=1)
    ctx.db.execute(delete(HostedUISession).where(HostedUISession.expires_at < cutoff))
