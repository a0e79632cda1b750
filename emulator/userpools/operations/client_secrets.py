"""Client secret rotation (2026): AddUserPoolClientSecret, ListUserPoolClientSecrets,
DeleteUserPoolClientSecret. The rules are in ``emulator.userpools.client_secrets``."""

from __future__ import annotations

from typing import Any

from emulator.protocol.context import Context
from emulator.protocol.errors import (
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
)
from emulator.userpools import client_secrets, pools
from emulator.userpools.operations import operation


@operation("AddUserPoolClientSecret")
def add_user_pool_client_secret(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    client = pools.get_client(ctx, pool, request["ClientId"])
    if not client.secret:
        raise InvalidParameterException(
            f"Client {client.id} is a public client: client secrets can only be added to a confidential client."
        )
    rows = client_secrets.materialize(ctx.db, client)
    if len(rows) >= client_secrets.MAX_ACTIVE_SECRETS:
        raise LimitExceededException(
            f"Client {client.id} already has {client_secrets.MAX_ACTIVE_SECRETS} client secrets, "
            "the maximum. Delete one before adding another."
        )
    given = request.get("ClientSecret")
    if given is not None and client_secrets.secret_belongs_to_client(client, given):
        raise InvalidParameterException("The client secret is already a secret of this client.")
    row = client_secrets.add(ctx.db, client, given, ctx.now)
    client.modified_at = ctx.now
    descriptor: dict[str, Any] = {"ClientSecretId": row.id, "ClientSecretCreateDate": row.created_at}
    if given is None:
        # Cognito shows a value only when it generated it.
        descriptor["ClientSecretValue"] = row.value
    return {"ClientSecretDescriptor": descriptor}


@operation("ListUserPoolClientSecrets", writes=False)
def list_user_pool_client_secrets(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    client = pools.get_client(ctx, pool, request["ClientId"])
    if request.get("NextToken"):
        # There are never more than two: the first page is the whole list.
        raise InvalidParameterException("Invalid pagination token.")
    return {
        "ClientSecrets": [
            {"ClientSecretId": row.id, "ClientSecretCreateDate": row.created_at}
            for row in client_secrets.listed(ctx.db, client)
        ]
    }


@operation("DeleteUserPoolClientSecret")
def delete_user_pool_client_secret(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    client = pools.get_client(ctx, pool, request["ClientId"])
    rows = client_secrets.materialize(ctx.db, client)
    found = next((row for row in rows if row.id == request["ClientSecretId"]), None)
    if found is None:
        raise ResourceNotFoundException(
            f"Client secret {request['ClientSecretId']} does not exist for client {client.id}."
        )
    if len(rows) == 1:
        raise InvalidParameterException("The last client secret of an app client cannot be deleted.")
    client_secrets.remove(ctx.db, client, found)
    client.modified_at = ctx.now
    return {}
