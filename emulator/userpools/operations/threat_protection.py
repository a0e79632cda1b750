"""Threat protection: Describe/SetRiskConfiguration, AdminListUserAuthEvents, UpdateAuthEventFeedback,
AdminUpdateAuthEventFeedback. The rules are in ``emulator.userpools.threat_protection``."""

from __future__ import annotations

import hmac
from typing import Any

from sqlalchemy import select

from emulator.protocol.context import Context
from emulator.protocol.errors import (
    InvalidParameterException,
    NotAuthorizedException,
    ResourceNotFoundException,
)
from emulator.store.models import User, UserPool
from emulator.store.models_auth_events import AuthEvent
from emulator.userpools import pool_settings, pools, threat_protection, users
from emulator.userpools.operations import operation

_PARTS = (
    "CompromisedCredentialsRiskConfiguration",
    "AccountTakeoverRiskConfiguration",
    "RiskExceptionConfiguration",
)


@operation("DescribeRiskConfiguration", writes=False)
def describe_risk_configuration(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    client_id = request.get("ClientId")
    if client_id:
        pools.get_client(ctx, pool, client_id)
    threat_protection.require_enabled(pool)
    owner, stored = threat_protection.configuration(ctx, pool, client_id)
    view: dict[str, Any] = {"UserPoolId": pool.id}
    if owner:
        view["ClientId"] = owner
    view.update(stored or {})
    return {"RiskConfiguration": view}


def _check(configuration: dict[str, Any]) -> None:
    takeover = configuration.get("AccountTakeoverRiskConfiguration")
    if takeover:
        actions = takeover.get("Actions") or {}
        notifies = any(
            (actions.get(level) or {}).get("Notify") for level in ("LowAction", "MediumAction", "HighAction")
        )
        if notifies and not takeover.get("NotifyConfiguration"):
            raise InvalidParameterException(
                "NotifyConfiguration is required when an account takeover action notifies."
            )


@operation("SetRiskConfiguration")
def set_risk_configuration(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    client_id = request.get("ClientId")
    if client_id:
        pools.get_client(ctx, pool, client_id)
    threat_protection.require_enabled(pool)
    configuration = {key: request[key] for key in _PARTS if request.get(key) is not None}
    _check(configuration)
    configuration["LastModifiedDate"] = ctx.now.timestamp()
    pool_settings.put(ctx.db, pool.id, threat_protection.KIND, configuration, ctx.now, client_id=client_id)
    view: dict[str, Any] = {"UserPoolId": pool.id, **({"ClientId": client_id} if client_id else {})}
    view.update(configuration)
    return {"RiskConfiguration": view}


def _user(ctx: Context, request: dict[str, Any]) -> tuple[UserPool, User]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    threat_protection.require_enabled(pool)
    return pool, users.get_user(ctx, pool, request["Username"])


@operation("AdminListUserAuthEvents", writes=False)
def admin_list_user_auth_events(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    _pool, user = _user(ctx, request)
    limit = request.get("MaxResults") or 60
    query = select(AuthEvent).where(AuthEvent.user_id == user.id)
    events = list(ctx.db.scalars(query.order_by(AuthEvent.created_at.desc(), AuthEvent.id)))
    start = 0
    if request.get("NextToken"):
        wanted = pools.decode_token(request["NextToken"])
        start = next((index for index, event in enumerate(events) if event.id == wanted), -1)
        if start < 0:
            raise InvalidParameterException("Invalid pagination token.")
    result: dict[str, Any] = {
        "AuthEvents": [threat_protection.event_view(event) for event in events[start : start + limit]]
    }
    if len(events) > start + limit:
        result["NextToken"] = pools.encode_token(events[start + limit].id)
    return result


def _event(ctx: Context, user: User, event_id: str) -> AuthEvent:
    event = ctx.db.get(AuthEvent, event_id)
    if event is None or event.user_id != user.id:
        raise ResourceNotFoundException(f"Auth event {event_id} does not exist.")
    return event


def _give_feedback(ctx: Context, event: AuthEvent, value: str, provider: str) -> None:
    event.feedback = {"FeedbackValue": value, "Provider": provider, "FeedbackDate": ctx.now.timestamp()}


@operation("UpdateAuthEventFeedback")
def update_auth_event_feedback(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    _pool, user = _user(ctx, request)
    event = _event(ctx, user, request["EventId"])
    given = threat_protection.feedback_token_hash(request["FeedbackToken"])
    if event.feedback_token_hash is None or not hmac.compare_digest(given, event.feedback_token_hash):
        raise NotAuthorizedException("Invalid feedback token.")
    _give_feedback(ctx, event, request["FeedbackValue"], "USER")
    return {}


@operation("AdminUpdateAuthEventFeedback")
def admin_update_auth_event_feedback(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    _pool, user = _user(ctx, request)
    _give_feedback(ctx, _event(ctx, user, request["EventId"]), request["FeedbackValue"], "ADMIN")
    return {}
