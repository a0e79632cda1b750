"""What users do themselves: password recovery (ForgotPassword, ConfirmForgotPassword) and the operations
that take an access token (GetUser, UpdateUserAttributes, GetUserAttributeVerificationCode,
VerifyUserAttribute, DeleteUserAttributes, DeleteUser, ChangePassword).

Access tokens are checked by ``tokens.authenticate`` (signature, expiry, revocation, user still there and
enabled); these operations also need the token's ``aws.cognito.signin.user.admin`` scope.
"""

from __future__ import annotations

from typing import Any

from emulator.protocol.context import Context
from emulator.protocol.errors import (
    CodeMismatchException,
    InvalidParameterException,
    NotAuthorizedException,
    UserNotFoundException,
)
from emulator.store.models import User, UserPool, UserPoolClient
from emulator.userpools import attributes, outbox, pools, tokens, users
from emulator.userpools.operations import operation
from emulator.userpools.operations.signup import (
    code_recipient,
    prevents_user_existence_errors,
    simulated_delivery,
)
from emulator.userpools.operations.users_admin import (
    FORGOT_PASSWORD,
    RESET_NOT_ALLOWED,
    get_user_view,
    recovery_destination,
    send_reset_code,
)
from emulator.userpools.signin.migration import migrate_user
from emulator.userpools.triggers import events

USER_ADMIN_SCOPE = "aws.cognito.signin.user.admin"
NO_RECOVERY_MESSAGE = (
    "Cannot reset password for the user as there is no registered/verified email or phone_number"
)


# --- password recovery -------------------------------------------------------------------------------
@operation("ForgotPassword")
def forgot_password(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool, client = pools.client_for_user_call(ctx, request["ClientId"])
    username = request["Username"]
    pools.check_client_secret(client, username, request.get("SecretHash"))
    user = users.find_user(ctx, pool, username)
    if user is None:
        user = migrate_user(ctx, pool, client, username, password=None, request=request)
    user = code_recipient(client, user)
    if user is None:
        return {"CodeDeliveryDetails": simulated_delivery(pool, username)}
    ctx.log.setdefault("user", user.username)
    if user.status in ("FORCE_CHANGE_PASSWORD", "EXTERNAL_PROVIDER"):
        raise NotAuthorizedException(RESET_NOT_ALLOWED)
    target = recovery_destination(pool, user)
    if target == "admin_only":
        raise NotAuthorizedException("Contact administrator to reset password.")
    if target is None:
        if prevents_user_existence_errors(client):
            return {"CodeDeliveryDetails": simulated_delivery(pool, username)}
        raise InvalidParameterException(NO_RECOVERY_MESSAGE)
    outbox.check_send_rate(ctx, user, FORGOT_PASSWORD)
    channel, destination = target
    return {"CodeDeliveryDetails": send_reset_code(ctx, pool, user, channel, destination)}


@operation("ConfirmForgotPassword")
def confirm_forgot_password(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool, client = pools.client_for_user_call(ctx, request["ClientId"])
    username = request["Username"]
    pools.check_client_secret(client, username, request.get("SecretHash"))
    user = users.find_user(ctx, pool, username)
    if user is None or not user.enabled:
        if prevents_user_existence_errors(client):
            raise CodeMismatchException()
        if user is None:
            raise UserNotFoundException("User does not exist.")
        raise NotAuthorizedException("User is disabled.")
    ctx.log.setdefault("user", user.username)
    outbox.consume_code(ctx, user, purpose=FORGOT_PASSWORD, code=request["ConfirmationCode"])
    users.set_password(ctx, pool, user, request["Password"], temporary=False)
    user.status = "CONFIRMED"
    events.post_confirmation(
        ctx, pool, "PostConfirmation_ConfirmForgotPassword", user, client.id, request.get("ClientMetadata")
    )
    return {}


# --- operations with an access token -----------------------------------------------------------------
def _signed_in(ctx: Context, request: dict[str, Any]) -> tuple[UserPool, UserPoolClient, User]:
    auth = tokens.authenticate(ctx, request["AccessToken"])
    scopes = str(auth.claims.get("scope") or "").split()
    if USER_ADMIN_SCOPE not in scopes:
        raise NotAuthorizedException("Access Token does not have required scopes")
    return auth.pool, auth.client, auth.user


@operation("GetUser", writes=False)
def get_user(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool, client, user = _signed_in(ctx, request)
    view = get_user_view(user, attributes.readable(pool, client))
    for key in ("UserCreateDate", "UserLastModifiedDate", "Enabled", "UserStatus"):
        view.pop(key)
    return view


@operation("UpdateUserAttributes")
def update_user_attributes(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool, client, user = _signed_in(ctx, request)
    values = attributes.check_writes(
        pool, attributes.from_request(request["UserAttributes"]), client=client, creating=False
    )
    deliveries = attributes.apply_update(ctx, pool, user, values, admin=False)
    return {"CodeDeliveryDetailsList": deliveries}


@operation("GetUserAttributeVerificationCode")
def get_user_attribute_verification_code(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool, _client, user = _signed_in(ctx, request)
    name = request["AttributeName"]
    if name not in attributes.CONTACT_ATTRIBUTES:
        raise InvalidParameterException(f"Invalid attribute name: {name}")
    purpose = attributes.verify_purpose(name)
    outbox.check_send_rate(ctx, user, purpose)
    # A new value waiting for verification (AttributesRequireVerificationBeforeUpdate) gets the code.
    waiting = outbox.pending_code(ctx, user, purpose)
    if waiting is not None and (waiting.data or {}).get("pending"):
        value = waiting.data["value"]
        return {
            "CodeDeliveryDetails": attributes.send_verification_code(
                ctx, pool, user, name, value, pending=True
            )
        }
    value = users.attribute_map(user).get(name)
    if not value:
        raise InvalidParameterException(f"User does not have the attribute {name}.")
    return {"CodeDeliveryDetails": attributes.send_verification_code(ctx, pool, user, name, value)}


@operation("VerifyUserAttribute")
def verify_user_attribute(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool, _client, user = _signed_in(ctx, request)
    attributes.verify_attribute(ctx, pool, user, request["AttributeName"], request["Code"])
    return {}


@operation("DeleteUserAttributes")
def delete_user_attributes(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool, client, user = _signed_in(ctx, request)
    attributes.delete_attributes(ctx, pool, user, list(request["UserAttributeNames"]), client=client)
    return {}


@operation("DeleteUser")
def delete_user(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    _pool, _client, user = _signed_in(ctx, request)
    users.delete_user(ctx, user)
    return {}


@operation("ChangePassword")
def change_password(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool, _client, user = _signed_in(ctx, request)
    previous = request.get("PreviousPassword")
    if user.password_hash and (not previous or not users.check_password(ctx, user, previous)):
        raise NotAuthorizedException("Incorrect username or password.")
    users.set_password(ctx, pool, user, request["ProposedPassword"], temporary=False)
    return {}
