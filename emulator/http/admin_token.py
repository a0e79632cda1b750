"""``--admin-token``: the emulator's own API and console (everything under ``/_emulator``) behind a token.

Off by default (a local tool on 127.0.0.1). When the server is exposed, whoever can reach ``/_emulator``
can read every code in the outbox, reset the world and move the clock, so with a token set a request
there must carry it:

- ``Authorization: Bearer TOKEN`` or ``X-Emulator-Token: TOKEN`` (scripts, ``EmulatorClient``), or
- for the console in a browser: open ``/_emulator/?token=TOKEN`` once; the answer sets an HttpOnly
  cookie that carries the token afterwards.

``/_emulator/health`` stays open (container health checks), and so do the Cognito endpoints, which
have their own rules (SigV4 with ``--iam-credentials``).
"""

from __future__ import annotations

import hmac
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PREFIX = "/_emulator"
OPEN_PATHS = frozenset({"/_emulator/health"})
COOKIE = "cognito_emulator_token"
HEADER = "x-emulator-token"


class AdminTokenMiddleware:
    """Pure ASGI middleware: 401 for ``/_emulator`` requests without the token."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token.encode()

    def _matches(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self.token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        protected = scope["type"] == "http" and (path == PREFIX or path.startswith(PREFIX + "/"))
        if not protected or path in OPEN_PATHS or scope.get("method") == "OPTIONS":
            await self.app(scope, receive, send)
            return
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]
        }
        authorization = headers.get("authorization", "")
        bearer = authorization[7:].strip() if authorization.lower().startswith("bearer ") else None
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # a malformed Cookie header is just no cookie
            cookie = SimpleCookie()
        from_cookie = cookie[COOKIE].value if COOKIE in cookie else None
        query = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [None])[0]
        if self._matches(bearer) or self._matches(headers.get(HEADER)) or self._matches(from_cookie):
            await self.app(scope, receive, send)
            return
        if self._matches(query):
            await self.app(scope, receive, _setting_cookie(send, self.token.decode()))
            return
        await _unauthorized(send)


def _setting_cookie(send: Send, token: str) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            value = f"{COOKIE}={token}; Path={PREFIX}; HttpOnly; SameSite=Strict"
            message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", value.encode())]}
        await send(message)

    return wrapped


async def _unauthorized(send: Send) -> None:
    body = (
        b'{"error":"This emulator wants its admin token for /_emulator: send Authorization: Bearer TOKEN '
        b'or X-Emulator-Token: TOKEN (in a browser, open /_emulator/?token=TOKEN once)."}'
    )
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"www-authenticate", b'Bearer realm="cognito-emulator"'),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
