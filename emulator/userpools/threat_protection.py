"""Threat protection (advanced security): risk configurations and the users' auth events.

A pool's threat protection is on when its UserPoolAddOns.AdvancedSecurityMode is AUDIT or ENFORCED (else the
operations answer UserPoolAddOnNotEnabledException). While it is on, every sign-in (with tokens, or a wrong
password), sign-up, forgot-password request, password change and resent confirmation code of a user is
recorded as an auth event. The emulator detects no risk: events are rated RiskDecision NoRisk, RiskLevel Low,
no compromised credentials, and the configured actions are stored, not applied. When the account-takeover
configuration says to notify on low risk (LowAction.Notify) and the user has an email address, a sign-in sends
the NoActionEmail notification to the outbox, with the event's FeedbackToken for UpdateAuthEventFeedback.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import Any

from emulator.protocol.context import Context
from emulator.protocol.errors import UserPoolAddOnNotEnabledException
from emulator.store.models import User, UserPool, UserPoolClient
from emulator.store.models_auth_events import AuthEvent
from emulator.userpools import observers, outbox, pool_settings, users

KIND = "risk-configuration"
FEEDBACK_PURPOSE = "AUTH_EVENT_FEEDBACK"
_DEFAULT_SUBJECT = "New sign-in to your account"
_DEFAULT_TEXT = "We noticed a new sign-in to your account."


def enabled(pool: UserPool) -> bool:
    mode = (pool.config.get("UserPoolAddOns") or {}).get("AdvancedSecurityMode", "OFF")
    return mode in ("AUDIT", "ENFORCED")


def require_enabled(pool: UserPool) -> None:
    if not enabled(pool):
        raise UserPoolAddOnNotEnabledException(
            f"Threat protection (advanced security features) is not enabled for user pool {pool.id}."
        )


def configuration(
    ctx: Context, pool: UserPool, client_id: str | None
) -> tuple[str | None, dict[str, Any] | None]:
    """(the client id it belongs to, or None for the pool's) and the configuration that applies."""
    if client_id:
        own = pool_settings.get(ctx.db, pool.id, KIND, client_id)
        if own is not None:
            return client_id, own
    return None, pool_settings.get(ctx.db, pool.id, KIND)


def feedback_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def event_view(event: AuthEvent) -> dict[str, Any]:
    view: dict[str, Any] = {
        "EventId": event.id,
        "EventType": event.event_type,
        "CreationDate": event.created_at,
        "EventResponse": event.response,
        **event.details,
    }
    if event.feedback:
        view["EventFeedback"] = dict(event.feedback)
    return view


def record(
    ctx: Context,
    user: User,
    event_type: str,
    response: str,
    challenges: list[tuple[str, str]],
    client: UserPoolClient | None = None,
) -> AuthEvent | None:
    pool = ctx.db.get(UserPool, user.pool_id)
    if pool is None or not enabled(pool):
        return None
    if user.id is None:
        ctx.db.flush()
    context = {
        key: value
        for key, value in (("IpAddress", ctx.caller.get("ip")), ("DeviceName", ctx.caller.get("user_agent")))
        if value
    }
    details: dict[str, Any] = {
        "EventRisk": {"RiskDecision": "NoRisk", "RiskLevel": "Low", "CompromisedCredentialsDetected": False},
        "ChallengeResponses": [
            {"ChallengeName": name, "ChallengeResponse": result} for name, result in challenges
        ],
        "EventContextData": context,
    }
    event = AuthEvent(
        id=str(uuid.uuid4()),
        pool_id=pool.id,
        user_id=user.id,
        event_type=event_type,
        response=response,
        details=details,
        feedback=None,
        feedback_token_hash=None,
        created_at=ctx.now,
    )
    ctx.db.add(event)
    if event_type == "SignIn" and response == "Pass":
        _notify(ctx, pool, user, event, client)
    return event


def _notify(
    ctx: Context, pool: UserPool, user: User, event: AuthEvent, client: UserPoolClient | None
) -> None:
    _owner, config = configuration(ctx, pool, client.id if client is not None else None)
    takeover = (config or {}).get("AccountTakeoverRiskConfiguration") or {}
    low = (takeover.get("Actions") or {}).get("LowAction") or {}
    email = users.attribute_map(user).get("email")
    if not low.get("Notify") or not email:
        return
    template = (takeover.get("NotifyConfiguration") or {}).get("NoActionEmail") or {}
    token = secrets.token_urlsafe(32)
    event.feedback_token_hash = feedback_token_hash(token)
    body = template.get("TextBody") or template.get("HtmlBody") or _DEFAULT_TEXT
    outbox.send_message(
        ctx,
        pool,
        username=user.username,
        channel="EMAIL",
        destination=email,
        purpose=FEEDBACK_PURPOSE,
        subject=template.get("Subject") or _DEFAULT_SUBJECT,
        body=f"{body}\n\nEvent: {event.id}\nFeedbackToken: {token}",
    )


@observers.watch("tokens_issued")
def _signed_in(ctx: Context, user: User, *, client: UserPoolClient, origin_jti: str) -> None:
    record(ctx, user, "SignIn", "Pass", [("Password", "Success")], client)


@observers.watch("password_failed")
def _wrong_password(ctx: Context, user: User) -> None:
    record(ctx, user, "SignIn", "Fail", [("Password", "Failure")])


@observers.watch("password_set")
def _password_set(ctx: Context, user: User) -> None:
    if ctx.operation == "SignUp":
        record(ctx, user, "SignUp", "Pass", [])
    elif ctx.operation in ("ChangePassword", "ConfirmForgotPassword"):
        record(ctx, user, "PasswordChange", "Pass", [("Password", "Success")])


@observers.watch("code_issued")
def _code_issued(ctx: Context, user: User, *, purpose: str, channel: str) -> None:
    if ctx.operation == "ForgotPassword":
        record(ctx, user, "ForgotPassword", "Pass", [])
    elif ctx.operation == "ResendConfirmationCode":
        record(ctx, user, "ResendCode", "Pass", [])
