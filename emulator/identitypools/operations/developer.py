"""Developer-authenticated identities: a backend (signed with IAM credentials) names its users by the pool's
DeveloperProviderName and a user identifier of its own; the OpenID token it gets back is the login the app
then presents (``cognito-identity.amazonaws.com``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from emulator.identitypools import identities, logins, openid, paging, pools
from emulator.identitypools.operations import operation
from emulator.protocol.context import Context
from emulator.protocol.errors import (
    DeveloperUserAlreadyRegisteredException,
    InvalidParameterException,
    NotAuthorizedException,
    ResourceConflictException,
    ResourceNotFoundException,
)
from emulator.store.models_identity import Identity, IdentityLogin, IdentityPool

DEVELOPER = "developer"


def _developer_provider(pool: IdentityPool, name: str | None = None) -> str:
    configured = pool.config.get("DeveloperProviderName")
    if not configured:
        raise NotAuthorizedException("Developer authentication is not enabled for this identity pool.")
    if name is not None and name != configured:
        raise NotAuthorizedException(f"Invalid developer provider name: {name}")
    return configured


def _identity_in(ctx: Context, pool: IdentityPool, identity_id: str) -> Identity:
    identity = identities.get_identity(ctx, identity_id)
    if identity.pool_id != pool.id:
        raise ResourceNotFoundException(f"Identity '{identity_id}' not found.")
    return identity


def _developer_login(ctx: Context, pool: IdentityPool, provider: str, user: str) -> IdentityLogin | None:
    return identities.find_login(ctx, pool.id, provider, user)


@operation("GetOpenIdTokenForDeveloperIdentity")
def get_open_id_token_for_developer_identity(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["IdentityPoolId"])
    provider = _developer_provider(pool)
    login_map = dict(request["Logins"])
    developer_user = login_map.pop(provider, None)
    if developer_user is None:
        raise InvalidParameterException(f"Logins must contain the developer provider name {provider}.")
    proven = logins.verify_logins(ctx, pool, login_map)
    row = _developer_login(ctx, pool, provider, developer_user)
    given = _identity_in(ctx, pool, request["IdentityId"]) if "IdentityId" in request else None
    if row is not None:
        identity = ctx.db.get(Identity, row.identity_id)
        assert identity is not None
        if given is not None and given.id != identity.id:
            raise DeveloperUserAlreadyRegisteredException(
                f"The developer user identifier {developer_user} is already linked to identity {identity.id}."
            )
    else:
        identity = given if given is not None else identities.resolve(ctx, pool, proven) if proven else None
        if identity is None:
            identity = identities.new_identity(ctx, pool)
        identities.link(ctx, identity, provider, developer_user, DEVELOPER)
    for login in identities.user_pool_logins(proven):
        existing = identities.find_login(ctx, pool.id, login.provider, login.subject)
        if existing is None:
            identities.link(ctx, identity, login.provider, login.subject, login.kind)
        elif existing.identity_id != identity.id:
            raise ResourceConflictException(f"Login {login.provider} is already linked to another identity.")
    amr = ["authenticated", provider, f"{provider}:{pool.id}:{developer_user}"]
    duration = request.get("TokenDuration")
    validity = openid.DEVELOPER_TOKEN_VALIDITY if duration is None else timedelta(seconds=duration)
    token = openid.mint(
        ctx,
        pool_id=pool.id,
        identity_id=identity.id,
        amr=amr,
        validity=validity,
        principal_tags=request.get("PrincipalTags"),
    )
    return {"IdentityId": identity.id, "Token": token}


@operation("LookupDeveloperIdentity", writes=False)
def lookup_developer_identity(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["IdentityPoolId"])
    provider = _developer_provider(pool)
    if "IdentityId" not in request and "DeveloperUserIdentifier" not in request:
        raise InvalidParameterException("Either IdentityId or DeveloperUserIdentifier must be given.")
    identity: Identity | None = None
    if "DeveloperUserIdentifier" in request:
        row = _developer_login(ctx, pool, provider, request["DeveloperUserIdentifier"])
        if row is None:
            raise ResourceNotFoundException("Developer user identifier not found.")
        identity = ctx.db.get(Identity, row.identity_id)
    if "IdentityId" in request:
        named = _identity_in(ctx, pool, request["IdentityId"])
        if identity is not None and identity.id != named.id:
            raise ResourceConflictException(
                "The developer user identifier is linked to a different identity."
            )
        identity = named
    assert identity is not None
    users = list(
        ctx.db.scalars(
            select(IdentityLogin.subject)
            .where(IdentityLogin.identity_id == identity.id, IdentityLogin.provider == provider)
            .order_by(IdentityLogin.created_at, IdentityLogin.id)
        )
    )
    start = paging.offset(request.get("NextToken"))
    limit = request.get("MaxResults", 60)
    result: dict[str, Any] = {
        "IdentityId": identity.id,
        "DeveloperUserIdentifierList": users[start : start + limit],
    }
    if len(users) > start + limit:
        result["NextToken"] = paging.token(start + limit)
    return result


@operation("MergeDeveloperIdentities")
def merge_developer_identities(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["IdentityPoolId"])
    provider = _developer_provider(pool, request["DeveloperProviderName"])
    source = _developer_login(ctx, pool, provider, request["SourceUserIdentifier"])
    destination = _developer_login(ctx, pool, provider, request["DestinationUserIdentifier"])
    if source is None or destination is None:
        raise ResourceNotFoundException("Developer user identifier not found.")
    target = ctx.db.get(Identity, destination.identity_id)
    other = ctx.db.get(Identity, source.identity_id)
    assert target is not None and other is not None
    identities.merge(ctx, target, other)
    return {"IdentityId": target.id}


@operation("UnlinkDeveloperIdentity")
def unlink_developer_identity(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["IdentityPoolId"])
    provider = _developer_provider(pool, request["DeveloperProviderName"])
    identity = _identity_in(ctx, pool, request["IdentityId"])
    row = _developer_login(ctx, pool, provider, request["DeveloperUserIdentifier"])
    if row is None or row.identity_id != identity.id:
        raise ResourceNotFoundException("Developer user identifier not found for this identity.")
    ctx.db.delete(row)
    identity.modified_at = ctx.now
    return {}
