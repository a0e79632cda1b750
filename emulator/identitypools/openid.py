"""The identity service's own OpenID tokens (GetOpenIdToken, GetOpenIdTokenForDeveloperIdentity): signed with
its own RSA key (not a user pool's), published as its JWKS, with Cognito Identity's claims.

Real Cognito Identity signs with RS512 under the issuer ``https://cognito-identity.amazonaws.com``, keys at
``<issuer>/.well-known/jwks_uri``. The emulator's issuer is ``<public URL>/cognito-identity`` (AWS's with
``--issuer aws``); the keys are always served by the emulator at ``/cognito-identity/.well-known/jwks_uri``.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select
from sqlalchemy.orm import Session

from emulator.config import Settings
from emulator.crypto.rsa_keys import new_key_material
from emulator.protocol.context import Context
from emulator.store.models_identity import IdentitySigningKey

ALGORITHM = "RS512"
AWS_ISSUER = "https://cognito-identity.amazonaws.com"
PATH = "/cognito-identity"
# GetOpenIdToken's tokens last 10 minutes; a developer identity's TokenDuration defaults to 15.
OPENID_TOKEN_VALIDITY = timedelta(minutes=10)
DEVELOPER_TOKEN_VALIDITY = timedelta(minutes=15)

_parsed: dict[str, rsa.RSAPrivateKey] = {}
_lock = threading.Lock()


def issuer(settings: Settings) -> str:
    return AWS_ISSUER if settings.issuer == "aws" else f"{settings.base_url}{PATH}"


def jwks_uri(settings: Settings) -> str:
    return f"{settings.base_url}{PATH}/.well-known/jwks_uri"


def _key_row(db: Session) -> IdentitySigningKey | None:
    return db.scalars(select(IdentitySigningKey).order_by(IdentitySigningKey.created_at.desc())).first()


def _signing_key(ctx: Context) -> IdentitySigningKey:
    row = _key_row(ctx.db)
    if row is None:
        kid, pem, jwk = new_key_material()
        row = IdentitySigningKey(
            kid=kid, private_pem=pem, public_jwk={**jwk, "alg": ALGORITHM}, created_at=ctx.now
        )
        ctx.db.add(row)
        ctx.db.flush()
    return row


def _private_key(row: IdentitySigningKey) -> rsa.RSAPrivateKey:
    with _lock:
        key = _parsed.get(row.kid)
        if key is None:
            loaded = serialization.load_pem_private_key(row.private_pem.encode("ascii"), password=None)
            assert isinstance(loaded, rsa.RSAPrivateKey)
            key = _parsed[row.kid] = loaded
        return key


def jwks_document(db: Session) -> dict[str, Any]:
    return {"keys": [dict(row.public_jwk) for row in db.scalars(select(IdentitySigningKey))]}


def openid_configuration(settings: Settings) -> dict[str, Any]:
    return {
        "issuer": issuer(settings),
        "jwks_uri": jwks_uri(settings),
        "id_token_signing_alg_values_supported": [ALGORITHM],
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
    }


def mint(
    ctx: Context,
    *,
    pool_id: str,
    identity_id: str,
    amr: list[str],
    validity: timedelta,
    principal_tags: dict[str, str] | None = None,
) -> str:
    row = _signing_key(ctx)
    now = int(ctx.now.timestamp())
    claims: dict[str, Any] = {
        "sub": identity_id,
        "aud": pool_id,
        "amr": amr,
        "iss": issuer(ctx.settings),
        "exp": now + int(validity.total_seconds()),
        "iat": now,
    }
    if principal_tags:
        claims["https://aws.amazon.com/tags"] = {
            "principal_tags": {key: [value] for key, value in principal_tags.items()}
        }
    return jwt.encode(claims, _private_key(row), algorithm=ALGORITHM, headers={"kid": row.kid, "typ": "JWS"})


def verify(ctx: Context, token: str) -> dict[str, Any] | None:
    """The claims of one of this service's own OpenID tokens, signature, issuer and expiry (on the emulator's
    clock) checked; None when it is not one of them. Expiry is reported by the caller (its message)."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return None
    row = ctx.db.get(IdentitySigningKey, header.get("kid")) if isinstance(header.get("kid"), str) else None
    if row is None:
        return None
    try:
        claims = jwt.decode(
            token,
            _private_key(row).public_key(),
            algorithms=[ALGORITHM],
            options={"verify_exp": False, "verify_aud": False, "verify_iat": False, "verify_nbf": False},
        )
    except jwt.PyJWTError:
        return None
    if claims.get("iss") != issuer(ctx.settings):
        return None
    return claims


def expired(claims: dict[str, Any], now: datetime) -> bool:
    exp = claims.get("exp")
    return not isinstance(exp, int) or now.timestamp() >= exp
