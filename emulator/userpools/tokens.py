"""Tokens: per-pool signing keys, the JWTs Cognito issues, refresh tokens, verification and revocation.

Facts this module follows (AWS developer guide, "Understanding the ID/access token", "Refresh tokens",
"Revoking tokens"):
- Each pool has its own RSA-2048 keys; ID and access tokens are signed with *different* keys (so the
  ``kid`` of an ID token never equals that of an access token of the same session). Both public keys are
  published at ``<issuer>/.well-known/jwks.json``. Headers carry only ``kid`` and ``alg`` (RS256).
- ``origin_jti`` and ``jti`` are only present when the app client has token revocation enabled (the
  default); Amplify only calls RevokeToken on sign-out when the access token has ``origin_jti``.
- Refresh tokens are opaque (Cognito's have the 5-segment shape of a JWE); only their SHA-256 is stored.
  With refresh token rotation the replaced token keeps working for RetryGracePeriodSeconds, and the new
  token expires when the one it replaced would have.

All state is in the database (``signing_keys``, ``refresh_tokens``, ``users.tokens_valid_after``); the
only thing kept in the process is the parsed form of key material, cached by ``kid`` (a digest of the
public key, so a cached entry can never be stale).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from emulator.clock import as_utc
from emulator.config import Settings
from emulator.crypto.secret_hash import verify_secret_hash
from emulator.protocol.context import Context
from emulator.protocol.errors import (
    InvalidParameterException,
    NotAuthorizedException,
    RefreshTokenReuseException,
    UserNotFoundException,
)
from emulator.store.models import (
    Group,
    GroupMembership,
    RefreshToken,
    SigningKey,
    User,
    UserPool,
    UserPoolClient,
)
from emulator.userpools import pools, users

TOKEN_USES = ("id", "access")
ACCESS_TOKEN_SCOPE = "aws.cognito.signin.user.admin"

# Cognito's messages (as seen by clients; note the period only in "Invalid Refresh Token.").
ACCESS_TOKEN_EXPIRED = "Access Token has expired"
ACCESS_TOKEN_REVOKED = "Access Token has been revoked"
INVALID_ACCESS_TOKEN = "Invalid Access Token"
REFRESH_TOKEN_EXPIRED = "Refresh Token has expired"
REFRESH_TOKEN_REVOKED = "Refresh Token has been revoked"
INVALID_REFRESH_TOKEN = "Invalid Refresh Token."
USER_DISABLED = "User is disabled."

# Attributes whose values are JSON booleans in the ID token (stored as "true"/"false" strings).
_BOOLEAN_CLAIMS = {"email_verified", "phone_number_verified"}


# --- keys ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LoadedKey:
    kid: str
    token_use: str
    private_key: rsa.RSAPrivateKey
    public_key: rsa.RSAPublicKey


_key_cache: dict[str, LoadedKey] = {}
_key_cache_lock = threading.Lock()


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _new_key(pool: UserPool, token_use: str, now: datetime) -> SigningKey:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_der = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    # Cognito's kids look like base64 of a 32-byte digest ("...=").
    kid = base64.b64encode(hashlib.sha256(public_der).digest()).decode("ascii")
    numbers = private_key.public_key().public_numbers()
    jwk = {
        "alg": "RS256",
        "e": _b64url_uint(numbers.e),
        "kid": kid,
        "kty": "RSA",
        "n": _b64url_uint(numbers.n),
        "use": "sig",
    }
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    _remember(LoadedKey(kid, token_use, private_key, private_key.public_key()))
    return SigningKey(
        kid=kid, pool_id=pool.id, token_use=token_use, private_pem=pem, public_jwk=jwk, created_at=now
    )


def _remember(key: LoadedKey) -> None:
    with _key_cache_lock:
        _key_cache[key.kid] = key


def _load(row: SigningKey) -> LoadedKey:
    cached = _key_cache.get(row.kid)
    if cached is not None:
        return cached
    private_key = serialization.load_pem_private_key(row.private_pem.encode("ascii"), password=None)
    assert isinstance(private_key, rsa.RSAPrivateKey)
    loaded = LoadedKey(row.kid, row.token_use, private_key, private_key.public_key())
    _remember(loaded)
    return loaded


def _key_rows(db: Session, pool_id: str) -> list[SigningKey]:
    return list(
        db.scalars(
            select(SigningKey)
            .where(SigningKey.pool_id == pool_id)
            .order_by(SigningKey.created_at, SigningKey.token_use)
        )
    )


# Keys of pools wiped by a reset, kept in this process only, so that a pool recreated with the same id (a
# fixture pool) gets its own keys back instead of new RSA keys at every reset.
_retired_keys: dict[tuple[str, str], tuple[str, str, dict[str, Any]]] = {}


def retire_keys(db: Session) -> None:
    """Remember every pool's keys before a reset wipes them."""
    for row in db.scalars(select(SigningKey)):
        _retired_keys[(row.pool_id, row.token_use)] = (row.kid, row.private_pem, dict(row.public_jwk))


def ensure_signing_key(ctx: Context, pool: UserPool, token_use: str = "access") -> SigningKey:
    """The pool's signing key for ``token_use`` ("id" or "access"); both are created if missing."""
    rows = {row.token_use: row for row in _key_rows(ctx.db, pool.id)}
    for use in TOKEN_USES:
        if use not in rows:
            retired = _retired_keys.pop((pool.id, use), None)
            if retired is not None:
                kid, pem, jwk = retired
                rows[use] = SigningKey(
                    kid=kid,
                    pool_id=pool.id,
                    token_use=use,
                    private_pem=pem,
                    public_jwk=jwk,
                    created_at=ctx.now,
                )
            else:
                rows[use] = _new_key(pool, use, ctx.now)
            ctx.db.add(rows[use])
    if token_use not in rows:
        raise ValueError(f"unknown token use {token_use!r}")
    return rows[token_use]


def _pool_created(ctx: Context, pool: UserPool) -> None:
    ensure_signing_key(ctx, pool)


if _pool_created not in pools.POOL_CREATED_HOOKS:
    pools.POOL_CREATED_HOOKS.append(_pool_created)


# --- issuer and discovery ------------------------------------------------------------------------------
def issuer_for(settings: Settings, pool_id: str, region: str | None = None) -> str:
    """``iss`` of the pool's tokens: ``<public URL>/<pool id>``, or AWS's form with ``--issuer aws``."""
    if settings.issuer == "aws":
        region = region or pool_id.split("_", 1)[0]
        return f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
    return f"{settings.base_url}/{pool_id}"


def issuer(ctx: Context, pool: UserPool) -> str:
    return issuer_for(ctx.settings, pool.id, pool.region)


def jwks_uri(settings: Settings, pool_id: str) -> str:
    # Always where this server publishes the keys, even when the issuer has AWS's form.
    return f"{settings.base_url}/{pool_id}/.well-known/jwks.json"


def jwks_document(db: Session, pool_id: str) -> dict[str, Any] | None:
    """The pool's JSON Web Key Set, or None if there is no such pool."""
    if db.get(UserPool, pool_id) is None:
        return None
    return {"keys": [dict(row.public_jwk) for row in _key_rows(db, pool_id)]}


def openid_configuration(settings: Settings, db: Session, pool_id: str) -> dict[str, Any] | None:
    """OpenID discovery for the pool, or None if there is no such pool.

    Only what this emulator really serves is listed: there is no hosted UI / OAuth domain, so no
    authorization, token or userInfo endpoint (Cognito also leaves them out for a pool without a domain).
    """
    pool = db.get(UserPool, pool_id)
    if pool is None:
        return None
    return {
        "id_token_signing_alg_values_supported": ["RS256"],
        "issuer": issuer_for(settings, pool.id, pool.region),
        "jwks_uri": jwks_uri(settings, pool.id),
        "response_types_supported": ["code", "token"],
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "subject_types_supported": ["public"],
    }


# --- claims --------------------------------------------------------------------------------------------
def _user_attributes(user: User) -> dict[str, str]:
    return users.attribute_map(user)


# Statements of every sign-in, refresh and access-token call, built once (building one took about as long
# as running it).
_GROUPS_OF_USER = (
    select(Group)
    .join(
        GroupMembership,
        (GroupMembership.pool_id == Group.pool_id) & (GroupMembership.group_name == Group.name),
    )
    .where(GroupMembership.user_id == bindparam("user_id"))
)
_KEY_IDS = (
    select(SigningKey.token_use, SigningKey.kid)
    .where(SigningKey.pool_id == bindparam("pool_id"))
    .order_by(SigningKey.created_at, SigningKey.token_use)
)
_KEY_USE = select(SigningKey.token_use).where(
    SigningKey.pool_id == bindparam("pool_id"), SigningKey.kid == bindparam("kid")
)
_SESSION_REVOCATIONS = select(RefreshToken.revoked_at).where(
    RefreshToken.origin_jti == bindparam("origin_jti"), RefreshToken.user_id == bindparam("user_id")
)


def _groups(ctx: Context, user: User) -> list[Group]:
    """The user's groups, most important (lowest Precedence) first; groups without one come last."""
    rows = ctx.db.scalars(_GROUPS_OF_USER, {"user_id": user.id})
    return sorted(rows, key=lambda g: (g.precedence is None, g.precedence or 0, g.name))


def _role_claims(groups: list[Group]) -> dict[str, Any]:
    """cognito:roles (every group's role) and cognito:preferred_role (the role of the group with the lowest
    Precedence; when groups tie on it with different roles, Cognito sets no preferred role)."""
    with_roles = [group for group in groups if group.role_arn]
    if not with_roles:
        return {}
    roles = list(dict.fromkeys(group.role_arn for group in with_roles))
    claims: dict[str, Any] = {"cognito:roles": roles}
    ranked = [group for group in with_roles if group.precedence is not None]
    if ranked:
        best = min(group.precedence for group in ranked)
        candidates = {group.role_arn for group in ranked if group.precedence == best}
    else:
        candidates = {group.role_arn for group in with_roles}
    if len(candidates) == 1:
        claims["cognito:preferred_role"] = candidates.pop()
    return claims


def _attribute_claims(client: UserPoolClient, attributes: Mapping[str, str]) -> dict[str, Any]:
    """The user's attributes the client may read (ReadAttributes; all when unset), as ID token claims."""
    readable = client.config.get("ReadAttributes")
    claims: dict[str, Any] = {}
    for name, value in attributes.items():
        if name == "sub" or name.startswith("dev:"):
            continue
        if readable and name not in readable:
            continue
        if name in _BOOLEAN_CLAIMS:
            claims[name] = str(value).lower() == "true"
        elif name == "identities":
            try:
                claims[name] = json.loads(value)
            except ValueError:
                claims[name] = value
        else:
            claims[name] = value
    return claims


def revocation_enabled(client: UserPoolClient) -> bool:
    return bool(client.config.get("EnableTokenRevocation", True))


def _apply_override(claims: dict[str, Any], override: Mapping[str, Any] | None) -> None:
    for name, value in (override or {}).items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value


def _sign(payload: dict[str, Any], key: LoadedKey) -> str:
    # Cognito's header is exactly {"kid", "alg"}: no "typ".
    return jwt.encode(payload, key.private_key, algorithm="RS256", headers={"kid": key.kid, "typ": None})


@dataclass(frozen=True)
class UnsignedToken:
    """An ID or access token whose claims are final, signed once its operation's transaction has committed
    (``sign_pending``, called by Emulator._run after the commit): an RS256 signature is 0.74 ms, and a sign-in or refresh
    needs two, time that writers would otherwise spend holding the write lock."""

    claims: dict[str, Any]
    key: LoadedKey

    def sign(self) -> str:
        return _sign(self.claims, self.key)


def sign_pending(result: dict[str, Any]) -> dict[str, Any]:
    """Sign the UnsignedTokens of an operation's AuthenticationResult in place; returns ``result``."""
    tokens = result.get("AuthenticationResult")
    if isinstance(tokens, dict):
        for name, value in tokens.items():
            if isinstance(value, UnsignedToken):
                tokens[name] = value.sign()
    return result


def _key_ids(db: Session, pool_id: str) -> dict[str, str]:
    """token_use -> kid of the pool's keys (the newest per use), without loading the key material."""
    rows = db.execute(_KEY_IDS, {"pool_id": pool_id})
    return {use: kid for use, kid in rows}


def _loaded(db: Session, kid: str) -> LoadedKey:
    """The parsed key ``kid`` (a digest of its public key, so a cached entry is never stale)."""
    cached = _key_cache.get(kid)
    if cached is not None:
        return cached
    row = db.get(SigningKey, kid)
    assert row is not None
    return _load(row)


def _keys(ctx: Context, pool: UserPool) -> dict[str, LoadedKey]:
    kids = _key_ids(ctx.db, pool.id)
    if any(use not in kids for use in TOKEN_USES):
        ensure_signing_key(ctx, pool)
        kids = _key_ids(ctx.db, pool.id)
    return {use: _loaded(ctx.db, kids[use]) for use in TOKEN_USES}


def _mint(
    ctx: Context,
    pool: UserPool,
    client: UserPoolClient,
    user: User,
    *,
    origin_jti: str,
    auth_time: datetime,
    device_key: str | None,
    claims_override: Mapping[str, Mapping[str, Any]] | None,
) -> dict[str, Any]:
    """A fresh ID and access token (new jti, event_id, iat, exp) for an existing sign-in."""
    keys = _keys(ctx, pool)
    iat = int(ctx.now.timestamp())
    auth_seconds = int(as_utc(auth_time).timestamp())
    iss = issuer(ctx, pool)
    event_id = str(uuid.uuid4())
    revocable = revocation_enabled(client)
    groups = _groups(ctx, user)
    group_names = [group.name for group in groups]
    access_lifetime = pools.token_validity_seconds(client, "AccessToken")
    id_lifetime = pools.token_validity_seconds(client, "IdToken")

    id_claims: dict[str, Any] = {"sub": user.sub}
    if group_names:
        id_claims["cognito:groups"] = group_names
    id_claims.update(_role_claims(groups))
    id_claims.update(_attribute_claims(client, _user_attributes(user)))
    id_claims["iss"] = iss
    id_claims["cognito:username"] = user.username
    if revocable:
        id_claims["origin_jti"] = origin_jti
    id_claims.update({"aud": client.id, "event_id": event_id, "token_use": "id", "auth_time": auth_seconds})
    id_claims["exp"] = iat + id_lifetime
    id_claims["iat"] = iat
    if revocable:
        id_claims["jti"] = str(uuid.uuid4())

    access_claims: dict[str, Any] = {"sub": user.sub}
    if device_key:
        access_claims["device_key"] = device_key
    if group_names:
        access_claims["cognito:groups"] = group_names
    access_claims["iss"] = iss
    access_claims["client_id"] = client.id
    if revocable:
        access_claims["origin_jti"] = origin_jti
    access_claims.update(
        {
            "event_id": event_id,
            "token_use": "access",
            "scope": ACCESS_TOKEN_SCOPE,
            "auth_time": auth_seconds,
            "exp": iat + access_lifetime,
            "iat": iat,
        }
    )
    if revocable:
        access_claims["jti"] = str(uuid.uuid4())
    access_claims["username"] = user.username

    if claims_override:
        _apply_override(id_claims, claims_override.get("id"))
        _apply_override(access_claims, claims_override.get("access"))
    return {
        "AccessToken": UnsignedToken(access_claims, keys["access"]),
        "ExpiresIn": access_lifetime,
        "TokenType": "Bearer",
        "IdToken": UnsignedToken(id_claims, keys["id"]),
    }


# --- refresh tokens ------------------------------------------------------------------------------------
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
) -> dict[str, Any]:
    """Tokens for a completed sign-in: Cognito's AuthenticationResult dict.

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
    result = _mint(
        ctx,
        pool,
        client,
        user,
        origin_jti=origin_jti,
        auth_time=auth_time,
        device_key=device_key,
        claims_override=claims_override,
    )
    if with_refresh:
        result["RefreshToken"] = value
    ctx.log.setdefault("user", user.username)
    return result


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
    from_auth_flow = ctx.operation != "GetTokensFromRefreshToken"
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
    result = _mint(
        ctx,
        pool,
        client,
        user,
        origin_jti=row.origin_jti,
        auth_time=as_utc(row.auth_time),
        device_key=device_key or row.device_key,
        claims_override=claims_override,
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
    if not any(verify_secret_hash(client.id, client.secret or "", name, given) for name in names):
        # The message Cognito gives for a wrong SECRET_HASH on refresh (sign-in says "Unable to verify ...").
        raise NotAuthorizedException(f"SecretHash does not match for the client: {client.id}")


# --- verification --------------------------------------------------------------------------------------
@dataclass
class AccessTokenContext:
    pool: UserPool
    user: User
    # Held here (not just its id) so that the session's identity map, which holds objects weakly, keeps it.
    client: UserPoolClient
    claims: dict[str, Any]


_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")


def _base64url(value: str) -> bytes | None:
    """The bytes of an unpadded base64url JWT segment, or None when it is not one."""
    if not _BASE64URL.fullmatch(value):
        return None
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except ValueError:  # binascii.Error: a length no encoding produces
        return None


def _json_segment(value: str) -> dict[str, Any] | None:
    """A JWT segment's JSON object, or None when it is not base64url of one."""
    raw = _base64url(value)
    if raw is None:
        return None
    try:
        decoded = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    return decoded if isinstance(decoded, dict) else None


def _unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims, read without checking anything: only to find the pool and the key that check the
    token (jwt.decode in authenticate). Read here rather than with PyJWT, whose base64 check walks the token
    character by character in Python: three PyJWT reads per request were 14% of GetUser's CPU."""
    if not isinstance(token, str) or token.count(".") != 2:
        raise NotAuthorizedException(INVALID_ACCESS_TOKEN)
    header_part, claims_part, _ = token.split(".")
    header, claims = _json_segment(header_part), _json_segment(claims_part)
    if header is None or claims is None:
        raise NotAuthorizedException(INVALID_ACCESS_TOKEN)
    return header, claims


def _signature_valid(token: str, public_key: rsa.RSAPublicKey) -> bool:
    """RS256 (RSASSA-PKCS1-v1_5 with SHA-256) over ``header.payload``, checked with cryptography itself.

    The token's header and payload have already been read (``_unverified``, which also requires them to be
    base64url); PyJWT's decode would read them again, character by character in Python, for a tenth of a
    GetUser's CPU.
    """
    signing_input, _, signature_part = token.rpartition(".")
    signature = _base64url(signature_part)
    if not signature:
        return False
    try:
        public_key.verify(signature, signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def authenticate(ctx: Context, access_token: str, *, pool: UserPool | None = None) -> AccessTokenContext:
    """Check an access token the way Cognito's user APIs do, and say whose it is.

    Signature (the access key of the pool named by ``iss``), expiry against the emulator clock, token_use,
    pool (``pool``, when given, must be the token's), user still there and enabled, not revoked.
    """
    header, unverified = _unverified(access_token)
    iss = unverified.get("iss")
    if not isinstance(iss, str) or "/" not in iss:
        raise NotAuthorizedException(INVALID_ACCESS_TOKEN)
    pool_id = iss.rsplit("/", 1)[1]
    token_pool = ctx.db.get(UserPool, pool_id)
    if token_pool is None or (pool is not None and pool.id != token_pool.id):
        raise NotAuthorizedException(INVALID_ACCESS_TOKEN)
    kid = header.get("kid")
    use = ctx.db.scalar(_KEY_USE, {"pool_id": token_pool.id, "kid": kid}) if isinstance(kid, str) else None
    if use != "access" or header.get("alg") != "RS256":
        raise NotAuthorizedException(INVALID_ACCESS_TOKEN)
    if not _signature_valid(access_token, _loaded(ctx.db, kid).public_key):
        raise NotAuthorizedException(INVALID_ACCESS_TOKEN)
    # Signed by the pool's access key: the claims read above are the token's. Time is checked below against
    # the emulator's clock, not the machine's.
    claims = unverified
    if claims.get("token_use") != "access" or claims.get("iss") != iss:
        raise NotAuthorizedException(INVALID_ACCESS_TOKEN)
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int) or not isinstance(iat, int):
        raise NotAuthorizedException(INVALID_ACCESS_TOKEN)
    if ctx.now.timestamp() >= exp:
        raise NotAuthorizedException(ACCESS_TOKEN_EXPIRED)
    client_id = claims.get("client_id")
    client = ctx.db.get(UserPoolClient, client_id) if isinstance(client_id, str) else None
    if client is None or client.pool_id != token_pool.id:
        raise NotAuthorizedException(INVALID_ACCESS_TOKEN)

    user = ctx.db.scalar(users.BY_SUB, {"pool_id": token_pool.id, "sub": claims.get("sub")})
    if user is None:
        raise UserNotFoundException("User does not exist.")
    if not user.enabled:
        raise NotAuthorizedException(USER_DISABLED)
    if _revoked(ctx, user, claims):
        raise NotAuthorizedException(ACCESS_TOKEN_REVOKED)
    ctx.log.setdefault("pool", token_pool.id)
    ctx.log.setdefault("user", user.username)
    return AccessTokenContext(pool=token_pool, user=user, client=client, claims=claims)


def _revoked(ctx: Context, user: User, claims: dict[str, Any]) -> bool:
    origin_jti = claims.get("origin_jti")
    if isinstance(origin_jti, str):
        # The session's refresh token(s): revoked by RevokeToken or by revoke_all.
        sessions = list(ctx.db.scalars(_SESSION_REVOCATIONS, {"origin_jti": origin_jti, "user_id": user.id}))
        return not sessions or any(revoked_at is not None for revoked_at in sessions)
    # Tokens of clients without token revocation carry no origin_jti: only the user-wide cut-off applies.
    if user.tokens_valid_after is not None:
        return claims["iat"] < as_utc(user.tokens_valid_after).timestamp()
    return False


# --- revocation ----------------------------------------------------------------------------------------
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


def looks_like_jwt(token: str) -> str | None:
    """The token_use of an ID/access token handed where a refresh token belongs, else None."""
    if token.count(".") != 2:
        return None
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    use = claims.get("token_use")
    return use if isinstance(use, str) else "unknown"
