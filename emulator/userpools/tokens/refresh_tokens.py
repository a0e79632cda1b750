"""Refresh tokens and their families: issuing a sign-in's tokens, refreshing, rotation, revocation.

Refresh tokens are opaque (Cognito's have the 5-segment shape of a JWE); only their SHA-256 is stored.
With refresh token rotation the replaced token keeps working for RetryGracePeriodSeconds, and the new
token expires when the one it replaced would have."""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update

from emulator.clock import as_utc
from emulator.protocol.context import Context
from emulator.protocol.errors import (
    InvalidParameterException,
    NotAuthorizedException,
    RefreshTokenReuseException,
)
from emulator.store.models import (
    RefreshToken,
    User,
    UserPool,
    UserPoolClient,
)
from emulator.store.models_oauth import OAuthGrant
from emulator.userpools import client_secrets, devices, observers, pools, users
from emulator.userpools.tokens.messages import (
    INVALID_REFRESH_TOKEN,
    REFRESH_TOKEN_EXPIRED,
    REFRESH_TOKEN_REVOKED,
    USER_DISABLED,
)
from emulator.userpools.tokens.minting import OAuthClaims, mint

# ctx.operation of the token endpoint's grants (Emulator.run): a refresh there is no REFRESH_TOKEN_AUTH.
OAUTH_TOKEN_ENDPOINT = "OAuth2Token"

# Cognito's refresh tokens are JWEs ({"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}); ours have the same
# shape, but every segment after the header is random: nothing can be read out of them.
_REFRESH_HEADER = (
    base64.urlsafe_b64encode(b'{"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}').rstrip(b"=").decode("ascii")
)


def _segment(size: int) -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(size)).rstrip(b"=").decode("ascii")


def _new_refresh_token_value() -> str:
    # encrypted key (RSA-2048), IV (96 bits), ciphertext, tag (128 bits)
    return ".".join((_REFRESH_HEADER, _segment(256), _segment(12), _segment(1152), _segment(16)))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _store_refresh_token(
    ctx: Context,
    client: UserPoolClient,
    user: User,
    *,
    value: str,
    origin_jti: str,
    auth_time: datetime,
    device_key: str | None,
    expires_at: datetime,
) -> RefreshToken:
    row = RefreshToken(
        token_hash=token_hash(value),
        pool_id=client.pool_id,
        client_id=client.id,
        user_id=user.id,
        origin_jti=origin_jti,
        auth_time=auth_time,
        device_key=device_key,
        created_at=ctx.now,
        expires_at=expires_at,
        revoked_at=None,
        rotated_at=None,
    )
    ctx.db.add(row)
    return row


def issue_tokens(
    ctx: Context,
    pool: UserPool,
    client: UserPoolClient,
    user: User,
    *,
    auth_time: datetime | None = None,
    device_key: str | None = None,
    with_refresh: bool = True,
    claims_override: Mapping[str, Mapping[str, Any]] | None = None,
    oauth: OAuthClaims | None = None,
) -> dict[str, Any]:
    """Tokens for a completed sign-in: Cognito's AuthenticationResult dict.

    ``oauth``: a sign-in through the pool's domain (authorize / the token endpoint): its scopes are kept
    (``OAuthGrant``, by origin_jti) for every token refreshed from it.

    Every sign-in gets its own ``origin_jti`` and a row in ``refresh_tokens`` (also when no refresh token
    is handed out: the row then stands for the session, so that RevokeToken/GlobalSignOut can revoke its
    access tokens). ``claims_override`` maps "id" / "access" to claims to set (a value of None removes
    the claim); it is how PreTokenGeneration plugs in.
    """
    auth_time = auth_time or ctx.now
    origin_jti = str(uuid.uuid4())
    value = _new_refresh_token_value()
    _store_refresh_token(
        ctx,
        client,
        user,
        value=value,
        origin_jti=origin_jti,
        auth_time=auth_time,
        device_key=device_key,
        expires_at=ctx.now + timedelta(seconds=pools.token_validity_seconds(client, "RefreshToken")),
    )
    if oauth is not None:
        ctx.db.add(
            OAuthGrant(
                origin_jti=origin_jti,
                pool_id=pool.id,
                client_id=client.id,
                scopes=list(oauth.scopes),
                created_at=ctx.now,
            )
        )
    observers.notify(ctx, "tokens_issued", user, client=client, origin_jti=origin_jti)
    result = mint(
        ctx,
        pool,
        client,
        user,
        origin_jti=origin_jti,
        auth_time=auth_time,
        device_key=device_key,
        claims_override=claims_override,
        oauth=oauth,
    )
    if with_refresh:
        result["RefreshToken"] = value
    ctx.log.setdefault("user", user.username)
    return result


def oauth_grant(ctx: Context, origin_jti: str) -> OAuthGrant | None:
    """The scopes granted to a sign-in through the pool's domain, or None for an API sign-in."""
    return ctx.db.get(OAuthGrant, origin_jti)


def rotation_settings(client: UserPoolClient) -> tuple[bool, int]:
    """(refresh token rotation enabled, RetryGracePeriodSeconds) of the client."""
    rotation = client.config.get("RefreshTokenRotation") or {}
    return rotation.get("Feature") == "ENABLED", int(rotation.get("RetryGracePeriodSeconds") or 0)


def refresh(
    ctx: Context,
    pool: UserPool,
    client: UserPoolClient,
    refresh_token: str,
    *,
    device_key: str | None = None,
    rotate: bool | None = None,
    secret_hash: str | None = None,
    username: str | None = None,
    claims_override: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """New ID and access tokens (fresh iat/exp, same origin_jti and auth_time) from a refresh token.

    Called by GetTokensFromRefreshToken (which checks ClientSecret itself) and by InitiateAuth /
    AdminInitiateAuth REFRESH_TOKEN_AUTH (``ctx.operation`` tells them apart). For the latter, a client with
    a secret needs ``secret_hash`` (SECRET_HASH, computed with the user's internal username, or with
    ``username`` when it names the same user), and clients with refresh token rotation are refused, as in
    Cognito. ``rotate=None`` follows the client's RefreshTokenRotation for GetTokensFromRefreshToken and
    means "no rotation" for REFRESH_TOKEN_AUTH.
    """
    from_auth_flow = ctx.operation not in ("GetTokensFromRefreshToken", OAUTH_TOKEN_ENDPOINT)
    rotation_enabled, grace = rotation_settings(client)
    if from_auth_flow and rotation_enabled:
        raise InvalidParameterException(
            "REFRESH_TOKEN_AUTH is not supported for app clients with refresh token rotation enabled; "
            "use GetTokensFromRefreshToken"
        )
    if from_auth_flow and client.secret and not secret_hash:
        raise NotAuthorizedException(
            f"Client {client.id} is configured with secret but SECRET_HASH was not received"
        )
    # Locked until the operation commits: with rotation, two racing refreshes with one token must not both
    # see it unrotated (on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises them).
    row = (
        ctx.db.get(RefreshToken, token_hash(refresh_token), with_for_update=True, populate_existing=True)
        if isinstance(refresh_token, str)
        else None
    )
    if row is None or row.pool_id != pool.id or row.client_id != client.id:
        raise NotAuthorizedException(INVALID_REFRESH_TOKEN)
    if device_key and row.device_key and device_key != row.device_key:
        raise NotAuthorizedException(INVALID_REFRESH_TOKEN)
    # A device key sent must be one of the user's devices (a forgotten one is not); one only remembered
    # from the sign-in is left out of the new tokens once its device is forgotten. (A pool that does not
    # track devices has none: there only the sign-in's own key is accepted.)
    tracking = devices.tracking(pool)
    sent_unknown = bool(device_key) and not devices.exists(ctx, row.user_id, device_key or "")
    if sent_unknown and (tracking or device_key != row.device_key):
        raise NotAuthorizedException(INVALID_REFRESH_TOKEN)
    token_device_key = device_key or row.device_key
    if (
        not device_key
        and row.device_key
        and tracking
        and not devices.exists(ctx, row.user_id, row.device_key)
    ):
        token_device_key = None
    if row.revoked_at is not None:
        raise NotAuthorizedException(REFRESH_TOKEN_REVOKED)
    if ctx.now >= as_utc(row.expires_at):
        raise NotAuthorizedException(REFRESH_TOKEN_EXPIRED)
    if row.rotated_at is not None and ctx.now >= as_utc(row.rotated_at) + timedelta(seconds=grace):
        raise RefreshTokenReuseException(REFRESH_TOKEN_REVOKED)

    user = ctx.db.get(User, row.user_id, options=[users.WITH_ATTRIBUTES])
    if user is None:
        raise NotAuthorizedException(INVALID_REFRESH_TOKEN)
    if from_auth_flow and client.secret:
        _check_refresh_secret_hash(ctx, pool, client, user, secret_hash or "", username)
    if not user.enabled:
        raise NotAuthorizedException(USER_DISABLED)
    ctx.log.setdefault("user", user.username)
    grant = oauth_grant(ctx, row.origin_jti)
    observers.notify(ctx, "tokens_refreshed", user, origin_jti=row.origin_jti)
    result = mint(
        ctx,
        pool,
        client,
        user,
        origin_jti=row.origin_jti,
        auth_time=as_utc(row.auth_time),
        device_key=token_device_key,
        claims_override=claims_override,
        oauth=OAuthClaims(tuple(grant.scopes)) if grant is not None else None,
    )
    if (rotation_enabled and not from_auth_flow) if rotate is None else rotate:
        value = _new_refresh_token_value()
        _store_refresh_token(
            ctx,
            client,
            user,
            value=value,
            origin_jti=row.origin_jti,
            auth_time=as_utc(row.auth_time),
            device_key=row.device_key,
            expires_at=as_utc(row.expires_at),
        )
        if row.rotated_at is None:
            row.rotated_at = ctx.now
        result["RefreshToken"] = value
    return result


def _check_refresh_secret_hash(
    ctx: Context, pool: UserPool, client: UserPoolClient, user: User, given: str, username: str | None
) -> None:
    names = [user.username]
    if username and username != user.username and users.find_user(ctx, pool, username) is user:
        names.append(username)
    if not client_secrets.secret_hash_matches(client, names, given):
        # The message Cognito gives for a wrong SECRET_HASH on refresh (sign-in says "Unable to verify ...").
        raise NotAuthorizedException(f"SecretHash does not match for the client: {client.id}")


def revoke_all(ctx: Context, user: User) -> None:
    """Sign the user out everywhere: every refresh token and every access token issued so far stops working."""
    ctx.db.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=ctx.now)
    )
    user.tokens_valid_after = ctx.now


def revoke_refresh_token(ctx: Context, client: UserPoolClient, token: str) -> bool:
    """Revoke a refresh token of ``client`` and every token issued from it (its whole sign-in session).

    Returns False, revoking nothing, for a token this client did not issue (RevokeToken answers those
    with success, as the revocation endpoint does for invalid tokens).
    """
    row = ctx.db.get(RefreshToken, token_hash(token))
    if row is None or row.client_id != client.id:
        return False
    ctx.db.execute(
        update(RefreshToken)
        .where(RefreshToken.origin_jti == row.origin_jti, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=ctx.now)
    )
    return True
