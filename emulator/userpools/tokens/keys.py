"""Per-pool RSA signing keys (one for ID tokens, one for access tokens), the JWKS and OpenID discovery.

Key material lives in the database (``signing_keys``); the process only caches its parsed form by ``kid``
(a digest of the public key, so a cached entry can never be stale)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from emulator.config import Settings
from emulator.crypto.rsa_keys import new_key_material
from emulator.protocol.context import Context
from emulator.store.models import (
    SigningKey,
    UserPool,
    UserPoolDomain,
)
from emulator.userpools import pools
from emulator.userpools.tokens import spare_keys

TOKEN_USES = ("id", "access")


@dataclass(frozen=True)
class LoadedKey:
    kid: str
    token_use: str
    private_key: rsa.RSAPrivateKey
    public_key: rsa.RSAPublicKey


_key_cache: dict[str, LoadedKey] = {}
_key_cache_lock = threading.Lock()


def _new_key(pool: UserPool, token_use: str, now: datetime) -> SigningKey:
    kid, pem, jwk = new_key_material()
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
                rows[use] = spare_keys.take(ctx, pool, use) or _new_key(pool, use, ctx.now)
            ctx.db.add(rows[use])
    if token_use not in rows:
        raise ValueError(f"unknown token use {token_use!r}")
    return rows[token_use]


def _pool_created(ctx: Context, pool: UserPool) -> None:
    ensure_signing_key(ctx, pool)


if _pool_created not in pools.POOL_CREATED_HOOKS:
    pools.POOL_CREATED_HOOKS.append(_pool_created)


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

    The OAuth endpoints (authorize, token, userInfo, revocation, end session) are listed once the pool has
    a domain, as Cognito lists them, at the domain's path on this server (emulator.http.domain_site). With
    ``--tls`` that is the HTTPS listener's URL: Cognito serves domains over HTTPS only, and Amplify and most
    OIDC libraries refuse an http:// authorization endpoint (Amplify always puts ``https://`` before the
    domain); without TLS, the plain URL, the only one there is.
    """
    pool = db.get(UserPool, pool_id)
    if pool is None:
        return None
    document: dict[str, Any] = {}
    domain = db.scalar(select(UserPoolDomain.domain).where(UserPoolDomain.pool_id == pool.id))
    if domain is not None:
        base = f"{settings.tls_base_url or settings.base_url}/{domain}"
        document["authorization_endpoint"] = f"{base}/oauth2/authorize"
        document["end_session_endpoint"] = f"{base}/logout"
    document.update(
        {
            "id_token_signing_alg_values_supported": ["RS256"],
            "issuer": issuer_for(settings, pool.id, pool.region),
            "jwks_uri": jwks_uri(settings, pool.id),
            "response_types_supported": ["code", "token"],
        }
    )
    if domain is not None:
        document["revocation_endpoint"] = f"{base}/oauth2/revoke"
    document.update(
        {"scopes_supported": ["openid", "email", "phone", "profile"], "subject_types_supported": ["public"]}
    )
    if domain is not None:
        document["token_endpoint"] = f"{base}/oauth2/token"
        document["token_endpoint_auth_methods_supported"] = ["client_secret_basic", "client_secret_post"]
        document["userinfo_endpoint"] = f"{base}/oauth2/userInfo"
    return document


# Statements of every sign-in, refresh and access-token call, built once (building one took about as long
# as running it).
_KEY_IDS = (
    select(SigningKey.token_use, SigningKey.kid)
    .where(SigningKey.pool_id == bindparam("pool_id"))
    .order_by(SigningKey.created_at, SigningKey.token_use)
)


def _key_ids(db: Session, pool_id: str) -> dict[str, str]:
    """token_use -> kid of the pool's keys (the newest per use), without loading the key material."""
    rows = db.execute(_KEY_IDS, {"pool_id": pool_id})
    return {use: kid for use, kid in rows}


def loaded_key(db: Session, kid: str) -> LoadedKey:
    """The parsed key ``kid`` (a digest of its public key, so a cached entry is never stale)."""
    cached = _key_cache.get(kid)
    if cached is not None:
        return cached
    row = db.get(SigningKey, kid)
    assert row is not None
    return _load(row)


def pool_keys(ctx: Context, pool: UserPool) -> dict[str, LoadedKey]:
    kids = _key_ids(ctx.db, pool.id)
    if any(use not in kids for use in TOKEN_USES):
        ensure_signing_key(ctx, pool)
        kids = _key_ids(ctx.db, pool.id)
    return {use: loaded_key(ctx.db, kids[use]) for use in TOKEN_USES}
