"""Roles and role mappings (Get/SetIdentityPoolRoles), principal tag maps (Get/SetPrincipalTagAttributeMap)."""

from __future__ import annotations

from typing import Any

from emulator.identitypools import pools, roles
from emulator.identitypools.operations import operation
from emulator.protocol.context import Context
from emulator.protocol.errors import InvalidParameterException, ResourceNotFoundException
from emulator.store.models_identity import IdentityPool

# What Cognito maps a user pool's claims to when a provider uses the default principal tags.
_DEFAULT_TAGS = {"username": "sub", "client": "aud"}


@operation("SetIdentityPoolRoles")
def set_identity_pool_roles(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["IdentityPoolId"])
    mappings = request.get("RoleMappings", {})
    roles.check_roles(pool, request["Roles"], mappings)
    pool.roles = dict(request["Roles"])
    pool.role_mappings = {key: dict(value) for key, value in mappings.items()}
    pool.modified_at = ctx.now
    return {}


@operation("GetIdentityPoolRoles", writes=False)
def get_identity_pool_roles(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["IdentityPoolId"])
    result: dict[str, Any] = {"IdentityPoolId": pool.id, "Roles": dict(pool.roles or {})}
    if pool.role_mappings:
        result["RoleMappings"] = dict(pool.role_mappings)
    return result


def _provider(pool: IdentityPool, name: str) -> str:
    """The provider a principal tag map is for: one the pool trusts."""
    config = pool.config
    user_pools = {
        pools.user_pool_of_provider(item["ProviderName"])
        for item in config.get("CognitoIdentityProviders", [])
    }
    user_pool = pools.user_pool_of_provider(name)
    others = set(config.get("SupportedLoginProviders", {})) | set(config.get("OpenIdConnectProviderARNs", []))
    others |= set(config.get("SamlProviderARNs", []))
    if (user_pool is not None and user_pool in user_pools) or name in others:
        return pools.canonical_provider(user_pool) if user_pool else name
    raise ResourceNotFoundException(
        f"Identity provider '{name}' is not configured for identity pool {pool.id}."
    )


def _view(pool: IdentityPool, name: str, key: str) -> dict[str, Any]:
    stored = (pool.principal_tags or {}).get(key)
    use_defaults = stored["UseDefaults"] if stored else False
    tags = dict(stored.get("PrincipalTags", {})) if stored else {}
    if use_defaults and not tags and pools.user_pool_of_provider(name):
        tags = dict(_DEFAULT_TAGS)
    return {
        "IdentityPoolId": pool.id,
        "IdentityProviderName": name,
        "UseDefaults": use_defaults,
        "PrincipalTags": tags,
    }


@operation("SetPrincipalTagAttributeMap")
def set_principal_tag_attribute_map(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["IdentityPoolId"])
    name = request["IdentityProviderName"]
    key = _provider(pool, name)
    use_defaults = bool(request.get("UseDefaults", False))
    tags = dict(request.get("PrincipalTags", {}))
    if use_defaults and tags:
        raise InvalidParameterException("PrincipalTags cannot be set when UseDefaults is true.")
    pool.principal_tags = {
        **(pool.principal_tags or {}),
        key: {"UseDefaults": use_defaults, "PrincipalTags": tags},
    }
    return _view(pool, name, key)


@operation("GetPrincipalTagAttributeMap", writes=False)
def get_principal_tag_attribute_map(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["IdentityPoolId"])
    name = request["IdentityProviderName"]
    return _view(pool, name, _provider(pool, name))
