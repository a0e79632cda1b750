"""Second factors: which MFA challenge a user gets after the password, and checking MFA codes.

Cognito's rules: with the pool's MFA OFF there is none. Otherwise a user's enabled (and usable) factors
decide: the preferred one, else the only one, else SELECT_MFA_TYPE. A user with no factor in a pool where
MFA is ON gets SMS_MFA when SMS MFA is active and they have a phone number, else MFA_SETUP listing what can
be set up. With MFA OPTIONAL a user without factors signs in with the password alone.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from emulator.crypto import totp
from emulator.protocol.context import Context
from emulator.protocol.errors import CodeMismatchException, ExpiredCodeException
from emulator.store.models import User, UserPool
from emulator.userpools import outbox, users
from emulator.userpools.signin.outcomes import Challenge

SMS = "SMS_MFA"
TOTP = "SOFTWARE_TOKEN_MFA"
EMAIL = "EMAIL_OTP"
CODE_VALIDITY = timedelta(minutes=3)
_POOL_SETTING = {
    SMS: "SmsMfaConfiguration",
    TOTP: "SoftwareTokenMfaConfiguration",
    EMAIL: "EmailMfaConfiguration",
}
DEFAULT_SMS_MESSAGE = "Your authentication code is {####}. "
DEFAULT_EMAIL_MESSAGE = "Your authentication code is {####}."
DEFAULT_EMAIL_SUBJECT = "Your authentication code"


def pool_factors(pool: UserPool) -> list[str]:
    """The MFA factors active in the pool, in Cognito's order."""
    if pool.config.get("MfaConfiguration", "OFF") == "OFF":
        return []
    return [factor for factor in (SMS, TOTP, EMAIL) if _POOL_SETTING[factor] in pool.config]


def user_factors(pool: UserPool, user: User) -> list[str]:
    """The factors this user has enabled and can use now."""
    attributes = users.attribute_map(user)
    usable = {
        SMS: user.mfa_sms_enabled and bool(attributes.get("phone_number")),
        TOTP: user.mfa_totp_enabled and bool(user.totp_secret),
        EMAIL: user.mfa_email_enabled and bool(attributes.get("email")),
    }
    return [factor for factor in pool_factors(pool) if usable[factor]]


def second_factor(ctx: Context, pool: UserPool, user: User, state: dict[str, Any]) -> Challenge | None:
    """The MFA challenge due after a correct password, or None when the user may have tokens now."""
    active = pool_factors(pool)
    if not active:
        return None
    factors = user_factors(pool, user)
    if factors:
        if user.mfa_preferred in factors:
            return challenge_for(ctx, pool, user, user.mfa_preferred, state)
        if len(factors) == 1:
            return challenge_for(ctx, pool, user, factors[0], state)
        return Challenge(
            "SELECT_MFA_TYPE",
            {"MFAS_CAN_CHOOSE": json.dumps(factors), "USER_ID_FOR_SRP": user.username},
            user,
            {**state, "mfas_can_choose": factors},
        )
    if pool.config.get("MfaConfiguration") != "ON":
        return None
    if SMS in active and users.attribute_map(user).get("phone_number"):
        return challenge_for(ctx, pool, user, SMS, state)
    return Challenge(
        "MFA_SETUP",
        {"MFAS_CAN_SETUP": json.dumps(active), "USER_ID_FOR_SRP": user.username},
        user,
        {**state, "mfas_can_setup": active},
    )


def challenge_for(ctx: Context, pool: UserPool, user: User, factor: str, state: dict[str, Any]) -> Challenge:
    """The challenge of one factor; for SMS and email a fresh code goes to the outbox."""
    parameters = {"USER_ID_FOR_SRP": user.username}
    if factor == TOTP:
        parameters["FRIENDLY_DEVICE_NAME"] = "TOTP device"
        return Challenge(TOTP, parameters, user, {**state, "factor": TOTP})
    parameters.update(send_code(ctx, pool, user, factor, purpose=factor))
    return Challenge(factor, parameters, user, {**state, "factor": factor, "code_purpose": factor})


def send_code(
    ctx: Context, pool: UserPool, user: User, factor: str, *, purpose: str, destination: str | None = None
) -> dict[str, str]:
    """Send a sign-in code by SMS or email; return the CODE_DELIVERY_* challenge parameters."""
    attributes = users.attribute_map(user)
    if factor in (SMS, "SMS_OTP"):
        channel, destination = "SMS", destination or attributes["phone_number"]
        mfa = pool.config.get("SmsMfaConfiguration", {})
        body = (
            mfa.get("SmsAuthenticationMessage")
            or pool.config.get("SmsAuthenticationMessage")
            or DEFAULT_SMS_MESSAGE
        )
        subject = None
    else:
        channel, destination = "EMAIL", destination or attributes["email"]
        mfa = pool.config.get("EmailMfaConfiguration", {})
        body = mfa.get("Message") or DEFAULT_EMAIL_MESSAGE
        subject = mfa.get("Subject") or DEFAULT_EMAIL_SUBJECT
    outbox.issue_code(
        ctx,
        pool,
        user,
        purpose=purpose,
        channel=channel,
        destination=destination,
        ttl=CODE_VALIDITY,
        message=(subject, body),
    )
    return {
        "CODE_DELIVERY_DELIVERY_MEDIUM": channel,
        "CODE_DELIVERY_DESTINATION": outbox.mask_destination(channel, destination),
    }


def check_code(ctx: Context, user: User, *, purpose: str, code: str | None) -> None:
    """A code sent by SMS or email; CodeMismatchException / ExpiredCodeException otherwise."""
    if not code:
        raise CodeMismatchException()
    outbox.consume_code(ctx, user, purpose=purpose, code=code)


def check_totp(user: User, code: str | None, ctx: Context) -> None:
    """A TOTP code from the user's verified secret; a code is not accepted twice."""
    if not user.totp_secret:
        raise ExpiredCodeException("Software token MFA is not set up for the user.")
    step = totp.verify_code(user.totp_secret, code or "", ctx.now, user.totp_last_step)
    if step is None:
        raise CodeMismatchException("Invalid code received for user")
    user.totp_last_step = step
