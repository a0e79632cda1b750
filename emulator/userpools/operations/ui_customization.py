"""GetUICustomization and SetUICustomization: the classic hosted UI's CSS and logo."""

from __future__ import annotations

from typing import Any

from emulator.protocol.context import Context
from emulator.protocol.errors import InvalidParameterException
from emulator.store.models import UICustomization, UserPool
from emulator.userpools import domains, pools, ui_customization
from emulator.userpools.operations import operation


def _client_key(ctx: Context, pool: UserPool, request: dict[str, Any]) -> str:
    if domains.of_pool(ctx, pool) is None:
        raise InvalidParameterException("There has to be an existing domain associated with this user pool")
    client_id = request.get("ClientId") or ui_customization.ALL_CLIENTS
    if client_id != ui_customization.ALL_CLIENTS:
        pools.get_client(ctx, pool, client_id)
    return client_id


@operation("SetUICustomization")
def set_ui_customization(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    client_id = _client_key(ctx, pool, request)
    row = ui_customization.set_customization(
        ctx, pool, client_id, request.get("CSS"), request.get("ImageFile")
    )
    return {"UICustomization": ui_customization.view(pool, client_id, row)}


@operation("GetUICustomization", writes=False)
def get_ui_customization(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    client_id = _client_key(ctx, pool, request)
    row = ui_customization.effective(ctx, pool, client_id)
    if row is None:
        # Nothing to show: the ids, and the CSS version a removed customization leaves behind.
        row = ctx.db.get(UICustomization, (pool.id, client_id))
    return {"UICustomization": ui_customization.view(pool, client_id, row)}
