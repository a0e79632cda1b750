"""``POST /oauth2/revoke`` of a pool domain: revoke a refresh token and every token issued from its sign-in.

Form ``token=<refresh token>``, with ``client_id`` (a public client) or the client's secret (Basic header,
or ``client_secret`` in the body). 200 with an empty body on success, and also for a token that is unknown
or already revoked (RFC 7009); 400 ``invalid_request`` without a token or when the client has token
revocation off; 400 ``unsupported_token_type`` for an access or ID token; 401 ``invalid_client`` for a
client that cannot be authenticated.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from emulator.http.oauth.common import BadRequest, basic_credentials, cors_headers, form, run
from emulator.userpools import tokens
from emulator.userpools.oauth import grants
from emulator.userpools.oauth.errors import OAuthError


def _revoke(ctx: Any, pool_id: str, params: dict[str, str], basic: tuple[str, str] | None) -> None:
    try:
        client = grants.authenticate_client(ctx, pool_id, params, basic)
    except OAuthError as error:
        if error.error == "invalid_client":
            raise OAuthError("invalid_client", status=401) from None
        raise
    token = params.get("token")
    if not token:
        raise OAuthError("invalid_request")
    if not tokens.revocation_enabled(client):
        raise OAuthError("invalid_request")
    if tokens.looks_like_jwt(token):
        raise OAuthError("unsupported_token_type")
    tokens.revoke_refresh_token(ctx, client, token)


async def revoke(request: Request) -> Response:
    try:
        params = await form(request)
    except BadRequest:
        raise OAuthError("invalid_request") from None
    basic = basic_credentials(request)
    pool_id = request.state.pool_domain.pool_id
    await run(request, lambda ctx: _revoke(ctx, pool_id, params, basic), name="OAuth2Revoke")
    return Response(status_code=200, headers={"cache-control": "no-store", **cors_headers(request)})
