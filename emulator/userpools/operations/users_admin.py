"""Admin* user operations (IAM-signed calls): create, read, delete, confirm, passwords, attributes,
enable/disable and global sign-out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from emulator.crypto import codes
from emulator.protocol.context import Context
from emulator.protocol.errors import (
    InvalidParameterException,
    NotAuthorizedException,
    UnsupportedUserStateException,
)
from emulator.store.models import User, UserPool
from emulator.userpools import attributes, outbox, pools, tokens, users
from emulator.userpools.operations import operation
from emulator.userpools.triggers import events

FORGOT_PASSWORD = "FORGOT_PASSWORD"
FORGOT_PASSWORD_VALIDITY = timedelta(hours=1)
RESET_NOT_ALLOWED = "User password cannot be reset in the current state."


def _user(ctx: Context, request: dict[str, Any]) -> tuple[UserPool, User]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    return pool, users.get_user(ctx, pool, request["Username"])


# --- AdminCreateUser ---------------------------------------------------------------------------------
@operation("AdminCreateUser")
def admin_create_user(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    action = request.get("MessageAction")
    password = request.get("TemporaryPassword")
    if action == "RESEND":
        user = users.get_user(ctx, pool, request["Username"])
        if user.status != "FORCE_CHANGE_PASSWORD":
            raise UnsupportedUserStateException(
                f"Resend not possible. {user.username} status is not FORCE_CHANGE_PASSWORD"
            )
    else:
        values = attributes.check_writes(
            pool, attributes.from_request(request.get("UserAttributes")), client=None, creating=True
        )
        values = {name: value for name, value in values.items() if value != ""}
        if password is not None:
            users.check_password_policy(pool, password)
        events.pre_sign_up(ctx, pool, "PreSignUp_AdminCreateUser", request["Username"], None, values, request)
        user = users.create_user(
            ctx,
            pool,
            request["Username"],
            values,
            status="FORCE_CHANGE_PASSWORD",
            force_alias=bool(request.get("ForceAliasCreation")),
        )
    if password is None:
        password = codes.new_temporary_password(users.password_policy(pool))
    users.set_password(ctx, pool, user, password, temporary=True)
    user.status = "FORCE_CHANGE_PASSWORD"
    if action != "SUPPRESS":
        _send_invitation(ctx, pool, user, request, password)
    return {"User": users.user_type(user)}


def _send_invitation(
    ctx: Context, pool: UserPool, user: User, request: dict[str, Any], password: str
) -> None:
    """The welcome message with the user name and temporary password, by the requested media."""
    values = users.attribute_map(user)
    requested = request.get("DesiredDeliveryMediums")
    if requested:
        mediums = list(dict.fromkeys(requested))
        for medium in mediums:
            name = "email" if medium == "EMAIL" else "phone_number"
            if not values.get(name):
                shown = "Email" if medium == "EMAIL" else "SMS"
                raise InvalidParameterException(f"No {name} provided but desired delivery medium was {shown}")
    else:
        # AWS's default medium is SMS; a user without a phone number gets the email instead.
        mediums = ["SMS"] if values.get("phone_number") else ["EMAIL"] if values.get("email") else []
    # In pools that sign in by email/phone the user types that, not the generated (sub) user name.
    shown_username = request["Username"] if users.username_attributes(pool) else user.username
    for medium in mediums:
        destination = values["email" if medium == "EMAIL" else "phone_number"]
        subject, template = outbox.invitation_message(pool, medium)
        subject, template = events.custom_message(
            ctx, pool, user, "INVITATION", medium, subject, template, username_parameter="{username}"
        )
        outbox.send_message(
            ctx,
            pool,
            username=user.username,
            channel=medium,
            destination=destination,
            purpose="INVITATION",
            subject=outbox.render(subject, code=password, username=shown_username) if subject else None,
            body=outbox.render(template, code=password, username=shown_username),
            secret=password,
        )


# --- reading and deleting ----------------------------------------------------------------------------
@operation("AdminGetUser", writes=False)
def admin_get_user(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    _pool, user = _user(ctx, request)
    return get_user_view(user)


def get_user_view(user: User, readable: set[str] | None = None) -> dict[str, Any]:
    """AdminGetUser's answer (GetUser's is the same without dates, status and Enabled)."""
    view: dict[str, Any] = {
        "Username": user.username,
        "UserAttributes": users.attribute_list(user, readable),
        "UserCreateDate": users.user_type(user)["UserCreateDate"],
        "UserLastModifiedDate": users.user_type(user)["UserLastModifiedDate"],
        "Enabled": bool(user.enabled),
        "UserStatus": user.status,
    }
    view.update(users.mfa_view(user))
    return view


@operation("AdminDeleteUser")
def admin_delete_user(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    _pool, user = _user(ctx, request)
    users.delete_user(ctx, user)
    return {}


# --- status and passwords ----------------------------------------------------------------------------
@operation("AdminConfirmSignUp")
def admin_confirm_sign_up(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool, user = _user(ctx, request)
    if user.status != "UNCONFIRMED":
        raise NotAuthorizedException(f"User cannot be confirmed. Current status is {user.status}")
    user.status = "CONFIRMED"
    events.post_confirmation(
        ctx, pool, "PostConfirmation_ConfirmSignUp", user, None, request.get("ClientMetadata")
    )
    user.modified_at = ctx.now
    return {}


@operation("AdminSetUserPassword")
def admin_set_user_password(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool, user = _user(ctx, request)
    permanent = bool(request.get("Permanent"))
    users.set_password(ctx, pool, user, request["Password"], temporary=not permanent)
    user.status = "CONFIRMED" if permanent else "FORCE_CHANGE_PASSWORD"
    return {}


@operation("AdminResetUserPassword")
def admin_reset_user_password(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool, user = _user(ctx, request)
    if user.status not in ("CONFIRMED", "RESET_REQUIRED"):
        raise NotAuthorizedException(RESET_NOT_ALLOWED)
    user.status = "RESET_REQUIRED"
    user.modified_at = ctx.now
    # The code goes out only when the user has a verified place to receive it.
    target = recovery_destination(pool, user)
    if target is not None and target != "admin_only":
        send_reset_code(ctx, pool, user, *target)
    return {}


def recovery_destination(pool: UserPool, user: User) -> tuple[str, str] | str | None:
    """Where a password-reset code goes: (channel, destination), "admin_only", or None.

    AccountRecoverySetting orders the mechanisms; without it Cognito's legacy rule applies: a verified
    phone number first, then a verified email. SMS is not used for recovery when SMS MFA is on.
    """
    values = users.attribute_map(user)
    email = values.get("email") if values.get("email_verified") == "true" else None
    phone = values.get("phone_number") if values.get("phone_number_verified") == "true" else None
    mechanisms = (pool.config.get("AccountRecoverySetting") or {}).get("RecoveryMechanisms")
    if not mechanisms:
        if phone:
            return "SMS", phone
        return ("EMAIL", email) if email else None
    for mechanism in sorted(mechanisms, key=lambda item: item.get("Priority", 0)):
        name = mechanism.get("Name")
        if name == "admin_only":
            return "admin_only"
        if name == "verified_email" and email:
            return "EMAIL", email
        if name == "verified_phone_number" and phone and not user.mfa_sms_enabled:
            return "SMS", phone
    return None


def send_reset_code(
    ctx: Context, pool: UserPool, user: User, channel: str, destination: str
) -> dict[str, str]:
    outbox.issue_code(
        ctx,
        pool,
        user,
        purpose=FORGOT_PASSWORD,
        channel=channel,
        destination=destination,
        ttl=FORGOT_PASSWORD_VALIDITY,
    )
    return outbox.delivery_details(channel, destination)


# --- attributes --------------------------------------------------------------------------------------
@operation("AdminUpdateUserAttributes")
def admin_update_user_attributes(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool, user = _user(ctx, request)
    values = attributes.check_writes(
        pool, attributes.from_request(request["UserAttributes"]), client=None, creating=False
    )
    attributes.apply_update(ctx, pool, user, values, admin=True)
    return {}


@operation("AdminDeleteUserAttributes")
def admin_delete_user_attributes(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool, user = _user(ctx, request)
    attributes.delete_attributes(ctx, pool, user, list(request["UserAttributeNames"]), client=None)
    return {}


# --- enable, disable, sign out -----------------------------------------------------------------------
@operation("AdminDisableUser")
def admin_disable_user(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    _pool, user = _user(ctx, request)
    user.enabled = False
    user.modified_at = ctx.now
    # Disabling a user revokes its tokens, as in Cognito.
    tokens.revoke_all(ctx, user)
    return {}


@operation("AdminEnableUser")
def admin_enable_user(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    _pool, user = _user(ctx, request)
    user.enabled = True
    user.modified_at = ctx.now
    return {}


@operation("AdminUserGlobalSignOut")
def admin_user_global_sign_out(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    _pool, user = _user(ctx, request)
    tokens.revoke_all(ctx, user)
    return {}
