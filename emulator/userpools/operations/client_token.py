"""GetClientToken: a machine-to-machine access token from the JSON API, on the same code as the
client_credentials grant of ``/oauth2/token`` (emulator.userpools.oauth.m2m and scopes.m2m_scopes).

Errors (Cognito documents the types, not the messages; these follow its other operations' wording): an
unknown client is ResourceNotFoundException; a wrong secret NotAuthorizedException "Unable to verify secret
for client <id>"; a client that may not use the client_credentials grant (AllowedOAuthFlows not exactly
``client_credentials``, no secret) NotAuthorizedException; a scope that is not one of the client's custom
scopes InvalidParameterException "Invalid scope requested: <scope>".
"""

from __future__ import annotations

import hmac
from typing import Any

from emulator.protocol.context import Context
from emulator.protocol.errors import InvalidParameterException, NotAuthorizedException
from emulator.userpools import pools
from emulator.userpools.oauth import m2m, scopes
from emulator.userpools.oauth.errors import OAuthError
from emulator.userpools.operations import operation


@operation("GetClientToken")
def get_client_token(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool, client = pools.client_for_user_call(ctx, request["ClientId"])
    if not client.secret or not hmac.compare_digest(request["Secret"].encode(), client.secret.encode()):
        raise NotAuthorizedException(f"Unable to verify secret for client {client.id}")
    config = client.config
    if not config.get("AllowedOAuthFlowsUserPoolClient") or config.get("AllowedOAuthFlows") != [
        "client_credentials"
    ]:
        raise NotAuthorizedException(
            f"Client {client.id} is not allowed to use the client_credentials grant."
        )
    requested = request.get("Scopes") or []
    try:
        granted = scopes.m2m_scopes(ctx, client, " ".join(requested) if requested else None)
    except OAuthError:
        allowed = set(scopes.custom_client_scopes(ctx, client))
        bad = next((scope for scope in requested if scope not in allowed), None)
        if bad is None:
            raise InvalidParameterException(f"Client {client.id} has no custom scopes to grant.") from None
        raise InvalidParameterException(f"Invalid scope requested: {bad}") from None
    token = m2m.client_token(ctx, pool, client, granted, client_metadata=request.get("ClientMetadata"))
    return {"ClientAuthenticationResult": token}
