"""The Lambda triggers of the hosted pages, with Cognito's trigger sources: the pages run the engine and the
API's operations, so each source is the API's, and the tokens of a hosted sign-in are TokenGeneration_HostedAuth.
The functions run behind a local Lambda Invoke API that records every event."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from emulator.store.models import UserPoolClient
from emulator.userpools.oauth import codes, issue
from emulator.userpools.triggers import targets
from tests.api import hosted_ui_world
from tests.api.hosted_ui_browser import Browser
from tests.api.hosted_ui_world import REDIRECT, World, browser_for, code_of, make_world, sign_in
from tests.helpers import PASSWORD, last_code

# This module's own server, with the HTTPS listener (hosted_ui_world.tls_server).
tls_server = hosted_ui_world.tls_server
tls_endpoint = hosted_ui_world.tls_endpoint

ARN = "arn:aws:lambda:us-east-1:123456789012:function:{}"
TRIGGERS = {
    "PreSignUp": "pre-sign-up",
    "PostConfirmation": "post-confirmation",
    "PreAuthentication": "pre-authentication",
    "PostAuthentication": "post-authentication",
    "UserMigration": "user-migration",
    "PreTokenGeneration": "pre-token",
}


class _Lambda(BaseHTTPRequestHandler):
    events: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802
        event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.events.append(event)
        if event["triggerSource"].startswith("UserMigration_") and event["userName"].startswith("legacy"):
            event["response"] = {
                "userAttributes": {"email": f"{event['userName']}@example.com", "email_verified": "true"},
                "finalUserStatus": "CONFIRMED"
                if event["triggerSource"].endswith("Authentication")
                else "RESET_REQUIRED",
                "messageAction": "SUPPRESS",
            }
        headers = {}
        if event["triggerSource"].startswith("TokenGeneration_") and event["userName"] == "tokenless":
            event = {"errorMessage": "no tokens for you", "errorType": "Refused"}
            headers["X-Amz-Function-Error"] = "Unhandled"
        payload = json.dumps(event).encode()
        self.send_response(200)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def recorder(server) -> Iterator[list[dict[str, Any]]]:  # type: ignore[no-untyped-def]
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Lambda)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    with server.emulator.database.session() as session, session.begin():
        for name in TRIGGERS.values():
            targets.set_target(session, name, f"http://127.0.0.1:{httpd.server_address[1]}")
    _Lambda.events = []
    yield _Lambda.events
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def world(cognito, tls_endpoint, recorder) -> World:  # type: ignore[no-untyped-def]
    return make_world(
        cognito,
        tls_endpoint,
        pool={
            "AutoVerifiedAttributes": ["email"],
            "Schema": [{"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True}],
            "LambdaConfig": {key: ARN.format(name) for key, name in TRIGGERS.items()},
        },
    )


@pytest.fixture
def browser(server, world) -> Iterator[Browser]:  # type: ignore[no-untyped-def]
    opened = browser_for(server, world)
    yield opened
    opened.close()


def _sources(events: list[dict[str, Any]]) -> list[str]:
    return [event["triggerSource"] for event in events]


def _tokens(server, client_id: str, code: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    def run(ctx):  # type: ignore[no-untyped-def]
        client = ctx.db.get(UserPoolClient, client_id)
        redeemed = codes.redeem_code(ctx, client, code=code, redirect_uri=REDIRECT, code_verifier=None)
        return issue.code_tokens(ctx, client, redeemed)

    return server.emulator.run(run, name="OAuth2Token")


def test_sign_up_and_confirm_fire_the_sign_up_sources(server, http, browser, world, recorder):
    page = browser.get("signup", **world.authorize_params())
    confirm = browser.submit(
        page, {"username": "neo", "password": PASSWORD, "requiredAttributes[email]": "neo@example.com"}
    )
    assert confirm.status_code == 200, confirm.text
    done = browser.submit(confirm, {"code": last_code(http, username="neo")})
    code = code_of(done)
    assert _sources(recorder)[:2] == ["PreSignUp_SignUp", "PostConfirmation_ConfirmSignUp"]
    recorder.clear()
    _tokens(server, world.client_id, code)
    assert _sources(recorder) == ["TokenGeneration_HostedAuth"]


def test_login_of_a_migrated_user_fires_the_authentication_sources(server, browser, world, recorder):
    code = code_of(sign_in(browser, world, "legacy", PASSWORD))
    assert _sources(recorder) == [
        "UserMigration_Authentication",
        "PreAuthentication_Authentication",
        "PostAuthentication_Authentication",
    ]
    assert recorder[1]["callerContext"]["clientId"] == world.client_id
    recorder.clear()
    tokens = _tokens(server, world.client_id, code)
    assert _sources(recorder) == ["TokenGeneration_HostedAuth"]
    assert tokens["AuthenticationResult"]["AccessToken"]


def test_forgot_password_fires_the_forgot_password_sources(http, browser, world, recorder):
    page = browser.get("forgotpassword", **world.authorize_params())
    confirm = browser.submit(page, {"username": "legacy2"})
    assert confirm.status_code == 200, confirm.text
    assert _sources(recorder) == ["UserMigration_ForgotPassword"]
    login = browser.submit(
        confirm, {"code": last_code(http, username="legacy2"), "password": "N3w-Passw0rd!"}
    )
    assert "Your password has been changed" in login.text
    assert _sources(recorder)[-1] == "PostConfirmation_ConfirmForgotPassword"


def test_a_failing_pre_token_function_goes_back_to_the_app_as_invalid_request(
    cognito, browser, world, recorder
):
    from tests.api.hosted_ui_browser import query_of
    from tests.helpers import make_user

    make_user(cognito, world.pool_id, "tokenless", attributes={"email": "t@example.com"})
    response = sign_in(browser, world, "tokenless", PASSWORD, response_type="token")
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT + "?")
    query = query_of(location)
    assert query["error"] == "invalid_request" and query["state"] == "st-123"
    assert "no tokens for you" in query["error_description"]
    assert "TokenGeneration_HostedAuth" in _sources(recorder)
    assert "cognito" not in browser.cookies  # no session for a sign-in that gave the app nothing
