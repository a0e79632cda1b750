"""What a completed hosted sign-in (or a live session) answers the app with: the redirect to its
redirect_uri with an authorization code (``response_type=code``) or, for the implicit flow, tokens in the
fragment; and the error redirects of /oauth2/authorize. The state goes back exactly as it came.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from emulator.protocol.context import Context
from emulator.store.models import User
from emulator.userpools.oauth import codes, issue
from emulator.userpools.oauth.authorize_request import AuthorizeRequest, ErrorRedirect


def redirect_url(uri: str, parameters: dict[str, str], *, fragment: bool = False) -> str:
    """``uri`` with ``parameters`` added to its query (or, for the implicit flow, as its fragment)."""
    encoded = urlencode(
        {key: value for key, value in parameters.items() if value is not None}, quote_via=quote
    )
    if fragment:
        return f"{uri}#{encoded}"
    if not encoded:
        return uri
    return f"{uri}{'&' if '?' in uri else '?'}{encoded}"


def error_redirect(error: ErrorRedirect) -> str:
    parameters = {"error": error.error}
    if error.description:
        parameters["error_description"] = error.description
    if error.state is not None:
        parameters["state"] = error.state
    return redirect_url(error.redirect_uri, parameters)


def grant(ctx: Context, request: AuthorizeRequest, user: User, auth_time: datetime) -> dict[str, Any]:
    """The app's answer for a signed-in ``user``: ``{"redirect": url}``; for the implicit flow
    ``{"redirect_uri", "fragment", "AuthenticationResult"}`` whose tokens are signed after the commit
    (build the URL with ``implicit_url``)."""
    if request.implicit:
        result = issue.implicit_tokens(
            ctx,
            client_id=request.client.id,
            username=user.username,
            scopes=request.scopes,
            nonce=request.nonce,
            auth_time=auth_time,
        )
        return {**result, "redirect_uri": request.redirect_uri, "state": request.state}
    code = codes.issue_code(
        ctx,
        client_id=request.client.id,
        username=user.username,
        redirect_uri=request.redirect_uri,
        scopes=request.scopes,
        nonce=request.nonce,
        code_challenge=request.code_challenge,
        code_challenge_method=request.code_challenge_method,
        auth_time=auth_time,
    )
    parameters = {"code": code}
    if request.state is not None:
        parameters["state"] = request.state
    return {"redirect": redirect_url(request.redirect_uri, parameters)}


def implicit_url(granted: dict[str, Any]) -> str:
    """The implicit flow's redirect, once its tokens are signed: id_token, access_token, token_type,
    expires_in and state in the fragment (no refresh token)."""
    parameters = {key: str(value) for key, value in issue.oauth_fields(granted).items()}
    if granted.get("state") is not None:
        parameters["state"] = granted["state"]
    return redirect_url(granted["redirect_uri"], parameters, fragment=True)
