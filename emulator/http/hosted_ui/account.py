"""Sign-up, confirming it, and the forgotten password: the hosted pages that run the API's own operations
(SignUp, ConfirmSignUp, ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword) as the app client, so
their rules, messages and triggers (PreSignUp_SignUp, PostConfirmation_ConfirmSignUp,
UserMigration_ForgotPassword, PostConfirmation_ConfirmForgotPassword, the custom message ones) are the API's.
A confirmed sign-up signs the user in with the Session ConfirmSignUp returns (the engine's auto sign-in).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from emulator.protocol.context import Context
from emulator.protocol.errors import CognitoError, NotAuthorizedException
from emulator.store.models import UserPool
from emulator.userpools import users
from emulator.userpools.oauth import hosted_signin

from . import flow, site
from .flow import Answer, Checked
from .routing import page_route

INPUT_TYPES = {"email": "email", "phone_number": "tel"}
LABELS = {
    "email": "Email",
    "phone_number": "Phone number",
    "given_name": "Given name",
    "family_name": "Family name",
}


def _query(request: Request) -> dict[str, str]:
    return {key: value for key, value in request.query_params.items()}


def _required_attributes(pool: UserPool) -> list[dict[str, str]]:
    username_is = users.username_attributes(pool)
    required = []
    for item in pool.config.get("SchemaAttributes", []):
        name = item["Name"]
        if not item.get("Required") or name == "sub" or name in username_is:
            continue
        required.append(
            {"name": name, "label": LABELS.get(name, name), "type": INPUT_TYPES.get(name, "text")}
        )
    return required


def _signup_answer(
    request: Request, state: Checked, values: dict[str, str], error: str | None = None
) -> Answer:
    given = state.request.given
    return Answer(
        template="signup.html",
        branding=state.branding,
        status=400 if error else 200,
        context={
            "action": site.page_url(request, "signup", given),
            "login_url": site.page_url(request, "login", given),
            "attributes": _required_attributes(state.pool),
            "username_label": flow.username_label(state.pool),
            "values": values,
            "error": error,
        },
    )


def _code_answer(
    request: Request,
    state: Checked,
    page: str,
    *,
    username: str,
    hidden: dict[str, str] | None = None,
    notice: str | None = None,
    error: str | None = None,
    password: bool = False,
) -> Answer:
    given = state.request.given
    fields: list[dict[str, Any]] = [
        {
            "id": "code",
            "name": "code",
            "label": "Verification code",
            "type": "text",
            "required": True,
            "code": True,
        }
    ]
    if password:
        fields.append(
            {
                "id": "new_password",
                "name": "password",
                "label": "New password",
                "type": "password",
                "required": True,
            }
        )
    confirm = page == "confirmuser"
    return Answer(
        template="code.html",
        branding=state.branding,
        status=400 if error else 200,
        context={
            "title": "Confirm" if confirm else "Reset password",
            "form_name": "confirmForm" if confirm else "confirmForgotPasswordForm",
            "description": "Enter the code we sent you."
            if confirm
            else "Enter the code we sent you and a new password.",
            "action": site.page_url(request, page, given),
            "hidden": hidden or {},
            "show_username": True,
            "username": username,
            "fields": fields,
            "submit": "Confirm account" if confirm else "Change password",
            "submit_name": "confirm" if confirm else "reset_password",
            "resend": confirm,
            "login_url": site.page_url(request, "login", given),
            "notice": notice,
            "error": error,
        },
    )


def _delivery_notice(details: dict[str, Any] | None) -> str | None:
    if not details:
        return None
    medium = "SMS" if details.get("DeliveryMedium") == "SMS" else "email"
    return f"We have sent a code by {medium} to {details.get('Destination', '')}."


async def _checked(request: Request, then: Any, *, write: bool = False) -> Answer:
    return await site.run(
        request, flow.checked(request, _query(request), then), name="HostedAccount", write=write
    )


def _client_body(state: Checked, username: str) -> dict[str, Any]:
    body: dict[str, Any] = {"ClientId": state.request.client.id, "Username": username}
    hashed = hosted_signin.secret_hash(state.request.client, username)
    if hashed:
        body["SecretHash"] = hashed
    return body


# --- sign-up -----------------------------------------------------------------------------------------------
async def signup_page(request: Request) -> Response:
    return await flow.respond(
        request, await _checked(request, lambda ctx, state: _signup_answer(request, state, {}))
    )


async def signup_post(request: Request) -> Response:
    fields = await site.form(request)
    if not site.csrf_ok(request, fields):
        return flow.csrf_refused(request)
    answer = await _checked(
        request, lambda ctx, state: Answer(branding=state.branding, context={"state": state})
    )
    state: Checked | None = answer.context.get("state")
    if state is None:
        return await flow.respond(request, answer)
    username = fields.get("username", "").strip()
    attributes = [
        {"Name": item["name"], "Value": fields.get(f"requiredAttributes[{item['name']}]", "").strip()}
        for item in _required_attributes(state.pool)
    ]
    if users.username_attributes(state.pool) == ["email"] and "@" in username:
        attributes.append({"Name": "email", "Value": username})
    body = {
        **_client_body(state, username),
        "Password": fields.get("password", ""),
        "UserAttributes": attributes,
    }
    values = {key: value for key, value in fields.items() if key not in ("password", site.CSRF_FIELD)}
    try:
        result = await site.call(request, "SignUp", body)
    except CognitoError as error:
        return await flow.respond(request, _signup_answer(request, state, values, error.message))
    if result.get("UserConfirmed"):
        return await _signed_up(request, username, result.get("Session"))
    hidden = {"session": result.get("Session") or ""}
    answer = _code_answer(
        request,
        state,
        "confirmuser",
        username=username,
        hidden=hidden,
        notice=_delivery_notice(result.get("CodeDeliveryDetails")),
    )
    return await flow.respond(request, answer)


async def _signed_up(request: Request, username: str, session: str | None) -> Response:
    """A confirmed user signs in with the sign-up Session; without one (or if it fails) the login page."""

    def then(ctx: Context, state: Checked) -> Answer:
        def work() -> Answer:
            result = hosted_signin.after_confirmation(
                ctx, state.pool, state.request.client, username, session
            )
            if result is None:
                return flow.login_answer(
                    request, state, username=username, notice="Your account is confirmed. Sign in."
                )
            return flow.after(ctx, request, state, result)

        def failed(error: CognitoError) -> Answer:
            return flow.login_answer(
                request, state, username=username, notice="Your account is confirmed. Sign in."
            )

        return flow.attempt(ctx, work, failed)

    return await flow.respond(request, await _checked(request, then, write=True))


async def confirm_page(request: Request) -> Response:
    username = request.query_params.get("username", "")
    return await flow.respond(
        request,
        await _checked(
            request, lambda ctx, state: _code_answer(request, state, "confirmuser", username=username)
        ),
    )


async def confirm_post(request: Request) -> Response:
    fields = await site.form(request)
    if not site.csrf_ok(request, fields):
        return flow.csrf_refused(request)
    answer = await _checked(
        request, lambda ctx, state: Answer(branding=state.branding, context={"state": state})
    )
    state: Checked | None = answer.context.get("state")
    if state is None:
        return await flow.respond(request, answer)
    username = fields.get("username", "").strip()
    hidden = {"session": fields.get("session", "")}
    try:
        if "resend" in fields:
            sent = await site.call(request, "ResendConfirmationCode", _client_body(state, username))
            notice = _delivery_notice(sent.get("CodeDeliveryDetails"))
            return await flow.respond(
                request,
                _code_answer(request, state, "confirmuser", username=username, hidden=hidden, notice=notice),
            )
        body = {**_client_body(state, username), "ConfirmationCode": fields.get("code", "").strip()}
        if hidden["session"]:
            try:
                result = await site.call(request, "ConfirmSignUp", {**body, "Session": hidden["session"]})
            except NotAuthorizedException:
                # The sign-up's Session expired while the user read their mail: the code alone still confirms
                # (ConfirmSignUp then hands out a Session of its own).
                result = await site.call(request, "ConfirmSignUp", body)
        else:
            result = await site.call(request, "ConfirmSignUp", body)
    except CognitoError as error:
        return await flow.respond(
            request,
            _code_answer(
                request, state, "confirmuser", username=username, hidden=hidden, error=error.message
            ),
        )
    return await _signed_up(request, username, result.get("Session"))


# --- forgotten password ----------------------------------------------------------------------------------------
def _forgot_answer(request: Request, state: Checked, username: str, error: str | None = None) -> Answer:
    given = state.request.given
    return Answer(
        template="code.html",
        branding=state.branding,
        status=400 if error else 200,
        context={
            "title": "Forgot password",
            "form_name": "forgotPasswordForm",
            "description": "Enter your username below and we will send a message to reset your password.",
            "action": site.page_url(request, "forgotpassword", given),
            "hidden": {},
            "show_username": True,
            "username": username,
            "fields": [],
            "submit": "Reset my password",
            "submit_name": "reset_my_password",
            "login_url": site.page_url(request, "login", given),
            "error": error,
        },
    )


async def forgot_page(request: Request) -> Response:
    username = request.query_params.get("username", "")
    return await flow.respond(
        request, await _checked(request, lambda ctx, state: _forgot_answer(request, state, username))
    )


async def forgot_post(request: Request) -> Response:
    fields = await site.form(request)
    if not site.csrf_ok(request, fields):
        return flow.csrf_refused(request)
    answer = await _checked(
        request, lambda ctx, state: Answer(branding=state.branding, context={"state": state})
    )
    state: Checked | None = answer.context.get("state")
    if state is None:
        return await flow.respond(request, answer)
    username = fields.get("username", "").strip()
    try:
        result = await site.call(request, "ForgotPassword", _client_body(state, username))
    except CognitoError as error:
        return await flow.respond(request, _forgot_answer(request, state, username, error.message))
    notice = _delivery_notice(result.get("CodeDeliveryDetails"))
    return await flow.respond(
        request,
        _code_answer(
            request, state, "confirmforgotpassword", username=username, notice=notice, password=True
        ),
    )


async def confirm_forgot_page(request: Request) -> Response:
    username = request.query_params.get("username", "")
    return await flow.respond(
        request,
        await _checked(
            request,
            lambda ctx, state: _code_answer(
                request, state, "confirmforgotpassword", username=username, password=True
            ),
        ),
    )


async def confirm_forgot_post(request: Request) -> Response:
    fields = await site.form(request)
    if not site.csrf_ok(request, fields):
        return flow.csrf_refused(request)
    answer = await _checked(
        request, lambda ctx, state: Answer(branding=state.branding, context={"state": state})
    )
    state: Checked | None = answer.context.get("state")
    if state is None:
        return await flow.respond(request, answer)
    username = fields.get("username", "").strip()
    body = {
        **_client_body(state, username),
        "ConfirmationCode": fields.get("code", "").strip(),
        "Password": fields.get("password", ""),
    }
    try:
        await site.call(request, "ConfirmForgotPassword", body)
    except CognitoError as error:
        return await flow.respond(
            request,
            _code_answer(
                request, state, "confirmforgotpassword", username=username, password=True, error=error.message
            ),
        )
    notice = "Your password has been changed. Sign in with your new password."
    return await flow.respond(request, flow.login_answer(request, state, username=username, notice=notice))


routes = [
    page_route("/signup", signup_page, "GET", "HostedSignup"),
    page_route("/signup", signup_post, "POST", "HostedSignup"),
    page_route("/confirmuser", confirm_page, "GET", "HostedConfirmuser"),
    page_route("/confirmuser", confirm_post, "POST", "HostedConfirmuser"),
    page_route("/forgotpassword", forgot_page, "GET", "HostedForgotpassword"),
    page_route("/forgotpassword", forgot_post, "POST", "HostedForgotpassword"),
    page_route("/confirmforgotpassword", confirm_forgot_page, "GET", "HostedConfirmforgotpassword"),
    page_route("/confirmforgotpassword", confirm_forgot_post, "POST", "HostedConfirmforgotpassword"),
]
