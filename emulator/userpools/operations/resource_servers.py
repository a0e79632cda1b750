"""Resource server operations: the custom scopes app clients may be given."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from emulator.protocol.context import Context
from emulator.store.models import ResourceServer
from emulator.userpools import pools, resource_servers
from emulator.userpools.operations import operation

DEFAULT_PAGE = 50


@operation("CreateResourceServer")
def create_resource_server(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    return {"ResourceServer": resource_servers.view(resource_servers.create(ctx, pool, request))}


@operation("DescribeResourceServer", writes=False)
def describe_resource_server(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    return {"ResourceServer": resource_servers.view(resource_servers.get(ctx, pool, request["Identifier"]))}


@operation("UpdateResourceServer")
def update_resource_server(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    server = resource_servers.get(ctx, pool, request["Identifier"])
    # As with the other updates, the request replaces the whole definition: scopes left out are gone.
    server.name = request["Name"]
    server.scopes = resource_servers.check_scopes(request.get("Scopes") or [])
    server.modified_at = ctx.now
    return {"ResourceServer": resource_servers.view(server)}


@operation("DeleteResourceServer")
def delete_resource_server(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    ctx.db.delete(resource_servers.get(ctx, pool, request["Identifier"]))
    return {}


@operation("ListResourceServers", writes=False)
def list_resource_servers(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    limit = request.get("MaxResults") or DEFAULT_PAGE
    query = (
        select(ResourceServer).where(ResourceServer.pool_id == pool.id).order_by(ResourceServer.identifier)
    )
    if request.get("NextToken"):
        query = query.where(ResourceServer.identifier > pools.decode_token(request["NextToken"]))
    rows = list(ctx.db.scalars(query.limit(limit + 1)))
    result: dict[str, Any] = {"ResourceServers": [resource_servers.view(row) for row in rows[:limit]]}
    if len(rows) > limit:
        result["NextToken"] = pools.encode_token(rows[limit - 1].identifier)
    return result
