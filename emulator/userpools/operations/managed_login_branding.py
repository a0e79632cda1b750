"""Managed login branding operations: create, describe (by id or by client), update, delete."""

from __future__ import annotations

from typing import Any

from emulator.protocol.context import Context
from emulator.protocol.errors import InvalidParameterException
from emulator.userpools import managed_login_branding as branding
from emulator.userpools import pools
from emulator.userpools.operations import operation


@operation("CreateManagedLoginBranding")
def create_managed_login_branding(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    client = pools.get_client(ctx, pool, request["ClientId"])
    return {"ManagedLoginBranding": branding.view(branding.create(ctx, pool, client.id, request))}


@operation("DescribeManagedLoginBranding", writes=False)
def describe_managed_login_branding(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    return {"ManagedLoginBranding": branding.view(branding.get(ctx, pool, request["ManagedLoginBrandingId"]))}


@operation("DescribeManagedLoginBrandingByClient", writes=False)
def describe_managed_login_branding_by_client(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    client = pools.get_client(ctx, pool, request["ClientId"])
    return {"ManagedLoginBranding": branding.view(branding.of_client(ctx, pool, client.id))}


@operation("UpdateManagedLoginBranding")
def update_managed_login_branding(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    # The model leaves both ids optional; a branding cannot be found without them.
    for key in ("UserPoolId", "ManagedLoginBrandingId"):
        if not request.get(key):
            raise InvalidParameterException(f"{key} is required.")
    pool = pools.get_pool(ctx, request["UserPoolId"])
    row = branding.get(ctx, pool, request["ManagedLoginBrandingId"])
    branding.update(ctx, row, request)
    return {"ManagedLoginBranding": branding.view(row)}


@operation("DeleteManagedLoginBranding")
def delete_managed_login_branding(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    ctx.db.delete(branding.get(ctx, pool, request["ManagedLoginBrandingId"]))
    return {}
