"""The demo world (fixtures/signin-steps.yaml) walked through with boto3: every signInStep of the README table is
reached with the server answer Amplify turns into it, then finished to tokens with real codes from the outbox
(GET /_emulator/messages) and real TOTP codes from the fixture's secrets.

The server loads the fixture file itself at start-up (Settings.fixtures), as ``cognito-emulator serve --fixtures``
does. Each test signs in its own user, so no reset is needed between tests.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from botocore.exceptions import ClientError

from emulator.config import Settings
from emulator.crypto.totp import code_at
from emulator.testing import ServerThread
from tests.conftest import make_boto_client
from tests.helpers import error_of

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "signin-steps.yaml"
PASSWORD = "Passw0rd!"
BASIC, MFA, TOTP_SETUP, EMAIL_SETUP, SETUP_SELECTION = (
    ("us-east-1_Demo00001", "demo00001client00000000001"),
    ("us-east-1_Demo00002", "demo00002client00000000001"),
    ("us-east-1_Demo00003", "demo00003client00000000001"),
    ("us-east-1_Demo00004", "demo00004client00000000001"),
    ("us-east-1_Demo00005", "demo00005client00000000001"),
)
TOTP_SECRETS = {
    "totp-code": "TOTPCODEDEMOUSERTOTPCODEDEMOUSER",
    "mfa-selection": "MFASELECTIONDEMOMFASELECTIONDEMO",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    database = tmp_path_factory.mktemp("demo-boto3") / "emulator.db"
    settings = Settings(port=0, database=f"sqlite:///{database}", fixtures=[str(DEMO)])
    with ServerThread(settings) as running:
        yield running


@pytest.fixture(scope="module")
def idp(demo: ServerThread) -> Any:
    return make_boto_client(demo.endpoint)


@pytest.fixture(scope="module")
def outbox(demo: ServerThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=demo.endpoint, timeout=10) as client:
        yield client


def latest_code(outbox: httpx.Client, username: str, pool_id: str) -> str:
    """The code of the newest message to ``username`` (GET /_emulator/messages is newest first)."""
    response = outbox.get("/_emulator/messages", params={"username": username, "pool_id": pool_id})
    response.raise_for_status()
    found = [message for message in response.json()["messages"] if message.get("code")]
    assert found, f"no code in the outbox for {username}"
    return found[0]["code"]


def totp_now(secret: str, offset_steps: int = 0) -> str:
    return code_at(secret, datetime.now(UTC) + timedelta(seconds=30 * offset_steps))


def password_auth(idp: Any, client_id: str, username: str, password: str = PASSWORD) -> dict[str, Any]:
    return idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )


def respond(idp: Any, client_id: str, previous: dict[str, Any], name: str, **answers: str) -> dict[str, Any]:
    return idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName=name, Session=previous["Session"], ChallengeResponses=answers
    )


def assert_signed_in(idp: Any, result: dict[str, Any], username: str) -> dict[str, Any]:
    """Tokens for ``username``: the access token works (GetUser) and the ID token names the user."""
    tokens = result["AuthenticationResult"]
    assert tokens["TokenType"] == "Bearer" and tokens["RefreshToken"]
    assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == username
    claims = jwt.decode(tokens["IdToken"], options={"verify_signature": False})
    assert claims["cognito:username"] == username
    return claims


# --- DONE ----------------------------------------------------------------------------------------------------
def test_done_signs_in_at_once_with_its_group(idp: Any) -> None:
    claims = assert_signed_in(idp, password_auth(idp, BASIC[1], "done"), "done")
    assert claims["cognito:groups"] == ["demo-admins"]
    assert claims["email"] == "done@example.com" and claims["name"] == "Dana Done"


def test_done_with_a_wrong_password_is_refused(idp: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        password_auth(idp, BASIC[1], "done", "Wrong-Passw0rd!")
    assert error_of(excinfo) == ("NotAuthorizedException", "Incorrect username or password.")


def test_disabled_user_is_refused(idp: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        password_auth(idp, BASIC[1], "disabled")
    assert error_of(excinfo) == ("NotAuthorizedException", "User is disabled.")


# --- CONFIRM_SIGN_IN_WITH_SMS_CODE / _TOTP_CODE / _EMAIL_CODE ---------------------------------------------------
def test_sms_code(idp: Any, outbox: httpx.Client) -> None:
    challenge = password_auth(idp, MFA[1], "sms-code")
    assert challenge["ChallengeName"] == "SMS_MFA"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"].endswith("0101")
    code = latest_code(outbox, "sms-code", MFA[0])
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ClientError) as excinfo:
        respond(idp, MFA[1], challenge, "SMS_MFA", USERNAME="sms-code", SMS_MFA_CODE=wrong)
    assert error_of(excinfo)[0] == "CodeMismatchException"
    result = respond(idp, MFA[1], challenge, "SMS_MFA", USERNAME="sms-code", SMS_MFA_CODE=code)
    assert_signed_in(idp, result, "sms-code")


def test_totp_code(idp: Any) -> None:
    challenge = password_auth(idp, MFA[1], "totp-code")
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    secret = TOTP_SECRETS["totp-code"]
    with pytest.raises(ClientError) as excinfo:
        respond(
            idp,
            MFA[1],
            challenge,
            "SOFTWARE_TOKEN_MFA",
            USERNAME="totp-code",
            SOFTWARE_TOKEN_MFA_CODE=totp_now(secret, 10),
        )
    assert error_of(excinfo)[0] == "CodeMismatchException"
    result = respond(
        idp,
        MFA[1],
        challenge,
        "SOFTWARE_TOKEN_MFA",
        USERNAME="totp-code",
        SOFTWARE_TOKEN_MFA_CODE=totp_now(secret),
    )
    assert_signed_in(idp, result, "totp-code")


def test_email_code(idp: Any, outbox: httpx.Client) -> None:
    challenge = password_auth(idp, MFA[1], "email-code")
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    message = outbox.get("/_emulator/messages", params={"username": "email-code"}).json()["messages"][0]
    assert message["subject"] == "Your demo sign-in code"
    assert message["body"] == f"Your demo sign-in code is {message['code']}"
    result = respond(
        idp, MFA[1], challenge, "EMAIL_OTP", USERNAME="email-code", EMAIL_OTP_CODE=message["code"]
    )
    assert_signed_in(idp, result, "email-code")


# --- CONTINUE_SIGN_IN_WITH_MFA_SELECTION --------------------------------------------------------------------
@pytest.mark.parametrize("answer", ["SMS_MFA", "EMAIL_OTP", "SOFTWARE_TOKEN_MFA"])
def test_mfa_selection(idp: Any, outbox: httpx.Client, answer: str) -> None:
    challenge = password_auth(idp, MFA[1], "mfa-selection")
    assert challenge["ChallengeName"] == "SELECT_MFA_TYPE"
    assert json.loads(challenge["ChallengeParameters"]["MFAS_CAN_CHOOSE"]) == [
        "SMS_MFA",
        "SOFTWARE_TOKEN_MFA",
        "EMAIL_OTP",
    ]
    chosen = respond(idp, MFA[1], challenge, "SELECT_MFA_TYPE", USERNAME="mfa-selection", ANSWER=answer)
    assert chosen["ChallengeName"] == answer
    if answer == "SOFTWARE_TOKEN_MFA":
        code = totp_now(TOTP_SECRETS["mfa-selection"])
    else:
        code = latest_code(outbox, "mfa-selection", MFA[0])
    response_key = {
        "SMS_MFA": "SMS_MFA_CODE",
        "EMAIL_OTP": "EMAIL_OTP_CODE",
        "SOFTWARE_TOKEN_MFA": "SOFTWARE_TOKEN_MFA_CODE",
    }
    result = respond(idp, MFA[1], chosen, answer, USERNAME="mfa-selection", **{response_key[answer]: code})
    assert_signed_in(idp, result, "mfa-selection")


# --- CONTINUE_SIGN_IN_WITH_TOTP_SETUP / _EMAIL_SETUP / _MFA_SETUP_SELECTION -----------------------------------
def test_totp_setup(idp: Any) -> None:
    challenge = password_auth(idp, TOTP_SETUP[1], "totp-setup")
    assert challenge["ChallengeName"] == "MFA_SETUP"
    assert json.loads(challenge["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA"]
    associated = idp.associate_software_token(Session=challenge["Session"])
    secret = associated["SecretCode"]
    with pytest.raises(ClientError) as excinfo:
        idp.verify_software_token(Session=associated["Session"], UserCode=totp_now(secret, 10))
    assert error_of(excinfo)[0] == "EnableSoftwareTokenMFAException"
    verified = idp.verify_software_token(Session=associated["Session"], UserCode=totp_now(secret))
    assert verified["Status"] == "SUCCESS"
    result = respond(idp, TOTP_SETUP[1], verified, "MFA_SETUP", USERNAME="totp-setup")
    access = result["AuthenticationResult"]["AccessToken"]
    assert_signed_in(idp, result, "totp-setup")
    assert idp.get_user(AccessToken=access)["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"


def test_email_setup(idp: Any, outbox: httpx.Client) -> None:
    challenge = password_auth(idp, EMAIL_SETUP[1], "email-setup")
    assert challenge["ChallengeName"] == "MFA_SETUP"
    assert json.loads(challenge["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["EMAIL_OTP"]
    sent = respond(
        idp, EMAIL_SETUP[1], challenge, "MFA_SETUP", USERNAME="email-setup", EMAIL="email-setup@example.com"
    )
    assert sent["ChallengeName"] == "EMAIL_OTP"
    code = latest_code(outbox, "email-setup", EMAIL_SETUP[0])
    result = respond(idp, EMAIL_SETUP[1], sent, "EMAIL_OTP", USERNAME="email-setup", EMAIL_OTP_CODE=code)
    access = result["AuthenticationResult"]["AccessToken"]
    assert_signed_in(idp, result, "email-setup")
    user = idp.get_user(AccessToken=access)
    assert user["UserMFASettingList"] == ["EMAIL_OTP"]
    assert {"Name": "email", "Value": "email-setup@example.com"} in user["UserAttributes"]


def test_mfa_setup_selection(idp: Any, outbox: httpx.Client) -> None:
    challenge = password_auth(idp, SETUP_SELECTION[1], "mfa-setup-selection")
    assert challenge["ChallengeName"] == "MFA_SETUP"
    assert sorted(json.loads(challenge["ChallengeParameters"]["MFAS_CAN_SETUP"])) == [
        "EMAIL_OTP",
        "SOFTWARE_TOKEN_MFA",
    ]
    # Amplify shows the choice; here the user picks email.
    sent = respond(
        idp,
        SETUP_SELECTION[1],
        challenge,
        "MFA_SETUP",
        USERNAME="mfa-setup-selection",
        EMAIL="setup@example.com",
    )
    code = latest_code(outbox, "mfa-setup-selection", SETUP_SELECTION[0])
    result = respond(
        idp, SETUP_SELECTION[1], sent, "EMAIL_OTP", USERNAME="mfa-setup-selection", EMAIL_OTP_CODE=code
    )
    assert_signed_in(idp, result, "mfa-setup-selection")


# --- USER_AUTH: CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION and CONFIRM_SIGN_IN_WITH_PASSWORD ------------------
@pytest.mark.parametrize(("answer", "channel"), [("EMAIL_OTP", "EMAIL"), ("SMS_OTP", "SMS")])
def test_first_factor_selection(idp: Any, outbox: httpx.Client, answer: str, channel: str) -> None:
    challenge = idp.initiate_auth(
        ClientId=BASIC[1], AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "first-factor-selection"}
    )
    assert challenge["ChallengeName"] == "SELECT_CHALLENGE"
    assert set(challenge["AvailableChallenges"]) >= {"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"}
    sent = respond(
        idp, BASIC[1], challenge, "SELECT_CHALLENGE", USERNAME="first-factor-selection", ANSWER=answer
    )
    assert sent["ChallengeName"] == answer
    assert sent["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == channel
    code = latest_code(outbox, "first-factor-selection", BASIC[0])
    result = respond(
        idp, BASIC[1], sent, answer, USERNAME="first-factor-selection", **{f"{answer}_CODE": code}
    )
    assert_signed_in(idp, result, "first-factor-selection")


def test_confirm_sign_in_with_password(idp: Any) -> None:
    challenge = idp.initiate_auth(
        ClientId=BASIC[1], AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "password"}
    )
    assert challenge["ChallengeName"] == "SELECT_CHALLENGE"
    assert sorted(challenge["AvailableChallenges"]) == ["PASSWORD", "PASSWORD_SRP"]
    with pytest.raises(ClientError) as excinfo:
        respond(
            idp,
            BASIC[1],
            challenge,
            "SELECT_CHALLENGE",
            USERNAME="password",
            ANSWER="PASSWORD",
            PASSWORD="Nope-Passw0rd!",
        )
    assert error_of(excinfo) == ("NotAuthorizedException", "Incorrect username or password.")
    challenge = idp.initiate_auth(
        ClientId=BASIC[1], AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "password"}
    )
    result = respond(
        idp,
        BASIC[1],
        challenge,
        "SELECT_CHALLENGE",
        USERNAME="password",
        ANSWER="PASSWORD",
        PASSWORD=PASSWORD,
    )
    assert_signed_in(idp, result, "password")


# --- CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE --------------------------------------------------------------------
def test_custom_challenge(idp: Any) -> None:
    challenge = idp.initiate_auth(
        ClientId=BASIC[1], AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "custom-challenge"}
    )
    assert challenge["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert challenge["ChallengeParameters"]["question"] == "What is 6 times 7?"
    wrong = respond(idp, BASIC[1], challenge, "CUSTOM_CHALLENGE", USERNAME="custom-challenge", ANSWER="41")
    assert wrong["ChallengeName"] == "CUSTOM_CHALLENGE"  # the trigger allows three tries
    result = respond(idp, BASIC[1], wrong, "CUSTOM_CHALLENGE", USERNAME="custom-challenge", ANSWER="42")
    assert_signed_in(idp, result, "custom-challenge")


# --- CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED --------------------------------------------------------------
def test_new_password_required(idp: Any) -> None:
    challenge = password_auth(idp, BASIC[1], "new-password-required", "TempPassw0rd!")
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert json.loads(challenge["ChallengeParameters"]["requiredAttributes"]) == []
    result = respond(
        idp,
        BASIC[1],
        challenge,
        "NEW_PASSWORD_REQUIRED",
        USERNAME="new-password-required",
        NEW_PASSWORD="NewPassw0rd!",
    )
    assert_signed_in(idp, result, "new-password-required")
    user = idp.admin_get_user(UserPoolId=BASIC[0], Username="new-password-required")
    assert user["UserStatus"] == "CONFIRMED"
    assert_signed_in(
        idp, password_auth(idp, BASIC[1], "new-password-required", "NewPassw0rd!"), "new-password-required"
    )


# --- RESET_PASSWORD -------------------------------------------------------------------------------------------
def test_reset_password(idp: Any, outbox: httpx.Client) -> None:
    with pytest.raises(ClientError) as excinfo:
        password_auth(idp, BASIC[1], "reset-password")
    assert error_of(excinfo) == ("PasswordResetRequiredException", "Password reset required for the user")
    delivery = idp.forgot_password(ClientId=BASIC[1], Username="reset-password")["CodeDeliveryDetails"]
    assert delivery["DeliveryMedium"] == "EMAIL"
    code = latest_code(outbox, "reset-password", BASIC[0])
    with pytest.raises(ClientError) as excinfo:
        idp.confirm_forgot_password(
            ClientId=BASIC[1],
            Username="reset-password",
            ConfirmationCode="000000" if code != "000000" else "111111",
            Password="NewPassw0rd!",
        )
    assert error_of(excinfo)[0] == "CodeMismatchException"
    idp.confirm_forgot_password(
        ClientId=BASIC[1], Username="reset-password", ConfirmationCode=code, Password="NewPassw0rd!"
    )
    assert_signed_in(idp, password_auth(idp, BASIC[1], "reset-password", "NewPassw0rd!"), "reset-password")


# --- CONFIRM_SIGN_UP ------------------------------------------------------------------------------------------
def test_confirm_sign_up(idp: Any, outbox: httpx.Client) -> None:
    with pytest.raises(ClientError) as excinfo:
        password_auth(idp, BASIC[1], "confirm-sign-up")
    assert error_of(excinfo) == ("UserNotConfirmedException", "User is not confirmed.")
    delivery = idp.resend_confirmation_code(ClientId=BASIC[1], Username="confirm-sign-up")[
        "CodeDeliveryDetails"
    ]
    assert delivery["DeliveryMedium"] == "EMAIL"
    code = latest_code(outbox, "confirm-sign-up", BASIC[0])
    idp.confirm_sign_up(ClientId=BASIC[1], Username="confirm-sign-up", ConfirmationCode=code)
    assert_signed_in(idp, password_auth(idp, BASIC[1], "confirm-sign-up"), "confirm-sign-up")


def test_remember_device_row(idp: Any, outbox: httpx.Client) -> None:
    """The README's "remember this device" row: email MFA, the device confirmed and remembered, then the next
    sign-in goes through DEVICE_SRP_AUTH and skips the code."""
    from tests.device_srp import DeviceSecret, device_sign_in

    pool_id, client_id = "us-east-1_DemoDevices", "demodevicesclient000000001"
    parameters = {"USERNAME": "remember-device", "PASSWORD": PASSWORD}
    challenge = idp.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=parameters
    )
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    tokens = idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="EMAIL_OTP",
        Session=challenge["Session"],
        ChallengeResponses={
            "USERNAME": "remember-device",
            "EMAIL_OTP_CODE": latest_code(outbox, "remember-device", pool_id),
        },
    )["AuthenticationResult"]
    metadata = tokens["NewDeviceMetadata"]
    secret = DeviceSecret(metadata["DeviceGroupKey"], metadata["DeviceKey"])
    confirmed = idp.confirm_device(
        AccessToken=tokens["AccessToken"],
        DeviceKey=secret.device_key,
        DeviceSecretVerifierConfig=secret.verifier_config(),
        DeviceName="demo",
    )
    assert confirmed["UserConfirmationNecessary"] is True
    idp.update_device_status(
        AccessToken=tokens["AccessToken"], DeviceKey=secret.device_key, DeviceRememberedStatus="remembered"
    )
    again = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={**parameters, "DEVICE_KEY": secret.device_key},
    )
    assert "AccessToken" in device_sign_in(idp, client_id, again, secret)["AuthenticationResult"]
    idp.admin_forget_device(UserPoolId=pool_id, Username="remember-device", DeviceKey=secret.device_key)
