"""Passkey operations: Start/CompleteWebAuthnRegistration, ListWebAuthnCredentials, DeleteWebAuthnCredential,
and the user's sign-in options, GetUserAuthFactors and AdminGetUserAuthFactors.

The checks themselves (origin, relying party, challenge, signature, user verification) are in
``userpools.passkeys``; the WEB_AUTHN sign-in challenge is in ``userpools.signin.webauthn``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from emulator.protocol.context import Context
from emulator.protocol.errors import InvalidParameterException
from emulator.store.models import User, UserPool
from emulator.store.models_webauthn import WebAuthnCredential
from emulator.userpools import passkeys, pools, tokens, users
from emulator.userpools.operations import operation
from emulator.userpools.signin import flows


@operation("StartWebAuthnRegistration")
def start_web_authn_registration(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    auth = tokens.authenticate(ctx, request["AccessToken"])
    options = passkeys.start_registration(ctx, auth.pool, auth.client, auth.user)
    return {"CredentialCreationOptions": options}


@operation("CompleteWebAuthnRegistration")
def complete_web_authn_registration(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    auth = tokens.authenticate(ctx, request["AccessToken"])
    passkeys.complete_registration(ctx, auth.pool, auth.client, auth.user, request["Credential"])
    return {}


@operation("ListWebAuthnCredentials", writes=False)
def list_web_authn_credentials(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    auth = tokens.authenticate(ctx, request["AccessToken"])
    limit = request.get("MaxResults") or passkeys.MAX_CREDENTIALS
    query = select(WebAuthnCredential).where(WebAuthnCredential.user_id == auth.user.id)
    if request.get("NextToken"):
        after = pools.decode_token(request["NextToken"])
        if not after.isdigit():
            raise InvalidParameterException("Invalid pagination token.")
        query = query.where(WebAuthnCredential.id > int(after))
    rows = list(ctx.db.scalars(query.order_by(WebAuthnCredential.id).limit(limit + 1)))
    result: dict[str, Any] = {"Credentials": [passkeys.describe(row) for row in rows[:limit]]}
    if len(rows) > limit:
        result["NextToken"] = pools.encode_token(str(rows[limit - 1].id))
    return result


@operation("DeleteWebAuthnCredential")
def delete_web_authn_credential(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    auth = tokens.authenticate(ctx, request["AccessToken"])
    passkeys.delete_credential(ctx, auth.user, request["CredentialId"])
    return {}


def auth_factors(ctx: Context, pool: UserPool, user: User) -> dict[str, Any]:
    """GetUserAuthFactors: the MFA settings and the first factors USER_AUTH would offer the user."""
    view: dict[str, Any] = {"Username": user.username}
    mfa = users.mfa_view(user)
    for key in ("PreferredMfaSetting", "UserMFASettingList"):
        if key in mfa:
            view[key] = mfa[key]
    configured: list[str] = []
    for name in flows.available_first_factors(ctx, pool, user):
        factor = flows.FIRST_FACTOR_SETTING[name]
        if factor not in configured:
            configured.append(factor)
    view["ConfiguredUserAuthFactors"] = configured
    return view


@operation("GetUserAuthFactors", writes=False)
def get_user_auth_factors(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    auth = tokens.authenticate(ctx, request["AccessToken"])
    return auth_factors(ctx, auth.pool, auth.user)


@operation("AdminGetUserAuthFactors", writes=False)
def admin_get_user_auth_factors(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    user = users.get_user(ctx, pool, request["Username"])
    return auth_factors(ctx, pool, user)
