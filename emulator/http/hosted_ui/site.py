"""What every hosted page shares: the domain's pool, one transaction per step, the engine's API operations,
the CSRF token and the domain session cookie, and rendering (Jinja2, autoescaped, the pool's UI customization).
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlencode

import anyio.to_thread
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from emulator import ids
from emulator.engine.core import Emulator
from emulator.protocol.context import Context
from emulator.protocol.errors import CognitoError, InternalErrorException
from emulator.store.models import UserPool, UserPoolDomain
from emulator.userpools import tokens

log = logging.getLogger("emulator.hosted_ui")
T = TypeVar("T")

CSRF_COOKIE = "XSRF-TOKEN"
CSRF_FIELD = "_csrf"
SESSION_COOKIE = "cognito"
SESSION_MAX_AGE = 3600


class UnknownDomain(LookupError):
    """The request names no domain of any pool (the domain site answers these itself, normally)."""


def emulator_of(request: Request) -> Emulator:
    return request.app.state.emulator


def domain_name(request: Request) -> str | None:
    """The pool domain the domain site resolved for this request (emulator.http.domain_site)."""
    state = request.scope.get("state") or {}
    value = state.get("domain") if isinstance(state, Mapping) else None
    if value is None:
        value = request.path_params.get("domain")
    return value


def root(request: Request) -> str:
    """The path of the domain's root: ``/<domain>`` when served by path prefix, empty when by Host name."""
    return request.scope.get("root_path", "").rstrip("/")


def pool_of(ctx: Context, request: Request) -> UserPool:
    name = domain_name(request)
    row = ctx.db.scalar(select(UserPoolDomain).where(UserPoolDomain.domain == name)) if name else None
    pool = ctx.db.get(UserPool, row.pool_id) if row is not None else None
    if pool is None:
        raise UnknownDomain(name or "")
    return pool


def _context(emulator: Emulator, session: Any, request: Request, operation: str) -> Context:
    return Context(
        db=session,
        emulator=emulator,
        now=emulator.now(session),
        region=emulator.settings.region,
        operation=operation,
        request_id=ids.request_id(),
        caller=caller(request),
    )


def caller(request: Request) -> dict[str, Any]:
    return {
        "ip": request.client.host if request.client else None,
        "user_agent": request.headers.get("user-agent"),
        "signed": False,
        "hosted_ui": True,
    }


def _transaction(emulator: Emulator, request: Request, step: Callable[[Context], T], operation: str, write: bool) -> T:
    session = emulator.database.session(write=write)
    try:
        ctx = _context(emulator, session, request, operation)
        result = step(ctx)
        session.commit()
    except (CognitoError, UnknownDomain):
        # What a step committed on purpose before failing (a failed password's count) stays.
        session.rollback()
        raise
    except Exception as exc:
        session.rollback()
        log.exception("internal error in %s", operation)
        raise InternalErrorException(f"Internal error in {operation}: {type(exc).__name__}") from exc
    finally:
        session.close()
    if isinstance(result, dict):
        tokens.sign_pending(result)  # tokens are signed after the commit, as Emulator.call does
    return result


async def run(request: Request, step: Callable[[Context], T], *, operation: str = "HostedUI", write: bool = True) -> T:
    """Run ``step`` in one database transaction (a worker thread), with the request's time from the clock."""
    emulator = emulator_of(request)
    return await anyio.to_thread.run_sync(lambda: _transaction(emulator, request, step, operation, write))


async def call(request: Request, operation: str, body: dict[str, Any]) -> dict[str, Any]:
    """One Cognito API operation, exactly as a client would call it (its rules, triggers and errors)."""
    emulator = emulator_of(request)
    who = caller(request)
    return await anyio.to_thread.run_sync(lambda: emulator.call(operation, body, caller=who))


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
    response.headers["referrer-policy"] = "no-referrer"
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
    response.delete_cookie(SESSION_COOKIE, path=cookie_path(request), secure=True, httponly=True, samesite="lax")


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
