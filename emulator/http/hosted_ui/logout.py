"""GET /logout and GET /error.

/logout takes ``client_id`` and either ``logout_uri`` (exactly one of the client's LogoutURLs: the session
ends, 302 there) or ``redirect_uri`` + ``response_type`` (the authorize parameters: the session ends, then the
login page). Anything else is the error page: never a redirect to a URL the client did not register.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response

from emulator.protocol.context import Context
from emulator.store.models import UserPoolClient
from emulator.userpools.oauth import sessions as browser_sessions
from emulator.userpools.oauth.authorize_request import MISSING, NOT_AVAILABLE, ErrorPage, ErrorRedirect, check

from . import flow, render, site
from .flow import Answer
from .routing import page_route

ERROR_MESSAGES = {
    "redirect_mismatch": "The redirect URL is not one of the app client's registered URLs.",
    MISSING: "Required parameters are missing.",
    NOT_AVAILABLE: NOT_AVAILABLE,
    "Domain not found": "No user pool has this domain.",
}
# An error code the page may name as it is (anything else in the query is not shown: no text of a stranger's
# choosing on the domain's page).
_CODE = re.compile(r"^[a-z_]{1,64}$")


async def logout(request: Request) -> Response:
    query = {key: value for key, value in request.query_params.items()}
    cookie = site.session_cookie(request)

    def step(ctx: Context) -> Answer:
        try:
            pool = site.pool_of(ctx, request)
        except site.UnknownDomain:
            return Answer(redirect=flow.error_page_url(request, "Domain not found", None))
        client_id = query.get("client_id") or ""
        client = ctx.db.get(UserPoolClient, client_id) if client_id else None
        if client is None or client.pool_id != pool.id:
            return Answer(
                redirect=flow.error_page_url(
                    request, MISSING if not client_id else "redirect_mismatch", client_id or None
                )
            )
        logout_uri = query.get("logout_uri")
        if logout_uri:
            if logout_uri not in (client.config.get("LogoutURLs") or []):
                return Answer(redirect=flow.error_page_url(request, "redirect_mismatch", client_id))
            browser_sessions.end(ctx, cookie)
            return Answer(redirect=logout_uri, clear_session=True)
        if not query.get("redirect_uri") or not query.get("response_type"):
            return Answer(redirect=flow.error_page_url(request, MISSING, client_id))
        try:
            parameters = check(ctx, pool, query)
        except ErrorPage as error:
            return Answer(redirect=flow.error_page_url(request, error.error, error.client_id))
        except ErrorRedirect as error:
            # Only a registered redirect_uri gets here; a bad response_type or scope is still Cognito's error page.
            return Answer(redirect=flow.error_page_url(request, error.error, client_id))
        browser_sessions.end(ctx, cookie)
        return Answer(redirect=site.page_url(request, "login", parameters.given), clear_session=True)

    return await flow.respond(request, await site.run(request, step, name="Logout"))


async def error(request: Request) -> Response:
    code = request.query_params.get("error") or ""
    message = ERROR_MESSAGES.get(code) or (code if _CODE.match(code) else "")
    return render.error_page(request, message, status_code=400)


routes = [
    page_route("/logout", logout, "GET", "HostedLogout"),
    page_route("/error", error, "GET", "HostedError"),
]
