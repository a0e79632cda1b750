"""The hosted login page over HTTPS (the emulator's TLS listener, verified with its local CA): /oauth2/authorize
-> /login -> the app with a code, driven by the sign-in engine (the same errors and lockout as InitiateAuth),
the domain session cookie, CSRF."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api import hosted_ui_world
from tests.api.hosted_ui_browser import Browser, forms_of, query_of
from tests.api.hosted_ui_world import (
    REDIRECT,
    World,
    browser_for,
    code_of,
    make_world,
    open_login,
    redeem,
    sign_in,
)
from tests.helpers import PASSWORD, make_user

# This module's own server, with the HTTPS listener (hosted_ui_world.tls_server).
tls_server = hosted_ui_world.tls_server
tls_endpoint = hosted_ui_world.tls_endpoint


@pytest.fixture
def world(cognito, tls_endpoint) -> World:  # type: ignore[no-untyped-def]
    made = make_world(cognito, tls_endpoint)
    make_user(
        cognito, made.pool_id, "alice", attributes={"email": "alice@example.com", "email_verified": "true"}
    )
    return made


@pytest.fixture
def browser(server, world) -> Iterator[Browser]:  # type: ignore[no-untyped-def]
    opened = browser_for(server, world)
    assert opened.base_url.startswith("https://localhost:")
    yield opened
    opened.close()


def test_the_login_page_has_the_classic_form_contract(browser, world):
    page = open_login(browser, world)
    assert 'id="signInFormUsername"' in page.text and 'name="username"' in page.text
    assert 'id="signInFormPassword"' in page.text and 'name="password"' in page.text
    assert 'name="signInSubmitButton"' in page.text
    form = forms_of(page.text)[0]
    assert form.fields["_csrf"] == browser.cookies["XSRF-TOKEN"]
    cookie = next(header for header in browser.set_cookies if header.startswith("XSRF-TOKEN="))
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=lax" in cookie
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_signing_in_redirects_with_a_code_and_the_state_byte_for_byte(server, browser, world):
    state = "a b+c/d=e&f%g<h>'\"ü-" + "x" * 40
    response = sign_in(browser, world, "alice", PASSWORD, state=state, nonce="n-1")
    code = code_of(response)
    assert query_of(response.headers["location"])["state"] == state
    redeemed = redeem(server, world.client_id, code)
    assert redeemed["username"] == "alice"
    assert redeemed["scopes"] == ["openid", "email", "aws.cognito.signin.user.admin"]
    assert redeemed["nonce"] == "n-1"
    session = next(header for header in browser.set_cookies if header.startswith("cognito="))
    assert "HttpOnly" in session and "Secure" in session and "SameSite=lax" in session
    assert f"Path=/{world.domain}" in session


def test_a_wrong_password_shows_the_engines_message_and_counts_toward_the_lockout(cognito, browser, world):
    page = open_login(browser, world)
    for _ in range(5):
        page = browser.submit(page, {"username": "alice", "password": "wrong-Passw0rd!"})
        assert page.status_code == 400
        assert "Incorrect username or password." in page.text
    locked = browser.submit(page, {"username": "alice", "password": PASSWORD})
    assert "Password attempts exceeded" in locked.text
    # The API sees the same lockout.
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as caught:
        cognito.admin_initiate_auth(
            UserPoolId=world.pool_id,
            ClientId=world.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
        )
    assert "Password attempts exceeded" in str(caught.value)


def test_an_unknown_user_gets_the_engines_answer(browser, world):
    page = sign_in(browser, world, "nobody", PASSWORD)
    assert page.status_code == 400
    assert "User does not exist." in page.text


def test_a_post_without_or_with_a_wrong_csrf_token_is_refused(browser, world):
    page = open_login(browser, world)
    action = forms_of(page.text)[0].action
    url = str(page.url.join(action))
    missing = browser.post(url, {"username": "alice", "password": PASSWORD})
    assert missing.status_code == 403
    wrong = browser.post(url, {"username": "alice", "password": PASSWORD, "_csrf": "x" * 43})
    assert wrong.status_code == 403
    del browser.cookies["XSRF-TOKEN"]
    no_cookie = browser.post(
        url, {"username": "alice", "password": PASSWORD, "_csrf": forms_of(page.text)[0].fields["_csrf"]}
    )
    assert no_cookie.status_code == 403
    assert "cognito" not in browser.cookies


def test_a_second_authorize_reuses_the_session_until_logout(server, browser, world):
    first = code_of(sign_in(browser, world, "alice", PASSWORD))
    again = browser.get("oauth2/authorize", **world.authorize_params(state="second"))
    second = code_of(again)
    assert second != first
    assert query_of(again.headers["location"])["state"] == "second"
    assert redeem(server, world.client_id, second)["username"] == "alice"
    # prompt=login always shows the page; prompt=none answers at once with the session.
    login = browser.get("oauth2/authorize", **world.authorize_params(prompt="login"))
    assert login.status_code == 302 and "/login?" in login.headers["location"]
    silent = browser.get("oauth2/authorize", **world.authorize_params(prompt="none"))
    code_of(silent)


def test_prompt_none_without_a_session_is_login_required(browser, world):
    response = browser.get("oauth2/authorize", **world.authorize_params(prompt="none"))
    assert response.status_code == 302
    assert response.headers["location"] == f"{REDIRECT}?error=login_required&state=st-123"


def test_login_hint_fills_in_the_username(browser, world):
    page = open_login(browser, world, login_hint="alice")
    assert forms_of(page.text)[0].fields["username"] == "alice"


def test_the_code_flow_with_pkce_end_to_end_through_the_token_endpoint(server, cognito, browser, world):
    from emulator.testing.oauth import pkce_pair

    verifier, challenge = pkce_pair()
    response = sign_in(
        browser, world, "alice", PASSWORD, code_challenge=challenge, code_challenge_method="S256", nonce="n-9"
    )
    code = code_of(response)
    token = browser.http.post(
        f"{world.base}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "client_id": world.client_id,
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
    )
    assert token.status_code == 200, token.text
    tokens = token.json()
    import jwt

    claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    assert claims["nonce"] == "n-9" and claims["cognito:username"] == "alice"
    user = cognito.get_user(AccessToken=tokens["access_token"])
    assert user["Username"] == "alice"
    replay = browser.http.post(
        f"{world.base}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "client_id": world.client_id,
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
    )
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"


def test_a_client_with_a_secret_signs_in_on_the_page(server, cognito, tls_endpoint):
    world = make_world(cognito, tls_endpoint, domain="secret-client-ui", GenerateSecret=True)
    make_user(cognito, world.pool_id, "sid")
    browser = browser_for(server, world)
    try:
        assert (
            redeem(server, world.client_id, code_of(sign_in(browser, world, "sid", PASSWORD)))["username"]
            == "sid"
        )
    finally:
        browser.close()


def test_a_user_whose_password_was_reset_goes_to_the_forgot_password_page(cognito, browser, world):
    cognito.admin_reset_user_password(UserPoolId=world.pool_id, Username="alice")
    response = sign_in(browser, world, "alice", PASSWORD)
    assert response.status_code == 302
    assert "/forgotpassword?" in response.headers["location"]
    page = browser.follow(response)
    assert forms_of(page.text)[0].fields["username"] == "alice"


def test_a_disabled_user_gets_the_engines_message(cognito, browser, world):
    cognito.admin_disable_user(UserPoolId=world.pool_id, Username="alice")
    page = sign_in(browser, world, "alice", PASSWORD)
    assert page.status_code == 400 and "User is disabled." in page.text
