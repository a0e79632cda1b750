"""Sign-up with the pool's required attributes, confirming it with the code (then signed in), and the
forgotten password, on the hosted pages: the API's own operations and triggers underneath."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api import hosted_ui_world
from tests.api.hosted_ui_browser import Browser, forms_of
from tests.api.hosted_ui_world import World, browser_for, code_of, make_world, open_login, redeem, sign_in
from tests.helpers import PASSWORD, last_code, make_user

# This module's own server, with the HTTPS listener (hosted_ui_world.tls_server).
tls_server = hosted_ui_world.tls_server
tls_endpoint = hosted_ui_world.tls_endpoint


@pytest.fixture
def world(cognito, tls_endpoint) -> World:  # type: ignore[no-untyped-def]
    return make_world(
        cognito,
        tls_endpoint,
        pool={
            "AutoVerifiedAttributes": ["email"],
            "Schema": [{"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True}],
        },
    )


@pytest.fixture
def browser(server, world) -> Iterator[Browser]:  # type: ignore[no-untyped-def]
    opened = browser_for(server, world)
    yield opened
    opened.close()


def _signup_page(browser: Browser, world: World):  # type: ignore[no-untyped-def]
    login = open_login(browser, world)
    assert f'href="/{world.domain}/signup?client_id={world.client_id}' in login.text
    response = browser.get("signup", **world.authorize_params())
    assert response.status_code == 200
    return response


def test_sign_up_confirm_with_the_code_and_be_signed_in(server, cognito, http, browser, world):
    page = _signup_page(browser, world)
    assert 'name="requiredAttributes[email]"' in page.text
    weak = browser.submit(
        page, {"username": "newbie", "password": "x", "requiredAttributes[email]": "n@example.com"}
    )
    assert weak.status_code == 400 and "Password did not conform with policy" in weak.text
    confirm = browser.submit(
        weak, {"username": "newbie", "password": PASSWORD, "requiredAttributes[email]": "n@example.com"}
    )
    assert confirm.status_code == 200, confirm.text
    assert "n***@e***" in confirm.text or "We have sent a code" in confirm.text
    assert cognito.admin_get_user(UserPoolId=world.pool_id, Username="newbie")["UserStatus"] == "UNCONFIRMED"
    wrong = browser.submit(
        confirm, {"code": "000000" if last_code(http, username="newbie") != "000000" else "111111"}
    )
    assert wrong.status_code == 400 and "Invalid verification code provided" in wrong.text
    done = browser.submit(wrong, {"code": last_code(http, username="newbie")})
    assert redeem(server, world.client_id, code_of(done))["username"] == "newbie"
    assert cognito.admin_get_user(UserPoolId=world.pool_id, Username="newbie")["UserStatus"] == "CONFIRMED"


def test_an_existing_username_is_the_apis_error(cognito, browser, world):
    make_user(cognito, world.pool_id, "taken", attributes={"email": "t@example.com"})
    page = _signup_page(browser, world)
    again = browser.submit(
        page, {"username": "taken", "password": PASSWORD, "requiredAttributes[email]": "t@example.com"}
    )
    assert again.status_code == 400 and "User already exists" in again.text


def test_an_unconfirmed_user_signing_in_goes_to_the_confirm_page(server, cognito, http, browser, world):
    cognito.sign_up(
        ClientId=world.client_id,
        Username="late",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "l@example.com"}],
    )
    response = sign_in(browser, world, "late", PASSWORD)
    assert response.status_code == 302 and "/confirmuser?" in response.headers["location"]
    page = browser.follow(response)
    assert forms_of(page.text)[0].fields["username"] == "late"
    resent = browser.submit(page, {"resend": "Resend code"})
    assert "We have sent a code" in resent.text
    done = browser.submit(resent, {"code": last_code(http, username="late")})
    assert redeem(server, world.client_id, code_of(done))["username"] == "late"


def test_forgot_password_then_sign_in_with_the_new_one(server, cognito, http, browser, world):
    make_user(
        cognito, world.pool_id, "fred", attributes={"email": "fred@example.com", "email_verified": "true"}
    )
    page = browser.get("forgotpassword", **world.authorize_params())
    assert page.status_code == 200
    confirm = browser.submit(page, {"username": "fred"})
    assert confirm.status_code == 200 and 'name="password"' in confirm.text
    bad = browser.submit(
        confirm,
        {
            "code": "999999" if last_code(http, username="fred") != "999999" else "888888",
            "password": "N3w-Passw0rd!",
        },
    )
    assert bad.status_code == 400 and "Invalid verification code provided" in bad.text
    login = browser.submit(bad, {"code": last_code(http, username="fred"), "password": "N3w-Passw0rd!"})
    assert login.status_code == 200 and "Your password has been changed" in login.text
    done = browser.submit(login, {"username": "fred", "password": "N3w-Passw0rd!"})
    assert redeem(server, world.client_id, code_of(done))["username"] == "fred"


def test_sign_up_is_refused_where_only_administrators_create_users(server, cognito, tls_endpoint):
    world = make_world(
        cognito,
        tls_endpoint,
        domain="admin-only-ui",
        pool={"AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True}},
    )
    browser = browser_for(server, world)
    try:
        login = open_login(browser, world)
        assert "Sign up" not in login.text
        page = browser.get("signup", **world.authorize_params())
        refused = browser.submit(page, {"username": "x", "password": PASSWORD})
        assert refused.status_code == 400 and "SignUp is not permitted for this user pool" in refused.text
    finally:
        browser.close()


def test_sign_up_where_the_email_is_the_username(server, cognito, http, tls_endpoint):
    world = make_world(
        cognito,
        tls_endpoint,
        domain="email-names-ui",
        pool={"UsernameAttributes": ["email"], "AutoVerifiedAttributes": ["email"]},
    )
    browser = browser_for(server, world)
    try:
        login = open_login(browser, world)
        assert 'for="signInFormUsername">Email<' in login.text
        page = browser.get("signup", **world.authorize_params())
        assert 'for="signUpFormUsername">Email<' in page.text
        assert "requiredAttributes[email]" not in page.text
        confirm = browser.submit(page, {"username": "sue@example.com", "password": PASSWORD})
        assert confirm.status_code == 200, confirm.text
        sub = cognito.list_users(UserPoolId=world.pool_id)["Users"][0]["Username"]
        done = browser.submit(confirm, {"code": last_code(http, username=sub)})
        assert redeem(server, world.client_id, code_of(done))["username"] == sub
    finally:
        browser.close()


def test_confirming_after_the_sign_up_session_expired_still_signs_in(server, http, browser, world):
    from emulator.http import clock_api

    page = _signup_page(browser, world)
    confirm = browser.submit(
        page, {"username": "slow", "password": PASSWORD, "requiredAttributes[email]": "slow@example.com"}
    )
    clock_api.advance(server.emulator, 30 * 60)  # the code is good for a day, the sign-up's Session is not
    done = browser.submit(confirm, {"code": last_code(http, username="slow")})
    assert redeem(server, world.client_id, code_of(done))["username"] == "slow"
