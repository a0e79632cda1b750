"""The legacy (deprecated) MFA settings: SetUserSettings and AdminSetUserSettings.

``MFAOptions`` only ever describe SMS to the user's phone_number: a list with that option turns SMS MFA on
for the user, an empty list turns it off. (Admin)GetUser and ListUsers show it back as ``MFAOptions``.
"""

from __future__ import annotations

from typing import Any

from emulator.protocol.context import Context
from emulator.protocol.errors import InvalidParameterException
from emulator.store.models import User
from emulator.userpools import pools, tokens, users
from emulator.userpools.operations import operation
from emulator.userpools.signin import mfa


def apply_settings(ctx: Context, user: User, options: list[dict[str, Any]]) -> None:
    for option in options:
        if option.get("DeliveryMedium") != "SMS" or option.get("AttributeName") != "phone_number":
            raise InvalidParameterException(
                "Only SMS delivery to the phone_number attribute is supported in MFAOptions."
            )
    if options:
        if not users.attribute_map(user).get("phone_number"):
            raise InvalidParameterException("User does not have a phone number to enable SMS MFA.")
        user.mfa_sms_enabled = True
    else:
        user.mfa_sms_enabled = False
        if user.mfa_preferred == mfa.SMS:
            user.mfa_preferred = None
    user.modified_at = ctx.now


@operation("SetUserSettings")
def set_user_settings(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    who = tokens.authenticate(ctx, request["AccessToken"])
    apply_settings(ctx, who.user, request["MFAOptions"])
    return {}


@operation("AdminSetUserSettings")
def admin_set_user_settings(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    user = users.get_user(ctx, pool, request["Username"])
    apply_settings(ctx, user, request["MFAOptions"])
    return {}
