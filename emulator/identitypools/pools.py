"""Identity pools: ids, settings as the API shows them, lookups, the ARN, and the providers a pool trusts."""

from __future__ import annotations

import re
import uuid
from typing import Any

from emulator.protocol.context import Context
from emulator.protocol.errors import InvalidParameterException, ResourceNotFoundException
from emulator.store.models_identity import IdentityPool

# The settings CreateIdentityPool / UpdateIdentityPool take (IdentityPoolTags aside), with what AWS shows
# for one not given.
_LIST_SETTINGS = ("OpenIdConnectProviderARNs", "CognitoIdentityProviders", "SamlProviderARNs")
_AWS_PROVIDER = re.compile(r"cognito-idp\.([a-z0-9-]+)\.amazonaws\.com/([\w-]+_[0-9A-Za-z]+)")
# The emulator's issuer without its scheme: host[:port][/path]/<pool id>, the pool id <region>_<id>.
_LOCAL_PROVIDER = re.compile(r"[A-Za-z0-9.\[\]:-]+(?:/[\w.~-]+)*/([a-z]{2}(?:-gov)?-[a-z]+-\d_[0-9A-Za-z]+)")
_ARN = re.compile(r"arn:aws[\w-]*:cognito-identity:([a-z0-9-]+):(\d{12}):identitypool/(.+)")
ROLE_ARN = re.compile(r"arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]+")
DEVELOPER_LOGIN = "cognito-identity.amazonaws.com"


def new_pool_id(region: str) -> str:
    return f"{region}:{uuid.uuid4()}"


def region_of(identity_or_pool_id: str) -> str:
    return identity_or_pool_id.split(":", 1)[0]


def get_pool(ctx: Context, pool_id: str) -> IdentityPool:
    pool = ctx.db.get(IdentityPool, pool_id)
    if pool is None:
        raise ResourceNotFoundException(f"IdentityPool '{pool_id}' not found.")
    ctx.log.setdefault("identity_pool", pool.id)
    return pool


def arn(ctx: Context, pool: IdentityPool) -> str:
    return f"arn:aws:cognito-identity:{pool.region}:{ctx.account_id}:identitypool/{pool.id}"


def pool_of_arn(ctx: Context, resource_arn: str) -> IdentityPool:
    match = _ARN.fullmatch(resource_arn)
    pool = ctx.db.get(IdentityPool, match.group(3)) if match else None
    if match is None or pool is None or match.group(2) != ctx.account_id:
        raise ResourceNotFoundException(f"Resource '{resource_arn}' not found.")
    return pool


def settings_from(request: dict[str, Any], previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """A pool's settings from a Create/UpdateIdentityPool request, checked; what is not given is reset to
    its default (as UpdateIdentityPool does), except a developer provider name, which never changes."""
    config: dict[str, Any] = {"AllowUnauthenticatedIdentities": request["AllowUnauthenticatedIdentities"]}
    if "AllowClassicFlow" in request:
        config["AllowClassicFlow"] = request["AllowClassicFlow"]
    config["SupportedLoginProviders"] = dict(request.get("SupportedLoginProviders", {}))
    developer = request.get("DeveloperProviderName")
    old_developer = (previous or {}).get("DeveloperProviderName")
    if old_developer is not None and developer is not None and developer != old_developer:
        raise InvalidParameterException("Developer provider name cannot be changed once set.")
    if developer is None:
        developer = old_developer
    if developer is not None:
        if developer == DEVELOPER_LOGIN or developer.startswith(("cognito-idp.", "cognito-identity.")):
            raise InvalidParameterException(f"Invalid developer provider name: {developer}")
        config["DeveloperProviderName"] = developer
    for name in ("OpenIdConnectProviderARNs", "SamlProviderARNs"):
        config[name] = list(request.get(name, []))
    providers = []
    seen = set()
    for item in request.get("CognitoIdentityProviders", []):
        name, client_id = item.get("ProviderName"), item.get("ClientId")
        if not name or not client_id:
            raise InvalidParameterException(
                "CognitoIdentityProvider must have a ProviderName and a ClientId."
            )
        if user_pool_of_provider(name) is None:
            raise InvalidParameterException(f"Invalid Cognito Identity Provider name: {name}")
        if (name, client_id) in seen:
            raise InvalidParameterException(f"Duplicate CognitoIdentityProvider: {name} {client_id}")
        seen.add((name, client_id))
        providers.append(
            {
                "ProviderName": name,
                "ClientId": client_id,
                "ServerSideTokenCheck": bool(item.get("ServerSideTokenCheck", False)),
            }
        )
    config["CognitoIdentityProviders"] = providers
    return config


def user_pool_of_provider(name: str) -> str | None:
    """The user pool id a CognitoIdentityProviders name stands for: ``cognito-idp.<region>.amazonaws.com/<pool
    id>`` (AWS's name, as amplify_outputs.json, CDK and the console write it) or the emulator's own issuer
    without its scheme (what Amplify sends: ``127.0.0.1:9229/<pool id>``). None when it is neither."""
    match = _AWS_PROVIDER.fullmatch(name)
    if match:
        return match.group(2)
    if name.startswith("cognito-"):
        return None
    match = _LOCAL_PROVIDER.fullmatch(name)
    return match.group(1) if match else None


def canonical_provider(user_pool_id: str) -> str:
    """The name Cognito Identity gives a user pool provider: ``cognito-idp.<region>.amazonaws.com/<pool id>``."""
    return f"cognito-idp.{user_pool_id.split('_', 1)[0]}.amazonaws.com/{user_pool_id}"


def view(pool: IdentityPool) -> dict[str, Any]:
    """The IdentityPool shape of Create/Describe/UpdateIdentityPool."""
    config = pool.config
    out: dict[str, Any] = {
        "IdentityPoolId": pool.id,
        "IdentityPoolName": pool.name,
        "AllowUnauthenticatedIdentities": config["AllowUnauthenticatedIdentities"],
    }
    if "AllowClassicFlow" in config:
        out["AllowClassicFlow"] = config["AllowClassicFlow"]
    out["SupportedLoginProviders"] = dict(config.get("SupportedLoginProviders", {}))
    if config.get("DeveloperProviderName"):
        out["DeveloperProviderName"] = config["DeveloperProviderName"]
    for name in _LIST_SETTINGS:
        out[name] = [dict(item) if isinstance(item, dict) else item for item in config.get(name, [])]
    out["IdentityPoolTags"] = dict(pool.tags or {})
    return out
