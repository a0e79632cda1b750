"""User sessions: the pool's and clients' session configuration, listing and revoking a user's sessions.
The rules are in ``emulator.userpools.user_sessions``."""

from __future__ import annotations

from typing import Any

from emulator.protocol.context import Context
from emulator.protocol.errors import InvalidParameterException, ResourceNotFoundException
from emulator.store.models import User, UserPool
from emulator.store.models_sessions import UserSession
from emulator.userpools import pool_settings, pools, tokens, user_sessions, users
from emulator.userpools.operations import operation

PAGE = 125


@operation("GetUserPoolSessionConfiguration", writes=False)
def get_user_pool_session_configuration(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    return {"UserPoolId": pool.id, **user_sessions.pool_configuration(ctx, pool)}


@operation("SetUserPoolSessionConfiguration")
def set_user_pool_session_configuration(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    user_sessions.check_tier(pool)
    # A full replacement, as the model requires both members.
    configuration = {
        "UserSessionTracking": request["UserSessionTracking"],
        "TokenSession": {"MaxPerUser": request["TokenSession"]["MaxPerUser"]},
    }
    pool_settings.put(ctx.db, pool.id, user_sessions.POOL_KIND, configuration, ctx.now)
    return {"UserPoolId": pool.id, **configuration}


@operation("GetUserPoolClientSessionConfiguration", writes=False)
def get_user_pool_client_session_configuration(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    client = pools.get_client(ctx, pool, request["ClientId"])
    return {"UserPoolId": pool.id, "ClientId": client.id, **user_sessions.client_configuration(ctx, client)}


@operation("SetUserPoolClientSessionConfiguration")
def set_user_pool_client_session_configuration(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    client = pools.get_client(ctx, pool, request["ClientId"])
    user_sessions.check_tier(pool)
    user_sessions.require_tracking(ctx, pool)
    configuration = {"SSOSession": {"MaxValidityMinutes": request["SSOSession"]["MaxValidityMinutes"]}}
    pool_settings.put(ctx.db, pool.id, user_sessions.CLIENT_KIND, configuration, ctx.now, client_id=client.id)
    return {"UserPoolId": pool.id, "ClientId": client.id, **configuration}


def _page(ctx: Context, user: User, current: str | None, next_token: str | None) -> dict[str, Any]:
    sessions = user_sessions.active_sessions(ctx, user)
    start = 0
    if next_token:
        decoded = pools.decode_token(next_token)
        start = next((index for index, session in enumerate(sessions) if session.id == decoded), -1)
        if start < 0:
            raise InvalidParameterException("Invalid pagination token.")
    result: dict[str, Any] = {
        "Sessions": [user_sessions.describe(session, current) for session in sessions[start : start + PAGE]]
    }
    if len(sessions) > start + PAGE:
        result["NextToken"] = pools.encode_token(sessions[start + PAGE].id)
    return result


def _find(ctx: Context, user: User, wanted: str) -> UserSession:
    for session in user_sessions.active_sessions(ctx, user):
        if session.id == wanted:
            return session
    raise ResourceNotFoundException(f"Session {wanted} does not exist.")


def _admin_user(ctx: Context, request: dict[str, Any]) -> tuple[UserPool, User]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    user_sessions.require_tracking(ctx, pool)
    return pool, users.get_user(ctx, pool, request["Username"])


@operation("ListUserSessions", writes=False)
def list_user_sessions(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    who = tokens.authenticate(ctx, request["AccessToken"])
    user_sessions.require_tracking(ctx, who.pool)
    return _page(ctx, who.user, who.claims.get("origin_jti"), request.get("NextToken"))


@operation("AdminListUserSessions", writes=False)
def admin_list_user_sessions(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    _pool, user = _admin_user(ctx, request)
    return _page(ctx, user, None, request.get("NextToken"))


@operation("RevokeUserSession")
def revoke_user_session(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    who = tokens.authenticate(ctx, request["AccessToken"])
    user_sessions.require_tracking(ctx, who.pool)
    session = _find(ctx, who.user, request["SessionId"])
    if session.origin_jti == who.claims.get("origin_jti"):
        raise InvalidParameterException(
            "The current session cannot be revoked with RevokeUserSession; use GlobalSignOut or RevokeToken."
        )
    # RevokeAssociatedSessions LINKED also ends SSO sessions linked to it; this emulator keeps none.
    user_sessions.revoke(ctx, who.user, session)
    return {}


@operation("AdminRevokeUserSession")
def admin_revoke_user_session(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    _pool, user = _admin_user(ctx, request)
    user_sessions.revoke(ctx, user, _find(ctx, user, request["SessionId"]))
    return {}
