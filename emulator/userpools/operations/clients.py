"""App client operations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from emulator import ids
from emulator.protocol.context import Context
from emulator.protocol.errors import InvalidParameterException
from emulator.store.models import ManagedLoginBranding, UICustomization, UserPoolClient
from emulator.userpools import client_oauth, pools
from emulator.userpools.operations import operation


@operation("CreateUserPoolClient")
def create_user_pool_client(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    secret = None
    if request.get("ClientSecret"):
        if not request.get("GenerateSecret"):
            raise InvalidParameterException("ClientSecret can only be set when GenerateSecret is true.")
        secret = request["ClientSecret"]
    elif request.get("GenerateSecret"):
        secret = ids.client_secret()
    client = pools.create_client(ctx, pool, request, secret=secret)
    return {"UserPoolClient": pools.describe_client(client)}


@operation("DescribeUserPoolClient", writes=False)
def describe_user_pool_client(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    client = pools.get_client(ctx, pool, request["ClientId"])
    return {"UserPoolClient": pools.describe_client(client)}


@operation("UpdateUserPoolClient")
def update_user_pool_client(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    client = pools.get_client(ctx, pool, request["ClientId"])
    pools.check_client_attributes(pool, request, "updating")
    # As in AWS, settings the update leaves out go back to their defaults.
    config = pools.client_settings(request)
    client_oauth.check(ctx, pool, config, has_secret=bool(client.secret))
    client.config = config
    if request.get("ClientName"):
        client.name = request["ClientName"]
    client.modified_at = ctx.now
    return {"UserPoolClient": pools.describe_client(client)}


@operation("DeleteUserPoolClient")
def delete_user_pool_client(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    client = pools.get_client(ctx, pool, request["ClientId"])
    # The client's own hosted UI customization and managed login branding go with it.
    for model in (UICustomization, ManagedLoginBranding):
        ctx.db.execute(delete(model).where(model.pool_id == pool.id, model.client_id == client.id))
    ctx.db.delete(client)
    return {}


@operation("ListUserPoolClients", writes=False)
def list_user_pool_clients(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    limit = request.get("MaxResults") or 60
    query = select(UserPoolClient).where(UserPoolClient.pool_id == pool.id).order_by(UserPoolClient.id)
    if request.get("NextToken"):
        query = query.where(UserPoolClient.id > pools.decode_token(request["NextToken"]))
    rows = list(ctx.db.scalars(query.limit(limit + 1)))
    result: dict[str, Any] = {
        "UserPoolClients": [
            {"ClientId": client.id, "UserPoolId": client.pool_id, "ClientName": client.name}
            for client in rows[:limit]
        ]
    }
    if len(rows) > limit:
        result["NextToken"] = pools.encode_token(rows[limit - 1].id)
    return result
