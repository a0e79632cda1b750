"""The events Cognito sends to each trigger, and reading their answers.

Every event has version, triggerSource, region, userPoolId, userName, callerContext (awsSdkVersion, clientId),
request and response, as documented for Cognito user pool Lambda triggers.
"""

from __future__ import annotations

from typing import Any

from emulator.protocol.context import Context
from emulator.protocol.errors import UserNotFoundException
from emulator.store.models import GroupMembership, User, UserPool
from emulator.userpools import users
from emulator.userpools.triggers.invoke import configured, invoke


def base_event(
    ctx: Context,
    pool: UserPool,
    source: str,
    username: str,
    client_id: str | None,
    request: dict[str, Any],
    response: dict[str, Any] | None = None,
    version: str = "1",
) -> dict[str, Any]:
    sdk = ctx.caller.get("amz_user_agent") or ctx.caller.get("user_agent") or "aws-sdk-unknown-unknown"
    return {
        "version": version,
        "triggerSource": source,
        "region": pool.region,
        "userPoolId": pool.id,
        "userName": username,
        "callerContext": {
            "awsSdkVersion": sdk.split(" ")[0],
            "clientId": client_id or "CLIENT_ID_NOT_APPLICABLE",
        },
        "request": request,
        "response": response if response is not None else {},
    }


def group_names(ctx: Context, user: User) -> list[str]:
    from sqlalchemy import select

    return list(ctx.db.scalars(select(GroupMembership.group_name).where(GroupMembership.user_id == user.id)))


def user_attributes(user: User | None) -> dict[str, str]:
    if user is None:
        return {}
    attributes = users.attribute_map(user)
    attributes["cognito:user_status"] = user.status
    return attributes


def pre_authentication(
    ctx: Context, pool: UserPool, client_id: str, user: User, *, validation_data: dict[str, str] | None = None
) -> None:
    if configured(pool, "PreAuthentication"):
        invoke(
            ctx,
            pool,
            "PreAuthentication",
            base_event(
                ctx,
                pool,
                "PreAuthentication_Authentication",
                user.username,
                client_id,
                {
                    "userAttributes": user_attributes(user),
                    "validationData": validation_data or {},
                    "userNotFound": False,
                },
            ),
        )


def post_authentication(
    ctx: Context,
    pool: UserPool,
    client_id: str,
    user: User,
    *,
    client_metadata: dict[str, str] | None = None,
    new_device_used: bool = False,
) -> None:
    if configured(pool, "PostAuthentication"):
        invoke(
            ctx,
            pool,
            "PostAuthentication",
            base_event(
                ctx,
                pool,
                "PostAuthentication_Authentication",
                user.username,
                client_id,
                {
                    "userAttributes": user_attributes(user),
                    "newDeviceUsed": new_device_used,
                    "clientMetadata": client_metadata or {},
                },
            ),
        )


def pre_token_generation(
    ctx: Context,
    pool: UserPool,
    client_id: str,
    user: User,
    source: str,
    *,
    groups: list[str] | None = None,
    client_metadata: dict[str, str] | None = None,
    scopes: list[str] | None = None,
) -> dict[str, dict[str, Any]] | None:
    """Run PreTokenGeneration (V1, V2 or V3 event) and turn its answer into tokens.issue_tokens' claims_override.

    ``groups`` default to the user's groups, read only when the pool has the trigger."""
    if not configured(pool, "PreTokenGeneration"):
        return None
    if groups is None:
        groups = group_names(ctx, user)
    lambda_config = pool.config.get("LambdaConfig") or {}
    version_setting = (lambda_config.get("PreTokenGenerationConfig") or {}).get("LambdaVersion", "V1_0")
    version = {"V1_0": "1", "V2_0": "2", "V3_0": "3"}.get(version_setting, "1")
    request: dict[str, Any] = {
        "userAttributes": user_attributes(user),
        "groupConfiguration": {"groupsToOverride": groups, "iamRolesToOverride": [], "preferredRole": None},
        "clientMetadata": client_metadata or {},
    }
    if version != "1":
        request["scopes"] = scopes or ["aws.cognito.signin.user.admin"]
    event = invoke(
        ctx,
        pool,
        "PreTokenGeneration",
        base_event(ctx, pool, source, user.username, client_id, request, version=version),
    )
    response = event.get("response") or {}
    override: dict[str, dict[str, Any]] = {"id": {}, "access": {}}
    if version == "1":
        details = response.get("claimsOverrideDetails") or {}
        _claims(override["id"], details)
        _groups(override, details.get("groupOverrideDetails"))
    else:
        details = response.get("claimsAndScopeOverrideDetails") or {}
        _claims(override["id"], details.get("idTokenGeneration") or {})
        access = details.get("accessTokenGeneration") or {}
        _claims(override["access"], access)
        if access.get("scopesToAdd") or access.get("scopesToSuppress"):
            current = list(scopes or ["aws.cognito.signin.user.admin"])
            current += [scope for scope in access.get("scopesToAdd") or [] if scope not in current]
            current = [scope for scope in current if scope not in (access.get("scopesToSuppress") or [])]
            override["access"]["scope"] = " ".join(current)
        _groups(override, details.get("groupOverrideDetails"))
    return override


# Claims a trigger may not touch (Cognito ignores such overrides).
_PROTECTED = {
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "token_use",
    "jti",
    "origin_jti",
    "event_id",
    "client_id",
    "username",
    "cognito:username",
    "acr",
    "amr",
    "at_hash",
    "nonce",
    "identities",
}


def _claims(target: dict[str, Any], details: dict[str, Any]) -> None:
    for name, value in (details.get("claimsToAddOrOverride") or {}).items():
        if name not in _PROTECTED:
            target[name] = value
    for name in details.get("claimsToSuppress") or []:
        if name not in _PROTECTED:
            target[name] = None


def _groups(override: dict[str, dict[str, Any]], details: dict[str, Any] | None) -> None:
    if not details:
        return
    if "groupsToOverride" in details:
        groups = details.get("groupsToOverride") or None
        override["id"]["cognito:groups"] = groups
        override["access"]["cognito:groups"] = groups
    if details.get("iamRolesToOverride") is not None:
        override["id"]["cognito:roles"] = details["iamRolesToOverride"] or None
    if details.get("preferredRole") is not None:
        override["id"]["cognito:preferred_role"] = details["preferredRole"]


# --- sign-up, confirmation, messages, migration --------------------------------------------------------
def _as_map(items: Any) -> dict[str, str]:
    """ValidationData / UserAttributes lists ([{"Name", "Value"}]) as the map triggers receive."""
    if isinstance(items, dict):
        return dict(items)
    return {
        item["Name"]: item.get("Value", "")
        for item in items or []
        if isinstance(item, dict) and "Name" in item
    }


def pre_sign_up(
    ctx: Context,
    pool: UserPool,
    source: str,
    username: str,
    client_id: str | None,
    user_attributes_given: dict[str, str],
    request: dict[str, Any],
) -> dict[str, Any]:
    """PreSignUp_SignUp / PreSignUp_AdminCreateUser: the response (autoConfirmUser, autoVerifyEmail, autoVerifyPhone),
    or {} when the pool has no PreSignUp trigger. A failing trigger rejects the sign-up."""
    if not configured(pool, "PreSignUp"):
        return {}
    event = invoke(
        ctx,
        pool,
        "PreSignUp",
        base_event(
            ctx,
            pool,
            source,
            username,
            client_id,
            {
                "userAttributes": dict(user_attributes_given),
                "validationData": _as_map(request.get("ValidationData")),
                "clientMetadata": request.get("ClientMetadata") or {},
            },
            {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False},
        ),
    )
    return event.get("response") or {}


def post_confirmation(
    ctx: Context,
    pool: UserPool,
    source: str,
    user: User,
    client_id: str | None,
    client_metadata: dict[str, str] | None = None,
) -> None:
    """PostConfirmation_ConfirmSignUp / PostConfirmation_ConfirmForgotPassword."""
    if configured(pool, "PostConfirmation"):
        invoke(
            ctx,
            pool,
            "PostConfirmation",
            base_event(
                ctx,
                pool,
                source,
                user.username,
                client_id,
                {"userAttributes": user_attributes(user), "clientMetadata": client_metadata or {}},
            ),
        )


# Outbox purposes -> CustomMessage trigger sources (some depend on the operation that sends).
_MESSAGE_SOURCES = {
    "SIGN_UP": "CustomMessage_SignUp",
    "FORGOT_PASSWORD": "CustomMessage_ForgotPassword",
    "INVITATION": "CustomMessage_AdminCreateUser",
    "SMS_MFA": "CustomMessage_Authentication",
    "EMAIL_OTP": "CustomMessage_Authentication",
    "SMS_OTP": "CustomMessage_Authentication",
    "EMAIL_OTP_SIGNIN": "CustomMessage_Authentication",
}


def custom_message(
    ctx: Context,
    pool: UserPool,
    user: User,
    purpose: str,
    channel: str,
    subject: str | None,
    template: str,
    *,
    username_parameter: str | None = None,
) -> tuple[str | None, str]:
    """Let the CustomMessage trigger rewrite a message template; (subject, body template) to render."""
    if not configured(pool, "CustomMessage"):
        return subject, template
    if purpose.startswith("VERIFY_ATTRIBUTE"):
        updating = ctx.operation in ("UpdateUserAttributes", "AdminUpdateUserAttributes")
        source = "CustomMessage_UpdateUserAttribute" if updating else "CustomMessage_VerifyUserAttribute"
    elif purpose == "SIGN_UP" and ctx.operation == "ResendConfirmationCode":
        source = "CustomMessage_ResendCode"
    else:
        source = _MESSAGE_SOURCES.get(purpose)
        if source is None:
            return subject, template
    request: dict[str, Any] = {
        "userAttributes": user_attributes(user),
        "codeParameter": "{####}",
        "linkParameter": "{##Click Here##}",
        "clientMetadata": {},
    }
    if username_parameter is not None:
        request["usernameParameter"] = username_parameter
    response = (
        invoke(
            ctx,
            pool,
            "CustomMessage",
            base_event(
                ctx,
                pool,
                source,
                user.username,
                None,
                request,
                {"smsMessage": None, "emailMessage": None, "emailSubject": None},
            ),
        ).get("response")
        or {}
    )
    if channel == "SMS":
        return subject, response.get("smsMessage") or template
    return response.get("emailSubject") or subject, response.get("emailMessage") or template


def user_migration(
    ctx: Context,
    pool: UserPool,
    source: str,
    username: str,
    client_id: str | None,
    *,
    password: str | None,
    request: dict[str, Any],
) -> dict[str, Any] | None:
    """UserMigration_Authentication / UserMigration_ForgotPassword for a user the pool does not know:
    the trigger's response (userAttributes, finalUserStatus, messageAction, ...) or None without a trigger."""
    if not configured(pool, "UserMigration"):
        return None
    body: dict[str, Any] = {
        "validationData": _as_map(request.get("ValidationData")),
        "clientMetadata": request.get("ClientMetadata") or {},
    }
    if password is not None:
        body["password"] = password
    response = (
        invoke(
            ctx,
            pool,
            "UserMigration",
            base_event(
                ctx,
                pool,
                source,
                username,
                client_id,
                body,
                {
                    "userAttributes": None,
                    "finalUserStatus": None,
                    "messageAction": None,
                    "desiredDeliveryMediums": None,
                    "forceAliasCreation": None,
                    "enableSMSMFA": None,
                },
            ),
        ).get("response")
        or {}
    )
    if not isinstance(response.get("userAttributes"), dict):
        raise UserNotFoundException("Exception migrating user in app client " + (client_id or ""))
    return response
