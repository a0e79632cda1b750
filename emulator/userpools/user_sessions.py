"""User sessions (ListUserSessions & co.): a TOKEN session is one sign-in's refresh-token family.

Every sign-in already keeps a family of ``refresh_tokens`` rows sharing one ``origin_jti`` (rotation adds
rows to it; RevokeToken and GlobalSignOut revoke it). A session is such a family while it is neither revoked
nor expired: its id is ``tkn`` + 25 characters derived from the origin_jti, its CreateDate is the sign-in,
its LastActiveDate the last time a token of the family was stored. Revoking a session revokes the family,
which also ends its access tokens. With UserSessionTracking ENABLED, a sign-in that takes the user over
TokenSession.MaxPerUser revokes the oldest sessions.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from emulator.clock import as_utc
from emulator.protocol.context import Context
from emulator.protocol.errors import (
    FeatureUnavailableInTierException,
    OperationNotEnabledException,
)
from emulator.store.models import RefreshToken, User, UserPool, UserPoolClient
from emulator.userpools import observers, pool_settings

POOL_KIND = "session-configuration"
CLIENT_KIND = "client-session-configuration"
DEFAULT_POOL_CONFIGURATION: dict[str, Any] = {
    "UserSessionTracking": "DISABLED",
    "TokenSession": {"MaxPerUser": 20},
}
DEFAULT_CLIENT_CONFIGURATION: dict[str, Any] = {"SSOSession": {"MaxValidityMinutes": 60}}
_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def pool_configuration(ctx: Context, pool: UserPool) -> dict[str, Any]:
    return pool_settings.get(ctx.db, pool.id, POOL_KIND) or {**DEFAULT_POOL_CONFIGURATION}


def client_configuration(ctx: Context, client: UserPoolClient) -> dict[str, Any]:
    return pool_settings.get(ctx.db, client.pool_id, CLIENT_KIND, client.id) or {
        **DEFAULT_CLIENT_CONFIGURATION
    }


def check_tier(pool: UserPool) -> None:
    if pool.config.get("UserPoolTier") == "LITE":
        raise FeatureUnavailableInTierException(
            "User session management is not available in the LITE tier. Upgrade the user pool to ESSENTIALS or PLUS."
        )


def tracking_enabled(ctx: Context, pool: UserPool) -> bool:
    return pool_configuration(ctx, pool).get("UserSessionTracking") == "ENABLED"


def require_tracking(ctx: Context, pool: UserPool) -> None:
    if not tracking_enabled(ctx, pool):
        raise OperationNotEnabledException(f"User session tracking is not enabled for user pool {pool.id}.")


def session_id(origin_jti: str) -> str:
    """``tkn`` + 25 characters [a-z0-9], the same for every token of one sign-in."""
    number = int.from_bytes(hashlib.sha256(origin_jti.encode()).digest(), "big")
    chars = []
    for _ in range(25):
        number, digit = divmod(number, 36)
        chars.append(_ALPHABET[digit])
    return "tkn" + "".join(chars)


@dataclass
class TokenSession:
    id: str
    origin_jti: str
    client_id: str
    created_at: datetime
    last_active_at: datetime


def active_sessions(ctx: Context, user: User) -> list[TokenSession]:
    """The user's sessions that are neither revoked nor expired, oldest first."""
    query = (
        select(
            RefreshToken.origin_jti,
            RefreshToken.client_id,
            func.min(RefreshToken.auth_time),
            func.max(RefreshToken.created_at),
            func.max(RefreshToken.expires_at),
            func.count(RefreshToken.revoked_at),
        )
        .where(RefreshToken.user_id == user.id)
        .group_by(RefreshToken.origin_jti, RefreshToken.client_id)
    )
    found = []
    for origin_jti, client_id, created, last_active, expires, revoked in ctx.db.execute(query):
        if revoked or as_utc(expires) <= ctx.now:
            continue
        found.append(
            TokenSession(session_id(origin_jti), origin_jti, client_id, as_utc(created), as_utc(last_active))
        )
    found.sort(key=lambda session: (session.created_at, session.id))
    return found


def describe(session: TokenSession, current_origin: str | None) -> dict[str, Any]:
    return {
        "SessionId": session.id,
        "SessionType": "TOKEN",
        "ClientId": session.client_id,
        "CreateDate": session.created_at,
        "LastActiveDate": session.last_active_at,
        "IsCurrentSession": session.origin_jti == current_origin,
    }


def revoke(ctx: Context, user: User, session: TokenSession) -> None:
    ctx.db.execute(
        update(RefreshToken)
        .where(
            RefreshToken.user_id == user.id,
            RefreshToken.origin_jti == session.origin_jti,
            RefreshToken.revoked_at.is_(None),
        )
        .values(revoked_at=ctx.now)
    )


@observers.watch("tokens_issued")
def _after_sign_in(ctx: Context, user: User, *, client: UserPoolClient, origin_jti: str) -> None:
    """MaxPerUser: a new session over the limit ends the oldest ones."""
    pool = ctx.db.get(UserPool, client.pool_id)
    if pool is None:
        return
    configuration = pool_configuration(ctx, pool)
    if configuration.get("UserSessionTracking") != "ENABLED":
        return
    limit = int((configuration.get("TokenSession") or {}).get("MaxPerUser") or 20)
    ctx.db.flush()
    sessions = active_sessions(ctx, user)
    excess = len(sessions) - limit
    for session in [session for session in sessions if session.origin_jti != origin_jti][: max(excess, 0)]:
        revoke(ctx, user, session)
