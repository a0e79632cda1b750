"""What every hosted page shares: the domain's pool, one transaction per step, the engine's API operations,
the CSRF token and the domain session cookie, and rendering (Jinja2, autoescaped, the pool's UI customization).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlencode

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response

from emulator.engine.core import Emulator
from emulator.protocol.context import Context
from emulator.store.models import UserPool

T = TypeVar("T")

CSRF_COOKIE = "XSRF-TOKEN"
CSRF_FIELD = "_csrf"
SESSION_COOKIE = "cognito"
SESSION_MAX_AGE = 3600


class UnknownDomain(LookupError):
    """The domain's pool is gone (deleted after the domain site resolved it)."""


def emulator_of(request: Request) -> Emulator:
    return request.app.state.emulator


def root(request: Request) -> str:
    """The path of the domain's root: ``/<domain>`` when served by path prefix, empty when by Host name."""
    return request.scope.get("root_path", "").rstrip("/")


def pool_of(ctx: Context, request: Request) -> UserPool:
    """The pool of the domain the domain site resolved (emulator.http.domain_site)."""
    served = getattr(request.state, "pool_domain", None)
    pool = ctx.db.get(UserPool, served.pool_id) if served is not None else None
    if pool is None:
        raise UnknownDomain(served.domain if served is not None else "")
    return pool


def caller(request: Request) -> dict[str, Any]:
    return {
        "ip": request.client.host if request.client else None,
        "user_agent": request.headers.get("user-agent"),
        "signed": False,
        "hosted_ui": True,
    }


async def run(
    request: Request, step: Callable[[Context], T], *, name: str = "HostedUI", write: bool = True
) -> T:
    """Run ``step`` in one database transaction (a worker thread), at the request's time (Emulator.run)."""
    emulator = emulator_of(request)
    served = getattr(request.state, "pool_domain", None)
    region = served.region if served is not None else None
    who = caller(request)
    return await anyio.to_thread.run_sync(
        lambda: emulator.run(step, name=name, writes=write, region=region, caller=who)
    )


async def call(request: Request, operation: str, body: dict[str, Any]) -> dict[str, Any]:
    """One Cognito API operation, exactly as a client would call it (its rules, triggers and errors)."""
    emulator = emulator_of(request)
    who = caller(request)
    served = getattr(request.state, "pool_domain", None)
    region = served.region if served is not None else None
    return await anyio.to_thread.run_sync(lambda: emulator.call(operation, body, region=region, caller=who))


# --- CSRF: a random token in a cookie and in every form, compared on every POST ---------------------------
def csrf_token(request: Request) -> str:
    """The browser's CSRF token (the cookie's, or a new one that ``finish`` sets)."""
    existing = request.cookies.get(CSRF_COOKIE)
    if existing and 16 <= len(existing) <= 128:
        return existing
    token = request.scope.setdefault("hosted_ui.new_csrf", secrets.token_urlsafe(32))
    return token


def csrf_ok(request: Request, form: Mapping[str, str]) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE) or ""
    given = form.get(CSRF_FIELD) or ""
    return bool(cookie) and bool(given) and hmac.compare_digest(cookie.encode(), given.encode())


def cookie_path(request: Request) -> str:
    return root(request) or "/"


def finish(request: Request, response: Response) -> Response:
    """Headers every hosted response carries, and a new CSRF cookie when one was made."""
    token = request.scope.get("hosted_ui.new_csrf")
    if token:
        response.set_cookie(
            CSRF_COOKIE, token, path=cookie_path(request), secure=True, httponly=True, samesite="lax"
        )
    response.headers["cache-control"] = "no-store"
    response.headers["pragma"] = "no-cache"
    response.headers["x-frame-options"] = "DENY"
    response.headers["x-content-type-options"] = "nosniff"
    # Not no-referrer / same-origin: with those a form post carries "Origin: null" and the redirect of an app's
    # cross-site navigation (authorize -> /login) no Referer, and the request guard refuses both. Other sites
    # (the app's callback) see only this origin, never a page's query.
    response.headers["referrer-policy"] = "strict-origin-when-cross-origin"
    response.headers["content-security-policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'"
    )
    return response


def set_session(request: Request, response: Response, value: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=SESSION_MAX_AGE,
        path=cookie_path(request),
        secure=True,
        httponly=True,
        samesite="lax",
    )


def clear_session(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path=cookie_path(request), secure=True, httponly=True, samesite="lax"
    )


def session_cookie(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE)


async def form(request: Request) -> dict[str, str]:
    """The fields of a urlencoded form post (the first value of each)."""
    from urllib.parse import parse_qs

    body = (await request.body()).decode("utf-8", errors="replace")
    return {key: values[0] for key, values in parse_qs(body, keep_blank_values=True).items()}


def page_url(request: Request, page: str, parameters: Mapping[str, str]) -> str:
    """A hosted page of this domain with the authorize parameters in its query."""
    query = urlencode(dict(parameters))
    return f"{root(request)}/{page}" + (f"?{query}" if query else "")
