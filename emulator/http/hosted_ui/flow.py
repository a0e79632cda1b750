"""The steps of the hosted pages: what one step answers (``Answer``), turning it into a response, the
authorize parameters checked on every step, the end of a sign-in (session cookie, then the code), and the
pages of the engine's challenges (MFA codes, MFA choice, MFA setup, new password).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

import segno
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from emulator.protocol.context import Context
from emulator.protocol.errors import CognitoError
from emulator.store.models import User, UserPool
from emulator.userpools import tokens, users
from emulator.userpools.oauth import hosted_grant
from emulator.userpools.oauth import sessions as browser_sessions
from emulator.userpools.oauth.authorize_request import (
    AuthorizeRequest,
    ErrorPage,
    ErrorRedirect,
    check,
    given_parameters,
)
from emulator.userpools.oauth.hosted_signin import Next

from . import render, site

log = logging.getLogger("emulator.hosted_ui")
MFA_NAMES = {"SMS_MFA": "SMS", "SOFTWARE_TOKEN_MFA": "Authenticator app (TOTP)", "EMAIL_OTP": "Email"}
INVALID_CSRF = "The form has expired or was not sent by this page. Reload the page and try again."


@dataclass
class Answer:
    """What a step answers: a redirect, a page (template + context), or a page that needs a TOTP secret."""

    redirect: str | None = None
    template: str | None = None
    context: dict[str, Any] = field(default_factory=dict)
    status: int = 200
    session_cookie: str | None = None
    clear_session: bool = False
    granted: dict[str, Any] | None = None
    associate: Next | None = None
    branding: render.Branding | None = None


@dataclass
class Checked:
    pool: UserPool
    request: AuthorizeRequest
    branding: render.Branding


def error_page_url(request: Request, error: str, client_id: str | None) -> str:
    query: dict[str, str] = {"error": error}
    if client_id:
        query["client_id"] = client_id
    return site.page_url(request, "error", query)


def checked(
    request: Request, query: Mapping[str, str], then: Callable[[Context, Checked], Answer]
) -> Callable[[Context], Answer]:
    """A step that first checks the authorize parameters of the page (error page or error redirect as
    Cognito answers them), then runs ``then``."""

    def step(ctx: Context) -> Answer:
        try:
            pool = site.pool_of(ctx, request)
            parameters = check(ctx, pool, query)
        except site.UnknownDomain:
            return Answer(redirect=error_page_url(request, "Domain not found", None))
        except ErrorPage as error:
            return Answer(redirect=error_page_url(request, error.error, error.client_id))
        except ErrorRedirect as error:
            return Answer(redirect=hosted_grant.error_redirect(error))
        return then(ctx, Checked(pool, parameters, render.branding(ctx, pool, parameters.client)))

    return step


def attempt(ctx: Context, work: Callable[[], Answer], failed: Callable[[CognitoError], Answer]) -> Answer:
    """Run an engine step; on a Cognito error undo what it did not commit on purpose and answer ``failed``."""
    try:
        return work()
    except CognitoError as error:
        ctx.db.rollback()
        return failed(error)


def grant(ctx: Context, state: Checked, user: User, auth_time: datetime) -> Answer:
    """The app's code (or implicit tokens); a failure on the way (a PreTokenGeneration function that fails, for
    the implicit flow) goes back to the app as ``invalid_request`` with its description, anything unexpected as
    ``server_error``: the redirect_uri is a registered one by now."""
    request = state.request
    try:
        return Answer(granted=hosted_grant.grant(ctx, request, user, auth_time))
    except CognitoError as error:
        # Raised before anything of the grant was written (the trigger runs first): the sign-in's own changes
        # (a new TOTP device, the reset lockout count) stay.
        refusal = ErrorRedirect(request.redirect_uri, "invalid_request", request.state, error.message or None)
    except Exception:
        log.exception("internal error answering an authorize request")
        ctx.db.rollback()
        refusal = ErrorRedirect(request.redirect_uri, "server_error", request.state)
    return Answer(redirect=hosted_grant.error_redirect(refusal))


def signed_in(ctx: Context, request: Request, state: Checked, user: User) -> Answer:
    """A completed sign-in: a new domain session (the browser's last one ends) and the app's code."""
    answer = grant(ctx, state, user, ctx.now)
    if answer.granted is not None:
        answer.session_cookie = browser_sessions.create(
            ctx,
            state.pool,
            state.request.client,
            user,
            auth_time=ctx.now,
            previous=site.session_cookie(request),
        )
    return answer


def after(ctx: Context, request: Request, state: Checked, result: Next) -> Answer:
    """The page after an engine step: the app (signed in) or the next challenge's page."""
    if result.user is not None:
        return signed_in(ctx, request, state, result.user)
    return challenge_page(request, state, result)


async def respond(request: Request, answer: Answer) -> Response:
    """The HTTP response of an Answer (a TOTP setup page first gets its secret from AssociateSoftwareToken)."""
    if answer.associate is not None:
        answer = await _totp_setup(request, answer)
    if answer.granted is not None:
        granted = answer.granted
        if "AuthenticationResult" in granted:
            tokens.sign_pending(granted)
            location = hosted_grant.implicit_url(granted)
        else:
            location = granted["redirect"]
        response: Response = RedirectResponse(location, status_code=302)
    elif answer.redirect is not None:
        response = RedirectResponse(answer.redirect, status_code=302)
    else:
        assert answer.template is not None
        context = {"branding": answer.branding, **answer.context}
        response = render.page(request, answer.template, context, status_code=answer.status)
    if answer.session_cookie:
        site.set_session(request, response, answer.session_cookie)
    if answer.clear_session:
        site.clear_session(request, response)
    return site.finish(request, response)


def csrf_refused(request: Request) -> Response:
    return render.error_page(request, INVALID_CSRF, status_code=403)


# --- the login page ------------------------------------------------------------------------------------
def username_label(pool: UserPool) -> str:
    """What the pool's users sign in with, as the pages name it."""
    names = users.username_attributes(pool)
    if names == ["email"]:
        return "Email"
    if names == ["phone_number"]:
        return "Phone number"
    if names:
        return "Email or phone number"
    return "Username"


def login_answer(
    request: Request,
    state: Checked,
    *,
    username: str | None = None,
    error: str | None = None,
    notice: str | None = None,
) -> Answer:
    given = state.request.given
    allow_sign_up = not state.pool.config.get("AdminCreateUserConfig", {}).get("AllowAdminCreateUserOnly")
    return Answer(
        template="login.html",
        branding=state.branding,
        status=400 if error else 200,
        context={
            "action": site.page_url(request, "login", given),
            "forgot_url": site.page_url(request, "forgotpassword", given),
            "signup_url": site.page_url(request, "signup", given) if allow_sign_up else None,
            "username": username if username is not None else state.request.login_hint,
            "username_label": username_label(state.pool),
            "error": error,
            "notice": notice,
        },
    )


# --- the challenges' pages -------------------------------------------------------------------------------
def _hidden(result: Next, **more: str | None) -> dict[str, str]:
    values = {
        "session": result.session or "",
        "challenge": result.challenge or "",
        "username": result.username or "",
    }
    values.update({key: value for key, value in more.items() if value is not None})
    return values


def _code_field(label: str = "Code") -> dict[str, Any]:
    return {"id": "code", "name": "code", "label": label, "type": "text", "required": True, "code": True}


def challenge_page(request: Request, state: Checked, result: Next, error: str | None = None) -> Answer:
    given = state.request.given
    name = result.challenge
    parameters = result.parameters
    base: dict[str, Any] = {"error": error, "login_url": site.page_url(request, "login", given)}
    if name in ("SMS_MFA", "EMAIL_OTP"):
        medium = "SMS" if name == "SMS_MFA" else "email"
        destination = parameters.get("CODE_DELIVERY_DESTINATION") or parameters.get("destination") or ""
        context = {
            "title": "MFA",
            "form_name": "mfaForm",
            "description": f"We have sent a code by {medium} to {destination}. Enter it below to sign in.",
            "action": site.page_url(request, "mfa", given),
            "hidden": _hidden(result, destination=destination),
            "fields": [_code_field()],
            "submit": "Sign in",
            "submit_name": "mfaSubmitButton",
        }
    elif name == "SOFTWARE_TOKEN_MFA":
        context = {
            "title": "MFA",
            "form_name": "totpForm",
            "description": "Enter the code from your authenticator app.",
            "action": site.page_url(request, "mfa", given),
            "hidden": _hidden(result),
            "fields": [_code_field()],
            "submit": "Sign in",
            "submit_name": "mfaSubmitButton",
        }
    elif name == "SELECT_MFA_TYPE":
        options = json.loads(parameters.get("MFAS_CAN_CHOOSE") or "[]") or parameters.get("choices", [])
        return _choice(
            request, state, result, options, "selectmfa", "Choose how to receive your sign-in code.", error
        )
    elif name == "MFA_SETUP":
        options = [
            option
            for option in json.loads(parameters.get("MFAS_CAN_SETUP") or "[]")
            if option in ("SOFTWARE_TOKEN_MFA", "EMAIL_OTP")
        ]
        if len(options) > 1:
            return _choice(
                request, state, result, options, "mfasetup", "Set up multi-factor authentication.", error
            )
        if options == ["SOFTWARE_TOKEN_MFA"]:
            return Answer(associate=result, branding=state.branding, context=base)
        if options == ["EMAIL_OTP"]:
            return email_setup_page(request, state, result, error)
        return login_answer(
            request, state, error="Multi-factor authentication is required, but no method can be set up here."
        )
    elif name == "NEW_PASSWORD_REQUIRED":
        return new_password_page(request, state, result, error)
    else:
        return login_answer(request, state, error=f"The challenge {name} cannot be answered on these pages.")
    return Answer(
        template="code.html",
        branding=state.branding,
        context={**base, **context},
        status=400 if error else 200,
    )


def _choice(
    request: Request,
    state: Checked,
    result: Next,
    options: list[str],
    page: str,
    text: str,
    error: str | None,
) -> Answer:
    hidden = _hidden(result, choices=json.dumps(options))
    return Answer(
        template="choose.html",
        branding=state.branding,
        status=400 if error else 200,
        context={
            "title": "MFA",
            "form_name": "mfaChoiceForm",
            "description": text,
            "action": site.page_url(request, page, state.request.given),
            "hidden": hidden,
            "choices": [{"value": option, "label": MFA_NAMES.get(option, option)} for option in options],
            "choice_name": "mfa_type",
            "submit": "Continue",
            "submit_name": "mfaChoiceButton",
            "error": error,
        },
    )


def email_setup_page(request: Request, state: Checked, result: Next, error: str | None = None) -> Answer:
    field_ = {"id": "email", "name": "email", "label": "Email address", "type": "email", "required": True}
    return Answer(
        template="code.html",
        branding=state.branding,
        status=400 if error else 200,
        context={
            "title": "Email MFA",
            "form_name": "emailSetupForm",
            "description": "Enter the email address where you want to receive sign-in codes.",
            "action": site.page_url(request, "emailsetup", state.request.given),
            # So that a refused address shows this page again (see login._pending).
            "hidden": _hidden(result, choices=json.dumps(["EMAIL_OTP"])),
            "fields": [field_],
            "submit": "Send code",
            "submit_name": "emailSetupButton",
            "error": error,
        },
    )


def new_password_page(request: Request, state: Checked, result: Next, error: str | None = None) -> Answer:
    required = json.loads(result.parameters.get("requiredAttributes") or "[]")
    if not required and result.parameters.get("required"):
        required = json.loads(result.parameters["required"])
    fields = [
        {
            "id": "new_password",
            "name": "new_password",
            "label": "New password",
            "type": "password",
            "required": True,
        }
    ]
    for name in required:
        attribute = name.removeprefix("userAttributes.")
        fields.append(
            {"id": f"attr-{attribute}", "name": name, "label": attribute, "type": "text", "required": True}
        )
    return Answer(
        template="code.html",
        branding=state.branding,
        status=400 if error else 200,
        context={
            "title": "Change password",
            "form_name": "newPasswordForm",
            "description": "Please enter a new password.",
            "action": site.page_url(request, "newpassword", state.request.given),
            "hidden": _hidden(result, required=json.dumps(required)),
            "fields": fields,
            "submit": "Send",
            "submit_name": "newPasswordButton",
            "error": error,
        },
    )


def qr_code(uri: str) -> Markup:
    svg = segno.make(uri, error="m").svg_inline(scale=4, border=2)
    return Markup(svg)  # noqa: S704 - segno writes the SVG; the URI is encoded as modules, not as text


def totp_page(
    request: Request,
    answer: Answer,
    result: Next,
    secret: str,
    given: Mapping[str, str],
    error: str | None = None,
) -> Answer:
    issuer = answer.branding.pool_name if answer.branding else "Cognito"
    uri = f"otpauth://totp/{quote(issuer)}:{quote(result.username or '')}?secret={secret}&issuer={quote(issuer)}"
    return Answer(
        template="code.html",
        branding=answer.branding,
        status=400 if error else 200,
        context={
            "title": "Set up TOTP",
            "form_name": "totpSetupForm",
            "description": "Scan this QR code with your authenticator app, then enter the code it shows.",
            "qr": qr_code(uri),
            "secret": secret,
            "action": site.page_url(request, "totpsetup", given),
            "hidden": _hidden(result, secret=secret),
            "fields": [
                _code_field(),
                {
                    "id": "device_name",
                    "name": "device_name",
                    "label": "Device name (optional)",
                    "type": "text",
                },
            ],
            "submit": "Verify",
            "submit_name": "totpSetupButton",
            "error": error,
        },
    )


async def _totp_setup(request: Request, answer: Answer) -> Answer:
    result = answer.associate
    assert result is not None
    given = dict(request.query_params)
    try:
        associated = await site.call(request, "AssociateSoftwareToken", {"Session": result.session or ""})
    except CognitoError as error:
        return Answer(
            template="error.html", branding=answer.branding, context={"message": error.message}, status=400
        )
    following = Next(challenge="MFA_SETUP", session=associated["Session"], username=result.username)
    return totp_page(request, answer, following, associated["SecretCode"], given_of(given))


def given_of(query: Mapping[str, str]) -> dict[str, str]:
    return given_parameters(query)
