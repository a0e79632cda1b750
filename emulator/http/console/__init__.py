"""The web console at ``/_emulator/``: server-rendered pages (Jinja2 templates, one stylesheet, one small
script; no build step, nothing from a CDN).

Pages: the pools; a pool with its settings, app clients, groups and users; a user with status, attributes,
groups, MFA, a TOTP QR code to enrol a real authenticator app and passkeys (each can be deleted); the identity
pools, and one with its settings, roles and identities; the outbox, newest first, updating live.
Every page shows the emulator's clock with buttons to move it.

Actions (confirm, disable, enable, reset password, set password, delete) and the create forms (a pool, an
app client, a user, a group; emulator.http.console.forms) are HTML form posts that run the very API operations
(``Emulator.call("AdminConfirmSignUp", ...)``), so the console does exactly what the API does, errors
included. Each form carries the console's CSRF token (``emulator.http.guard.csrf``, checked before the route
runs); posts from another site's page are also refused here (Origin / Sec-Fetch-Site checks).
"""

from __future__ import annotations

import urllib.parse
from datetime import datetime
from pathlib import Path
from typing import Any

import segno
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from emulator import __version__
from emulator.engine.core import Emulator
from emulator.http import clock_api
from emulator.http.console import activity, forms, identity_views, views
from emulator.http.console import passkeys as console_passkeys
from emulator.http.guard import csrf
from emulator.protocol.errors import CognitoError
from emulator.userpools import outbox

HERE = Path(__file__).resolve().parent
PREFIX = "/_emulator"
templates = Jinja2Templates(directory=str(HERE / "templates"))

# The clock buttons: (label, seconds).
CLOCK_STEPS = [
    ("+1 min", 60),
    ("+5 min", 300),
    ("+1 hour", 3600),
    ("+1 day", 86400),
    ("+30 days", 30 * 86400),
]

# Console actions on a user -> the API operation they run.
USER_ACTIONS = {
    "confirm": "AdminConfirmSignUp",
    "disable": "AdminDisableUser",
    "enable": "AdminEnableUser",
    "reset-password": "AdminResetUserPassword",
    "set-password": "AdminSetUserPassword",
    "delete": "AdminDeleteUser",
    "forget-device": "AdminForgetDevice",
}
DONE = {
    "confirm": "User confirmed.",
    "disable": "User disabled: sign-in refused, tokens revoked.",
    "enable": "User enabled.",
    "reset-password": "Password reset: the user must set a new one with the code just sent.",
    "set-password": "Password set.",
    "delete": "User deleted.",
    "forget-device": "Device forgotten: its next sign-in asks for MFA again.",
}


# --- template helpers --------------------------------------------------------------------------------
def _when(value: str | None) -> str:
    if not value:
        return "–"
    return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M:%S UTC")


def _qr(uri: str) -> Markup:
    """An inline SVG QR code (no external service sees the secret)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#0f172a", light="#ffffff", border=2)
    return Markup(svg)  # noqa: S704 - segno writes the SVG itself; the URI is encoded as modules, not text


def _offset(seconds: float) -> str:
    """A clock offset as a person reads it: ``+1 d 2 h``, ``+5 min``, ``-30 s``."""
    sign = "-" if seconds < 0 else "+"
    left = round(abs(seconds))
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60), ("s", 1)):
        if left >= size:
            parts.append(f"{left // size} {unit}")
            left %= size
    return sign + " ".join(parts[:2]) if parts else "real time"


templates.env.filters["when"] = _when
templates.env.filters["offset"] = _offset
templates.env.globals["version"] = __version__
templates.env.globals["prefix"] = PREFIX


def _emulator(request: Request) -> Emulator:
    return request.app.state.emulator


async def _render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    token = await run_in_threadpool(csrf.console_token, _emulator(request))
    context = {
        "clock": await run_in_threadpool(clock_api.clock_view, _emulator(request)),
        # In every form: emulator.http.guard.csrf checks it before the action runs.
        "csrf_field": Markup('<input type="hidden" name="{}" value="{}">').format(csrf.FIELD, token),
        "clock_steps": CLOCK_STEPS,
        "notice": request.query_params.get("notice"),
        "error": request.query_params.get("error"),
        **context,
    }
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers["cache-control"] = "no-store"
    return response


def _messages(
    emulator: Emulator, limit: int, *, pool_id: str | None = None, username: str | None = None
) -> list[dict[str, Any]]:
    """The newest messages, for the first render of an outbox table (the page's script keeps it fresh)."""
    with emulator.database.session(write=False) as session:
        rows = outbox.list_messages(session, pool_id=pool_id, username=username, limit=limit)
        return [outbox.message_view(row) for row in rows]


async def _not_found(request: Request, message: str) -> Response:
    return await _render(request, "not_found.html", {"message": message, "page": None}, status_code=404)


def _back(path: str, **message: str) -> RedirectResponse:
    query = urllib.parse.urlencode({key: value for key, value in message.items() if value})
    return RedirectResponse(path + ("?" + query if query else ""), status_code=303)


def _same_origin(request: Request) -> bool:
    """A console form post must come from a console page: browsers send Origin (and Sec-Fetch-Site)."""
    if request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not a browser's cross-site form post (curl, scripts)
    return urllib.parse.urlsplit(origin).netloc == request.headers.get("host")


async def _form(request: Request) -> dict[str, str]:
    """The fields of a urlencoded form post (the console has no file uploads, so no multipart parser)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return {key: values[0] for key, values in urllib.parse.parse_qs(body, keep_blank_values=True).items()}


async def _form_fields(request: Request) -> dict[str, list[str]]:
    """Every value of every field (the create forms have checkbox lists)."""
    body = (await request.body()).decode("utf-8", errors="replace")
    return urllib.parse.parse_qs(body, keep_blank_values=True)


def _caller(request: Request) -> dict[str, Any]:
    """Who runs a console action, as the operations log and check it."""
    return {"ip": request.client.host if request.client else None, "signed": True, "console": True}


def _local_path(value: str | None, default: str) -> str:
    """A redirect target inside the console only."""
    if value and value.startswith(PREFIX + "/") and not value.startswith("//"):
        return value
    return default


# --- pages -------------------------------------------------------------------------------------------
async def home(request: Request) -> Response:
    emulator = _emulator(request)

    def read() -> dict[str, Any]:
        with emulator.database.session(write=False) as session:
            pools = views.pool_summaries(session)
        return {"pools": pools, "outbox_messages": _messages(emulator, 5)}

    return await _render(request, "index.html", {**await run_in_threadpool(read), "page": "pools"})


async def pool_page(request: Request) -> Response:
    emulator = _emulator(request)
    pool_id = request.path_params["pool_id"]
    search = request.query_params.get("q") or None

    def read() -> dict[str, Any]:
        with emulator.database.session(write=False) as session:
            detail = views.pool_detail(session, pool_id, search=search, domain_base=_domain_base(emulator))
            detail["import_jobs"] = activity.import_jobs(emulator, session, pool_id)
            return detail

    try:
        pool = await run_in_threadpool(read)
    except views.NotFound as exc:
        return await _not_found(request, str(exc))
    return await _render(
        request,
        "pool.html",
        {
            "pool": pool,
            "page": "pools",
            "endpoint": emulator.settings.base_url,
            "users_page": views.USERS_PAGE,
            "create_flows": forms.AUTH_FLOWS,
        },
    )


def _domain_base(emulator: Emulator) -> str:
    """Where pool domains are served by path: the HTTPS listener when there is one (Amplify needs it)."""
    return emulator.settings.tls_base_url or emulator.settings.base_url


async def user_page(request: Request) -> Response:
    emulator = _emulator(request)
    pool_id = request.path_params["pool_id"]
    sub = request.path_params["sub"]

    def read() -> dict[str, Any]:
        with emulator.database.session(write=False) as session:
            user = views.user_detail(emulator, session, pool_id, sub)
            user["passkeys"] = console_passkeys.passkey_views(emulator, session, pool_id, sub)
            for key in ("verified", "pending"):
                if key in user["totp"]:
                    user["totp"][key]["qr"] = _qr(user["totp"][key]["uri"])
        user["messages"] = _messages(emulator, 20, pool_id=pool_id, username=user["username"])
        return user

    try:
        user = await run_in_threadpool(read)
    except views.NotFound as exc:
        return await _not_found(request, str(exc))
    return await _render(
        request, "user.html", {"user": user, "page": "pools", "outbox_messages": user.pop("messages")}
    )


async def identity_pools_page(request: Request) -> Response:
    emulator = _emulator(request)

    def read() -> list[dict[str, Any]]:
        with emulator.database.session(write=False) as session:
            return identity_views.pool_summaries(session)

    pools = await run_in_threadpool(read)
    return await _render(request, "identity_pools.html", {"pools": pools, "page": "identity-pools"})


async def identity_pool_page(request: Request) -> Response:
    emulator = _emulator(request)
    pool_id = request.path_params["pool_id"]

    def read() -> dict[str, Any]:
        with emulator.database.session(write=False) as session:
            return identity_views.pool_detail(session, pool_id)

    try:
        pool = await run_in_threadpool(read)
    except views.NotFound as exc:
        return await _not_found(request, str(exc))
    return await _render(request, "identity_pool.html", {"pool": pool, "page": "identity-pools"})


async def outbox_page(request: Request) -> Response:
    found = await run_in_threadpool(_messages, _emulator(request), 100)
    return await _render(request, "outbox.html", {"page": "outbox", "outbox_messages": found})


# --- actions -----------------------------------------------------------------------------------------
async def user_action(request: Request) -> Response:
    if not _same_origin(request):
        return PlainTextResponse("Cross-site request refused", status_code=403)
    emulator = _emulator(request)
    pool_id = request.path_params["pool_id"]
    sub = request.path_params["sub"]
    action = request.path_params["action"]
    user_path = f"{PREFIX}/pools/{urllib.parse.quote(pool_id)}/users/{urllib.parse.quote(sub)}"
    if action not in USER_ACTIONS:
        return await _not_found(request, f"no console action {action!r}")
    form = await _form(request)

    def run() -> None:
        with emulator.database.session(write=False) as session:
            pool = views.get_pool(session, pool_id)
            user = views.user_by_sub(session, pool.id, sub)
            region, username = pool.region, user.username
        body: dict[str, Any] = {"UserPoolId": pool_id, "Username": username}
        if action == "set-password":
            body["Password"] = str(form.get("password") or "")
            body["Permanent"] = form.get("permanent") == "on"
        if action == "forget-device":
            body["DeviceKey"] = str(form.get("device_key") or "")
        emulator.call(
            USER_ACTIONS[action],
            body,
            region=region,
            caller={"ip": request.client.host if request.client else None, "signed": True, "console": True},
        )

    try:
        await run_in_threadpool(run)
    except views.NotFound as exc:
        return await _not_found(request, str(exc))
    except CognitoError as exc:
        return _back(user_path, error=f"{exc.code}: {exc.message}")
    if action == "delete":
        return _back(f"{PREFIX}/pools/{urllib.parse.quote(pool_id)}", notice=DONE[action])
    return _back(user_path, notice=DONE[action])


async def delete_passkey_action(request: Request) -> Response:
    if not _same_origin(request):
        return PlainTextResponse("Cross-site request refused", status_code=403)
    pool_id, sub = request.path_params["pool_id"], request.path_params["sub"]
    user_path = f"{PREFIX}/pools/{urllib.parse.quote(pool_id)}/users/{urllib.parse.quote(sub)}"
    credential_id = (await _form(request)).get("credential_id") or ""
    try:
        await run_in_threadpool(console_passkeys.delete, _emulator(request), pool_id, sub, credential_id)
    except views.NotFound as exc:
        return await _not_found(request, str(exc))
    except CognitoError as exc:
        return _back(user_path, error=f"{exc.code}: {exc.message}")
    return _back(user_path, notice="Passkey deleted: it no longer signs the user in.")


def _pool_path(pool_id: str) -> str:
    return f"{PREFIX}/pools/{urllib.parse.quote(pool_id)}"


async def create_pool_action(request: Request) -> Response:
    if not _same_origin(request):
        return PlainTextResponse("Cross-site request refused", status_code=403)
    emulator = _emulator(request)
    fields = await _form_fields(request)

    def run() -> dict[str, Any]:
        operation, body = forms.create_pool(fields, account_id=emulator.settings.account_id)
        return emulator.call(operation, body, region=emulator.settings.region, caller=_caller(request))

    try:
        answer = await run_in_threadpool(run)
    except (CognitoError, forms.FormError) as exc:
        return _back(PREFIX + "/", error=_error_text(exc))
    pool = answer["UserPool"]
    return _back(_pool_path(pool["Id"]), notice=f"User pool {pool['Name']} created: {pool['Id']}.")


# The create forms of a pool's page -> (build the API calls, what to say when they succeed).
POOL_CREATES = {"clients": forms.create_client, "users": forms.create_user, "groups": forms.create_group}


async def create_in_pool_action(request: Request) -> Response:
    if not _same_origin(request):
        return PlainTextResponse("Cross-site request refused", status_code=403)
    emulator = _emulator(request)
    pool_id = request.path_params["pool_id"]
    kind = request.path_params["kind"]
    if kind not in POOL_CREATES:
        return await _not_found(request, f"no console action {kind!r}")
    fields = await _form_fields(request)

    def run() -> list[dict[str, Any]]:
        with emulator.database.session(write=False) as session:
            region = views.get_pool(session, pool_id).region
        calls = POOL_CREATES[kind](pool_id, fields)
        return [emulator.call(name, body, region=region, caller=_caller(request)) for name, body in calls]

    try:
        answers = await run_in_threadpool(run)
    except views.NotFound as exc:
        return await _not_found(request, str(exc))
    except (CognitoError, forms.FormError) as exc:
        return _back(_pool_path(pool_id), error=_error_text(exc))
    if kind == "clients":
        client = answers[0]["UserPoolClient"]
        return _back(
            _pool_path(pool_id), notice=f"App client {client['ClientName']} created: {client['ClientId']}."
        )
    if kind == "groups":
        return _back(_pool_path(pool_id), notice=f"Group {answers[0]['Group']['GroupName']} created.")
    user = answers[0]["User"]
    sub = next(item["Value"] for item in user["Attributes"] if item["Name"] == "sub")
    if len(answers) > 1:
        notice = f"User {user['Username']} created with a permanent password."
    elif any(value.strip() for name in ("email", "phone_number") for value in fields.get(name, [])):
        notice = (
            f"User {user['Username']} created: the invitation with a temporary password is in the messages."
        )
    else:
        notice = (
            f"User {user['Username']} created with a temporary password (no email or phone to send it to)."
        )
    return _back(f"{_pool_path(pool_id)}/users/{urllib.parse.quote(sub)}", notice=notice)


def _error_text(exc: CognitoError | forms.FormError) -> str:
    if isinstance(exc, CognitoError):
        return f"{exc.code}: {exc.message}"
    return str(exc)


async def clock_action(request: Request) -> Response:
    if not _same_origin(request):
        return PlainTextResponse("Cross-site request refused", status_code=403)
    emulator = _emulator(request)
    form = await _form(request)
    back = _local_path(str(form.get("back") or ""), PREFIX + "/")
    back = back.split("?", 1)[0]
    try:
        if form.get("reset"):
            await run_in_threadpool(clock_api.reset, emulator)
        elif form.get("set"):
            await run_in_threadpool(clock_api.set_time, emulator, clock_api.parse_time(str(form["set"])))
        else:
            try:
                seconds = float(str(form.get("advance") or ""))
            except ValueError:
                raise clock_api.ClockError("advance must be a number of seconds") from None
            await run_in_threadpool(clock_api.advance, emulator, seconds)
    except clock_api.ClockError as exc:
        return _back(back, error=str(exc))
    return _back(back)


async def reset_action(request: Request) -> Response:
    if not _same_origin(request):
        return PlainTextResponse("Cross-site request refused", status_code=403)
    await run_in_threadpool(_emulator(request).reset)
    return _back(PREFIX + "/", notice="Everything was wiped; the start-up fixtures are loaded again.")


async def redirect_home(request: Request) -> Response:
    return RedirectResponse(PREFIX + "/", status_code=307)


routes = [
    Route(PREFIX, redirect_home, methods=["GET"]),
    Route(PREFIX + "/", home, methods=["GET"]),
    Route(PREFIX + "/outbox", outbox_page, methods=["GET"]),
    Route(PREFIX + "/identity-pools", identity_pools_page, methods=["GET"]),
    Route(PREFIX + "/identity-pools/{pool_id}", identity_pool_page, methods=["GET"]),
    Route(PREFIX + "/pools/{pool_id}", pool_page, methods=["GET"]),
    Route(PREFIX + "/pools/{pool_id}/users/{sub}", user_page, methods=["GET"]),
    Route(PREFIX + "/pools/{pool_id}/users/{sub}/{action}", user_action, methods=["POST"]),
    Route(PREFIX + "/pools/{pool_id}/users/{sub}/passkeys/delete", delete_passkey_action, methods=["POST"]),
    Route(PREFIX + "/pools/{pool_id}/{kind}", create_in_pool_action, methods=["POST"]),
    Route(PREFIX + "/console/pools", create_pool_action, methods=["POST"]),
    Route(PREFIX + "/console/clock", clock_action, methods=["POST"]),
    Route(PREFIX + "/console/reset", reset_action, methods=["POST"]),
    Mount(PREFIX + "/static", app=StaticFiles(directory=str(HERE / "static")), name="console-static"),
]
