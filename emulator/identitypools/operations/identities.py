"""Identities: GetId, GetCredentialsForIdentity, GetOpenIdToken (what Amplify's fetchAuthSession calls), and
their management: DescribeIdentity, ListIdentities, DeleteIdentities, UnlinkIdentity."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from emulator.identitypools import access, credentials, identities, logins, openid, paging, pools, roles
from emulator.identitypools.operations import operation
from emulator.protocol.context import Context
from emulator.protocol.errors import InvalidParameterException, NotAuthorizedException
from emulator.store.models_identity import Identity, IdentityLogin

CLASSIC_FLOW_DISABLED = "Basic (classic) flow is not enabled, please use enhanced flow."


@operation("GetId")
def get_id(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["IdentityPoolId"])
    login_map = request.get("Logins", {})
    if not login_map:
        access.check_guest_allowed(pool)
        return {"IdentityId": identities.new_identity(ctx, pool).id}
    proven = logins.verify_logins(ctx, pool, login_map)
    return {"IdentityId": identities.resolve(ctx, pool, proven).id}


@operation("GetCredentialsForIdentity")
def get_credentials_for_identity(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    granted = access.authorize(ctx, request["IdentityId"], request.get("Logins", {}))
    role = roles.choose(
        granted.pool,
        granted.logins,
        authenticated=granted.authenticated,
        custom_role_arn=request.get("CustomRoleArn"),
    )
    ctx.log["role"] = role
    return {"IdentityId": granted.identity.id, "Credentials": credentials.issue(ctx, granted.identity, role)}


def amr(granted: access.Access) -> list[str]:
    """The ``amr`` claim of an identity's OpenID token, as Cognito Identity writes it."""
    if not granted.authenticated:
        return ["unauthenticated"]
    values = ["authenticated"]
    for login in granted.logins:
        if login.kind == "token":
            host = login.provider.split("/", 1)[0]
            values += [host, f"{login.provider}:CognitoSignIn:{login.subject}"]
        else:
            values += [item for item in login.claims.get("amr", []) if item != "authenticated"]
    return list(dict.fromkeys(values))


@operation("GetOpenIdToken")
def get_open_id_token(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    granted = access.authorize(ctx, request["IdentityId"], request.get("Logins", {}))
    if not granted.pool.config.get("AllowClassicFlow"):
        raise InvalidParameterException(CLASSIC_FLOW_DISABLED)
    token = openid.mint(
        ctx,
        pool_id=granted.pool.id,
        identity_id=granted.identity.id,
        amr=amr(granted),
        validity=openid.OPENID_TOKEN_VALIDITY,
    )
    return {"IdentityId": granted.identity.id, "Token": token}


@operation("DescribeIdentity", writes=False)
def describe_identity(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    return identities.describe(ctx, identities.get_identity(ctx, request["IdentityId"]))


@operation("ListIdentities", writes=False)
def list_identities(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["IdentityPoolId"])
    start = paging.offset(request.get("NextToken"))
    limit = request["MaxResults"]
    rows = list(
        ctx.db.scalars(
            select(Identity)
            .where(Identity.pool_id == pool.id)
            .order_by(Identity.created_at, Identity.id)
            .offset(start)
            .limit(limit + 1)
        )
    )
    result: dict[str, Any] = {
        "IdentityPoolId": pool.id,
        "Identities": [identities.describe(ctx, row) for row in rows[:limit]],
    }
    if len(rows) > limit:
        result["NextToken"] = paging.token(start + limit)
    return result


@operation("DeleteIdentities")
def delete_identities(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    # Identities that do not exist are simply not there afterwards, as in Cognito.
    for identity_id in request["IdentityIdsToDelete"]:
        identity = ctx.db.get(Identity, identity_id)
        if identity is not None:
            ctx.db.delete(identity)
    return {"UnprocessedIdentityIds": []}


@operation("UnlinkIdentity")
def unlink_identity(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    granted = access.authorize(ctx, request["IdentityId"], request["Logins"])
    if not granted.authenticated:
        raise NotAuthorizedException(access.LOGINS_DO_NOT_MATCH)
    names = set()
    for name in request["LoginsToRemove"]:
        user_pool = pools.user_pool_of_provider(name)
        names.add(pools.canonical_provider(user_pool) if user_pool else name)
    ctx.db.execute(
        delete(IdentityLogin).where(
            IdentityLogin.identity_id == granted.identity.id,
            IdentityLogin.provider.in_(names),
            IdentityLogin.kind == "token",
        )
    )
    granted.identity.modified_at = ctx.now
    return {}
