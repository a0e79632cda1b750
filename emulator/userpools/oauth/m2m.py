"""Machine-to-machine access tokens: the client_credentials grant of /oauth2/token and GetClientToken.

The token is the client's own: ``sub`` and ``client_id`` are the client id, ``scope`` the granted custom
scopes, no ``username``, and there is no ID or refresh token. A PreTokenGeneration trigger of event version
V3_0 runs with ``TokenGeneration_ClientCredentials`` (Cognito sends M2M tokens only to V3 triggers) and may
add claims and add or suppress scopes of the access token.
"""

from __future__ import annotations

import uuid
from typing import Any

from emulator.protocol.context import Context
from emulator.store.models import UserPool, UserPoolClient
from emulator.userpools import pools
from emulator.userpools.tokens.keys import issuer, pool_keys
from emulator.userpools.tokens.minting import UnsignedToken
from emulator.userpools.triggers.events import base_event
from emulator.userpools.triggers.invoke import configured, invoke

SOURCE = "TokenGeneration_ClientCredentials"
# Claims a trigger may not change (Cognito ignores such overrides).
_PROTECTED = {"sub", "iss", "exp", "iat", "auth_time", "token_use", "jti", "client_id", "version", "scope"}


def _trigger(
    ctx: Context, pool: UserPool, client: UserPoolClient, scopes: list[str], metadata: dict[str, str] | None
) -> tuple[dict[str, Any], list[str]]:
    """(claims to set, None to remove; the scopes) after a V3 PreTokenGeneration trigger, if any."""
    config = pool.config.get("LambdaConfig") or {}
    version = (config.get("PreTokenGenerationConfig") or {}).get("LambdaVersion", "V1_0")
    if version != "V3_0" or not configured(pool, "PreTokenGeneration"):
        return {}, scopes
    request = {"userAttributes": {}, "scopes": list(scopes), "clientMetadata": metadata or {}}
    event = base_event(ctx, pool, SOURCE, None, client.id, request, version="3")  # type: ignore[arg-type]
    answer = invoke(ctx, pool, "PreTokenGeneration", event)
    details = ((answer.get("response") or {}).get("claimsAndScopeOverrideDetails") or {}).get(
        "accessTokenGeneration"
    ) or {}
    claims: dict[str, Any] = {}
    for name, value in (details.get("claimsToAddOrOverride") or {}).items():
        if name not in _PROTECTED:
            claims[name] = value
    for name in details.get("claimsToSuppress") or []:
        if name not in _PROTECTED:
            claims[name] = None
    added = [scope for scope in details.get("scopesToAdd") or [] if scope not in scopes]
    suppressed = set(details.get("scopesToSuppress") or [])
    return claims, [scope for scope in [*scopes, *added] if scope not in suppressed]


def client_token(
    ctx: Context,
    pool: UserPool,
    client: UserPoolClient,
    scopes: list[str],
    *,
    client_metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    """``{"AccessToken": UnsignedToken, "ExpiresIn", "TokenType"}`` for the client itself."""
    override, scopes = _trigger(ctx, pool, client, scopes, client_metadata)
    keys = pool_keys(ctx, pool)
    iat = int(ctx.now.timestamp())
    lifetime = pools.token_validity_seconds(client, "AccessToken")
    claims: dict[str, Any] = {
        "sub": client.id,
        "token_use": "access",
        "scope": " ".join(scopes),
        "auth_time": iat,
        "iss": issuer(ctx, pool),
        "exp": iat + lifetime,
        "iat": iat,
        "version": 2,
        "jti": str(uuid.uuid4()),
        "client_id": client.id,
    }
    for name, value in override.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    ctx.log.setdefault("pool", pool.id)
    return {
        "AccessToken": UnsignedToken(claims, keys["access"]),
        "ExpiresIn": lifetime,
        "TokenType": "Bearer",
    }
