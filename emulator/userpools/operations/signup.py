"""Self-service registration: SignUp, ConfirmSignUp, ResendConfirmationCode.

SignUp creates an UNCONFIRMED user and, when the pool auto-verifies email or phone number, sends a
confirmation code (valid 24 hours) there: to the phone number when both are auto-verified, as Cognito does.
ConfirmSignUp takes that code, confirms the user and marks the address it went to as verified. Both answer
with a ``Session``: the one of ConfirmSignUp signs the user straight in with InitiateAuth USER_AUTH
(Amplify's autoSignIn); it is an ``auth_sessions`` row with flow SIGN_UP_AUTO_SIGN_IN, valid for the app
client's AuthSessionValidity and good for one sign-in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from emulator.clock import as_utc
from emulator.protocol.context import Context
from emulator.protocol.errors import (
    CodeMismatchException,
    InvalidParameterException,
    NotAuthorizedException,
    UserNotFoundException,
)
from emulator.store.models import AuthSession, User, UserPool, UserPoolClient
from emulator.userpools import attributes, outbox, pools, users
from emulator.userpools.operations import operation
from emulator.userpools.triggers import events

SIGN_UP = "SIGN_UP"
SIGN_UP_VALIDITY = timedelta(hours=24)
# The flow of the Session that ConfirmSignUp returns; InitiateAuth USER_AUTH accepts it once.
AUTO_SIGN_IN_FLOW = "SIGN_UP_AUTO_SIGN_IN"
# The flow of the Session that SignUp returns (ConfirmSignUp may be given it back).
SIGN_UP_FLOW = "SIGN_UP"


# --- helpers shared by the user (unsigned) operations --------------------------------------------------
def prevents_user_existence_errors(client: UserPoolClient) -> bool:
    return client.config.get("PreventUserExistenceErrors") == "ENABLED"


def simulated_delivery(pool: UserPool, username: str) -> dict[str, str]:
    """The CodeDeliveryDetails answered for a user that does not exist (PreventUserExistenceErrors):
    shaped by the name given and the pool's settings, the same for the same name."""
    if users.is_email(username):
        return outbox.delivery_details("EMAIL", username)
    if users.is_phone_number(username):
        return outbox.delivery_details("SMS", username)
    digest = hashlib.sha256(f"{pool.id}:{username}".encode()).hexdigest()
    if "phone_number" in attributes.auto_verified(pool) or "email" not in attributes.auto_verified(pool):
        return outbox.delivery_details("SMS", "+1555" + "".join(str(int(c, 16) % 10) for c in digest[:7]))
    return outbox.delivery_details(
        "EMAIL", f"{username[:1] or 'u'}{digest[:5]}@{chr(97 + int(digest[5], 16))}.com"
    )


def code_recipient(client: UserPoolClient, user: User | None) -> User | None:
    """The user a code request (ResendConfirmationCode, ForgotPassword) is for. None means: answer with a
    simulated delivery, because the client hides whether the user exists (PreventUserExistenceErrors)."""
    if user is not None and user.enabled:
        return user
    if prevents_user_existence_errors(client):
        return None
    if user is None:
        raise UserNotFoundException("User does not exist.")
    raise NotAuthorizedException("User is disabled.")


def new_session(
    ctx: Context,
    pool: UserPool,
    client: UserPoolClient,
    user: User,
    *,
    flow: str,
    state: dict[str, Any] | None = None,
) -> str:
    """Store an ``auth_sessions`` row (only the SHA-256 of the value) and return the value."""
    value = secrets.token_urlsafe(96)
    ctx.db.add(
        AuthSession(
            id=hashlib.sha256(value.encode()).hexdigest(),
            pool_id=pool.id,
            client_id=client.id,
            user_id=user.id,
            flow=flow,
            challenge=None,
            state=dict(state or {}),
            created_at=ctx.now,
            expires_at=ctx.now + timedelta(minutes=client.config.get("AuthSessionValidity") or 3),
            used_at=None,
        )
    )
    return value


def sign_up_destination(pool: UserPool, user: User) -> tuple[str, str] | None:
    """Where the confirmation code goes: the phone number first, then the email, among auto-verified ones."""
    values = users.attribute_map(user)
    auto = attributes.auto_verified(pool)
    if "phone_number" in auto and values.get("phone_number"):
        return "SMS", values["phone_number"]
    if "email" in auto and values.get("email"):
        return "EMAIL", values["email"]
    return None


def send_sign_up_code(
    ctx: Context, pool: UserPool, client: UserPoolClient, user: User
) -> dict[str, str] | None:
    target = sign_up_destination(pool, user)
    if target is None:
        return None
    channel, destination = target
    link = None
    template = pool.config.get("VerificationMessageTemplate") or {}
    if channel == "EMAIL" and template.get("DefaultEmailOption") == "CONFIRM_WITH_LINK":
        link = confirmation_link(ctx, client, user)
    outbox.issue_code(
        ctx,
        pool,
        user,
        purpose=SIGN_UP,
        channel=channel,
        destination=destination,
        ttl=SIGN_UP_VALIDITY,
        data={"attribute": "email" if channel == "EMAIL" else "phone_number", "value": destination},
        link=link,
    )
    return outbox.delivery_details(channel, destination)


def confirmation_link(ctx: Context, client: UserPoolClient, user: User) -> str:
    """The emulator's stand-in for the hosted /confirmUser link; {code} is filled in by the outbox."""
    from urllib.parse import quote

    return (
        f"{ctx.settings.base_url}/confirmUser?client_id={quote(client.id)}"
        f"&user_name={quote(user.username)}&confirmation_code={{####}}"
    )


def passwordless(pool: UserPool) -> bool:
    """Pools whose users may sign in with a one-time code or a passkey may have users without a password."""
    factors = ((pool.config.get("Policies") or {}).get("SignInPolicy") or {}).get(
        "AllowedFirstAuthFactors"
    ) or []
    return any(factor in factors for factor in ("EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"))


# --- SignUp ------------------------------------------------------------------------------------------
@operation("SignUp")
def sign_up(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool, client = pools.client_for_user_call(ctx, request["ClientId"])
    username = request["Username"]
    pools.check_client_secret(client, username, request.get("SecretHash"))
    if (pool.config.get("AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly"):
        raise NotAuthorizedException("SignUp is not permitted for this user pool")
    values = attributes.check_writes(
        pool, attributes.from_request(request.get("UserAttributes")), client=client, creating=True
    )
    values = {name: value for name, value in values.items() if value != ""}
    password = request.get("Password")
    if password:
        users.check_password_policy(pool, password)
    elif not passwordless(pool):
        raise InvalidParameterException("Password is required for this user pool.")
    users.check_new_username(pool, username)
    given = dict(values)
    if users.username_attributes(pool):
        given["email" if users.is_email(username) else "phone_number"] = username
    attributes.check_required(pool, given)
    decision = events.pre_sign_up(ctx, pool, "PreSignUp_SignUp", username, client.id, given, request)
    confirmed = bool(decision.get("autoConfirmUser"))
    user = users.create_user(ctx, pool, username, values, status="CONFIRMED" if confirmed else "UNCONFIRMED")
    _auto_verify(ctx, pool, user, decision)
    if password:
        users.set_password(ctx, pool, user, password, temporary=False)
    result: dict[str, Any] = {"UserConfirmed": confirmed, "UserSub": user.sub}
    if confirmed:
        # Confirmed by PreSignUp: no code to send, and the Session signs the user in (Amplify's autoSignIn).
        result["Session"] = new_session(
            ctx,
            pool,
            client,
            user,
            flow=AUTO_SIGN_IN_FLOW,
            state={"username": user.username, "via": "PreSignUp"},
        )
        return result
    delivery = send_sign_up_code(ctx, pool, client, user)
    if delivery is not None:
        result["CodeDeliveryDetails"] = delivery
    result["Session"] = new_session(ctx, pool, client, user, flow=SIGN_UP_FLOW)
    return result


def _auto_verify(ctx: Context, pool: UserPool, user: User, decision: dict[str, Any]) -> None:
    """PreSignUp's autoVerifyEmail / autoVerifyPhone mark the address verified."""
    values = users.attribute_map(user)
    changed = False
    for flag, name, verified in (
        ("autoVerifyEmail", "email", "email_verified"),
        ("autoVerifyPhone", "phone_number", "phone_number_verified"),
    ):
        if decision.get(flag) and values.get(name):
            users.set_attribute(user, verified, "true")
            changed = True
    if changed:
        users.sync_aliases(ctx, pool, user)


# --- ConfirmSignUp -----------------------------------------------------------------------------------
@operation("ConfirmSignUp")
def confirm_sign_up(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool, client = pools.client_for_user_call(ctx, request["ClientId"])
    username = request["Username"]
    pools.check_client_secret(client, username, request.get("SecretHash"))
    user = users.find_user(ctx, pool, username)
    if user is None:
        if prevents_user_existence_errors(client):
            raise CodeMismatchException()
        raise UserNotFoundException("User does not exist.")
    ctx.log.setdefault("user", user.username)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    if user.status != "UNCONFIRMED":
        raise NotAuthorizedException(f"User cannot be confirmed. Current status is {user.status}")
    code = outbox.consume_code(ctx, user, purpose=SIGN_UP, code=request["ConfirmationCode"])
    user.status = "CONFIRMED"
    user.modified_at = ctx.now
    # Confirming proves the address the code went to.
    attribute = (code.data or {}).get("attribute")
    if attribute in attributes.CONTACT_ATTRIBUTES and users.attribute_map(user).get(attribute) == (
        code.data or {}
    ).get("value"):
        users.set_attribute(user, attributes.CONTACT_ATTRIBUTES[attribute][1], "true")
    users.sync_aliases(ctx, pool, user, force=bool(request.get("ForceAliasCreation")))
    _use_sign_up_session(ctx, client, user, request.get("Session"))
    events.post_confirmation(
        ctx, pool, "PostConfirmation_ConfirmSignUp", user, client.id, request.get("ClientMetadata")
    )
    return {
        "Session": new_session(
            ctx,
            pool,
            client,
            user,
            flow=AUTO_SIGN_IN_FLOW,
            state={"username": user.username, "via": attribute},
        )
    }


def _use_sign_up_session(ctx: Context, client: UserPoolClient, user: User, value: str | None) -> None:
    """A SignUp Session given back is spent; one that is not this user's is refused."""
    if not value:
        return

    row = ctx.db.get(AuthSession, hashlib.sha256(value.encode()).hexdigest())
    if (
        row is None
        or row.flow != SIGN_UP_FLOW
        or row.client_id != client.id
        or row.user_id != user.id
        or row.used_at is not None
        or as_utc(row.expires_at) <= ctx.now
    ):
        raise NotAuthorizedException("Invalid session for the user, session is expired.")
    row.used_at = ctx.now


# --- ResendConfirmationCode --------------------------------------------------------------------------
@operation("ResendConfirmationCode")
def resend_confirmation_code(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool, client = pools.client_for_user_call(ctx, request["ClientId"])
    username = request["Username"]
    pools.check_client_secret(client, username, request.get("SecretHash"))
    user = code_recipient(client, users.find_user(ctx, pool, username))
    if user is None:
        return {"CodeDeliveryDetails": simulated_delivery(pool, username)}
    ctx.log.setdefault("user", user.username)
    if user.status != "UNCONFIRMED":
        raise InvalidParameterException("User is already confirmed.")
    if sign_up_destination(pool, user) is None:
        raise InvalidParameterException("Cannot resend codes. Auto verification not turned on.")
    outbox.check_send_rate(ctx, user, SIGN_UP)
    return {"CodeDeliveryDetails": send_sign_up_code(ctx, pool, client, user)}
