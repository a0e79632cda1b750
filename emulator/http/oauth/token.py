"""``POST /oauth2/token`` of a pool domain: the grants of emulator.userpools.oauth.grants over HTTP.

A form body (``application/x-www-form-urlencoded``), client authentication by ``Authorization: Basic`` or
``client_id``/``client_secret`` in the body; the answer is Cognito's JSON (``application/json;charset=UTF-8``,
``Cache-Control: no-store``): ``id_token``, ``access_token``, ``refresh_token``, ``expires_in``,
``token_type``, or ``{"error": ...}`` with 400 (401 for a client that failed Basic authentication).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from emulator.http.oauth.common import BadRequest, basic_credentials, form, json_response, run
from emulator.userpools.oauth import grants, issue
from emulator.userpools.oauth.errors import OAuthError
from emulator.userpools.tokens.refresh_tokens import OAUTH_TOKEN_ENDPOINT


async def token(request: Request) -> Response:
    try:
        params = await form(request)
    except BadRequest:
        raise OAuthError("invalid_request") from None
    basic = basic_credentials(request)
    pool_id = request.state.pool_domain.pool_id
    result = await run(
        request,
        lambda ctx: grants.token_request(ctx, pool_id=pool_id, params=params, basic=basic),
        name=OAUTH_TOKEN_ENDPOINT,
    )
    return json_response(request, issue.oauth_fields(result))
