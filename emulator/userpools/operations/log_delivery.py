"""Log delivery (Get/SetLogDeliveryConfiguration) and provisioned API limits (Get/UpdateProvisionedLimit).
Both are stored and returned: the emulator ships no logs to CloudWatch, S3 or Firehose and throttles nothing."""

from __future__ import annotations

import json
from typing import Any

from emulator.protocol.context import Context
from emulator.protocol.errors import (
    FeatureUnavailableInTierException,
    InvalidParameterException,
    ServiceQuotaExceededException,
)
from emulator.store.models import EmulatorState
from emulator.userpools import pool_settings, pools
from emulator.userpools.operations import operation

KIND = "log-delivery"
_DESTINATIONS = ("CloudWatchLogsConfiguration", "S3Configuration", "FirehoseConfiguration")
# The default (free) rate of each API category, in requests per second (Cognito's quotas page).
FREE_LIMITS = {
    "UserAuthentication": 120,
    "UserCreation": 50,
    "UserFederation": 25,
    "UserAccountRecovery": 30,
    "UserRead": 120,
    "UserUpdate": 25,
    "UserResourceRead": 50,
    "UserResourceUpdate": 25,
    "UserList": 30,
    "UserToken": 120,
    "UserPoolRead": 15,
    "UserPoolUpdate": 15,
    "UserPoolResourceRead": 20,
    "UserPoolResourceUpdate": 15,
    "UserPoolClientRead": 15,
    "UserPoolClientUpdate": 15,
    "ClientAuthentication": 150,
}
# How far above the free rate the emulator's "account" may provision (Service Quotas' maximum).
MAX_FACTOR = 10


@operation("GetLogDeliveryConfiguration", writes=False)
def get_log_delivery_configuration(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    stored = pool_settings.get(ctx.db, pool.id, KIND) or {"LogConfigurations": []}
    return {"LogDeliveryConfiguration": {"UserPoolId": pool.id, **stored}}


@operation("SetLogDeliveryConfiguration")
def set_log_delivery_configuration(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    configurations = request["LogConfigurations"]
    seen = set()
    for item in configurations:
        destinations = [key for key in _DESTINATIONS if item.get(key)]
        if len(destinations) != 1:
            raise InvalidParameterException(
                "Each log configuration needs exactly one of CloudWatchLogsConfiguration, S3Configuration or "
                "FirehoseConfiguration."
            )
        if item["EventSource"] in seen:
            raise InvalidParameterException(
                f"Only one log configuration per event source: {item['EventSource']}."
            )
        seen.add(item["EventSource"])
        if item["EventSource"] == "userAuthEvents" and pool.config.get("UserPoolTier") != "PLUS":
            raise FeatureUnavailableInTierException("Exporting user auth events requires the PLUS tier.")
    stored = {"LogConfigurations": configurations}
    pool_settings.put(ctx.db, pool.id, KIND, stored, ctx.now)
    return {"LogDeliveryConfiguration": {"UserPoolId": pool.id, **stored}}


def _category(definition: dict[str, Any]) -> str:
    category = (definition.get("Attributes") or {}).get("Category")
    if category not in FREE_LIMITS:
        raise InvalidParameterException(
            f"Invalid limit definition: Attributes.Category must be one of {', '.join(FREE_LIMITS)}."
        )
    return category


def _state_key(ctx: Context, category: str) -> str:
    return f"provisioned-limit:{ctx.account_id}:{ctx.region}:{category}"


def _limit(ctx: Context, category: str, definition: dict[str, Any]) -> dict[str, Any]:
    stored = ctx.db.get(EmulatorState, _state_key(ctx, category))
    value = json.loads(stored.value)["value"] if stored is not None else FREE_LIMITS[category]
    return {
        "Limit": {
            "LimitDefinition": {"LimitClass": definition["LimitClass"], "Attributes": {"Category": category}},
            "ProvisionedLimitValue": value,
            "FreeLimitValue": FREE_LIMITS[category],
        }
    }


@operation("GetProvisionedLimit", writes=False)
def get_provisioned_limit(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    definition = request["LimitDefinition"]
    return _limit(ctx, _category(definition), definition)


@operation("UpdateProvisionedLimit")
def update_provisioned_limit(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    definition = request["LimitDefinition"]
    category = _category(definition)
    value = request["RequestedLimitValue"]
    if value < FREE_LIMITS[category]:
        raise InvalidParameterException(
            f"RequestedLimitValue must be at least the default limit of {FREE_LIMITS[category]} for {category}."
        )
    if value > FREE_LIMITS[category] * MAX_FACTOR:
        raise ServiceQuotaExceededException(
            f"RequestedLimitValue exceeds the account's maximum of {FREE_LIMITS[category] * MAX_FACTOR} "
            f"for {category}."
        )
    key = _state_key(ctx, category)
    row = ctx.db.get(EmulatorState, key)
    if row is None:
        ctx.db.add(EmulatorState(key=key, value=json.dumps({"value": value})))
    else:
        row.value = json.dumps({"value": value})
    return _limit(ctx, category, definition)
