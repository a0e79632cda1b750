"""Managed login branding: one per app client, Cognito's defaults or a settings document and image assets.

Stored and returned as given; the emulator's pages do not draw the managed login (version 2) style.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from sqlalchemy import select

from emulator.protocol.context import Context
from emulator.protocol.errors import (
    InvalidParameterException,
    ManagedLoginBrandingExistsException,
    ResourceNotFoundException,
)
from emulator.store.models import ManagedLoginBranding, UserPool


def _check(use_cognito_values: bool, settings: Any, assets: list[dict[str, Any]] | None) -> None:
    if use_cognito_values and (settings is not None or assets):
        raise InvalidParameterException(
            "Settings and Assets cannot be provided when UseCognitoProvidedValues is true."
        )
    seen: set[tuple[str, str]] = set()
    for asset in assets or []:
        key = (asset["Category"], asset["ColorMode"])
        if key in seen:
            raise InvalidParameterException(f"Duplicate asset for category {key[0]} and color mode {key[1]}.")
        seen.add(key)
        if not asset.get("Bytes") and not asset.get("ResourceId"):
            raise InvalidParameterException(f"Asset {key[0]} needs Bytes or a ResourceId.")


def create(ctx: Context, pool: UserPool, client_id: str, request: dict[str, Any]) -> ManagedLoginBranding:
    existing = ctx.db.scalar(
        select(ManagedLoginBranding).where(
            ManagedLoginBranding.pool_id == pool.id, ManagedLoginBranding.client_id == client_id
        )
    )
    if existing is not None:
        raise ManagedLoginBrandingExistsException(
            f"A managed login branding already exists for client {client_id}."
        )
    use_cognito_values = bool(request.get("UseCognitoProvidedValues"))
    _check(use_cognito_values, request.get("Settings"), request.get("Assets"))
    branding = ManagedLoginBranding(
        id=str(uuid.uuid4()),
        pool_id=pool.id,
        client_id=client_id,
        use_cognito_provided_values=use_cognito_values,
        settings=copy.deepcopy(request.get("Settings")),
        assets=copy.deepcopy(request.get("Assets") or []),
        created_at=ctx.now,
        modified_at=ctx.now,
    )
    ctx.db.add(branding)
    ctx.db.flush()
    return branding


def update(ctx: Context, branding: ManagedLoginBranding, request: dict[str, Any]) -> None:
    """UseCognitoProvidedValues resets to Cognito's defaults; given Settings or Assets replace the stored."""
    if request.get("UseCognitoProvidedValues"):
        _check(True, request.get("Settings"), request.get("Assets"))
        branding.use_cognito_provided_values = True
        branding.settings = None
        branding.assets = []
    else:
        _check(False, request.get("Settings"), request.get("Assets"))
        if "UseCognitoProvidedValues" in request or request.get("Settings") is not None:
            branding.use_cognito_provided_values = False
        if request.get("Settings") is not None:
            branding.settings = copy.deepcopy(request["Settings"])
        if request.get("Assets") is not None:
            branding.assets = copy.deepcopy(request["Assets"])
    branding.modified_at = ctx.now


def get(ctx: Context, pool: UserPool, branding_id: str) -> ManagedLoginBranding:
    branding = ctx.db.get(ManagedLoginBranding, branding_id)
    if branding is None or branding.pool_id != pool.id:
        raise ResourceNotFoundException(f"Managed login branding {branding_id} does not exist.")
    return branding


def of_client(ctx: Context, pool: UserPool, client_id: str) -> ManagedLoginBranding:
    branding = ctx.db.scalar(
        select(ManagedLoginBranding).where(
            ManagedLoginBranding.pool_id == pool.id, ManagedLoginBranding.client_id == client_id
        )
    )
    if branding is None:
        raise ResourceNotFoundException(f"No managed login branding exists for client {client_id}.")
    return branding


def view(branding: ManagedLoginBranding) -> dict[str, Any]:
    """ManagedLoginBrandingType."""
    result: dict[str, Any] = {
        "ManagedLoginBrandingId": branding.id,
        "UserPoolId": branding.pool_id,
        "UseCognitoProvidedValues": branding.use_cognito_provided_values,
    }
    if branding.settings is not None:
        result["Settings"] = copy.deepcopy(branding.settings)
    result["Assets"] = copy.deepcopy(branding.assets or [])
    result["CreationDate"] = branding.created_at
    result["LastModifiedDate"] = branding.modified_at
    return result
