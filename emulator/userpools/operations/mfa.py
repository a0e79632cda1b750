"""MFA operations: software tokens (TOTP) and users' MFA preferences.

AssociateSoftwareToken and VerifySoftwareToken take either an access token (a signed-in user adding TOTP)
or the Session of an MFA_SETUP challenge (setting TOTP up during sign-in).
"""

from __future__ import annotations

from typing import Any

from emulator.crypto import totp
from emulator.protocol.context import Context
from emulator.protocol.errors import (
    EnableSoftwareTokenMFAException,
    InvalidParameterException,
    NotAuthorizedException,
    SoftwareTokenMFANotFoundException,
)
from emulator.store.models import AuthSession, User, UserPool, UserPoolClient
from emulator.userpools import passkeys, pools, tokens, users
from emulator.userpools.operations import operation
from emulator.userpools.signin import mfa, sessions


def _authenticated_user(ctx: Context, access_token: str) -> tuple[UserPool, User]:
    auth = tokens.authenticate(ctx, access_token)
    return auth.pool, auth.user


def _setup_session(ctx: Context, value: str) -> tuple[UserPool, UserPoolClient, AuthSession, User]:
    """The MFA_SETUP sign-in session behind ``value``; any client of the pool may present it."""
    session = sessions.find(ctx, value)
    if session is None:
        raise NotAuthorizedException(sessions.EXPIRED_MESSAGE)
    client = ctx.db.get(UserPoolClient, session.client_id)
    if client is None:
        raise NotAuthorizedException(sessions.EXPIRED_MESSAGE)
    session = sessions.load(ctx, value, client)
    if session.challenge != "MFA_SETUP" or session.user_id is None:
        raise NotAuthorizedException(sessions.EXPIRED_MESSAGE)
    if mfa.TOTP not in session.state.get("mfas_can_setup", []):
        raise InvalidParameterException("Software token MFA is not enabled for this user pool.")
    pool = pools.get_pool(ctx, session.pool_id)
    user = ctx.db.get(User, session.user_id)
    if user is None:
        raise NotAuthorizedException(sessions.EXPIRED_MESSAGE)
    return pool, client, session, user


def _next_session(
    ctx: Context, pool: UserPool, client: UserPoolClient, session: AuthSession, user: User, **changes: Any
) -> str:
    sessions.consume(ctx, session)
    return sessions.create(
        ctx, pool, client, user, flow=session.flow, challenge="MFA_SETUP", state={**session.state, **changes}
    )


@operation("AssociateSoftwareToken")
def associate_software_token(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    secret = totp.new_secret()
    if request.get("AccessToken"):
        _pool, user = _authenticated_user(ctx, request["AccessToken"])
        user.totp_pending_secret = secret
        return {"SecretCode": secret}
    if not request.get("Session"):
        raise InvalidParameterException("Either AccessToken or Session must be provided.")
    pool, client, session, user = _setup_session(ctx, request["Session"])
    user.totp_pending_secret = secret
    return {
        "SecretCode": secret,
        "Session": _next_session(ctx, pool, client, session, user, totp_associated=True),
    }


def _verify_pending(ctx: Context, user: User, code: str) -> None:
    if not user.totp_pending_secret:
        raise SoftwareTokenMFANotFoundException("Software token TOTP not associated with the user.")
    step = totp.verify_code(user.totp_pending_secret, code, ctx.now, None)
    if step is None:
        raise EnableSoftwareTokenMFAException("Code mismatch")
    user.totp_secret = user.totp_pending_secret
    user.totp_pending_secret = None
    user.totp_last_step = step


@operation("VerifySoftwareToken")
def verify_software_token(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    code = request["UserCode"]
    if request.get("AccessToken"):
        _pool, user = _authenticated_user(ctx, request["AccessToken"])
        _verify_pending(ctx, user, code)
        return {"Status": "SUCCESS"}
    if not request.get("Session"):
        raise InvalidParameterException("Either AccessToken or Session must be provided.")
    pool, client, session, user = _setup_session(ctx, request["Session"])
    try:
        _verify_pending(ctx, user, code)
    except EnableSoftwareTokenMFAException:
        sessions.record_failed_answer(ctx, session)
        raise
    return {
        "Status": "SUCCESS",
        "Session": _next_session(ctx, pool, client, session, user, totp_verified=True),
    }


# --- MFA preferences -------------------------------------------------------------------------------------
_SETTINGS = (
    ("SMSMfaSettings", mfa.SMS),
    ("SoftwareTokenMfaSettings", mfa.TOTP),
    ("EmailMfaSettings", mfa.EMAIL),
)


def apply_mfa_preference(ctx: Context, pool: UserPool, user: User, request: dict[str, Any]) -> None:
    preferred = [factor for key, factor in _SETTINGS if (request.get(key) or {}).get("PreferredMfa")]
    if len(preferred) > 1:
        raise InvalidParameterException("Only one MFA method can be set as preferred.")
    attributes = users.attribute_map(user)
    for key, factor in _SETTINGS:
        settings = request.get(key)
        if settings is None:
            continue
        enabled = bool(settings.get("Enabled"))
        if settings.get("PreferredMfa") and not enabled:
            raise InvalidParameterException("A preferred MFA method must also be enabled.")
        if enabled and factor == mfa.TOTP and not user.totp_secret:
            raise SoftwareTokenMFANotFoundException("Software token MFA has not been set up for the user.")
        if enabled and factor == mfa.SMS and not attributes.get("phone_number"):
            raise InvalidParameterException("User does not have a phone number to enable SMS MFA.")
        if enabled and factor == mfa.EMAIL:
            if "EmailMfaConfiguration" not in pool.config:
                raise InvalidParameterException("Email MFA is not enabled for this user pool.")
            if not attributes.get("email"):
                raise InvalidParameterException("User does not have an email address to enable email MFA.")
        column = {mfa.SMS: "mfa_sms_enabled", mfa.TOTP: "mfa_totp_enabled", mfa.EMAIL: "mfa_email_enabled"}[
            factor
        ]
        setattr(user, column, enabled)
        if settings.get("PreferredMfa"):
            user.mfa_preferred = factor
        elif user.mfa_preferred == factor and (not enabled or "PreferredMfa" in settings):
            user.mfa_preferred = None
    webauthn = request.get("WebAuthnMfaSettings")
    if webauthn is not None and "Enabled" in webauthn:
        _apply_passkey_mfa(ctx, pool, user, bool(webauthn["Enabled"]))
    user.modified_at = ctx.now


def _apply_passkey_mfa(ctx: Context, pool: UserPool, user: User, enabled: bool) -> None:
    """WebAuthnMfaSettings: a passkey with user verification counts as MFA (the pool must allow that, and the
    user needs another MFA factor as well, so that losing the passkey does not lock them out)."""
    if enabled:
        if passkeys.configuration(pool)["FactorConfiguration"] != passkeys.MULTI_FACTOR:
            raise InvalidParameterException(
                "Passkey MFA needs the user pool's WebAuthnConfiguration.FactorConfiguration to be "
                "MULTI_FACTOR_WITH_USER_VERIFICATION."
            )
        if not users.mfa_setting_list(user):
            raise InvalidParameterException(
                "Passkey MFA needs another MFA method (SMS, TOTP or email) activated for the user."
            )
    passkeys.set_mfa_enabled(ctx, user, enabled)


@operation("SetUserMFAPreference")
def set_user_mfa_preference(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool, user = _authenticated_user(ctx, request["AccessToken"])
    apply_mfa_preference(ctx, pool, user, request)
    return {}


@operation("AdminSetUserMFAPreference")
def admin_set_user_mfa_preference(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    user = users.get_user(ctx, pool, request["Username"])
    apply_mfa_preference(ctx, pool, user, request)
    return {}


@operation("AdminDeleteSoftwareToken")
def admin_delete_software_token(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    """Forget a user's TOTP factor (a lost phone); they may associate a new one."""
    pool = pools.get_pool(ctx, request["UserPoolId"])
    user = users.get_user(ctx, pool, request["Username"])
    if not user.totp_secret and not user.totp_pending_secret:
        raise SoftwareTokenMFANotFoundException("Software token MFA has not been set up for the user.")
    user.totp_secret = None
    user.totp_pending_secret = None
    user.totp_last_step = None
    user.mfa_totp_enabled = False
    if user.mfa_preferred == mfa.TOTP:
        user.mfa_preferred = None
    user.modified_at = ctx.now
    return {}
