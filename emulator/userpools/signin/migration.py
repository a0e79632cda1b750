"""UserMigration: bring a user the pool does not know in from a legacy system, at sign-in or ForgotPassword.

The trigger gets the typed user name (and password, at sign-in); when it answers with userAttributes the user
is created with them, the password set (sign-in) and finalUserStatus (CONFIRMED, or RESET_REQUIRED). A
trigger that raises leaves the user unknown. Migration needs the password, so USER_SRP_AUTH cannot migrate,
as in Cognito.
"""

from __future__ import annotations

from typing import Any

from emulator.protocol.context import Context
from emulator.store.models import User, UserPool, UserPoolClient
from emulator.userpools import attributes, users
from emulator.userpools.triggers import configured, events


def migrate_user(
    ctx: Context,
    pool: UserPool,
    client: UserPoolClient,
    username: str,
    *,
    password: str | None,
    request: dict[str, Any],
) -> User | None:
    if not configured(pool, "UserMigration"):
        return None
    source = "UserMigration_Authentication" if password is not None else "UserMigration_ForgotPassword"
    answer = events.user_migration(ctx, pool, source, username, client.id, password=password, request=request)
    if answer is None:
        return None
    given = {
        name: str(value)
        for name, value in answer["userAttributes"].items()
        if name not in ("sub", "username", "cognito:username", "cognito:user_status")
    }
    values = attributes.check_writes(pool, given, client=None, creating=True)
    status = answer.get("finalUserStatus") or ("CONFIRMED" if password is not None else "RESET_REQUIRED")
    if status not in ("CONFIRMED", "RESET_REQUIRED"):
        status = "CONFIRMED"
    user = users.create_user(
        ctx, pool, username, values, status=status, force_alias=bool(answer.get("forceAliasCreation"))
    )
    if password is not None:
        users.set_password(ctx, pool, user, password, temporary=False)
    if answer.get("enableSMSMFA"):
        user.mfa_sms_enabled = True
    return user
