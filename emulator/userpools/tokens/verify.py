"""Access tokens checked the way Cognito's user APIs check them: signature, expiry on the emulator's clock,
pool, user, revocation."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any

import jwt
import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from sqlalchemy import bindparam, select

from emulator.clock import as_utc
from emulator.protocol.context import Context
from emulator.protocol.errors import (
    NotAuthorizedException,
    UserNotFoundException,
)
from emulator.store.models import (
    RefreshToken,
    SigningKey,
    User,
    UserPool,
    UserPoolClient,
)
from emulator.userpools import users
from emulator.userpools.tokens.keys import loaded_key
from emulator.userpools.tokens.messages import (
    ACCESS_TOKEN_EXPIRED,
    ACCESS_TOKEN_REVOKED,
    INVALID_ACCESS_TOKEN,
    USER_DISABLED,
)

ADMIN_SCOPE = "aws.cognito.signin.user.admin"
MISSING_SCOPES = "Access Token does not have required scopes"

# Statements of every sign-in, refresh and access-token call, built once (building one took about as long
# as running it).
_KEY_USE = select(SigningKey.token_use).where(
    SigningKey.pool_id == bindparam("pool_id"), SigningKey.kid == bindparam("kid")
)
_SESSION_REVOCATIONS = select(RefreshToken.revoked_at).where(
    RefreshToken.origin_jti == bindparam("origin_jti"), RefreshToken.user_id == bindparam("user_id")
)


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


def authenticate(
    ctx: Context, access_token: str, *, pool: UserPool | None = None, scope: str = ADMIN_SCOPE
) -> AccessTokenContext:
    """Check an access token the way Cognito's user APIs do, and say whose it is.

    Signature (the access key of the pool named by ``iss``), expiry against the emulator clock, token_use,
    pool (``pool``, when given, must be the token's), the ``scope`` it must carry (the self-service APIs
    want ``aws.cognito.signin.user.admin``, which tokens of the OAuth endpoints have only when it was
    granted, M2M tokens never), user still there and enabled, not revoked.
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
    if not _signature_valid(access_token, loaded_key(ctx.db, kid).public_key):
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
    granted = claims.get("scope")
    if not isinstance(granted, str) or scope not in granted.split():
        raise NotAuthorizedException(MISSING_SCOPES)

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
