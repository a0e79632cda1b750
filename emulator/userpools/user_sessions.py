"""User sessions (ListUserSessions & co.): a TOKEN session is one sign-in's refresh-token family.

Sessions are recorded only while the pool's UserSessionTracking is ENABLED, as in Cognito: each sign-in that
issues tokens then gets a ``user_sessions`` row (``tkn`` + 25 characters) for its family of refresh tokens
(``origin_jti``), with the caller's user agent and IP address; a refresh moves its LastActiveDate. A session is
listed while its family is neither revoked nor expired. Revoking a session revokes the family (so its access
tokens stop working too) and deletes the record. A sign-in that takes the user over TokenSession.MaxPerUser
ends the user's least recently used sessions.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from sqlalchemy import func, select, update

from emulator.clock import as_utc
from emulator.protocol.context import Context
from emulator.protocol.errors import FeatureUnavailableInTierException, OperationNotEnabledException
from emulator.store.models import RefreshToken, User, UserPool, UserPoolClient
from emulator.store.models_sessions import UserSession
from emulator.userpools import observers, pool_settings

POOL_KIND = "session-configuration"
CLIENT_KIND = "client-session-configuration"
DEFAULT_POOL_CONFIGURATION: dict[str, Any] = {
    "UserSessionTracking": "DISABLED",
    "TokenSession": {"MaxPerUser": 20},
}
DEFAULT_CLIENT_CONFIGURATION: dict[str, Any] = {"SSOSession": {"MaxValidityMinutes": 60}}
_ALPHABET = string.ascii_lowercase + string.digits


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


def new_session_id() -> str:
    return "tkn" + "".join(secrets.choice(_ALPHABET) for _ in range(25))


def active_sessions(ctx: Context, user: User) -> list[UserSession]:
    """The user's recorded sessions whose refresh-token family is neither revoked nor expired, oldest first."""
    families = (
        select(
            RefreshToken.origin_jti,
            func.max(RefreshToken.expires_at).label("expires"),
            func.count(RefreshToken.revoked_at).label("revoked"),
        )
        .where(RefreshToken.user_id == user.id)
        .group_by(RefreshToken.origin_jti)
        .subquery()
    )
    query = (
        select(UserSession, families.c.expires, families.c.revoked)
        .join(families, families.c.origin_jti == UserSession.origin_jti)
        .where(UserSession.user_id == user.id)
        .order_by(UserSession.created_at, UserSession.id)
    )
    return [
        row for row, expires, revoked in ctx.db.execute(query) if not revoked and as_utc(expires) > ctx.now
    ]


def describe(session: UserSession, current_origin: str | None) -> dict[str, Any]:
    view: dict[str, Any] = {
        "SessionId": session.id,
        "SessionType": "TOKEN",
        "ClientId": session.client_id,
        "CreateDate": as_utc(session.created_at),
        "LastActiveDate": as_utc(session.last_active_at),
    }
    if session.device_type:
        view["DeviceType"] = session.device_type[:1024]
    if session.ip_address:
        view["LastIPAddress"] = session.ip_address
    view["IsCurrentSession"] = session.origin_jti == current_origin
    return view


def revoke(ctx: Context, user: User, session: UserSession) -> None:
    """End the session: its refresh tokens (and so its access tokens) are revoked, its record deleted."""
    ctx.db.execute(
        update(RefreshToken)
        .where(
            RefreshToken.user_id == user.id,
            RefreshToken.origin_jti == session.origin_jti,
            RefreshToken.revoked_at.is_(None),
        )
        .values(revoked_at=ctx.now)
    )
    ctx.db.delete(session)
    ctx.db.flush()


@observers.watch("tokens_issued")
def _after_sign_in(ctx: Context, user: User, *, client: UserPoolClient, origin_jti: str) -> None:
    """With tracking on: record the new session, and end the least recently used ones over MaxPerUser."""
    pool = ctx.db.get(UserPool, client.pool_id)
    if pool is None:
        return
    configuration = pool_configuration(ctx, pool)
    if configuration.get("UserSessionTracking") != "ENABLED":
        return
    if user.id is None:
        ctx.db.flush()
    session_id = new_session_id()
    while ctx.db.get(UserSession, session_id) is not None:
        session_id = new_session_id()
    ctx.db.add(
        UserSession(
            id=session_id,
            pool_id=pool.id,
            user_id=user.id,
            client_id=client.id,
            origin_jti=origin_jti,
            device_type=ctx.caller.get("user_agent"),
            ip_address=ctx.caller.get("ip"),
            created_at=ctx.now,
            last_active_at=ctx.now,
        )
    )
    ctx.db.flush()
    limit = int((configuration.get("TokenSession") or {}).get("MaxPerUser") or 20)
    sessions = [session for session in active_sessions(ctx, user) if session.origin_jti != origin_jti]
    sessions.sort(key=lambda session: (as_utc(session.last_active_at), session.id))
    for session in sessions[: max(len(sessions) + 1 - limit, 0)]:
        revoke(ctx, user, session)


@observers.watch("tokens_refreshed")
def _after_refresh(ctx: Context, user: User, *, origin_jti: str) -> None:
    """A refresh is activity: the session's LastActiveDate moves (only for recorded sessions)."""
    found = ctx.db.scalar(
        select(UserSession.id).where(UserSession.user_id == user.id, UserSession.origin_jti == origin_jti)
    )
    if found is not None:
        ctx.db.execute(update(UserSession).where(UserSession.id == found).values(last_active_at=ctx.now))
