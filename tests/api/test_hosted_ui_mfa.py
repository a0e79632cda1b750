"""The MFA pages after the password: TOTP setup with a QR code (codes from pyotp), TOTP, SMS and email codes
from the outbox, MFA selection, email MFA setup, and a new password required; all answered by the engine."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pyotp
import pytest

from emulator.http import clock_api
from tests.api import hosted_ui_world
from tests.api.hosted_ui_browser import Browser, forms_of
from tests.api.hosted_ui_world import World, browser_for, code_of, make_world, redeem, sign_in
from tests.helpers import PASSWORD, last_code, make_user

# This module's own server, with the HTTPS listener (hosted_ui_world.tls_server).
tls_server = hosted_ui_world.tls_server
tls_endpoint = hosted_ui_world.tls_endpoint

SMS_CONFIG = {"SnsCallerArn": "arn:aws:iam::123456789012:role/sns", "ExternalId": "x"}


def _mfa(cognito, pool_id: str, mode: str = "OPTIONAL", sms=True, software=True, email=True) -> None:  # type: ignore[no-untyped-def]
    config = {"UserPoolId": pool_id, "MfaConfiguration": mode}
    if sms:
        config["SmsMfaConfiguration"] = {"SmsConfiguration": SMS_CONFIG}
    if software:
        config["SoftwareTokenMfaConfiguration"] = {"Enabled": True}
    if email:
        config["EmailMfaConfiguration"] = {"Message": "Code: {####}", "Subject": "Your code"}
    cognito.set_user_pool_mfa_config(**config)


def _now(server) -> datetime:  # type: ignore[no-untyped-def]
    with server.emulator.database.session(write=False) as session:
        return server.emulator.now(session)


def _totp_code(server, secret: str) -> str:  # type: ignore[no-untyped-def]
    return pyotp.TOTP(secret).at(_now(server))


@pytest.fixture
def world(cognito, tls_endpoint) -> World:  # type: ignore[no-untyped-def]
    return make_world(cognito, tls_endpoint)


@pytest.fixture
def browser(server, world) -> Iterator[Browser]:  # type: ignore[no-untyped-def]
    opened = browser_for(server, world)
    yield opened
    opened.close()


def test_totp_setup_with_a_qr_code_then_totp_at_the_next_sign_in(server, cognito, browser, world):
    _mfa(cognito, world.pool_id, mode="ON", sms=False, email=False)
    make_user(cognito, world.pool_id, "tina")
    page = sign_in(browser, world, "tina", PASSWORD)
    assert page.status_code == 200, page.text
    assert 'id="totpQrCode"' in page.text and "<svg" in page.text
    secret = forms_of(page.text)[0].fields["secret"]
    assert secret and secret in page.text
    wrong = browser.submit(page, {"code": "000000" if _totp_code(server, secret) != "000000" else "111111"})
    assert wrong.status_code == 400
    assert "<svg" in wrong.text  # the same setup page again, with the error
    done = browser.submit(wrong, {"code": _totp_code(server, secret)})
    assert redeem(server, world.client_id, code_of(done))["username"] == "tina"
    user = cognito.admin_get_user(UserPoolId=world.pool_id, Username="tina")
    assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]

    clock_api.advance(server.emulator, 60)  # a TOTP code is accepted once: the next one
    other = browser_for(server, world)
    try:
        challenge = sign_in(other, world, "tina", PASSWORD)
        assert challenge.status_code == 200
        assert "authenticator app" in challenge.text
        bad = other.submit(challenge, {"code": "abcdef"})
        assert bad.status_code == 400 and "Invalid code received for user" in bad.text
        signed_in = other.submit(bad, {"code": _totp_code(server, secret)})
        assert redeem(server, world.client_id, code_of(signed_in))["username"] == "tina"
    finally:
        other.close()


def test_sms_mfa_code_from_the_outbox(server, cognito, http, browser, world):
    _mfa(cognito, world.pool_id)
    make_user(
        cognito,
        world.pool_id,
        "sam",
        attributes={"phone_number": "+15555550123", "phone_number_verified": "true"},
    )
    cognito.admin_set_user_mfa_preference(
        UserPoolId=world.pool_id, Username="sam", SMSMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    page = sign_in(browser, world, "sam", PASSWORD)
    assert "+*******0123" in page.text
    code = last_code(http, username="sam")
    done = browser.submit(page, {"code": code})
    assert redeem(server, world.client_id, code_of(done))["username"] == "sam"


def test_email_mfa_code_and_a_session_answered_only_once(server, cognito, http, browser, world):
    _mfa(cognito, world.pool_id)
    make_user(
        cognito, world.pool_id, "emma", attributes={"email": "emma@example.com", "email_verified": "true"}
    )
    cognito.admin_set_user_mfa_preference(
        UserPoolId=world.pool_id, Username="emma", EmailMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    page = sign_in(browser, world, "emma", PASSWORD)
    assert "by email" in page.text
    done = browser.submit(page, {"code": last_code(http, username="emma")})
    code_of(done)
    replay = browser.submit(page, {"code": last_code(http, username="emma")})
    assert replay.status_code == 400
    assert "Invalid session for the user, session is expired." in replay.text


def test_mfa_selection_then_the_chosen_code(server, cognito, http, browser, world):
    _mfa(cognito, world.pool_id)
    make_user(
        cognito,
        world.pool_id,
        "max",
        attributes={
            "phone_number": "+15555550199",
            "phone_number_verified": "true",
            "email": "max@example.com",
            "email_verified": "true",
        },
    )
    cognito.admin_set_user_mfa_preference(
        UserPoolId=world.pool_id,
        Username="max",
        SMSMfaSettings={"Enabled": True},
        EmailMfaSettings={"Enabled": True},
    )
    choose = sign_in(browser, world, "max", PASSWORD)
    assert 'value="SMS_MFA"' in choose.text and 'value="EMAIL_OTP"' in choose.text
    page = browser.submit(choose, {"mfa_type": "EMAIL_OTP"})
    assert "by email" in page.text
    done = browser.submit(page, {"code": last_code(http, username="max")})
    assert redeem(server, world.client_id, code_of(done))["username"] == "max"


def test_email_mfa_setup_during_sign_in(server, cognito, http, browser, world):
    _mfa(cognito, world.pool_id, mode="ON", sms=False)
    make_user(cognito, world.pool_id, "eve")
    choose = sign_in(browser, world, "eve", PASSWORD)
    assert 'value="SOFTWARE_TOKEN_MFA"' in choose.text and 'value="EMAIL_OTP"' in choose.text
    setup = browser.submit(choose, {"mfa_type": "EMAIL_OTP"})
    assert 'name="email"' in setup.text
    page = browser.submit(setup, {"email": "eve@example.com"})
    assert "by email" in page.text
    done = browser.submit(page, {"code": last_code(http, username="eve")})
    assert redeem(server, world.client_id, code_of(done))["username"] == "eve"
    user = cognito.admin_get_user(UserPoolId=world.pool_id, Username="eve")
    assert "EMAIL_OTP" in user["UserMFASettingList"]


def test_a_new_password_required_page_for_a_temporary_password(server, cognito, browser, world):
    make_user(cognito, world.pool_id, "nora", password="Temp0rary!", permanent=False)
    page = sign_in(browser, world, "nora", "Temp0rary!")
    assert 'name="new_password"' in page.text
    weak = browser.submit(page, {"new_password": "short"})
    assert weak.status_code == 400 and "Password did not conform with policy" in weak.text
    done = browser.submit(weak, {"new_password": "N3w-Passw0rd!"})
    assert redeem(server, world.client_id, code_of(done))["username"] == "nora"
    assert cognito.admin_get_user(UserPoolId=world.pool_id, Username="nora")["UserStatus"] == "CONFIRMED"


def test_a_refused_email_address_shows_the_email_setup_page_again(server, cognito, browser, world):
    _mfa(cognito, world.pool_id, mode="ON", sms=False, software=False)
    make_user(cognito, world.pool_id, "ed")
    setup = sign_in(browser, world, "ed", PASSWORD)
    assert 'name="email"' in setup.text
    again = browser.submit(setup, {"email": "not an address"})
    assert again.status_code == 400, again.text
    assert 'name="email"' in again.text


def test_a_new_password_page_asks_for_the_missing_required_attributes(server, cognito, tls_endpoint):
    world = make_world(
        cognito,
        tls_endpoint,
        domain="required-attributes-ui",
        pool={"Schema": [{"Name": "name", "AttributeDataType": "String", "Required": True, "Mutable": True}]},
    )
    cognito.admin_create_user(
        UserPoolId=world.pool_id, Username="rita", TemporaryPassword="Temp0rary!", MessageAction="SUPPRESS"
    )
    browser = browser_for(server, world)
    try:
        page = sign_in(browser, world, "rita", "Temp0rary!")
        assert 'name="userAttributes.name"' in page.text
        missing = browser.submit(page, {"new_password": "N3w-Passw0rd!", "userAttributes.name": ""})
        assert missing.status_code == 400 and "userAttributes.name" in missing.text
        done = browser.submit(missing, {"new_password": "N3w-Passw0rd!", "userAttributes.name": "Rita"})
        assert redeem(server, world.client_id, code_of(done))["username"] == "rita"
        user = cognito.admin_get_user(UserPoolId=world.pool_id, Username="rita")
        assert {"Name": "name", "Value": "Rita"} in user["UserAttributes"]
    finally:
        browser.close()
