"""The role an identity's credentials are for: the pool's roles and its role mappings.

A role mapping is keyed by the provider, for a user pool ``cognito-idp.<region>.amazonaws.com/<pool
id>:<app client id>`` (the emulator's issuer-form name is accepted too). ``Token`` takes the role from the ID
token: CustomRoleArn when it is one of ``cognito:roles``, else ``cognito:preferred_role``. ``Rules`` takes the
RoleARN of the first rule whose claim matches. When neither decides, AmbiguousRoleResolution does: the
pool's authenticated role, or ``Deny``.
"""

from __future__ import annotations

from typing import Any

from emulator.identitypools import pools
from emulator.identitypools.logins import Login
from emulator.protocol.errors import (
    InvalidIdentityPoolConfigurationException,
    InvalidParameterException,
    NotAuthorizedException,
)
from emulator.store.models_identity import IdentityPool

INVALID_CONFIGURATION = "Invalid identity pool configuration. Check assigned IAM roles for this pool."
DENIED = "The ambiguous role mapping rules denied this request."


def _pool_role(pool: IdentityPool, kind: str) -> str:
    role = (pool.roles or {}).get(kind)
    if not role:
        raise InvalidIdentityPoolConfigurationException(INVALID_CONFIGURATION)
    return role


def _mapping_for(pool: IdentityPool, login: Login) -> dict[str, Any] | None:
    mappings = pool.role_mappings or {}
    for key, mapping in mappings.items():
        name, _, client_id = key.rpartition(":")
        if (
            login.client_id is not None
            and client_id == login.client_id
            and pools.user_pool_of_provider(name) is not None
            and pools.canonical_provider(pools.user_pool_of_provider(name) or "") == login.provider
        ):
            return mapping
        if key == login.provider and login.kind != "token":
            return mapping
    return None


def _matches(rule: dict[str, Any], claims: dict[str, Any]) -> bool:
    if rule["Claim"] not in claims:
        return False
    claim = claims[rule["Claim"]]
    values = [str(item) for item in claim] if isinstance(claim, list) else [_text(claim)]
    wanted, kind = rule["Value"], rule["MatchType"]
    if kind == "Equals":
        return wanted in values
    if kind == "Contains":
        return any(wanted in value for value in values)
    if kind == "StartsWith":
        return any(value.startswith(wanted) for value in values)
    if kind == "NotEqual":
        return wanted not in values
    return False


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _from_mapping(mapping: dict[str, Any], claims: dict[str, Any], custom_role_arn: str | None) -> str | None:
    if mapping["Type"] == "Token":
        roles = claims.get("cognito:roles") or []
        if custom_role_arn and custom_role_arn in roles:
            return custom_role_arn
        preferred = claims.get("cognito:preferred_role")
        return preferred if isinstance(preferred, str) and preferred else None
    for rule in mapping.get("RulesConfiguration", {}).get("Rules", []):
        if _matches(rule, claims):
            return rule["RoleARN"]
    return None


def choose(
    pool: IdentityPool, logins: list[Login], *, authenticated: bool, custom_role_arn: str | None = None
) -> str:
    if not authenticated:
        return _pool_role(pool, "unauthenticated")
    for login in logins:
        mapping = _mapping_for(pool, login)
        if mapping is None:
            continue
        role = _from_mapping(mapping, login.claims, custom_role_arn)
        if role is not None:
            return role
        if mapping.get("AmbiguousRoleResolution") == "Deny":
            raise NotAuthorizedException(DENIED)
        return _pool_role(pool, "authenticated")
    return _pool_role(pool, "authenticated")


def check_roles(pool: IdentityPool, roles: dict[str, str], mappings: dict[str, Any]) -> None:
    """SetIdentityPoolRoles' rules beyond the model's shapes."""
    for kind, role in roles.items():
        if not pools.ROLE_ARN.fullmatch(role):
            raise InvalidParameterException(f"Invalid {kind} role ARN: {role}")
    providers = {
        f"{pools.canonical_provider(user_pool)}:{item['ClientId']}"
        for item in pool.config.get("CognitoIdentityProviders", [])
        if (user_pool := pools.user_pool_of_provider(item["ProviderName"]))
    }
    others = set(pool.config.get("SupportedLoginProviders", {})) | {
        arn.rsplit("/", 1)[-1]
        for arn in pool.config.get("OpenIdConnectProviderARNs", []) + pool.config.get("SamlProviderARNs", [])
    }
    for key, mapping in mappings.items():
        name, _, client_id = key.rpartition(":")
        user_pool = pools.user_pool_of_provider(name) if name else None
        canonical = f"{pools.canonical_provider(user_pool)}:{client_id}" if user_pool else key
        if canonical not in providers and key not in others:
            raise InvalidParameterException(
                f"Role mapping key {key} does not match a provider of identity pool {pool.id}."
            )
        kind = mapping["Type"]
        if "AmbiguousRoleResolution" not in mapping:
            raise InvalidParameterException(
                "AmbiguousRoleResolution must be specified for role mappings of type Token or Rules."
            )
        if kind == "Rules" and not mapping.get("RulesConfiguration"):
            raise InvalidParameterException(
                "RulesConfiguration is required for a role mapping of type Rules."
            )
        if kind == "Token" and mapping.get("RulesConfiguration"):
            raise InvalidParameterException("RulesConfiguration is only used by role mappings of type Rules.")
        for rule in mapping.get("RulesConfiguration", {}).get("Rules", []):
            if not pools.ROLE_ARN.fullmatch(rule["RoleARN"]):
                raise InvalidParameterException(f"Invalid role ARN in a mapping rule: {rule['RoleARN']}")
