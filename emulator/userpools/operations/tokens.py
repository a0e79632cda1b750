"""Token operations: GetTokensFromRefreshToken, RevokeToken, GlobalSignOut.

The token machinery itself (keys, claims, refresh tokens, verification) is in ``emulator.userpools.tokens``;
importing it here also registers the pool-created hook that gives every new pool its signing keys.
"""

from __future__ import annotations

from typing import Any

from emulator.protocol.context import Context
from emulator.protocol.errors import (
    NotAuthorizedException,
    UnauthorizedException,
    UnsupportedOperationException,
    UnsupportedTokenTypeException,
)
from emulator.store.models import UserPoolClient
from emulator.userpools import client_secrets, pools, tokens
from emulator.userpools.operations import operation
from emulator.userpools.signin.flows import refresh_with_trigger


@operation("GetTokensFromRefreshToken")
def get_tokens_from_refresh_token(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool, client = pools.client_for_user_call(ctx, request["ClientId"])
    if client.secret:
        given = request.get("ClientSecret")
        if not given:
            raise NotAuthorizedException(
                f"Client {client.id} is configured with secret but ClientSecret was not received"
            )
        if not client_secrets.secret_belongs_to_client(client, given):
            raise NotAuthorizedException(f"Unable to verify secret for client {client.id}")
    result = refresh_with_trigger(
        ctx,
        pool,
        client,
        request["RefreshToken"],
        client_metadata=request.get("ClientMetadata"),
        device_key=request.get("DeviceKey"),
    )
    return {"AuthenticationResult": result}


@operation("RevokeToken")
def revoke_token(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    client = ctx.db.get(UserPoolClient, request["ClientId"])
    if client is None:
        # RevokeToken has no ResourceNotFoundException: an unknown client is a client that can't authenticate.
        raise UnauthorizedException(f"Invalid client id {request['ClientId']}")
    ctx.log.setdefault("pool", client.pool_id)
    if client.secret:
        given = request.get("ClientSecret")
        if not client_secrets.secret_belongs_to_client(client, given):
            raise UnauthorizedException(f"Unable to verify secret for client {client.id}")
    if not tokens.revocation_enabled(client):
        raise UnsupportedOperationException("Token revocation is not enabled for this app client.")
    if tokens.looks_like_jwt(request["Token"]):
        raise UnsupportedTokenTypeException("Only refresh tokens can be revoked.")
    # A token this client did not issue is answered with success, as Cognito's revocation endpoint does.
    tokens.revoke_refresh_token(ctx, client, request["Token"])
    return {}


@operation("GlobalSignOut")
def global_sign_out(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    who = tokens.authenticate(ctx, request["AccessToken"])
    tokens.revoke_all(ctx, who.user)
    return {}
