"""Token exchange (RFC 8693) as GetDerivedToken does it: a subject token of the pool (an access or ID token)
traded for a new access or ID token for a downstream service, narrowed in scope and bound to an audience.

Without an actor token it is impersonation (the client needs ALLOW_TOKEN_EXCHANGE_IMPERSONATION); with one,
delegation (ALLOW_TOKEN_EXCHANGE_DELEGATION), and the issued token carries an ``act`` claim naming the actor.
The issued token belongs to the subject's sign-in (its origin_jti): revoking that session revokes it too.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
from sqlalchemy import select

from emulator.clock import as_utc
from emulator.protocol.context import Context
from emulator.protocol.errors import InvalidParameterException, NotAuthorizedException
from emulator.store.models import RefreshToken, ResourceServer, SigningKey, User, UserPool, UserPoolClient
from emulator.userpools import pools, users
from emulator.userpools.tokens import authenticate
from emulator.userpools.tokens.keys import loaded_key
from emulator.userpools.tokens.minting import mint

IMPERSONATION = "ALLOW_TOKEN_EXCHANGE_IMPERSONATION"
DELEGATION = "ALLOW_TOKEN_EXCHANGE_DELEGATION"
INVALID_SUBJECT = "Invalid subject token."
INVALID_ACTOR = "Invalid actor token."


@dataclass
class Presented:
    """A checked subject or actor token: whose it is and its claims."""

    user: User
    claims: dict[str, Any]


def _id_token(ctx: Context, pool: UserPool, token: str, message: str) -> Presented:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise NotAuthorizedException(message) from None
    kid = header.get("kid")
    row = ctx.db.get(SigningKey, kid) if isinstance(kid, str) else None
    if row is None or row.pool_id != pool.id or row.token_use != "id" or header.get("alg") != "RS256":
        raise NotAuthorizedException(message)
    try:
        claims = jwt.decode(
            token,
            loaded_key(ctx.db, kid).public_key,
            algorithms=["RS256"],
            options={"verify_exp": False, "verify_aud": False, "verify_iat": False, "verify_nbf": False},
        )
    except jwt.PyJWTError:
        raise NotAuthorizedException(message) from None
    exp = claims.get("exp")
    if claims.get("token_use") != "id" or not isinstance(exp, int) or ctx.now.timestamp() >= exp:
        raise NotAuthorizedException(message)
    user = ctx.db.scalar(users.BY_SUB, {"pool_id": pool.id, "sub": claims.get("sub")})
    if user is None or not user.enabled:
        raise NotAuthorizedException(message)
    origin = claims.get("origin_jti")
    if isinstance(origin, str):
        revoked = list(
            ctx.db.scalars(
                select(RefreshToken.revoked_at).where(
                    RefreshToken.origin_jti == origin, RefreshToken.user_id == user.id
                )
            )
        )
        if not revoked or any(value is not None for value in revoked):
            raise NotAuthorizedException(message)
    elif (
        user.tokens_valid_after is not None
        and claims.get("iat", 0) < as_utc(user.tokens_valid_after).timestamp()
    ):
        # A token without origin_jti: only the user-wide cut-off of a global sign-out applies.
        raise NotAuthorizedException(message)
    return Presented(user, claims)


def check_token(ctx: Context, pool: UserPool, token: str, kind: str, message: str) -> Presented:
    """A presented token of ``kind`` (ACCESS_TOKEN, ID_TOKEN, SAML2), checked as Cognito checks it."""
    if kind == "SAML2":
        raise InvalidParameterException(
            "SAML2 tokens need a SAML identity provider, which this emulator lacks."
        )
    if kind == "ID_TOKEN":
        return _id_token(ctx, pool, token, message)
    try:
        who = authenticate(ctx, token, pool=pool)
    except NotAuthorizedException:
        raise NotAuthorizedException(message) from None
    return Presented(who.user, who.claims)


def check_client(client: UserPoolClient, delegation: bool) -> None:
    needed = DELEGATION if delegation else IMPERSONATION
    if needed not in pools.auth_flows(client):
        raise NotAuthorizedException(f"Client {client.id} is not allowed token exchange: it needs {needed}.")


def _scopes(subject: Presented, requested: list[str] | None) -> list[str]:
    held = str(subject.claims.get("scope") or "").split()
    if not requested:
        return held
    extra = [scope for scope in requested if scope not in held]
    if extra:
        raise InvalidParameterException(f"Scopes not held by the subject token: {' '.join(extra)}")
    return list(dict.fromkeys(requested))


def _check_resources(ctx: Context, pool: UserPool, resources: list[str] | None) -> None:
    for identifier in resources or []:
        if ctx.db.get(ResourceServer, (pool.id, identifier)) is None:
            raise InvalidParameterException(
                f"Resource server {identifier} does not exist in user pool {pool.id}."
            )


def exchange(
    ctx: Context,
    pool: UserPool,
    client: UserPoolClient,
    subject: Presented,
    actor: Presented | None,
    request: dict[str, Any],
) -> dict[str, Any]:
    """GetDerivedToken's answer: the issued token, signed."""
    scopes = _scopes(subject, request.get("Scopes"))
    _check_resources(ctx, pool, request.get("Resources"))
    origin = subject.claims.get("origin_jti")
    auth_time = subject.claims.get("auth_time")
    override_access: dict[str, Any] = {"scope": " ".join(scopes) if scopes else None}
    override_id: dict[str, Any] = {}
    audiences = request.get("Audiences") or request.get("Resources") or []
    if audiences:
        override_access["aud"] = audiences[0]
        override_id["aud"] = audiences[0]
    if actor is not None:
        act = {"sub": actor.user.sub}
        actor_client = actor.claims.get("client_id") or actor.claims.get("aud")
        if isinstance(actor_client, str):
            act["client_id"] = actor_client
        override_access["act"] = act
        override_id["act"] = act
    if not isinstance(origin, str):
        # A subject from a client without token revocation: nothing to tie the issued token to.
        for override in (override_access, override_id):
            override.update({"origin_jti": None, "jti": None})
    minted = mint(
        ctx,
        pool,
        client,
        subject.user,
        origin_jti=origin if isinstance(origin, str) else str(uuid.uuid4()),
        auth_time=_auth_time(ctx, auth_time),
        device_key=None,
        claims_override={"access": override_access, "id": override_id},
    )
    wanted = request.get("RequestedTokenType") or "ACCESS_TOKEN"
    if wanted == "ID_TOKEN":
        result: dict[str, Any] = {
            "IssuedToken": minted["IdToken"].sign(),
            "IssuedTokenType": "ID_TOKEN",
            "TokenType": "N_A",
            "ExpiresIn": pools.token_validity_seconds(client, "IdToken"),
        }
    else:
        result = {
            "IssuedToken": minted["AccessToken"].sign(),
            "IssuedTokenType": "ACCESS_TOKEN",
            "TokenType": "Bearer",
            "ExpiresIn": minted["ExpiresIn"],
        }
    if scopes:
        result["Scopes"] = scopes
    return result


def _auth_time(ctx: Context, value: Any) -> datetime:
    if isinstance(value, int) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    return ctx.now
