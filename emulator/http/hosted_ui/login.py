"""GET /oauth2/authorize, the login page and the pages of the challenges that follow a password.

Every step runs the engine (``emulator.userpools.oauth.hosted_signin``) in one transaction through
``Emulator.run`` and checks the authorize parameters first; a wrong answer re-renders its page with
Cognito's message. POSTs need the CSRF token of the page's form.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from emulator.protocol.context import Context
from emulator.protocol.errors import CognitoError, PasswordResetRequiredException, UserNotConfirmedException
from emulator.userpools.oauth import hosted_grant, hosted_signin
from emulator.userpools.oauth import sessions as browser_sessions
from emulator.userpools.oauth.hosted_signin import Next

from . import flow, site
from .flow import Answer, Checked
from .routing import page_route


def _query(request: Request) -> dict[str, str]:
    return {key: value for key, value in request.query_params.items()}


async def authorize(request: Request) -> Response:
    """A live session for the client answers with a code at once (unless prompt=login); prompt=none without
    one is login_required; otherwise the login page."""
    query = _query(request)
    cookie = site.session_cookie(request)

    def then(ctx: Context, state: Checked) -> Answer:
        live = browser_sessions.live(ctx, cookie, state.pool, state.request.client, state.request.provider)
        if live is not None and not state.request.always_login:
            return flow.grant(ctx, state, live.user, live.auth_time)
        if state.request.prompt == "none":
            error = hosted_grant.ErrorRedirect(
                state.request.redirect_uri, "login_required", state.request.state
            )
            return Answer(redirect=hosted_grant.error_redirect(error))
        return Answer(redirect=site.page_url(request, "login", state.request.given))

    return await flow.respond(
        request, await site.run(request, flow.checked(request, query, then), name="Authorize")
    )


async def login_page(request: Request) -> Response:
    def then(ctx: Context, state: Checked) -> Answer:
        return flow.login_answer(request, state)

    answer = await site.run(
        request, flow.checked(request, _query(request), then), name="HostedLogin", write=False
    )
    return await flow.respond(request, answer)


async def login_post(request: Request) -> Response:
    fields = await site.form(request)
    if not site.csrf_ok(request, fields):
        return flow.csrf_refused(request)
    username = fields.get("username", "").strip()
    password = fields.get("password", "")

    def then(ctx: Context, state: Checked) -> Answer:
        def work() -> Answer:
            result = hosted_signin.start(ctx, state.pool, state.request.client, username, password)
            return flow.after(ctx, request, state, result)

        def failed(error: CognitoError) -> Answer:
            if isinstance(error, UserNotConfirmedException):
                return Answer(
                    redirect=site.page_url(
                        request, "confirmuser", {**state.request.given, "username": username}
                    )
                )
            if isinstance(error, PasswordResetRequiredException):
                return Answer(
                    redirect=site.page_url(
                        request, "forgotpassword", {**state.request.given, "username": username}
                    )
                )
            return flow.login_answer(request, state, username=username, error=error.message)

        return flow.attempt(ctx, work, failed)

    answer = await site.run(request, flow.checked(request, _query(request), then), name="HostedLogin")
    return await flow.respond(request, answer)


# --- challenge pages -------------------------------------------------------------------------------------
def _pending(fields: dict[str, str]) -> Next:
    """The challenge a page's form answers, as its hidden fields carry it (for re-rendering on an error)."""
    parameters: dict[str, str] = {}
    if fields.get("destination"):
        parameters["CODE_DELIVERY_DESTINATION"] = fields["destination"]
    if fields.get("choices"):
        key = "MFAS_CAN_SETUP" if fields.get("challenge") == "MFA_SETUP" else "MFAS_CAN_CHOOSE"
        parameters[key] = fields["choices"]
    if fields.get("required"):
        parameters["requiredAttributes"] = fields["required"]
    return Next(
        challenge=fields.get("challenge") or None,
        session=fields.get("session") or None,
        username=fields.get("username") or None,
        parameters=parameters,
    )


def _responses(page: str, fields: dict[str, str], challenge: str) -> dict[str, Any]:
    """The ChallengeResponses a page's form stands for."""
    if page == "mfa":
        key = {
            "SMS_MFA": "SMS_MFA_CODE",
            "EMAIL_OTP": "EMAIL_OTP_CODE",
            "SOFTWARE_TOKEN_MFA": "SOFTWARE_TOKEN_MFA_CODE",
        }
        return {key.get(challenge, "CODE"): fields.get("code", "").strip()}
    if page == "selectmfa":
        return {"ANSWER": fields.get("mfa_type", "")}
    if page == "emailsetup":
        return {"EMAIL": fields.get("email", "").strip()}
    if page == "newpassword":
        responses = {"NEW_PASSWORD": fields.get("new_password", "")}
        for name, value in fields.items():
            if name.startswith("userAttributes."):
                responses[name] = value.strip()
        return responses
    return {}


# The challenge each page answers.
PAGE_CHALLENGES = {
    "mfa": ("SMS_MFA", "EMAIL_OTP", "SOFTWARE_TOKEN_MFA"),
    "selectmfa": ("SELECT_MFA_TYPE",),
    "emailsetup": ("MFA_SETUP",),
    "newpassword": ("NEW_PASSWORD_REQUIRED",),
}


def _challenge_post(page: str) -> Callable[[Request], Awaitable[Response]]:
    """The POST endpoint of one challenge page."""

    async def endpoint(request: Request) -> Response:
        fields = await site.form(request)
        if not site.csrf_ok(request, fields):
            return flow.csrf_refused(request)
        pending = _pending(fields)
        challenge = pending.challenge or ""
        if challenge not in PAGE_CHALLENGES[page]:
            challenge = PAGE_CHALLENGES[page][0]
        responses = _responses(page, fields, challenge)

        def then(ctx: Context, state: Checked) -> Answer:
            def work() -> Answer:
                result = hosted_signin.answer(
                    ctx, state.pool, state.request.client, pending.session or "", challenge, responses
                )
                return flow.after(ctx, request, state, result)

            def failed(error: CognitoError) -> Answer:
                return _failed_answer(ctx, request, state, pending, error)

            return flow.attempt(ctx, work, failed)

        answer = await site.run(request, flow.checked(request, _query(request), then), name="HostedChallenge")
        return await flow.respond(request, answer)

    return endpoint


def _failed_answer(
    ctx: Context, request: Request, state: Checked, pending: Next, error: CognitoError
) -> Answer:
    """A wrong answer shows its page again while the session lives; else back to the login page."""
    still = hosted_signin.live_session(ctx, pending.session, state.request.client)
    if not still:
        return flow.login_answer(request, state, username=pending.username, error=error.message)
    return flow.challenge_page(request, state, pending, error=error.message)


async def mfa_setup_choice(request: Request) -> Response:
    """MFA setup with a choice: an authenticator app (TOTP) or email."""
    fields = await site.form(request)
    if not site.csrf_ok(request, fields):
        return flow.csrf_refused(request)
    pending = _pending(fields)
    choice = fields.get("mfa_type", "")

    def then(ctx: Context, state: Checked) -> Answer:
        if not hosted_signin.live_session(ctx, pending.session, state.request.client):
            return flow.login_answer(
                request,
                state,
                username=pending.username,
                error="Invalid session for the user, session is expired.",
            )
        if choice == "SOFTWARE_TOKEN_MFA":
            return Answer(associate=pending, branding=state.branding)
        if choice == "EMAIL_OTP":
            return flow.email_setup_page(request, state, pending)
        return flow.challenge_page(request, state, pending, error="Choose a method.")

    answer = await site.run(request, flow.checked(request, _query(request), then), name="HostedChallenge")
    return await flow.respond(request, answer)


async def totp_setup(request: Request) -> Response:
    """The TOTP setup form: VerifySoftwareToken with the setup session, then MFA_SETUP answered."""
    fields = await site.form(request)
    if not site.csrf_ok(request, fields):
        return flow.csrf_refused(request)
    pending = _pending(fields)
    secret = fields.get("secret", "")
    code = fields.get("code", "").strip()
    query = _query(request)

    def check_only(ctx: Context, state: Checked) -> Answer:
        return Answer(branding=state.branding, context={"checked": True})

    checked = await site.run(
        request, flow.checked(request, query, check_only), name="HostedChallenge", write=False
    )
    if not checked.context.get("checked"):
        return await flow.respond(request, checked)
    body = {
        "Session": pending.session or "",
        "UserCode": code,
        "FriendlyDeviceName": fields.get("device_name") or "TOTP device",
    }
    try:
        verified = await site.call(request, "VerifySoftwareToken", body)
    except CognitoError as error:
        given = flow.given_of(query)
        return await flow.respond(
            request, flow.totp_page(request, checked, pending, secret, given, error=error.message)
        )

    def then(ctx: Context, state: Checked) -> Answer:
        def work() -> Answer:
            result = hosted_signin.answer(
                ctx, state.pool, state.request.client, verified["Session"], "MFA_SETUP", {}
            )
            return flow.after(ctx, request, state, result)

        def failed(error: CognitoError) -> Answer:
            return flow.login_answer(request, state, username=pending.username, error=error.message)

        return flow.attempt(ctx, work, failed)

    answer = await site.run(request, flow.checked(request, query, then), name="HostedChallenge")
    return await flow.respond(request, answer)


routes = [
    page_route("/oauth2/authorize", authorize, "GET", "OAuth2Authorize"),
    page_route("/login", login_page, "GET", "HostedLogin"),
    page_route("/login", login_post, "POST", "HostedLogin"),
    page_route("/mfa", _challenge_post("mfa"), "POST", "HostedMfa"),
    page_route("/selectmfa", _challenge_post("selectmfa"), "POST", "HostedSelectmfa"),
    page_route("/emailsetup", _challenge_post("emailsetup"), "POST", "HostedEmailsetup"),
    page_route("/newpassword", _challenge_post("newpassword"), "POST", "HostedNewpassword"),
    page_route("/mfasetup", mfa_setup_choice, "POST", "HostedMfasetup"),
    page_route("/totpsetup", totp_setup, "POST", "HostedTotpsetup"),
]
