"""Identity providers: ProviderDetails checked per type and completed the way DescribeIdentityProvider shows them."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from emulator.protocol.context import Context
from emulator.protocol.errors import (
    DuplicateProviderException,
    InvalidParameterException,
    ResourceNotFoundException,
)
from emulator.store.models import UserPool
from emulator.store.models_federation import IdentityProvider
from emulator.userpools.federation import saml_metadata

TYPES = ("SAML", "Facebook", "Google", "LoginWithAmazon", "SignInWithApple", "OIDC")

_REQUIRED = {
    "Google": ("client_id", "client_secret", "authorize_scopes"),
    "Facebook": ("client_id", "client_secret", "authorize_scopes"),
    "LoginWithAmazon": ("client_id", "client_secret", "authorize_scopes"),
    "SignInWithApple": ("client_id", "team_id", "key_id", "private_key", "authorize_scopes"),
    "OIDC": ("client_id", "attributes_request_method", "oidc_issuer", "authorize_scopes"),
}
_SECRET = {"SignInWithApple": ("private_key",)}
_FIXED: dict[str, dict[str, str]] = {
    "Google": {
        "attributes_url": "https://people.googleapis.com/v1/people/me?personFields=",
        "attributes_url_add_attributes": "true",
        "authorize_url": "https://accounts.google.com/o/oauth2/v2/auth",
        "oidc_issuer": "https://accounts.google.com",
        "token_request_method": "POST",
        "token_url": "https://www.googleapis.com/oauth2/v4/token",
    },
    "LoginWithAmazon": {
        "attributes_url": "https://api.amazon.com/user/profile",
        "attributes_url_add_attributes": "false",
        "authorize_url": "https://www.amazon.com/ap/oa",
        "token_request_method": "POST",
        "token_url": "https://api.amazon.com/auth/o2/token",
    },
    "SignInWithApple": {
        "authorize_url": "https://appleid.apple.com/auth/authorize",
        "oidc_issuer": "https://appleid.apple.com",
        "token_request_method": "POST",
        "token_url": "https://appleid.apple.com/auth/token",
    },
}


def check_name(name: str) -> None:
    if not name or len(name) > 32 or name.startswith("_") or name.strip() != name:
        raise InvalidParameterException(
            "1 validation error detected: Value at 'providerName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [^_\\p{Z}][\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}][^_\\p{Z}]+"
        )


def complete_details(provider_type: str, given: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(details as Describe shows them, secret details never shown) for a provider of ``provider_type``."""
    if provider_type == "SAML":
        return saml_metadata.complete(given), {}
    missing = [key for key in _REQUIRED[provider_type] if not given.get(key)]
    if missing:
        raise InvalidParameterException(f"{', '.join(missing)} is required for {provider_type} provider.")
    details = dict(given)
    secrets = {key: details.pop(key) for key in _SECRET.get(provider_type, ()) if key in details}
    if provider_type == "Facebook":
        version = details.get("api_version") or "v17.0"
        if not re.fullmatch(r"v\d+\.\d+", version):
            raise InvalidParameterException("api_version is not a valid Facebook Graph API version.")
        details.update(
            api_version=version,
            attributes_url=f"https://graph.facebook.com/{version}/me?fields=",
            attributes_url_add_attributes="true",
            authorize_url=f"https://www.facebook.com/{version}/dialog/oauth",
            token_request_method="GET",
            token_url=f"https://graph.facebook.com/{version}/oauth/access_token",
        )
    elif provider_type == "OIDC":
        if details["attributes_request_method"] not in ("GET", "POST"):
            raise InvalidParameterException("attributes_request_method must be GET or POST.")
        if not details["oidc_issuer"].startswith(("https://", "http://")):
            raise InvalidParameterException("oidc_issuer must be a URL.")
        details.setdefault("attributes_url_add_attributes", "false")
    else:
        for key, value in _FIXED.get(provider_type, {}).items():
            details.setdefault(key, value)
    return details, secrets


def check_identifiers(ctx: Context, pool: UserPool, name: str, identifiers: list[str]) -> None:
    if len(identifiers) > 50:
        raise InvalidParameterException("IdpIdentifiers can have at most 50 entries.")
    for other in ctx.db.scalars(select(IdentityProvider).where(IdentityProvider.pool_id == pool.id)):
        if other.name != name and set(other.idp_identifiers or []) & set(identifiers):
            raise DuplicateProviderException("The identifier already exists in the user pool.")


def create(ctx: Context, pool: UserPool, request: dict[str, Any]) -> IdentityProvider:
    name = request["ProviderName"]
    check_name(name)
    provider_type = request["ProviderType"]
    if provider_type not in TYPES:
        raise InvalidParameterException(f"Invalid ProviderType {provider_type}.")
    if name.lower() == "cognito" or ctx.db.get(IdentityProvider, (pool.id, name)) is not None:
        raise DuplicateProviderException(f"A provider with the name {name} already exists in this user pool.")
    details, secrets = complete_details(provider_type, request.get("ProviderDetails") or {})
    identifiers = list(request.get("IdpIdentifiers") or [])
    check_identifiers(ctx, pool, name, identifiers)
    row = IdentityProvider(
        pool_id=pool.id,
        name=name,
        provider_type=provider_type,
        details=details,
        secret_details=secrets,
        attribute_mapping=check_mapping(provider_type, request.get("AttributeMapping") or {}),
        idp_identifiers=identifiers,
        created_at=ctx.now,
        modified_at=ctx.now,
    )
    ctx.db.add(row)
    ctx.db.flush()
    return row


def check_mapping(provider_type: str, mapping: dict[str, str]) -> dict[str, str]:
    mapping = dict(mapping)
    if "username" in mapping:
        raise InvalidParameterException("username cannot be mapped: map preferred_username instead.")
    if provider_type != "SAML":
        # Cognito maps the subject id itself: Describe shows username mapped to the provider's subject claim.
        mapping["username"] = {"Facebook": "id", "LoginWithAmazon": "user_id"}.get(provider_type, "sub")
    return mapping


def get(ctx: Context, pool: UserPool, name: str) -> IdentityProvider:
    row = ctx.db.get(IdentityProvider, (pool.id, name)) if name else None
    if row is None:
        raise ResourceNotFoundException(f"Identity provider {name} does not exist.")
    return row


def by_identifier(ctx: Context, pool: UserPool, identifier: str) -> IdentityProvider:
    for row in ctx.db.scalars(select(IdentityProvider).where(IdentityProvider.pool_id == pool.id)):
        if identifier in (row.idp_identifiers or []):
            return row
    raise ResourceNotFoundException(f"Identity provider with identifier {identifier} does not exist.")


def view(row: IdentityProvider) -> dict[str, Any]:
    return {
        "UserPoolId": row.pool_id,
        "ProviderName": row.name,
        "ProviderType": row.provider_type,
        "ProviderDetails": dict(row.details or {}),
        "AttributeMapping": dict(row.attribute_mapping or {}),
        "IdpIdentifiers": list(row.idp_identifiers or []),
        "LastModifiedDate": row.modified_at,
        "CreationDate": row.created_at,
    }
