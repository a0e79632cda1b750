"""User pool domain operations: a prefix or custom domain for the hosted pages and OAuth endpoints."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete

from emulator.protocol.context import Context
from emulator.store.models import UICustomization, UserPool, UserPoolDomain
from emulator.userpools import domains, pools
from emulator.userpools.operations import operation


@operation("CreateUserPoolDomain")
def create_user_pool_domain(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    row = domains.create(ctx, pool, request)
    return domains.created_view(row)


@operation("DescribeUserPoolDomain", writes=False)
def describe_user_pool_domain(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    row = ctx.db.get(UserPoolDomain, request["Domain"])
    pool = ctx.db.get(UserPool, row.pool_id) if row is not None else None
    if row is None or pool is None or pool.region != ctx.region:
        # Cognito answers a domain nobody holds (here: in this region) with an empty description.
        return {"DomainDescription": {}}
    return {"DomainDescription": domains.describe(ctx, row, pool.region)}


@operation("UpdateUserPoolDomain")
def update_user_pool_domain(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    row = domains.owned(ctx, pool, request["Domain"])
    domains.update(ctx, row, request)
    return domains.created_view(row)


@operation("DeleteUserPoolDomain")
def delete_user_pool_domain(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    ctx.db.delete(domains.owned(ctx, pool, request["Domain"]))
    # The hosted UI's customizations go with the domain, as in Cognito.
    ctx.db.execute(delete(UICustomization).where(UICustomization.pool_id == pool.id))
    return {}
