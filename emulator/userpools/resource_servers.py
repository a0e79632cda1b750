"""Resource servers: the custom OAuth scopes of a pool, ``<identifier>/<scope name>``."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select

from emulator.protocol.context import Context
from emulator.protocol.errors import (
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
)
from emulator.store.models import ResourceServer, UserPool

# Cognito's quota: resource servers per user pool (the model caps scopes per server at 100).
MAX_PER_POOL = 25


def get(ctx: Context, pool: UserPool, identifier: str) -> ResourceServer:
    server = ctx.db.get(ResourceServer, (pool.id, identifier))
    if server is None:
        raise ResourceNotFoundException(f"Resource server {identifier} does not exist.")
    return server


def check_scopes(scopes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The scopes as stored: names unique within the server."""
    seen: set[str] = set()
    for scope in scopes:
        if scope["ScopeName"] in seen:
            raise InvalidParameterException(f"Duplicate scope name {scope['ScopeName']}.")
        seen.add(scope["ScopeName"])
    return [{"ScopeName": s["ScopeName"], "ScopeDescription": s["ScopeDescription"]} for s in scopes]


def create(ctx: Context, pool: UserPool, request: dict[str, Any]) -> ResourceServer:
    identifier = request["Identifier"]
    if ctx.db.get(ResourceServer, (pool.id, identifier)) is not None:
        raise InvalidParameterException(f"{identifier} already exists in user pool {pool.id}.")
    count = len(
        list(ctx.db.scalars(select(ResourceServer.identifier).where(ResourceServer.pool_id == pool.id)))
    )
    if count >= MAX_PER_POOL:
        raise LimitExceededException(f"A user pool can have at most {MAX_PER_POOL} resource servers.")
    server = ResourceServer(
        pool_id=pool.id,
        identifier=identifier,
        name=request["Name"],
        scopes=check_scopes(request.get("Scopes") or []),
        created_at=ctx.now,
        modified_at=ctx.now,
    )
    ctx.db.add(server)
    ctx.db.flush()
    return server


def view(server: ResourceServer) -> dict[str, Any]:
    """ResourceServerType. Without scopes, Cognito leaves Scopes out."""
    result: dict[str, Any] = {
        "UserPoolId": server.pool_id,
        "Identifier": server.identifier,
        "Name": server.name,
    }
    if server.scopes:
        result["Scopes"] = copy.deepcopy(server.scopes)
    return result


def custom_scopes(ctx: Context, pool_id: str) -> set[str]:
    """Every ``<identifier>/<scope>`` the pool's resource servers define."""
    servers = ctx.db.scalars(select(ResourceServer).where(ResourceServer.pool_id == pool_id))
    return {f"{server.identifier}/{scope['ScopeName']}" for server in servers for scope in server.scopes}
