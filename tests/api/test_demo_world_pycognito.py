"""The demo world (fixtures/signin-steps.yaml) walked through with pycognito: the password is always proven with
SRP (pycognito's ``Cognito.authenticate`` / ``AWSSRP``), as Amplify's default sign-in does, and pycognito checks
every token it gets against the emulator's JWKS and issuer (``<endpoint>/<pool id>``).

Where pycognito has no helper for a challenge (email codes, MFA selection and setup, USER_AUTH, custom
challenges), its SRP step is followed by RespondToAuthChallenge calls on the same boto3 client it uses.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError
from pycognito import Cognito
from pycognito.aws_srp import AWSSRP
from pycognito.exceptions import SMSMFAChallengeException, SoftwareTokenMFAChallengeException

from emulator.config import Settings
from emulator.crypto.totp import code_at
from emulator.testing import ServerThread

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


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    database = tmp_path_factory.mktemp("demo-pycognito") / "emulator.db"
    settings = Settings(port=0, database=f"sqlite:///{database}", fixtures=[str(DEMO)])
    with ServerThread(settings) as running:
        yield running


@pytest.fixture(scope="module")
def outbox(demo: ServerThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=demo.endpoint, timeout=10) as client:
        yield client


def cognito(demo: ServerThread, pool_client: tuple[str, str], username: str) -> Cognito:
    pool_id, client_id = pool_client
    return Cognito(
        pool_id,
        client_id,
        username=username,
        boto3_client_kwargs={
            "endpoint_url": demo.endpoint,
            "aws_access_key_id": "test",
            "aws_secret_access_key": "test",
        },
    )


def latest_code(outbox: httpx.Client, username: str, pool_id: str) -> str:
    response = outbox.get("/_emulator/messages", params={"username": username, "pool_id": pool_id})
    response.raise_for_status()
    found = [message for message in response.json()["messages"] if message.get("code")]
    assert found, f"no code in the outbox for {username}"
    return found[0]["code"]


def srp_sign_in(user: Cognito, password: str = PASSWORD) -> dict[str, Any]:
    """USER_SRP_AUTH + PASSWORD_VERIFIER with pycognito; the response that follows the proof."""
    srp = AWSSRP(
        username=user.username,
        password=password,
        pool_id=user.user_pool_id,
        client_id=user.client_id,
        client=user.client,
    )
    response = user.client.initiate_auth(
        ClientId=user.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=srp.get_auth_params()
    )
    assert response["ChallengeName"] == "PASSWORD_VERIFIER"
    return user.client.respond_to_auth_challenge(
        ClientId=user.client_id,
        ChallengeName="PASSWORD_VERIFIER",
        Session=response["Session"],
        ChallengeResponses=srp.process_challenge(response["ChallengeParameters"], srp.get_auth_params()),
    )


def respond(user: Cognito, previous: dict[str, Any], name: str, **answers: str) -> dict[str, Any]:
    return user.client.respond_to_auth_challenge(
        ClientId=user.client_id,
        ChallengeName=name,
        Session=previous["Session"],
        ChallengeResponses={"USERNAME": user.username, **answers},
    )


def finish(user: Cognito, response: dict[str, Any]) -> None:
    """Hand the tokens to pycognito, which verifies them (signature, issuer, audience), then use them."""
    assert "AuthenticationResult" in response, response.get("ChallengeName")
    tokens = response["AuthenticationResult"]
    user.id_token, user.access_token = tokens["IdToken"], tokens["AccessToken"]
    user.verify_tokens()
    assert user.id_claims["cognito:username"] == user.username
    assert user.get_user().username == user.username


def totp_now(secret: str) -> str:
    return code_at(secret, datetime.now(UTC))


# --- Cognito.authenticate (SRP) ---------------------------------------------------------------------------------
def test_done(demo: ServerThread) -> None:
    user = cognito(demo, BASIC, "done")
    user.authenticate(password=PASSWORD)
    user.verify_tokens()
    assert user.id_claims["cognito:groups"] == ["demo-admins"]
    assert user.access_claims["iss"] == f"{demo.endpoint}/{BASIC[0]}"


def test_done_wrong_password(demo: ServerThread) -> None:
    with pytest.raises(ClientError) as excinfo:
        cognito(demo, BASIC, "done").authenticate(password="Wrong-Passw0rd!")
    assert excinfo.value.response["Error"]["Code"] == "NotAuthorizedException"


def test_sms_code(demo: ServerThread, outbox: httpx.Client) -> None:
    user = cognito(demo, MFA, "sms-code")
    with pytest.raises(SMSMFAChallengeException):
        user.authenticate(password=PASSWORD)
    user.respond_to_sms_mfa_challenge(latest_code(outbox, "sms-code", MFA[0]))
    assert user.id_claims["cognito:username"] == "sms-code"


def test_totp_code(demo: ServerThread) -> None:
    user = cognito(demo, MFA, "totp-code")
    with pytest.raises(SoftwareTokenMFAChallengeException):
        user.authenticate(password=PASSWORD)
    user.respond_to_software_token_mfa_challenge(totp_now("TOTPCODEDEMOUSERTOTPCODEDEMOUSER"))
    assert user.access_claims["username"] == "totp-code"


def test_new_password_required(demo: ServerThread) -> None:
    user = cognito(demo, BASIC, "new-password-required")
    user.new_password_challenge("TempPassw0rd!", "NewPassw0rd!")
    user.verify_tokens()
    again = cognito(demo, BASIC, "new-password-required")
    again.authenticate(password="NewPassw0rd!")
    assert again.id_claims["cognito:username"] == "new-password-required"


def test_reset_password(demo: ServerThread, outbox: httpx.Client) -> None:
    user = cognito(demo, BASIC, "reset-password")
    with pytest.raises(ClientError) as excinfo:
        user.authenticate(password=PASSWORD)
    assert excinfo.value.response["Error"]["Code"] == "PasswordResetRequiredException"
    user.initiate_forgot_password()
    user.confirm_forgot_password(latest_code(outbox, "reset-password", BASIC[0]), "NewPassw0rd!")
    user.authenticate(password="NewPassw0rd!")
    assert user.id_claims["cognito:username"] == "reset-password"


def test_confirm_sign_up(demo: ServerThread, outbox: httpx.Client) -> None:
    user = cognito(demo, BASIC, "confirm-sign-up")
    with pytest.raises(ClientError) as excinfo:
        user.authenticate(password=PASSWORD)
    assert excinfo.value.response["Error"]["Code"] == "UserNotConfirmedException"
    user.resend_confirmation_code("confirm-sign-up")
    user.confirm_sign_up(latest_code(outbox, "confirm-sign-up", BASIC[0]), username="confirm-sign-up")
    user.authenticate(password=PASSWORD)
    assert user.id_claims["email"] == "confirm-sign-up@example.com"


# --- SRP, then the challenges pycognito has no helper for -------------------------------------------------------
def test_email_code(demo: ServerThread, outbox: httpx.Client) -> None:
    user = cognito(demo, MFA, "email-code")
    challenge = srp_sign_in(user)
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    code = latest_code(outbox, "email-code", MFA[0])
    finish(user, respond(user, challenge, "EMAIL_OTP", EMAIL_OTP_CODE=code))


def test_mfa_selection(demo: ServerThread) -> None:
    user = cognito(demo, MFA, "mfa-selection")
    challenge = srp_sign_in(user)
    assert challenge["ChallengeName"] == "SELECT_MFA_TYPE"
    assert "SOFTWARE_TOKEN_MFA" in json.loads(challenge["ChallengeParameters"]["MFAS_CAN_CHOOSE"])
    chosen = respond(user, challenge, "SELECT_MFA_TYPE", ANSWER="SOFTWARE_TOKEN_MFA")
    assert chosen["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    code = totp_now("MFASELECTIONDEMOMFASELECTIONDEMO")
    finish(user, respond(user, chosen, "SOFTWARE_TOKEN_MFA", SOFTWARE_TOKEN_MFA_CODE=code))


def test_totp_setup(demo: ServerThread) -> None:
    user = cognito(demo, TOTP_SETUP, "totp-setup")
    challenge = srp_sign_in(user)
    assert challenge["ChallengeName"] == "MFA_SETUP"
    associated = user.client.associate_software_token(Session=challenge["Session"])
    verified = user.client.verify_software_token(
        Session=associated["Session"], UserCode=totp_now(associated["SecretCode"])
    )
    finish(user, respond(user, verified, "MFA_SETUP"))
    # The next sign-in asks for the code of the secret just set up.
    again = cognito(demo, TOTP_SETUP, "totp-setup")
    with pytest.raises(SoftwareTokenMFAChallengeException):
        again.authenticate(password=PASSWORD)


def test_email_setup(demo: ServerThread, outbox: httpx.Client) -> None:
    user = cognito(demo, EMAIL_SETUP, "email-setup")
    challenge = srp_sign_in(user)
    assert json.loads(challenge["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["EMAIL_OTP"]
    sent = respond(user, challenge, "MFA_SETUP", EMAIL="email-setup@example.com")
    code = latest_code(outbox, "email-setup", EMAIL_SETUP[0])
    finish(user, respond(user, sent, "EMAIL_OTP", EMAIL_OTP_CODE=code))


def test_mfa_setup_selection_with_totp(demo: ServerThread) -> None:
    user = cognito(demo, SETUP_SELECTION, "mfa-setup-selection")
    challenge = srp_sign_in(user)
    assert sorted(json.loads(challenge["ChallengeParameters"]["MFAS_CAN_SETUP"])) == [
        "EMAIL_OTP",
        "SOFTWARE_TOKEN_MFA",
    ]
    associated = user.client.associate_software_token(Session=challenge["Session"])
    verified = user.client.verify_software_token(
        Session=associated["Session"], UserCode=totp_now(associated["SecretCode"])
    )
    finish(user, respond(user, verified, "MFA_SETUP"))


@pytest.mark.parametrize("username", ["password", "first-factor-selection"])
def test_user_auth_selection_answered_with_password_srp(demo: ServerThread, username: str) -> None:
    """CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION, then CONFIRM_SIGN_IN_WITH_PASSWORD answered the way
    Amplify's default (SRP) does: ANSWER=PASSWORD_SRP with SRP_A, then PASSWORD_VERIFIER."""
    user = cognito(demo, BASIC, username)
    selection = user.client.initiate_auth(
        ClientId=BASIC[1], AuthFlow="USER_AUTH", AuthParameters={"USERNAME": username}
    )
    assert selection["ChallengeName"] == "SELECT_CHALLENGE"
    assert "PASSWORD_SRP" in selection["AvailableChallenges"]
    srp = AWSSRP(
        username=username, password=PASSWORD, pool_id=BASIC[0], client_id=BASIC[1], client=user.client
    )
    verifier = respond(
        user, selection, "SELECT_CHALLENGE", ANSWER="PASSWORD_SRP", SRP_A=srp.get_auth_params()["SRP_A"]
    )
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    proof = srp.process_challenge(verifier["ChallengeParameters"], srp.get_auth_params())
    finish(user, respond(user, verifier, "PASSWORD_VERIFIER", **proof))


def test_custom_challenge_with_srp(demo: ServerThread) -> None:
    """CUSTOM_WITH_SRP: the password by SRP first, then the trigger's question."""
    user = cognito(demo, BASIC, "custom-challenge")
    srp = AWSSRP(
        username="custom-challenge",
        password=PASSWORD,
        pool_id=BASIC[0],
        client_id=BASIC[1],
        client=user.client,
    )
    started = user.client.initiate_auth(
        ClientId=BASIC[1],
        AuthFlow="CUSTOM_AUTH",
        AuthParameters={**srp.get_auth_params(), "CHALLENGE_NAME": "SRP_A"},
    )
    assert started["ChallengeName"] == "PASSWORD_VERIFIER"
    proof = srp.process_challenge(started["ChallengeParameters"], srp.get_auth_params())
    question = respond(user, started, "PASSWORD_VERIFIER", **proof)
    assert question["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert question["ChallengeParameters"]["question"] == "What is 6 times 7?"
    finish(user, respond(user, question, "CUSTOM_CHALLENGE", ANSWER="42"))
