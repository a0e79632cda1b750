"""GetDerivedToken: OAuth 2.0 token exchange. The rules are in ``emulator.userpools.token_exchange``."""

from __future__ import annotations

from typing import Any

from emulator.protocol.context import Context
from emulator.protocol.errors import InvalidParameterException, NotAuthorizedException
from emulator.userpools import client_secrets, pools, token_exchange
from emulator.userpools.operations import operation


@operation("GetDerivedToken")
def get_derived_token(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool, client = pools.client_for_user_call(ctx, request["ClientId"])
    if client.secret:
        given = request.get("ClientSecret")
        if not given:
            raise NotAuthorizedException(
                f"Client {client.id} is configured with secret but ClientSecret was not received"
            )
        if not client_secrets.secret_belongs_to_client(client, given):
            raise NotAuthorizedException(f"Unable to verify secret for client {client.id}")
    actor_token = request.get("ActorToken")
    if actor_token and not request.get("ActorTokenType"):
        raise InvalidParameterException("ActorTokenType is required with an ActorToken.")
    token_exchange.check_client(client, delegation=bool(actor_token))
    subject = token_exchange.check_token(
        ctx, pool, request["SubjectToken"], request["SubjectTokenType"], token_exchange.INVALID_SUBJECT
    )
    actor = (
        token_exchange.check_token(
            ctx, pool, actor_token, request["ActorTokenType"], token_exchange.INVALID_ACTOR
        )
        if actor_token
        else None
    )
    return token_exchange.exchange(ctx, pool, client, subject, actor, request)
