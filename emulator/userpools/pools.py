"""User pools and app clients: AWS's defaults, lookups and the API view of a stored pool or client."""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from emulator import ids
from emulator.protocol import service_model
from emulator.protocol.context import Context
from emulator.protocol.errors import (
    FeatureUnavailableInTierException,
    InvalidParameterException,
    NotAuthorizedException,
    ResourceNotFoundException,
)
from emulator.store.models import User, UserPool, UserPoolClient, UserPoolDomain
from emulator.userpools import client_oauth, client_secrets, custom_sender_config, password_history

_STRING = {"AttributeDataType": "String", "DeveloperOnlyAttribute": False, "Mutable": True, "Required": False}
_LONG_STRING = {**_STRING, "StringAttributeConstraints": {"MinLength": "0", "MaxLength": "2048"}}
_BOOLEAN = {
    "AttributeDataType": "Boolean",
    "DeveloperOnlyAttribute": False,
    "Mutable": True,
    "Required": False,
}

# The standard attributes every pool has, in the order DescribeUserPool lists them.
STANDARD_ATTRIBUTES: dict[str, dict[str, Any]] = {
    "sub": {
        **_STRING,
        "Mutable": False,
        "Required": True,
        "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "2048"},
    },
    "name": _LONG_STRING,
    "given_name": _LONG_STRING,
    "family_name": _LONG_STRING,
    "middle_name": _LONG_STRING,
    "nickname": _LONG_STRING,
    "preferred_username": _LONG_STRING,
    "profile": _LONG_STRING,
    "picture": _LONG_STRING,
    "website": _LONG_STRING,
    "email": _LONG_STRING,
    "email_verified": _BOOLEAN,
    "gender": _LONG_STRING,
    "birthdate": {**_STRING, "StringAttributeConstraints": {"MinLength": "10", "MaxLength": "10"}},
    "zoneinfo": _LONG_STRING,
    "locale": _LONG_STRING,
    "phone_number": _LONG_STRING,
    "phone_number_verified": _BOOLEAN,
    "address": _LONG_STRING,
    "updated_at": {
        "AttributeDataType": "Number",
        "DeveloperOnlyAttribute": False,
        "Mutable": True,
        "Required": False,
        "NumberAttributeConstraints": {"MinValue": "0"},
    },
    "identities": {**_STRING, "StringAttributeConstraints": {}},
}

DEFAULT_PASSWORD_POLICY = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 7,
}

# Settings UpdateUserPool may change. AWS resets any of these that an update leaves out to its default.
UPDATABLE_POOL_SETTINGS = (
    "Policies",
    "DeletionProtection",
    "LambdaConfig",
    "AutoVerifiedAttributes",
    "SmsVerificationMessage",
    "EmailVerificationMessage",
    "EmailVerificationSubject",
    "VerificationMessageTemplate",
    "SmsAuthenticationMessage",
    "UserAttributeUpdateSettings",
    "MfaConfiguration",
    "DeviceConfiguration",
    "EmailConfiguration",
    "SmsConfiguration",
    "AdminCreateUserConfig",
    "UserPoolAddOns",
    "DcrConfiguration",
    "AccountRecoverySetting",
    "UserPoolTier",
    "KeyConfiguration",
    "IssuerConfiguration",
    "AcrConfiguration",
)
# Settings fixed at creation.
CREATE_ONLY_POOL_SETTINGS = ("AliasAttributes", "UsernameAttributes", "UsernameConfiguration")
# MFA factor settings made by SetUserPoolMfaConfig; kept in the pool's config, not part of UserPoolType.
MFA_FACTOR_SETTINGS = (
    "SmsMfaConfiguration",
    "SoftwareTokenMfaConfiguration",
    "EmailMfaConfiguration",
    "WebAuthnConfiguration",
)


# Called with (ctx, pool) after a pool is created, e.g. to generate its signing key.
POOL_CREATED_HOOKS: list[Callable[[Context, UserPool], None]] = []


def new_pool_config(request: dict[str, Any]) -> dict[str, Any]:
    """The stored config of a pool made by a CreateUserPool request (AWS's defaults filled in)."""
    if request.get("AliasAttributes") and request.get("UsernameAttributes"):
        raise InvalidParameterException(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool."
        )
    config = apply_pool_settings(pool_defaults(), request)
    for key in CREATE_ONLY_POOL_SETTINGS:
        if request.get(key) is not None:
            config[key] = copy.deepcopy(request[key])
    config["SchemaAttributes"] = build_schema(request.get("Schema"))
    if request.get("SmsConfiguration") and config.get("MfaConfiguration") in ("ON", "OPTIONAL"):
        # A pool created with MFA and an SMS configuration has SMS MFA enabled.
        config["SmsMfaConfiguration"] = {"SmsConfiguration": request["SmsConfiguration"]}
        if request.get("SmsAuthenticationMessage"):
            config["SmsMfaConfiguration"]["SmsAuthenticationMessage"] = request["SmsAuthenticationMessage"]
    return config


def create_pool(ctx: Context, request: dict[str, Any], *, pool_id: str | None = None) -> UserPool:
    """Create a pool from a CreateUserPool request; ``pool_id`` fixes its id (fixtures), else a new one.

    The pool's region is the one in its id, so a fixture pool keeps its region whatever the caller's."""
    config = new_pool_config(request)
    pool = UserPool(
        id=pool_id or _new_pool_id(ctx),
        region=ids.pool_region(pool_id) if pool_id else ctx.region,
        name=request["PoolName"],
        config=config,
        tags=dict(request.get("UserPoolTags") or {}),
        created_at=ctx.now,
        modified_at=ctx.now,
    )
    ctx.db.add(pool)
    ctx.db.flush()
    for hook in POOL_CREATED_HOOKS:
        hook(ctx, pool)
    return pool


def _new_pool_id(ctx: Context) -> str:
    while True:
        pool_id = ids.user_pool_id(ctx.region)
        if ctx.db.get(UserPool, pool_id) is None:
            return pool_id


def apply_mfa_config(config: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    """A pool config with the MFA settings of a SetUserPoolMfaConfig request applied (a new dict)."""
    config = dict(config)
    for key in MFA_FACTOR_SETTINGS:
        if key in request:
            value = request[key]
            if key == "SoftwareTokenMfaConfiguration" and not value.get("Enabled"):
                config.pop(key, None)
            else:
                config[key] = copy.deepcopy(value)
    if request.get("MfaConfiguration"):
        mode = request["MfaConfiguration"]
        enabled = [
            key
            for key in ("SmsMfaConfiguration", "SoftwareTokenMfaConfiguration", "EmailMfaConfiguration")
            if key in config
        ]
        if mode in ("ON", "OPTIONAL") and not enabled:
            raise InvalidParameterException(
                "At least one of SmsMfaConfiguration, SoftwareTokenMfaConfiguration or EmailMfaConfiguration "
                "must be enabled when MfaConfiguration is ON or OPTIONAL."
            )
        config["MfaConfiguration"] = mode
    if "EmailMfaConfiguration" in config and config.get("UserPoolTier") == "LITE":
        raise FeatureUnavailableInTierException("Email MFA is not available in the LITE tier.")
    if request.get("WebAuthnConfiguration") and config.get("UserPoolTier") == "LITE":
        raise FeatureUnavailableInTierException("Passkeys (WebAuthn) are not available in the LITE tier.")
    return config


def pool_arn(ctx: Context, pool: UserPool) -> str:
    return f"arn:aws:cognito-idp:{pool.region}:{ctx.account_id}:userpool/{pool.id}"


def get_pool(ctx: Context, pool_id: str) -> UserPool:
    pool = ctx.db.get(UserPool, pool_id)
    if pool is None:
        raise ResourceNotFoundException(f"User pool {pool_id} does not exist.")
    ctx.log.setdefault("pool", pool_id)
    return pool


def get_client(ctx: Context, pool: UserPool, client_id: str) -> UserPoolClient:
    client = ctx.db.get(UserPoolClient, client_id)
    if client is None or client.pool_id != pool.id:
        raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
    return client


def client_for_user_call(ctx: Context, client_id: str) -> tuple[UserPool, UserPoolClient]:
    """The client (and its pool) named by an unsigned user call (SignUp, InitiateAuth, ...)."""
    client = ctx.db.get(UserPoolClient, client_id)
    if client is None:
        raise ResourceNotFoundException("User pool client " + client_id + " does not exist.")
    pool = get_pool(ctx, client.pool_id)
    return pool, client


def default_schema() -> list[dict[str, Any]]:
    return [{"Name": name, **copy.deepcopy(spec)} for name, spec in STANDARD_ATTRIBUTES.items()]


def build_schema(requested: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The pool's SchemaAttributes: the standard ones (adjusted where the request says so) plus custom ones."""
    schema = default_schema()
    by_name = {attribute["Name"]: attribute for attribute in schema}
    for item in requested or []:
        name = item.get("Name")
        if name in by_name:
            standard = by_name[name]
            if "AttributeDataType" in item and item["AttributeDataType"] != standard["AttributeDataType"]:
                raise InvalidParameterException(
                    f"You can not change AttributeDataType or set developerOnlyAttribute for standard schema "
                    f"attribute {name}"
                )
            for key in ("Mutable", "Required", "StringAttributeConstraints", "NumberAttributeConstraints"):
                if key in item:
                    standard[key] = item[key]
        else:
            schema.append(custom_attribute(item, existing=by_name))
            by_name[schema[-1]["Name"]] = schema[-1]
    return schema


def custom_attribute(item: dict[str, Any], existing: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A custom attribute definition as Cognito stores it: ``custom:`` (or ``dev:custom:``) prefixed."""
    name = item.get("Name")
    if not name:
        # The model leaves Name optional, but an attribute cannot exist without one.
        raise InvalidParameterException("The name of a custom attribute is required.")
    for prefix in ("dev:custom:", "custom:"):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    data_type = item.get("AttributeDataType", "String")
    developer_only = bool(item.get("DeveloperOnlyAttribute", False))
    full_name = ("dev:custom:" if developer_only else "custom:") + name
    if full_name in existing or "custom:" + name in existing or "dev:custom:" + name in existing:
        raise InvalidParameterException(f"Existing attribute already has name {full_name}.")
    attribute: dict[str, Any] = {
        "Name": full_name,
        "AttributeDataType": data_type,
        "DeveloperOnlyAttribute": developer_only,
        "Mutable": item.get("Mutable", True),
        "Required": False,
    }
    if item.get("Required"):
        raise InvalidParameterException("Required custom attributes are not supported currently.")
    if data_type == "String":
        attribute["StringAttributeConstraints"] = item.get("StringAttributeConstraints", {})
    elif data_type == "Number":
        attribute["NumberAttributeConstraints"] = item.get("NumberAttributeConstraints", {})
    return attribute


def pool_defaults() -> dict[str, Any]:
    return {
        "Policies": {
            "PasswordPolicy": dict(DEFAULT_PASSWORD_POLICY),
            "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]},
        },
        "DeletionProtection": "INACTIVE",
        "LambdaConfig": {},
        "VerificationMessageTemplate": {"DefaultEmailOption": "CONFIRM_WITH_CODE"},
        "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": []},
        "MfaConfiguration": "OFF",
        "EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT"},
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": False, "UnusedAccountValidityDays": 7},
        "UserPoolTier": "ESSENTIALS",
    }


def apply_pool_settings(config: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    """Merge the settings of a CreateUserPool/UpdateUserPool request into AWS's defaults."""
    for key in UPDATABLE_POOL_SETTINGS:
        if key in request and request[key] is not None:
            config[key] = copy.deepcopy(request[key])
    if not config.get("DeviceConfiguration"):
        # Device tracking is on only when a field is set; DescribeUserPool then shows DeviceConfiguration.
        config.pop("DeviceConfiguration", None)
    policies = config.setdefault("Policies", {})
    password_policy = {**DEFAULT_PASSWORD_POLICY, **policies.get("PasswordPolicy", {})}
    policies["PasswordPolicy"] = password_policy
    password_history.normalise_policy(config)
    custom_sender_config.check(config.get("LambdaConfig"))
    policies.setdefault("SignInPolicy", {"AllowedFirstAuthFactors": ["PASSWORD"]})
    first_factors = policies["SignInPolicy"].get("AllowedFirstAuthFactors", [])
    if "PASSWORD" not in first_factors:
        raise InvalidParameterException("PASSWORD must be an allowed first auth factor.")
    if "SOFTWARE_TOKEN" in first_factors:
        raise InvalidParameterException("SOFTWARE_TOKEN is not a valid first auth factor.")
    if config.get("UserPoolTier") == "LITE" and set(first_factors) - {"PASSWORD"}:
        raise FeatureUnavailableInTierException(
            "Passwordless sign-in (EMAIL_OTP, SMS_OTP, WEB_AUTHN) is not available in the LITE tier."
        )
    admin = config.setdefault("AdminCreateUserConfig", {})
    admin.setdefault("AllowAdminCreateUserOnly", False)
    admin.setdefault("UnusedAccountValidityDays", password_policy["TemporaryPasswordValidityDays"])
    # The legacy top-level messages and VerificationMessageTemplate mirror each other, as in AWS.
    template = config.setdefault("VerificationMessageTemplate", {})
    template.setdefault("DefaultEmailOption", "CONFIRM_WITH_CODE")
    for legacy, modern in (
        ("SmsVerificationMessage", "SmsMessage"),
        ("EmailVerificationMessage", "EmailMessage"),
        ("EmailVerificationSubject", "EmailSubject"),
    ):
        if legacy in config and modern not in template:
            template[modern] = config[legacy]
        elif modern in template and legacy not in config:
            config[legacy] = template[modern]
    _check_message_placeholders(config)
    return config


def _check_message_placeholders(config: dict[str, Any]) -> None:
    template = config.get("VerificationMessageTemplate", {})
    if template.get("DefaultEmailOption", "CONFIRM_WITH_CODE") == "CONFIRM_WITH_CODE":
        for key in ("EmailMessage", "SmsMessage"):
            if key in template and "{####}" not in template[key]:
                raise InvalidParameterException(f"{key} must contain the placeholder {{####}}.")


def describe_pool(ctx: Context, pool: UserPool) -> dict[str, Any]:
    """The pool as DescribeUserPool returns it (UserPoolType)."""
    allowed = service_model.shape("UserPoolType")["members"]
    view: dict[str, Any] = {"Id": pool.id, "Name": pool.name}
    view.update({key: copy.deepcopy(value) for key, value in pool.config.items() if key in allowed})
    view["LastModifiedDate"] = pool.modified_at
    view["CreationDate"] = pool.created_at
    view["EstimatedNumberOfUsers"] = ctx.db.scalar(
        select(func.count()).select_from(User).where(User.pool_id == pool.id)
    )
    view["Arn"] = pool_arn(ctx, pool)
    domain = ctx.db.scalar(select(UserPoolDomain).where(UserPoolDomain.pool_id == pool.id))
    if domain is not None:
        view["CustomDomain" if domain.custom else "Domain"] = domain.domain
    view["UserPoolTags"] = dict(pool.tags or {})
    return view


def describe_client(client: UserPoolClient) -> dict[str, Any]:
    view: dict[str, Any] = {"UserPoolId": client.pool_id, "ClientName": client.name, "ClientId": client.id}
    if client.secret:
        view["ClientSecret"] = client.secret
    view["LastModifiedDate"] = client.modified_at
    view["CreationDate"] = client.created_at
    view.update(copy.deepcopy(client.config))
    return view


# --- app clients -------------------------------------------------------------------------------------
CLIENT_SETTINGS = (
    "RefreshTokenValidity",
    "AccessTokenValidity",
    "IdTokenValidity",
    "TokenValidityUnits",
    "ReadAttributes",
    "WriteAttributes",
    "ExplicitAuthFlows",
    "SupportedIdentityProviders",
    "CallbackURLs",
    "LogoutURLs",
    "DefaultRedirectURI",
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "AllowedOAuthFlowsUserPoolClient",
    "AnalyticsConfiguration",
    "PreventUserExistenceErrors",
    "EnableTokenRevocation",
    "EnablePropagateAdditionalUserContextData",
    "AuthSessionValidity",
    "RefreshTokenRotation",
)


def create_client(
    ctx: Context,
    pool: UserPool,
    request: dict[str, Any],
    *,
    client_id: str | None = None,
    secret: str | None = None,
) -> UserPoolClient:
    """Create an app client from a CreateUserPoolClient request; ``client_id`` fixes its id (fixtures)."""
    check_client_attributes(pool, request, "creating")
    config = client_settings(request)
    client_oauth.check(ctx, pool, config, has_secret=secret is not None)
    client = UserPoolClient(
        id=client_id or _new_client_id(ctx),
        pool_id=pool.id,
        name=request["ClientName"],
        secret=secret,
        config=config,
        created_at=ctx.now,
        modified_at=ctx.now,
    )
    ctx.db.add(client)
    return client


def _new_client_id(ctx: Context) -> str:
    while True:
        client_id = ids.client_id()
        if ctx.db.get(UserPoolClient, client_id) is None:
            return client_id


def check_client_attributes(pool: UserPool, request: dict[str, Any], doing: str) -> None:
    """ReadAttributes/WriteAttributes must name attributes of the pool's schema."""
    known = {attribute["Name"] for attribute in pool.config.get("SchemaAttributes", [])}
    for key in ("ReadAttributes", "WriteAttributes"):
        for name in request.get(key) or []:
            if name not in known:
                raise InvalidParameterException(
                    f"Invalid {key[:-10].lower()} attributes specified while {doing} a client"
                )


DEFAULT_AUTH_FLOWS = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"]
_UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
# (setting, unit key, default value, default unit, minimum seconds, maximum seconds)
_VALIDITIES = (
    ("AccessTokenValidity", "AccessToken", 60, "minutes", 300, 86400),
    ("IdTokenValidity", "IdToken", 60, "minutes", 300, 86400),
    ("RefreshTokenValidity", "RefreshToken", 30, "days", 3600, 315360000),
)


def client_settings(request: dict[str, Any]) -> dict[str, Any]:
    """A client's stored settings from a Create/UpdateUserPoolClient request, with AWS's defaults."""
    config: dict[str, Any] = {
        key: copy.deepcopy(request[key]) for key in CLIENT_SETTINGS if request.get(key) is not None
    }
    config.setdefault("RefreshTokenValidity", 30)
    config.setdefault("TokenValidityUnits", {})
    config.setdefault("AllowedOAuthFlowsUserPoolClient", False)
    config.setdefault("PreventUserExistenceErrors", "LEGACY")
    config.setdefault("EnableTokenRevocation", True)
    config.setdefault("EnablePropagateAdditionalUserContextData", False)
    config.setdefault("AuthSessionValidity", 3)
    _check_client_settings(config)
    return config


def _check_client_settings(config: dict[str, Any]) -> None:
    flows = config.get("ExplicitAuthFlows")
    if flows:
        legacy = {"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH"}
        if any(flow in legacy for flow in flows) and any(flow.startswith("ALLOW_") for flow in flows):
            raise InvalidParameterException("ExplicitAuthFlows cannot contain both ALLOW_ and legacy values.")
    units = config.get("TokenValidityUnits", {})
    for setting, unit_key, _default, default_unit, low, high in _VALIDITIES:
        if setting not in config:
            continue
        seconds = config[setting] * _UNIT_SECONDS[units.get(unit_key, default_unit)]
        if not low <= seconds <= high:
            raise InvalidParameterException(
                f"Invalid range for token validity: {setting} must be between {low} and {high} seconds."
            )


def auth_flows(client: UserPoolClient) -> set[str]:
    """The ALLOW_* flows a client accepts, legacy flow names translated."""
    flows = client.config.get("ExplicitAuthFlows") or DEFAULT_AUTH_FLOWS
    translated = {
        "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
        "CUSTOM_AUTH_FLOW_ONLY": "ALLOW_CUSTOM_AUTH",
    }
    result = {translated.get(flow, flow) for flow in flows}
    if any(flow in translated for flow in flows):
        # Legacy settings also allowed SRP and refresh.
        result |= {"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    return result


def token_validity_seconds(client: UserPoolClient, kind: str) -> int:
    """Lifetime of a token kind ("AccessToken", "IdToken", "RefreshToken") for this client."""
    units = client.config.get("TokenValidityUnits") or {}
    for setting, unit_key, default, default_unit, _low, _high in _VALIDITIES:
        if unit_key == kind:
            value = client.config.get(setting)
            if value is None:
                return default * _UNIT_SECONDS[default_unit]
            return value * _UNIT_SECONDS[units.get(unit_key, default_unit)]
    raise ValueError(kind)


def check_client_secret(client: UserPoolClient, username: str, secret_hash: str | None) -> None:
    """Clients with a secret must send SECRET_HASH = base64(HMAC-SHA256(secret, username + client id)),
    with any of the client's active secrets (``client_secrets``)."""
    if not client.secret:
        return
    if not secret_hash:
        raise NotAuthorizedException(
            f"Client {client.id} is configured with secret but SECRET_HASH was not received"
        )
    if not client_secrets.secret_hash_matches(client, username, secret_hash):
        raise NotAuthorizedException(f"Unable to verify secret hash for client {client.id}")


# --- pagination --------------------------------------------------------------------------------------
def encode_token(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode()


def decode_token(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raise InvalidParameterException("Invalid pagination token.") from None
