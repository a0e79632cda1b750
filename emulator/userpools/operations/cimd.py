"""OAuth Client ID Metadata Document (CIMD) policies: Create/Describe/List/Update/DeleteCIMDPolicy,
ListClientMetadataURLs, UpdateClientMetadataURLState. The policies are stored and returned; the emulator is
offline and never fetches a metadata document, so no URL is ever cached: the list of cached URLs is empty and
acting on one answers CachedCIMDURLDoesNotExistException."""

from __future__ import annotations

import secrets
import string
from typing import Any

from emulator.protocol.context import Context
from emulator.protocol.errors import (
    CachedCIMDURLDoesNotExistException,
    FeatureUnavailableInTierException,
    LimitExceededException,
    ResourceNotFoundException,
)
from emulator.store.models import UserPool
from emulator.store.models_records import PoolRecord
from emulator.userpools import pool_records, pools
from emulator.userpools.operations import operation

KIND = "cimd-policy"
MAX_POLICIES = 20
_ALPHABET = string.ascii_lowercase + string.digits


def _view(row: PoolRecord, *, full: bool = True) -> dict[str, Any]:
    view: dict[str, Any] = {
        "CIMDPolicyId": row.id,
        "ClientId": row.client_id,
        "PolicyName": row.document["PolicyName"],
    }
    if "CacheDuration" in row.document:
        view["CacheDuration"] = row.document["CacheDuration"]
    if full:
        view["URLPatterns"] = list(row.document["URLPatterns"])
    view["CreationDate"] = row.created_at
    view["LastModifiedDate"] = row.modified_at
    return view


def _get(ctx: Context, pool: UserPool, policy_id: str) -> PoolRecord:
    row = pool_records.get(ctx.db, KIND, policy_id, pool.id)
    if row is None:
        raise ResourceNotFoundException(f"CIMD policy {policy_id} does not exist.")
    return row


def _check_tier(pool: UserPool) -> None:
    if pool.config.get("UserPoolTier") == "LITE":
        raise FeatureUnavailableInTierException("CIMD policies are not available in the LITE tier.")


@operation("CreateCIMDPolicy")
def create_cimd_policy(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    client = pools.get_client(ctx, pool, request["ClientId"])
    _check_tier(pool)
    if len(pool_records.all_of(ctx.db, KIND, pool.id)) >= MAX_POLICIES:
        raise LimitExceededException(f"A user pool can have at most {MAX_POLICIES} CIMD policies.")
    document = {key: request[key] for key in ("PolicyName", "CacheDuration", "URLPatterns") if key in request}
    policy_id = "".join(secrets.choice(_ALPHABET) for _ in range(26))
    row = pool_records.add(ctx.db, KIND, policy_id, pool.id, document, ctx.now, client_id=client.id)
    return {"CIMDPolicy": _view(row)}


@operation("DescribeCIMDPolicy", writes=False)
def describe_cimd_policy(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    return {"CIMDPolicy": _view(_get(ctx, pool, request["CIMDPolicyId"]))}


@operation("ListCIMDPolicies", writes=False)
def list_cimd_policies(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    rows, following = pool_records.page(
        pool_records.all_of(ctx.db, KIND, pool.id), request.get("NextToken"), request.get("MaxResults") or 60
    )
    result: dict[str, Any] = {"CIMDPolicies": [_view(row, full=False) for row in rows]}
    if following:
        result["NextToken"] = following
    return result


@operation("UpdateCIMDPolicy")
def update_cimd_policy(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    row = _get(ctx, pool, request["CIMDPolicyId"])
    client = pools.get_client(ctx, pool, request["ClientId"])
    _check_tier(pool)
    document = dict(row.document)
    document["URLPatterns"] = request["URLPatterns"]
    for key in ("PolicyName", "CacheDuration"):
        if key in request:
            document[key] = request[key]
    row.document = document
    row.client_id = client.id
    row.modified_at = ctx.now
    return {"CIMDPolicy": _view(row)}


@operation("DeleteCIMDPolicy")
def delete_cimd_policy(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    ctx.db.delete(_get(ctx, pool, request["CIMDPolicyId"]))
    return {}


@operation("ListClientMetadataURLs", writes=False)
def list_client_metadata_urls(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    _get(ctx, pool, request["CIMDPolicyId"])
    return {"ClientMetadataURLs": []}


@operation("UpdateClientMetadataURLState")
def update_client_metadata_url_state(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    _get(ctx, pool, request["CIMDPolicyId"])
    _check_tier(pool)
    raise CachedCIMDURLDoesNotExistException(f"No cached client metadata document for {request['URL']}.")
