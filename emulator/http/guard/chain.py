"""``RequestGuard``: the checks of ``emulator.http.guard`` in their order, in front of every route (the Cognito
fast path and Starlette's routes alike). Each check is a small method that answers a ``Refusal`` or None;
a refusal is a 4xx with a JSON error (AWS-style ``{"__type", "message"}`` on the Cognito endpoint) and one
warning line naming what was refused.

The checks read only headers (one pass over them), except a console form post, whose few bytes are read
to find its CSRF token and handed on unchanged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.engine.core import Emulator
from emulator.http.guard import body_limit, csrf
from emulator.http.guard.hosts import HostPolicy, split_host
from emulator.http.guard.origins import OriginPolicy, origin_of
from emulator.userpools import domains

log = logging.getLogger("emulator.http.guard")

EMULATOR_PREFIX = "/_emulator"
IDP_PREFIX = EMULATOR_PREFIX + "/idp/"
COGNITO_CONTENT_TYPE = b"application/x-amz-json-1.1"
DENIED = "AccessDeniedException"
BODILESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(slots=True)
class Refusal:
    status: int
    kind: str  # the __type of the Cognito endpoint's answer
    message: str  # for the client
    what: str  # for the log line: the refused origin, host, size, ...


@dataclass(slots=True)
class _Seen:
    """The headers the checks look at, from one pass over the request's headers."""

    host: bytes | None = None
    origin: bytes | None = None
    length: bytes | None = None
    content_type: bytes | None = None
    fetch_site: bytes | None = None
    referer: bytes | None = None
    fetch_mode: bytes | None = None
    fetch_dest: bytes | None = None
    custom: bool = False


def _scan(headers: list[tuple[bytes, bytes]]) -> _Seen:
    seen = _Seen()
    for name, value in headers:
        if name == b"host":
            seen.host = value
        elif name == b"origin":
            seen.origin = value
        elif name == b"content-length":
            seen.length = value
        elif name == b"content-type":
            seen.content_type = value
        elif name == b"sec-fetch-site":
            seen.fetch_site = value
        elif name == b"referer":
            seen.referer = value
        elif name == b"sec-fetch-mode":
            seen.fetch_mode = value
        elif name == b"sec-fetch-dest":
            seen.fetch_dest = value
        elif name in csrf.CUSTOM_HEADERS:
            seen.custom = True
    return seen


class RequestGuard:
    def __init__(self, app: ASGIApp, emulator: Emulator) -> None:
        self.app = app
        self.emulator = emulator
        settings = emulator.settings
        self.hosts = HostPolicy(
            settings.allowed_hosts, public_url=settings.public_url, bind_host=settings.host
        )
        self.origins = OriginPolicy(settings.cors_origins, public_url=settings.public_url)
        self.limit = settings.max_body_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seen = _scan(scope["headers"])
        refusal = self.check_host(seen)
        if refusal is not None and await run_in_threadpool(self.is_custom_domain, seen.host):
            refusal = None
        refusal = refusal or self.check_origin(scope, seen) or self.check_body_size(seen)
        if refusal is None:
            if seen.length is None and scope["method"] not in BODILESS_METHODS:
                receive = body_limit.counting(receive, self.limit)  # chunked: counted as it arrives
            if self.changes_state(scope, seen):
                refusal, receive = await self.check_state_change(scope, seen, receive)
        if refusal is not None:
            await self._refuse(scope, send, refusal)
            return
        await self.app(scope, receive, send)

    # 1. Host: against DNS rebinding. A request without one (HTTP/1.0) is no browser's.
    def check_host(self, seen: _Seen) -> Refusal | None:
        if seen.host is None:
            return None
        shown = seen.host.decode("latin-1")
        if self.hosts.allows(shown):
            return None
        return Refusal(
            403,
            DENIED,
            f"Host {shown!r} is not served by this emulator (it answers {self.hosts.describe()}); "
            f"start it with --allowed-host {split_host(shown) or shown} if that is how clients reach it.",
            f"Host {shown!r}",
        )

    def is_custom_domain(self, host: bytes | None) -> bool:
        """The Host names a stored custom domain of a pool (served by emulator.http.domain_site). Asked only
        for a Host the settings do not serve, and never cached: a domain can be created or deleted any time."""
        name = split_host(host.decode("latin-1")) if host else ""
        if "." not in name:
            return False
        with self.emulator.database.session(write=False) as session:
            return domains.is_custom_domain(session, name)

    # 2. Origin: a browser request from a page that is neither an allowed origin nor the server's own.
    def check_origin(self, scope: Scope, seen: _Seen) -> Refusal | None:
        if _top_level_navigation(scope, seen):
            return None
        refused = self._refused_origin(seen)
        if refused is None:
            return None
        return Refusal(
            403,
            DENIED,
            f"Requests from origin {refused} are refused (allowed: {self.origins.describe()}); start the "
            f"emulator with --cors-origin {refused} to allow it.",
            f"origin {refused}" + (" (CORS preflight)" if scope["method"] == "OPTIONS" else ""),
        )

    def _refused_origin(self, seen: _Seen) -> str | None:
        """The origin to refuse, or None. Without an Origin header (navigations, no-cors GETs), a request the
        browser marks as coming from another site is judged by its Referer; with neither it is refused."""
        if self.origins.any:
            return None
        if seen.origin is not None:
            value = seen.origin.decode("latin-1")
            return None if self.origins.allows(value) or _same_origin(value, seen.host) else value
        if seen.fetch_site is None or seen.fetch_site in (b"same-origin", b"none"):
            return None  # not a browser (curl, SDKs), the server's own page, or a typed URL / bookmark
        source = origin_of(seen.referer.decode("latin-1")) if seen.referer else None
        if source is not None and (self.origins.allows(source) or _same_origin(source, seen.host)):
            return None
        return source or f"(a {seen.fetch_site.decode('latin-1')} page that sent no Origin or Referer)"

    # 3. Body size: a declared length over the limit is refused unread (a chunked body: body_limit.counting).
    def check_body_size(self, seen: _Seen) -> Refusal | None:
        if seen.length is None:
            return None
        try:
            size = int(seen.length)
        except ValueError:
            return None  # the server's HTTP parser refuses it before any app sees it
        if size <= self.limit:
            return None
        return Refusal(
            413,
            body_limit.RequestEntityTooLargeException.__name__,
            body_limit.too_large_message(self.limit, size),
            f"a body of {size} bytes",
        )

    # 4. State-changing /_emulator requests: only what no foreign page can send.
    @staticmethod
    def changes_state(scope: Scope, seen: _Seen) -> bool:
        path = scope["path"]
        return (
            scope["method"] in csrf.SIMPLE_METHODS
            and (path == EMULATOR_PREFIX or path.startswith(EMULATOR_PREFIX + "/"))
            and not seen.custom
            and not csrf.is_json(csrf.media_type(seen.content_type))
        )

    async def check_state_change(
        self, scope: Scope, seen: _Seen, receive: Receive
    ) -> tuple[Refusal | None, Receive]:
        """A POST that is neither JSON nor carries a custom header: a console form with its CSRF token, or
        refused. The form's body is read here and handed on to the route unchanged."""
        kind = csrf.media_type(seen.content_type)
        refusal = Refusal(403, DENIED, _state_changing(scope["path"]), f"a {kind or 'body-less'} POST")
        if kind != csrf.FORM:
            return refusal, receive
        try:
            body = await _read_all(receive)
        except body_limit.RequestEntityTooLargeException as error:
            return Refusal(413, error.code, error.message, "a chunked body over the limit"), receive
        if not await run_in_threadpool(csrf.form_token_matches, self.emulator, body):
            refusal.what = "a form post without its CSRF token"
            return refusal, receive
        return None, _replay(body, receive)

    async def _refuse(self, scope: Scope, send: Send, refusal: Refusal) -> None:
        method, path = scope["method"], scope["path"]
        log.warning(
            "refused %s %s: %s",
            method,
            path,
            refusal.what,
            # The same facts as fields, for --log-format json (emulator.logging_setup).
            extra={
                "request": {
                    "method": method,
                    "path": path,
                    "status": refusal.status,
                    "outcome": refusal.kind,
                    "refused": refusal.what,
                }
            },
        )
        if path == "/":  # the Cognito endpoint: an error every AWS SDK reads
            body = orjson.dumps({"__type": refusal.kind, "message": refusal.message})
            headers = [(b"content-type", COGNITO_CONTENT_TYPE), (b"x-amzn-errortype", refusal.kind.encode())]
        else:
            body = orjson.dumps({"error": refusal.message})
            headers = [(b"content-type", b"application/json")]
        headers.append((b"content-length", str(len(body)).encode()))
        # The body of a refused request is never read: close the connection rather than read and discard it.
        headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _state_changing(path: str) -> str:
    return (
        f"{path} changes the emulator's state, so it takes only what no web page can send: a JSON body "
        "with Content-Type: application/json (or an X-Emulator-Token header), or a console form with its "
        "CSRF token (reload the console page to get a fresh one)."
    )


def _top_level_navigation(scope: Scope, seen: _Seen) -> bool:
    """A link followed or a redirect to a page (a GET that navigates a top-level document), which is how every
    app opens a pool domain's /oauth2/authorize, with or without a Referer (an app may send
    ``Referrer-Policy: no-referrer``), and how the redirect chain it starts reaches a simulated identity
    provider's page (/_emulator/idp/...). The page that started it never reads the answer, GETs change no state
    and the pages refuse framing; the emulator's other pages (the console, the outbox) keep the origin policy."""
    if scope["method"] not in ("GET", "HEAD") or seen.origin is not None:
        return False
    if seen.fetch_mode != b"navigate" or seen.fetch_dest != b"document":
        return False
    path = scope["path"]
    own = path == EMULATOR_PREFIX or path.startswith(EMULATOR_PREFIX + "/")
    return not own or path.startswith(IDP_PREFIX)


def _same_origin(origin: str, host: bytes | None) -> bool:
    """The page is the server's own (its console), as the Host header, already checked, names it."""
    if host is None:
        return False
    return origin.lower().split("://", 1)[-1] == host.decode("latin-1").lower()


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
