"""Identity pool operations: create, describe, update, delete, list, and their tags."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from emulator.identitypools import paging, pools
from emulator.identitypools.operations import operation
from emulator.protocol.context import Context
from emulator.store.models_identity import IdentityPool


@operation("CreateIdentityPool")
def create_identity_pool(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = IdentityPool(
        id=pools.new_pool_id(ctx.region),
        region=ctx.region,
        name=request["IdentityPoolName"],
        config=pools.settings_from(request),
        tags=dict(request.get("IdentityPoolTags", {})),
        roles={},
        role_mappings={},
        principal_tags={},
        created_at=ctx.now,
        modified_at=ctx.now,
    )
    ctx.db.add(pool)
    ctx.db.flush()
    ctx.log["identity_pool"] = pool.id
    return pools.view(pool)


@operation("DescribeIdentityPool", writes=False)
def describe_identity_pool(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    return pools.view(pools.get_pool(ctx, request["IdentityPoolId"]))


@operation("UpdateIdentityPool")
def update_identity_pool(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["IdentityPoolId"])
    pool.config = pools.settings_from(request, pool.config)
    pool.name = request["IdentityPoolName"]
    if "IdentityPoolTags" in request:
        pool.tags = dict(request["IdentityPoolTags"])
    pool.modified_at = ctx.now
    return pools.view(pool)


@operation("DeleteIdentityPool")
def delete_identity_pool(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["IdentityPoolId"])
    # Its identities, their logins and credentials go with it (ondelete="CASCADE").
    ctx.db.delete(pool)
    return {}


@operation("ListIdentityPools", writes=False)
def list_identity_pools(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    start = paging.offset(request.get("NextToken"))
    limit = request["MaxResults"]
    rows = list(
        ctx.db.scalars(
            select(IdentityPool)
            .where(IdentityPool.region == ctx.region)
            .order_by(IdentityPool.created_at, IdentityPool.id)
            .offset(start)
            .limit(limit + 1)
        )
    )
    result: dict[str, Any] = {
        "IdentityPools": [{"IdentityPoolId": row.id, "IdentityPoolName": row.name} for row in rows[:limit]]
    }
    if len(rows) > limit:
        result["NextToken"] = paging.token(start + limit)
    return result


@operation("TagResource")
def tag_resource(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.pool_of_arn(ctx, request["ResourceArn"])
    pool.tags = {**(pool.tags or {}), **request["Tags"]}
    return {}


@operation("UntagResource")
def untag_resource(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.pool_of_arn(ctx, request["ResourceArn"])
    pool.tags = {key: value for key, value in (pool.tags or {}).items() if key not in request["TagKeys"]}
    return {}


@operation("ListTagsForResource", writes=False)
def list_tags_for_resource(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.pool_of_arn(ctx, request["ResourceArn"])
    return {"Tags": dict(pool.tags or {})}
