"""Sign-in operations: InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge, AdminRespondToAuthChallenge."""

from __future__ import annotations

from typing import Any

from emulator.protocol.context import Context
from emulator.protocol.errors import InvalidParameterException, NotAuthorizedException
from emulator.store.models import User, UserPool, UserPoolClient
from emulator.userpools import pools, users
from emulator.userpools.operations import operation
from emulator.userpools.signin import challenges, factors, flows, sessions
from emulator.userpools.signin.outcomes import respond


def _initiate(
    ctx: Context, pool: UserPool, client: UserPoolClient, request: dict[str, Any], *, admin: bool
) -> dict:
    flow = request["AuthFlow"]
    flows.check_flow_allowed(client, flow, admin=admin)
    parameters = request.get("AuthParameters") or {}
    state = {"admin": admin, "client_metadata": request.get("ClientMetadata") or {}}
    outcome = flows.STARTERS[flow](ctx, pool, client, parameters, state, request)
    return respond(ctx, pool, client, outcome, flow)


def _refreshing(request: dict[str, Any]) -> bool:
    # Refreshing writes only with refresh token rotation or a PreTokenGeneration trigger: try it as a reader.
    return request.get("AuthFlow") in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN")


@operation("InitiateAuth", read_first=_refreshing)
def initiate_auth(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool, client = pools.client_for_user_call(ctx, request["ClientId"])
    return _initiate(ctx, pool, client, request, admin=False)


@operation("AdminInitiateAuth", read_first=_refreshing)
def admin_initiate_auth(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    client = pools.get_client(ctx, pool, request["ClientId"])
    return _initiate(ctx, pool, client, request, admin=True)


def _respond(ctx: Context, pool: UserPool, client: UserPoolClient, request: dict[str, Any]) -> dict[str, Any]:
    name = request["ChallengeName"]
    responses = request.get("ChallengeResponses") or {}
    value = sessions.answered_value(request)
    session = sessions.load(ctx, value, client)
    if session.pool_id != pool.id or session.flow == factors.HOSTED_UI_FLOW:
        # A hosted-UI sign-in is answered on the hosted pages only (it ends in an authorization code).
        raise NotAuthorizedException(sessions.EXPIRED_MESSAGE)
    handler = challenges.HANDLERS.get(name)
    if handler is None:
        raise InvalidParameterException(f"The challenge {name} is not supported by this emulator.")
    expected = session.challenge
    if name != expected and not (expected == "SELECT_CHALLENGE" and name in ("PASSWORD", "PASSWORD_SRP")):
        raise InvalidParameterException(f"Invalid challenge name {name}: the session expects {expected}.")
    user = ctx.db.get(User, session.user_id) if session.user_id is not None else None
    _check_username(ctx, pool, client, user, responses)
    if user is not None:
        ctx.log["user"] = user.username
    step = challenges.Step(pool, client, session, value, user, responses)
    outcome = handler(ctx, step)
    # The answer was right: this session is spent; the next challenge (if any) gets a new one.
    sessions.consume(ctx, session)
    return respond(ctx, pool, client, outcome, session.flow)


def _check_username(
    ctx: Context, pool: UserPool, client: UserPoolClient, user: User | None, responses: dict[str, Any]
) -> None:
    """USERNAME must name the session's user (the user id, an alias, or what was typed at the start)."""
    username = responses.get("USERNAME")
    if not username:
        raise InvalidParameterException("Missing required parameter USERNAME")
    pools.check_client_secret(client, username, responses.get("SECRET_HASH"))
    if user is None:
        return
    named = users.find_user(ctx, pool, username)
    if named is None or named.id != user.id:
        raise NotAuthorizedException("Incorrect username or password.")


@operation("RespondToAuthChallenge")
def respond_to_auth_challenge(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool, client = pools.client_for_user_call(ctx, request["ClientId"])
    return _respond(ctx, pool, client, request)


@operation("AdminRespondToAuthChallenge")
def admin_respond_to_auth_challenge(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    client = pools.get_client(ctx, pool, request["ClientId"])
    return _respond(ctx, pool, client, request)
