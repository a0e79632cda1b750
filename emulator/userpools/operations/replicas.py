"""Multi-region replicas of a pool: CreateUserPoolReplica, ListUserPoolReplicas, UpdateUserPoolReplica,
DeleteUserPoolReplica. Recorded only: nothing is copied to the other region. A new replica is CREATING in the
answer to its creation and ACTIVE from the next request on."""

from __future__ import annotations

from typing import Any

from emulator.clock import as_utc
from emulator.protocol.context import Context
from emulator.protocol.errors import (
    FeatureUnavailableInTierException,
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
)
from emulator.store.models import UserPool
from emulator.store.models_records import PoolRecord
from emulator.userpools import pool_records, pools
from emulator.userpools.operations import operation

KIND = "replica"
MAX_REPLICAS = 4


def _arn(ctx: Context, pool: UserPool, region: str) -> str:
    return f"arn:aws:cognito-idp:{region}:{ctx.account_id}:userpool/{pool.id}"


def _status(ctx: Context, row: PoolRecord) -> str:
    if row.status == "CREATING" and ctx.now > as_utc(row.modified_at):
        return "ACTIVE"
    return row.status or "ACTIVE"


def _view(ctx: Context, pool: UserPool, row: PoolRecord, status: str | None = None) -> dict[str, Any]:
    return {
        "RegionName": row.name,
        "Status": status or _status(ctx, row),
        "Role": "SECONDARY",
        "UserPoolArn": _arn(ctx, pool, row.name or ""),
    }


def _get(ctx: Context, pool: UserPool, region: str) -> PoolRecord:
    row = pool_records.find(ctx.db, KIND, pool.id, name=region)
    if row is None:
        raise ResourceNotFoundException(f"User pool {pool.id} has no replica in {region}.")
    return row


@operation("CreateUserPoolReplica")
def create_user_pool_replica(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    region = request["RegionName"]
    if pool.config.get("UserPoolTier") == "LITE":
        raise FeatureUnavailableInTierException("Replicas are not available in the LITE tier.")
    if region == pool.region:
        raise InvalidParameterException(f"The user pool's primary region {region} cannot hold a replica.")
    if pool_records.find(ctx.db, KIND, pool.id, name=region) is not None:
        raise InvalidParameterException(f"User pool {pool.id} already has a replica in {region}.")
    if len(pool_records.all_of(ctx.db, KIND, pool.id)) >= MAX_REPLICAS:
        raise LimitExceededException(f"A user pool can have at most {MAX_REPLICAS} replicas.")
    document = {"UserPoolTags": dict(request.get("UserPoolTags") or {})}
    row = pool_records.add(
        ctx.db, KIND, f"{pool.id}:{region}", pool.id, document, ctx.now, name=region, status="CREATING"
    )
    return {"UserPoolReplica": _view(ctx, pool, row, "CREATING")}


@operation("ListUserPoolReplicas", writes=False)
def list_user_pool_replicas(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    rows, following = pool_records.page(
        pool_records.all_of(ctx.db, KIND, pool.id), request.get("NextToken"), 60
    )
    primary = {
        "RegionName": pool.region,
        "Status": "ACTIVE",
        "Role": "PRIMARY",
        "UserPoolArn": pools.pool_arn(ctx, pool),
    }
    replicas = ([primary] if not request.get("NextToken") else []) + [_view(ctx, pool, row) for row in rows]
    result: dict[str, Any] = {"UserPoolReplicas": replicas}
    if following:
        result["NextToken"] = following
    return result


@operation("UpdateUserPoolReplica")
def update_user_pool_replica(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    row = _get(ctx, pool, request["RegionName"])
    if _status(ctx, row) == "CREATING":
        raise InvalidParameterException(f"The replica in {row.name} is still being created.")
    row.status = request["Status"]
    row.modified_at = ctx.now
    return {"UserPoolReplica": _view(ctx, pool, row)}


@operation("DeleteUserPoolReplica")
def delete_user_pool_replica(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    row = _get(ctx, pool, request["RegionName"])
    view = _view(ctx, pool, row, "DELETING")
    ctx.db.delete(row)
    return {"UserPoolReplica": view}
