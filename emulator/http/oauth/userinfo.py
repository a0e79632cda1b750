"""``GET``/``POST /oauth2/userInfo`` of a pool domain (emulator.userpools.oauth.userinfo over HTTP).

``Authorization: Bearer <access token>``; the answer is JSON with ``Cache-Control: no-store``. Errors carry
Cognito's ``WWW-Authenticate`` header (and the same facts as JSON): 400 ``error="invalid_request",
error_description="Bad OAuth2 request at UserInfo Endpoint"`` for a request without a bearer token, 401
``error="invalid_token", error_description="Access token is expired, disabled, or deleted, or the user has
globally signed out."`` for a token it does not accept.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from emulator.http.oauth.common import json_response, run
from emulator.userpools.oauth import userinfo
from emulator.userpools.oauth.errors import OAuthError

BAD_REQUEST = "Bad OAuth2 request at UserInfo Endpoint"


def _challenge(request: Request, error: OAuthError) -> Response:
    header = f'error="{error.error}", error_description="{error.description}"'
    return json_response(request, error.body(), error.status, **{"www-authenticate": header})


async def user_info(request: Request) -> Response:
    scheme, _, token = request.headers.get("authorization", "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return _challenge(request, OAuthError("invalid_request", BAD_REQUEST))
    pool_id = request.state.pool_domain.pool_id
    try:
        info = await run(
            request,
            lambda ctx: userinfo.user_info(ctx, pool_id=pool_id, access_token=token),
            name="OAuth2UserInfo",
            writes=False,
        )
    except OAuthError as error:
        return _challenge(request, error)
    return json_response(request, info)
