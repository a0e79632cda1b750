"""/logout, and what keeps the pages safe: every value escaped (a username, the state, the client's name,
login_hint, the pool's CSS), no open redirect, the session cookie's value stored only as a hash."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from emulator.store.models import UserPoolClient
from emulator.store.models_hosted_ui import HostedUISession
from tests.api import hosted_ui_world
from tests.api.hosted_ui_browser import Browser, query_of
from tests.api.hosted_ui_world import (
    REDIRECT,
    SIGNED_OUT,
    World,
    browser_for,
    code_of,
    make_world,
    open_login,
    sign_in,
)
from tests.helpers import PASSWORD, make_user

# This module's own server, with the HTTPS listener (hosted_ui_world.tls_server).
tls_server = hosted_ui_world.tls_server
tls_endpoint = hosted_ui_world.tls_endpoint

SCRIPT = "<script>alert(1)</script>"
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


@pytest.fixture
def world(cognito, tls_endpoint) -> World:  # type: ignore[no-untyped-def]
    made = make_world(cognito, tls_endpoint)
    make_user(cognito, made.pool_id, "alice")
    return made


@pytest.fixture
def browser(server, world) -> Iterator[Browser]:  # type: ignore[no-untyped-def]
    opened = browser_for(server, world)
    yield opened
    opened.close()


def test_logout_with_a_logout_uri_ends_the_session(server, browser, world):
    code_of(sign_in(browser, world, "alice", PASSWORD))
    value = browser.cookies["cognito"]
    with server.emulator.database.session(write=False) as session:
        rows = session.scalars(select(HostedUISession)).all()
        assert [row.id for row in rows] == [hashlib.sha256(value.encode()).hexdigest()]
        assert value not in repr([row.__dict__ for row in rows])
    response = browser.get("logout", client_id=world.client_id, logout_uri=SIGNED_OUT)
    assert response.status_code == 302 and response.headers["location"] == SIGNED_OUT
    assert "cognito" not in browser.cookies
    # The old cookie no longer signs anyone in, even if a browser kept it.
    browser.cookies["cognito"] = value
    again = browser.get("oauth2/authorize", **world.authorize_params())
    assert again.status_code == 302 and "/login?" in again.headers["location"]


def test_logout_with_redirect_uri_goes_back_to_the_login_page(browser, world):
    code_of(sign_in(browser, world, "alice", PASSWORD))
    response = browser.get(
        "logout", client_id=world.client_id, redirect_uri=REDIRECT, response_type="code", state="s1"
    )
    assert response.status_code == 302
    location = response.headers["location"]
    assert urlsplit(location).path == f"/{world.domain}/login"
    assert query_of(location)["state"] == "s1" and query_of(location)["redirect_uri"] == REDIRECT
    after = browser.get("oauth2/authorize", **world.authorize_params())
    assert "/login?" in after.headers["location"]


@pytest.mark.parametrize(
    "params",
    [
        {"logout_uri": "https://evil.example.com/"},
        {"logout_uri": SIGNED_OUT + "/x"},
        {"redirect_uri": "https://evil.example.com/", "response_type": "code"},
        {"redirect_uri": REDIRECT},
        {},
    ],
)
def test_logout_never_redirects_to_an_unregistered_url(browser, world, params):
    code_of(sign_in(browser, world, "alice", PASSWORD))
    response = browser.get("logout", client_id=world.client_id, **params)
    assert response.status_code == 302
    assert urlsplit(response.headers["location"]).path == f"/{world.domain}/error"
    assert "cognito" in browser.cookies  # nothing was ended
    code_of(browser.get("oauth2/authorize", **world.authorize_params()))


def test_logout_of_an_unknown_client_is_the_error_page(browser, world):
    response = browser.get("logout", client_id="unknownclient", logout_uri=SIGNED_OUT)
    assert urlsplit(response.headers["location"]).path == f"/{world.domain}/error"


def test_a_session_expires_by_the_emulators_clock(server, browser, world):
    from emulator.http import clock_api

    code_of(sign_in(browser, world, "alice", PASSWORD))
    clock_api.advance(server.emulator, 3601)
    response = browser.get("oauth2/authorize", **world.authorize_params())
    assert "/login?" in response.headers["location"]


def test_a_session_is_for_its_client(cognito, browser, world):
    code_of(sign_in(browser, world, "alice", PASSWORD))
    other = cognito.create_user_pool_client(
        UserPoolId=world.pool_id,
        ClientName="other",
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"],
        CallbackURLs=[REDIRECT],
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]["ClientId"]
    response = browser.get("oauth2/authorize", **world.authorize_params(client_id=other, scope="openid"))
    assert "/login?" in response.headers["location"]


def _no_raw_script(html: str) -> None:
    assert SCRIPT not in html
    assert "<script" not in html.lower()


def test_values_are_escaped_in_every_page(server, browser, world):
    # The API refuses such a client name (its pattern); written to the store, it is escaped all the same.
    def rename(ctx):  # type: ignore[no-untyped-def]
        ctx.db.get(UserPoolClient, world.client_id).name = f"My {SCRIPT} app"

    server.emulator.run(rename, name="Test")
    page = open_login(browser, world, state=f'"><{SCRIPT}', login_hint=f'"{SCRIPT}')
    _no_raw_script(page.text)
    assert "My &lt;script&gt;alert(1)&lt;/script&gt; app" in page.text
    assert "&#34;&lt;script&gt;" in page.text or "&quot;&lt;script&gt;" in page.text
    failed = browser.submit(page, {"username": f"{SCRIPT}", "password": "x"})
    _no_raw_script(failed.text)
    for path in ("signup", "forgotpassword", "confirmuser", "confirmforgotpassword"):
        response = browser.get(path, **world.authorize_params(state=SCRIPT), username=SCRIPT)
        assert response.status_code == 200, path
        _no_raw_script(response.text)
    error = browser.get("error", error=SCRIPT)
    _no_raw_script(error.text)


def test_the_pools_css_and_logo_are_applied_and_cannot_leave_the_style_element(cognito, browser, world):
    css = ".banner-customizable { background-color: </style><script>alert(1)</script>; }\n.submitButton-customizable { color: red; }"
    cognito.set_ui_customization(
        UserPoolId=world.pool_id, ClientId="ALL", CSS=css, ImageFile=__import__("base64").b64decode(PNG)
    )
    page = open_login(browser, world)
    styles = re.findall(r'<style id="ui-customization">(.*?)</style>', page.text, re.S)
    assert len(styles) == 1
    assert ".submitButton-customizable { color: red; }" in styles[0]
    assert "</style" not in styles[0] and "<" not in styles[0]
    _no_raw_script(page.text)
    assert f'src="data:image/png;base64,{PNG}"' in page.text


def test_the_error_page_shows_only_known_messages_or_codes(browser, world):
    assert (
        "Login option is not available"
        in browser.get("error", error="Login option is not available. Please try another one").text
    )
    assert "invalid_request" in browser.get("error", error="invalid_request").text
    spoof = browser.get("error", error="Your account is locked, call +1 555 0100")
    assert "call +1 555" not in spoof.text


def test_the_pages_by_host_name_live_at_the_domains_root(server, world):
    host = f"{world.domain}.auth.us-east-1.localhost:{server.settings.port}"
    browser = Browser(server.endpoint, headers={"host": host})
    try:
        response = browser.get("/oauth2/authorize", **world.authorize_params())
        assert response.status_code == 302, response.text
        assert response.headers["location"].startswith("/login?client_id=")
        page = browser.get(response.headers["location"])
        assert page.status_code == 200
        assert 'action="/login?client_id=' in page.text
        done = browser.submit(page, {"username": "alice", "password": PASSWORD})
        code_of(done)
        session = next(header for header in browser.set_cookies if header.startswith("cognito="))
        assert "Path=/;" in session or session.endswith("Path=/")
    finally:
        browser.close()
