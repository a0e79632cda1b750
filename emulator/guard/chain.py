"""``RequestGuard``: the checks of ``emulator.guard`` in their order, in front of every route (the Cognito
fast path and Starlette's routes alike). Each refusal is a 4xx with a JSON error (AWS-style
``{"__type", "message"}`` on the Cognito endpoint) and one warning line naming what was refused.

The checks read only headers (one pass over them), except a console form post, whose few bytes are read
to find its CSRF token and handed on unchanged.
"""

from __future__ import annotations

import logging

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.config import Settings
from emulator.core import Emulator
from emulator.guard import body_limit, csrf
from emulator.guard.hosts import HostPolicy
from emulator.guard.origins import OriginPolicy, origin_of

log = logging.getLogger("emulator.guard")

EMULATOR_PREFIX = "/_emulator"
COGNITO_CONTENT_TYPE = b"application/x-amz-json-1.1"


class RequestGuard:
    def __init__(self, app: ASGIApp, emulator: Emulator) -> None:
        self.app = app
        self.emulator = emulator
        settings: Settings = emulator.settings
        self.hosts = HostPolicy(
            settings.allowed_hosts, public_url=settings.public_url, bind_host=settings.host
        )
        self.origins = OriginPolicy(settings.cors_origins, public_url=settings.public_url)
        self.limit = settings.max_body_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = origin = fetch_site = referer = length = content_type = None
        custom = False
        for name, value in scope["headers"]:
            if name == b"host":
                host = value
            elif name == b"origin":
                origin = value
            elif name == b"content-length":
                length = value
            elif name == b"content-type":
                content_type = value
            elif name == b"sec-fetch-site":
                fetch_site = value
            elif name == b"referer":
                referer = value
            elif name in csrf.CUSTOM_HEADERS:
                custom = True

        # 1. Host (DNS rebinding). A request without one (HTTP/1.0) is no browser's.
        if host is not None and not self.hosts.allows(host.decode("latin-1")):
            shown = host.decode("latin-1")
            await self._refuse(
                scope,
                send,
                403,
                "AccessDeniedException",
                f"Host {shown!r} is not served by this emulator (it answers {self.hosts.describe()}); "
                f"start it with --allowed-host {_bare(shown)} if that is how clients reach it.",
                f"Host {shown!r}",
            )
            return

        # 2. Origin: a browser request from a page that is not an allowed origin, or not the server's own.
        refused = self._refused_origin(origin, fetch_site, referer, host)
        if refused is not None:
            await self._refuse(
                scope,
                send,
                403,
                "AccessDeniedException",
                f"Requests from origin {refused} are refused (allowed: {self.origins.describe()}); start the "
                f"emulator with --cors-origin {refused} to allow it.",
                f"origin {refused}" + (" (CORS preflight)" if scope["method"] == "OPTIONS" else ""),
            )
            return

        # 3. Body size: a declared length over the limit is refused unread; a chunked body is counted.
        if length is not None:
            try:
                size = int(length)
            except ValueError:
                size = -1
            if size > self.limit:
                await self._refuse(
                    scope,
                    send,
                    413,
                    "RequestEntityTooLargeException",
                    body_limit.too_large_message(self.limit, size),
                    f"a body of {size} bytes",
                )
                return
        elif scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            receive = body_limit.counting(receive, self.limit)

        # 4. State-changing /_emulator requests: not makeable by a foreign page.
        path = scope["path"]
        if (
            scope["method"] in csrf.SIMPLE_METHODS
            and (path == EMULATOR_PREFIX or path.startswith(EMULATOR_PREFIX + "/"))
            and not custom
        ):
            kind = csrf.media_type(content_type)
            if not csrf.is_json(kind):
                if kind != csrf.FORM:
                    await self._refuse(
                        scope,
                        send,
                        403,
                        "AccessDeniedException",
                        _state_changing(path),
                        f"a {kind or 'body-less'} POST",
                    )
                    return
                try:
                    body = await _read_all(receive)
                except body_limit.RequestEntityTooLargeException as error:
                    await self._refuse(scope, send, 413, error.code, error.message, "a chunked body")
                    return
                if not await run_in_threadpool(csrf.form_token_matches, self.emulator, body):
                    await self._refuse(
                        scope,
                        send,
                        403,
                        "AccessDeniedException",
                        _state_changing(path),
                        "a form post without its CSRF token",
                    )
                    return
                receive = _replay(body, receive)
        await self.app(scope, receive, send)

    def _refused_origin(
        self, origin: bytes | None, fetch_site: bytes | None, referer: bytes | None, host: bytes | None
    ) -> str | None:
        """The origin to refuse, or None. Without an Origin header (navigations, no-cors GETs), a request the
        browser marks as coming from another site is judged by its Referer; with neither it is refused."""
        if self.origins.any:
            return None
        if origin is not None:
            value = origin.decode("latin-1")
            if self.origins.allows(value) or _same_origin(value, host):
                return None
            return value
        if fetch_site is None or fetch_site in (b"same-origin", b"none"):
            return None  # not a browser (curl, SDKs), the server's own page, or a typed URL / bookmark
        source = origin_of(referer.decode("latin-1")) if referer else None
        if source is not None and (self.origins.allows(source) or _same_origin(source, host)):
            return None
        return source or f"(a {fetch_site.decode('latin-1')} page that sent no Origin or Referer)"

    async def _refuse(
        self, scope: Scope, send: Send, status: int, kind: str, message: str, what: str
    ) -> None:
        log.warning(
            "refused %s %s: %s",
            scope["method"],
            scope["path"],
            what,
            extra={
                "refused": {"method": scope["method"], "path": scope["path"], "status": status, "why": what}
            },
        )
        if scope["path"] == "/":  # the Cognito endpoint: an error every AWS SDK reads
            body = orjson.dumps({"__type": kind, "message": message})
            headers = [(b"content-type", COGNITO_CONTENT_TYPE), (b"x-amzn-errortype", kind.encode())]
        else:
            body = orjson.dumps({"error": message})
            headers = [(b"content-type", b"application/json")]
        headers.append((b"content-length", str(len(body)).encode()))
        # The body of a refused request is never read: the connection is closed after the answer.
        headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _state_changing(path: str) -> str:
    return (
        f"{path} changes the emulator's state, so it takes only what no web page can send: a JSON body "
        "with Content-Type: application/json (or an X-Emulator-Token header), or a console form with its "
        "CSRF token (reload the console page to get a fresh one)."
    )


def _same_origin(origin: str, host: bytes | None) -> bool:
    """The page is the server's own (its console), as the Host header, already checked, names it."""
    if host is None:
        return False
    return origin.lower().split("://", 1)[-1] == host.decode("latin-1").lower()


def _bare(host: str) -> str:
    from emulator.guard.hosts import split_host

    return split_host(host) or host


async def _read_all(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body already read, then the connection's own messages (a disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
