"""User pool operations: create, describe, update, delete, list, custom attributes, MFA config, tags."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select

from emulator.protocol.context import Context
from emulator.protocol.errors import InvalidParameterException, ResourceNotFoundException
from emulator.store.models import UserPool
from emulator.userpools import domains, passkeys, pools, tokens
from emulator.userpools.operations import operation


@operation("CreateUserPool")
def create_user_pool(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.create_pool(ctx, request)
    ctx.log["pool"] = pool.id
    return {"UserPool": pools.describe_pool(ctx, pool)}


@operation("DescribeUserPool", writes=False)
def describe_user_pool(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    return {"UserPool": pools.describe_pool(ctx, pool)}


@operation("UpdateUserPool")
def update_user_pool(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    # As in AWS, settings the update leaves out go back to their defaults; what is fixed at creation stays.
    config = pools.pool_defaults()
    for key in (*pools.CREATE_ONLY_POOL_SETTINGS, "SchemaAttributes", *pools.MFA_FACTOR_SETTINGS):
        if key in pool.config:
            config[key] = pool.config[key]
    config = pools.apply_pool_settings(config, request)
    if config.get("MfaConfiguration") == "OFF":
        for key in pools.MFA_FACTOR_SETTINGS:
            config.pop(key, None)
    pool.config = config
    if request.get("PoolName"):
        pool.name = request["PoolName"]
    if request.get("UserPoolTags") is not None:
        pool.tags = dict(request["UserPoolTags"])
    pool.modified_at = ctx.now
    return {}


@operation("DeleteUserPool")
def delete_user_pool(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    if pool.config.get("DeletionProtection") == "ACTIVE":
        raise InvalidParameterException(
            "The user pool cannot be deleted because deletion protection is activated. "
            "Deletion protection must be inactivated first."
        )
    if domains.of_pool(ctx, pool) is not None:
        raise InvalidParameterException(
            "User pool cannot be deleted. It has a domain configured that should be deleted first."
        )
    tokens.recycle_keys(ctx, pool.id)
    ctx.db.delete(pool)
    return {}


@operation("ListUserPools", writes=False)
def list_user_pools(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    limit = request["MaxResults"]
    query = select(UserPool).where(UserPool.region == ctx.region).order_by(UserPool.created_at, UserPool.id)
    if request.get("NextToken"):
        after = ctx.db.get(UserPool, pools.decode_token(request["NextToken"]))
        if after is None:
            raise InvalidParameterException("Invalid pagination token.")
        query = query.where(
            (UserPool.created_at > after.created_at)
            | ((UserPool.created_at == after.created_at) & (UserPool.id > after.id))
        )
    rows = list(ctx.db.scalars(query.limit(limit + 1)))
    result: dict[str, Any] = {
        "UserPools": [
            {
                "Id": pool.id,
                "Name": pool.name,
                "LambdaConfig": copy.deepcopy(pool.config.get("LambdaConfig", {})),
                "LastModifiedDate": pool.modified_at,
                "CreationDate": pool.created_at,
            }
            for pool in rows[:limit]
        ]
    }
    if len(rows) > limit:
        result["NextToken"] = pools.encode_token(rows[limit - 1].id)
    return result


@operation("AddCustomAttributes")
def add_custom_attributes(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    schema = copy.deepcopy(pool.config.get("SchemaAttributes", []))
    existing = {attribute["Name"]: attribute for attribute in schema}
    for item in request["CustomAttributes"]:
        attribute = pools.custom_attribute(item, existing)
        schema.append(attribute)
        existing[attribute["Name"]] = attribute
    if sum(1 for attribute in schema if "custom:" in attribute["Name"]) > 50:
        raise InvalidParameterException("A user pool can have at most 50 custom attributes.")
    pool.config = {**pool.config, "SchemaAttributes": schema}
    pool.modified_at = ctx.now
    return {}


@operation("SetUserPoolMfaConfig")
def set_user_pool_mfa_config(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    config = pools.apply_mfa_config(pool.config, request)
    pool.config = config
    pool.modified_at = ctx.now
    return mfa_config_view(config)


def mfa_config_view(config: dict[str, Any]) -> dict[str, Any]:
    view: dict[str, Any] = {"MfaConfiguration": config.get("MfaConfiguration", "OFF")}
    for key in pools.MFA_FACTOR_SETTINGS:
        if key in config:
            view[key] = copy.deepcopy(config[key])
    if "SoftwareTokenMfaConfiguration" in view:
        view["SoftwareTokenMfaConfiguration"] = {"Enabled": True}
    if "WebAuthnConfiguration" in view:
        view["WebAuthnConfiguration"] = passkeys.configuration_of(config)
    return view


@operation("GetUserPoolMfaConfig", writes=False)
def get_user_pool_mfa_config(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    return mfa_config_view(pool.config)


# --- tags ---------------------------------------------------------------------------------------------
def _pool_by_arn(ctx: Context, arn: str) -> UserPool:
    prefix, _, pool_id = arn.rpartition(":userpool/")
    pool = ctx.db.get(UserPool, pool_id) if prefix else None
    if pool is None or pools.pool_arn(ctx, pool) != arn:
        raise ResourceNotFoundException(f"The resource {arn} does not exist.")
    return pool


@operation("TagResource")
def tag_resource(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = _pool_by_arn(ctx, request["ResourceArn"])
    tags = {**(pool.tags or {}), **(request.get("Tags") or {})}
    if len(tags) > 50:
        raise InvalidParameterException("A user pool can have at most 50 tags.")
    pool.tags = tags
    return {}


@operation("UntagResource")
def untag_resource(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = _pool_by_arn(ctx, request["ResourceArn"])
    pool.tags = {
        key: value for key, value in (pool.tags or {}).items() if key not in request.get("TagKeys", [])
    }
    return {}


@operation("ListTagsForResource", writes=False)
def list_tags_for_resource(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = _pool_by_arn(ctx, request["ResourceArn"])
    return {"Tags": dict(pool.tags or {})}
