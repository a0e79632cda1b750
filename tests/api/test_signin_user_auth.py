"""USER_AUTH (choice-based sign-in): preferred first factors, SELECT_CHALLENGE, passwordless codes."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from tests.conftest import make_boto_client
from tests.helpers import PASSWORD, error_code, last_code, make_client, make_pool, make_user

FACTORS = ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]


@pytest.fixture
def world(cognito):
    pool_id = make_pool(cognito, Policies={"SignInPolicy": {"AllowedFirstAuthFactors": FACTORS}})
    client_id = make_client(cognito, pool_id)["ClientId"]
    make_user(
        cognito,
        pool_id,
        "pat",
        attributes={"email": "pat@example.com", "email_verified": "true", "phone_number": "+15555550111"},
    )
    return pool_id, client_id


def _start(cognito, client_id, **parameters):
    return cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "pat", **parameters}
    )


def _answer(cognito, client_id, challenge, name, responses):
    return cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName=name,
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "pat", **responses},
    )


def test_select_challenge_lists_what_the_user_can_do(cognito, world):
    _pool_id, client_id = world
    challenge = _start(cognito, client_id)
    assert challenge["ChallengeName"] == "SELECT_CHALLENGE"
    assert challenge["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]


def test_select_password(cognito, world):
    _pool_id, client_id = world
    challenge = _start(cognito, client_id)
    with pytest.raises(ClientError) as wrong:
        _answer(
            cognito, client_id, challenge, "SELECT_CHALLENGE", {"ANSWER": "PASSWORD", "PASSWORD": "Nope-1234"}
        )
    assert error_code(wrong) == "NotAuthorizedException"
    done = _answer(
        cognito, client_id, challenge, "SELECT_CHALLENGE", {"ANSWER": "PASSWORD", "PASSWORD": PASSWORD}
    )
    assert "AccessToken" in done["AuthenticationResult"]


def test_select_password_srp(cognito, world, endpoint):
    pool_id, client_id = world
    srp = AWSSRP(
        username="pat",
        password=PASSWORD,
        pool_id=pool_id,
        client_id=client_id,
        client=make_boto_client(endpoint),
    )
    challenge = _start(cognito, client_id)
    verifier = _answer(
        cognito,
        client_id,
        challenge,
        "SELECT_CHALLENGE",
        {"ANSWER": "PASSWORD_SRP", "SRP_A": srp.get_auth_params()["SRP_A"]},
    )
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    answer = srp.process_challenge(verifier["ChallengeParameters"], {"USERNAME": "pat"})
    done = cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="PASSWORD_VERIFIER",
        Session=verifier["Session"],
        ChallengeResponses=answer,
    )
    assert "AccessToken" in done["AuthenticationResult"]


@pytest.mark.parametrize(
    ("factor", "response_key", "destination"),
    [
        ("EMAIL_OTP", "EMAIL_OTP_CODE", "pat@example.com"),
        ("SMS_OTP", "SMS_OTP_CODE", "+15555550111"),
    ],
)
def test_passwordless_codes(cognito, http, world, factor, response_key, destination):
    _pool_id, client_id = world
    challenge = _start(cognito, client_id, PREFERRED_CHALLENGE=factor)
    assert challenge["ChallengeName"] == factor
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == (
        "EMAIL" if factor == "EMAIL_OTP" else "SMS"
    )
    code = last_code(http, destination=destination)
    with pytest.raises(ClientError) as wrong:
        _answer(
            cognito, client_id, challenge, factor, {response_key: "000000" if code != "000000" else "111111"}
        )
    assert error_code(wrong) == "CodeMismatchException"
    done = _answer(cognito, client_id, challenge, factor, {response_key: code})
    assert "AccessToken" in done["AuthenticationResult"]


def test_preferred_password_in_one_step(cognito, world):
    _pool_id, client_id = world
    done = _start(cognito, client_id, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    assert "AccessToken" in done["AuthenticationResult"]


def test_otp_first_factors_need_the_pool_setting(cognito):
    pool_id = make_pool(cognito)
    client_id = make_client(cognito, pool_id)["ClientId"]
    make_user(cognito, pool_id, "pat", attributes={"email": "pat@example.com"})
    challenge = _start(cognito, client_id, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert challenge["ChallengeName"] == "SELECT_CHALLENGE"
    assert challenge["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]


def test_user_auth_must_be_allowed_for_the_client(cognito):
    pool_id = make_pool(cognito)
    client_id = make_client(
        cognito, pool_id, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["ClientId"]
    with pytest.raises(ClientError) as excinfo:
        _start(cognito, client_id)
    assert error_code(excinfo) == "InvalidParameterException"
