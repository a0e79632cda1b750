"""Point-in-time recovery: Initiate/Start/Describe/List/CancelPointInTimeRecovery, as a state machine.

PREVIEW_GENERATING (the answer to Initiate) -> PREVIEW_GENERATED (from the next request on; PREVIEW_EXPIRED a
day later if not started) -> Start -> RESTORING -> RESTORE_COMPLETED (from the next request on); Cancel ends a
preview as PREVIEW_CANCELLED. The emulator keeps no history of a pool to restore from: a completed restore
leaves the pool as it is, and the preview lists no changes. One recovery at a time per pool.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
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

KIND = "restoration"
PREVIEW_LIFETIME = timedelta(days=1)
RETENTION = timedelta(days=35)
_OPEN = ("PREVIEW_GENERATING", "PREVIEW_GENERATED", "RESTORING")


def status(ctx: Context, row: PoolRecord) -> str:
    stored = row.status or "PREVIEW_GENERATING"
    later = ctx.now > as_utc(row.modified_at)
    if stored == "PREVIEW_GENERATING" and later:
        stored = "PREVIEW_GENERATED"
    if stored == "PREVIEW_GENERATED" and ctx.now >= as_utc(row.created_at) + PREVIEW_LIFETIME:
        return "PREVIEW_EXPIRED"
    if stored == "RESTORING" and later:
        return "RESTORE_COMPLETED"
    return stored


def _view(ctx: Context, row: PoolRecord, *, full: bool = True, shown: str | None = None) -> dict[str, Any]:
    view: dict[str, Any] = {
        "RestoreId": row.id,
        "RestoreStatus": shown or status(ctx, row),
        "RestoreTimestamp": datetime.fromisoformat(row.document["RestoreTimestamp"]),
    }
    if full:
        view["TriggerTimestamp"] = row.created_at
        view["RestorePreview"] = []
    return view


def parse_timestamp(value: Any) -> datetime:
    """A request's timestamp (epoch seconds as a number or a string, or ISO 8601) as an aware datetime."""
    try:
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                return as_utc(datetime.fromisoformat(value))
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError
        return datetime.fromtimestamp(value, UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise InvalidParameterException("RestoreTimestamp is not a valid timestamp.") from None


def _get(ctx: Context, pool: UserPool, restore_id: str) -> PoolRecord:
    row = pool_records.get(ctx.db, KIND, restore_id, pool.id)
    if row is None:
        raise ResourceNotFoundException(f"Restoration {restore_id} does not exist.")
    return row


def _pool(ctx: Context, request: dict[str, Any]) -> UserPool:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    if pool.config.get("UserPoolTier") == "LITE":
        raise FeatureUnavailableInTierException("Point-in-time recovery is not available in the LITE tier.")
    return pool


@operation("InitiatePointInTimeRecovery")
def initiate_point_in_time_recovery(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = _pool(ctx, request)
    when = parse_timestamp(request["RestoreTimestamp"])
    if when >= ctx.now:
        raise InvalidParameterException("RestoreTimestamp must be in the past.")
    if when < as_utc(pool.created_at) or when < ctx.now - RETENTION:
        raise InvalidParameterException(
            "RestoreTimestamp must be after the user pool was created and within the last 35 days."
        )
    if any(status(ctx, row) in _OPEN for row in pool_records.all_of(ctx.db, KIND, pool.id)):
        raise LimitExceededException(f"User pool {pool.id} already has a point-in-time recovery in progress.")
    row = pool_records.add(
        ctx.db,
        KIND,
        str(uuid.uuid4()),
        pool.id,
        {"RestoreTimestamp": when.isoformat()},
        ctx.now,
        status="PREVIEW_GENERATING",
    )
    return {"Restoration": _view(ctx, row, shown="PREVIEW_GENERATING")}


@operation("StartPointInTimeRecovery")
def start_point_in_time_recovery(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = _pool(ctx, request)
    row = _get(ctx, pool, request["RestoreId"])
    current = status(ctx, row)
    if current != "PREVIEW_GENERATED":
        raise InvalidParameterException(
            f"Restoration {row.id} is {current}: only a generated preview can start."
        )
    row.status = "RESTORING"
    row.modified_at = ctx.now
    return {"Restoration": _view(ctx, row, shown="RESTORING")}


@operation("DescribePointInTimeRecovery", writes=False)
def describe_point_in_time_recovery(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = _pool(ctx, request)
    return {"Restoration": _view(ctx, _get(ctx, pool, request["RestoreId"]))}


@operation("ListPointInTimeRecoveries", writes=False)
def list_point_in_time_recoveries(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = _pool(ctx, request)
    rows, following = pool_records.page(
        pool_records.all_of(ctx.db, KIND, pool.id), request.get("NextToken"), request.get("MaxResults") or 60
    )
    result: dict[str, Any] = {"Restorations": [_view(ctx, row, full=False) for row in rows]}
    if following:
        result["NextToken"] = following
    return result


@operation("CancelPointInTimeRecovery")
def cancel_point_in_time_recovery(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = _pool(ctx, request)
    row = _get(ctx, pool, request["RestoreId"])
    current = status(ctx, row)
    if current not in ("PREVIEW_GENERATING", "PREVIEW_GENERATED"):
        raise InvalidParameterException(f"Restoration {row.id} is {current} and cannot be cancelled.")
    row.status = "PREVIEW_CANCELLED"
    row.modified_at = ctx.now
    return {"Restoration": _view(ctx, row, shown="PREVIEW_CANCELLED")}
