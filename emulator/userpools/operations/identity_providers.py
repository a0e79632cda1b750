"""Identity provider operations: the external providers (social, OIDC, SAML) a user pool federates with."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from emulator.protocol.context import Context
from emulator.store.models_federation import IdentityProvider
from emulator.userpools import pools
from emulator.userpools.federation import providers
from emulator.userpools.operations import operation

DEFAULT_PAGE = 60


@operation("CreateIdentityProvider")
def create_identity_provider(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    return {"IdentityProvider": providers.view(providers.create(ctx, pool, request))}


@operation("DescribeIdentityProvider", writes=False)
def describe_identity_provider(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    return {"IdentityProvider": providers.view(providers.get(ctx, pool, request["ProviderName"]))}


@operation("GetIdentityProviderByIdentifier", writes=False)
def get_identity_provider_by_identifier(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    return {"IdentityProvider": providers.view(providers.by_identifier(ctx, pool, request["IdpIdentifier"]))}


@operation("UpdateIdentityProvider")
def update_identity_provider(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    row = providers.get(ctx, pool, request["ProviderName"])
    if request.get("ProviderDetails") is not None:
        # Details left out keep their values (Apple's private key included), as in Cognito's console.
        given = {**row.details, **row.secret_details, **request["ProviderDetails"]}
        row.details, row.secret_details = providers.complete_details(row.provider_type, given)
    if request.get("AttributeMapping") is not None:
        mapping = {k: v for k, v in request["AttributeMapping"].items() if k != "username"}
        row.attribute_mapping = providers.check_mapping(row.provider_type, mapping)
    if request.get("IdpIdentifiers") is not None:
        identifiers = list(request["IdpIdentifiers"])
        providers.check_identifiers(ctx, pool, row.name, identifiers)
        row.idp_identifiers = identifiers
    row.modified_at = ctx.now
    return {"IdentityProvider": providers.view(row)}


@operation("DeleteIdentityProvider")
def delete_identity_provider(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    ctx.db.delete(providers.get(ctx, pool, request["ProviderName"]))
    return {}


@operation("ListIdentityProviders", writes=False)
def list_identity_providers(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    limit = request.get("MaxResults") or DEFAULT_PAGE
    query = (
        select(IdentityProvider).where(IdentityProvider.pool_id == pool.id).order_by(IdentityProvider.name)
    )
    if request.get("NextToken"):
        query = query.where(IdentityProvider.name > pools.decode_token(request["NextToken"]))
    rows = list(ctx.db.scalars(query.limit(limit + 1)))
    result: dict[str, Any] = {
        "Providers": [
            {
                "ProviderName": row.name,
                "ProviderType": row.provider_type,
                "LastModifiedDate": row.modified_at,
                "CreationDate": row.created_at,
            }
            for row in rows[:limit]
        ]
    }
    if len(rows) > limit:
        result["NextToken"] = pools.encode_token(rows[limit - 1].name)
    return result
