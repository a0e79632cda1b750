"""MFA at sign-in: SMS, TOTP and email codes, MFA selection and setup, driven by boto3 (and pycognito)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from emulator.crypto import totp
from tests.helpers import PASSWORD, error_code, last_code, make_client, make_pool, make_user

SMS_CONFIG = {"SnsCallerArn": "arn:aws:iam::123456789012:role/sns", "ExternalId": "x"}


def _pool(cognito, mode="OPTIONAL", sms=True, software=True, email=True):
    pool_id = make_pool(cognito)
    config = {"UserPoolId": pool_id, "MfaConfiguration": mode}
    if sms:
        config["SmsMfaConfiguration"] = {"SmsConfiguration": SMS_CONFIG}
    if software:
        config["SoftwareTokenMfaConfiguration"] = {"Enabled": True}
    if email:
        config["EmailMfaConfiguration"] = {"Message": "Code: {####}", "Subject": "Your code"}
    cognito.set_user_pool_mfa_config(**config)
    return pool_id, make_client(cognito, pool_id)["ClientId"]


def _sign_in(cognito, client_id, username):
    return cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )


def _answer(cognito, client_id, challenge, responses):
    return cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName=challenge["ChallengeName"],
        Session=challenge["Session"],
        ChallengeResponses=responses,
    )


def _enrol_totp(cognito, client_id, username):
    tokens = _sign_in(cognito, client_id, username)["AuthenticationResult"]
    secret = cognito.associate_software_token(AccessToken=tokens["AccessToken"])["SecretCode"]
    code = totp.code_at(secret, __import__("datetime").datetime.now(__import__("datetime").UTC))
    assert (
        cognito.verify_software_token(AccessToken=tokens["AccessToken"], UserCode=code)["Status"] == "SUCCESS"
    )
    cognito.set_user_mfa_preference(
        AccessToken=tokens["AccessToken"], SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    return secret


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_sms_mfa_code_from_the_outbox(cognito, http):
    pool_id, client_id = _pool(cognito)
    make_user(
        cognito, pool_id, "sam", attributes={"phone_number": "+15555550123", "phone_number_verified": "true"}
    )
    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool_id, Username="sam", SMSMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    challenge = _sign_in(cognito, client_id, "sam")
    assert challenge["ChallengeName"] == "SMS_MFA"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "+*******0123"
    code = last_code(http, username="sam")
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ClientError) as mismatch:
        _answer(cognito, client_id, challenge, {"USERNAME": "sam", "SMS_MFA_CODE": wrong})
    assert error_code(mismatch) == "CodeMismatchException"
    done = _answer(cognito, client_id, challenge, {"USERNAME": "sam", "SMS_MFA_CODE": code})
    assert "AccessToken" in done["AuthenticationResult"]


def test_totp_mfa_and_replay(cognito):
    pool_id, client_id = _pool(cognito)
    make_user(cognito, pool_id, "tina")
    secret = _enrol_totp(cognito, client_id, "tina")
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="tina")
    assert user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    challenge = _sign_in(cognito, client_id, "tina")
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    with pytest.raises(ClientError) as wrong:
        _answer(cognito, client_id, challenge, {"USERNAME": "tina", "SOFTWARE_TOKEN_MFA_CODE": "12345"})
    assert error_code(wrong) == "CodeMismatchException"
    # The enrolment used the current step already: the same code is refused; the next step's code works.
    future = _now() + __import__("datetime").timedelta(seconds=30)
    done = _answer(
        cognito,
        client_id,
        challenge,
        {"USERNAME": "tina", "SOFTWARE_TOKEN_MFA_CODE": totp.code_at(secret, future)},
    )
    assert "AccessToken" in done["AuthenticationResult"]
    challenge = _sign_in(cognito, client_id, "tina")
    with pytest.raises(ClientError) as replay:
        _answer(
            cognito,
            client_id,
            challenge,
            {"USERNAME": "tina", "SOFTWARE_TOKEN_MFA_CODE": totp.code_at(secret, future)},
        )
    assert error_code(replay) == "CodeMismatchException"


def test_email_mfa(cognito, http):
    pool_id, client_id = _pool(cognito)
    make_user(cognito, pool_id, "emma", attributes={"email": "emma@example.com", "email_verified": "true"})
    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool_id, Username="emma", EmailMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    challenge = _sign_in(cognito, client_id, "emma")
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    message = [
        m
        for m in __import__("tests.helpers", fromlist=["messages"]).messages(http, username="emma")
        if m["code"]
    ][0]
    assert message["subject"] == "Your code" and message["body"] == f"Code: {message['code']}"
    done = _answer(cognito, client_id, challenge, {"USERNAME": "emma", "EMAIL_OTP_CODE": message["code"]})
    assert "AccessToken" in done["AuthenticationResult"]


def test_select_mfa_type(cognito, http):
    pool_id, client_id = _pool(cognito)
    make_user(
        cognito,
        pool_id,
        "sel",
        attributes={"phone_number": "+15555550100", "email": "sel@example.com", "email_verified": "true"},
    )
    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool_id,
        Username="sel",
        SMSMfaSettings={"Enabled": True},
        EmailMfaSettings={"Enabled": True},
    )
    challenge = _sign_in(cognito, client_id, "sel")
    assert challenge["ChallengeName"] == "SELECT_MFA_TYPE"
    assert json.loads(challenge["ChallengeParameters"]["MFAS_CAN_CHOOSE"]) == ["SMS_MFA", "EMAIL_OTP"]
    email = _answer(cognito, client_id, challenge, {"USERNAME": "sel", "ANSWER": "EMAIL_OTP"})
    assert email["ChallengeName"] == "EMAIL_OTP"
    done = _answer(
        cognito, client_id, email, {"USERNAME": "sel", "EMAIL_OTP_CODE": last_code(http, username="sel")}
    )
    assert "AccessToken" in done["AuthenticationResult"]


def test_mfa_setup_totp_during_sign_in(cognito):
    pool_id, client_id = _pool(cognito, mode="ON", sms=False, email=False)
    make_user(cognito, pool_id, "newbie")
    challenge = _sign_in(cognito, client_id, "newbie")
    assert challenge["ChallengeName"] == "MFA_SETUP"
    assert json.loads(challenge["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA"]
    associated = cognito.associate_software_token(Session=challenge["Session"])
    secret = associated["SecretCode"]
    with pytest.raises(ClientError) as wrong:
        cognito.verify_software_token(
            Session=associated["Session"],
            UserCode="000000" if totp.code_at(secret, _now()) != "000000" else "111111",
        )
    assert error_code(wrong) == "EnableSoftwareTokenMFAException"
    verified = cognito.verify_software_token(
        Session=associated["Session"], UserCode=totp.code_at(secret, _now())
    )
    assert verified["Status"] == "SUCCESS"
    done = cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="MFA_SETUP",
        Session=verified["Session"],
        ChallengeResponses={"USERNAME": "newbie"},
    )
    assert "AccessToken" in done["AuthenticationResult"]
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="newbie")
    assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert _sign_in(cognito, client_id, "newbie")["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_mfa_setup_email_during_sign_in(cognito, http):
    pool_id, client_id = _pool(cognito, mode="ON", sms=False, software=False)
    make_user(cognito, pool_id, "mailless")
    challenge = _sign_in(cognito, client_id, "mailless")
    assert challenge["ChallengeName"] == "MFA_SETUP"
    assert json.loads(challenge["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["EMAIL_OTP"]
    email = _answer(cognito, client_id, challenge, {"USERNAME": "mailless", "EMAIL": "mailless@example.com"})
    assert email["ChallengeName"] == "EMAIL_OTP"
    code = last_code(http, destination="mailless@example.com")
    done = _answer(cognito, client_id, email, {"USERNAME": "mailless", "EMAIL_OTP_CODE": code})
    assert "AccessToken" in done["AuthenticationResult"]
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="mailless")
    assert {"Name": "email", "Value": "mailless@example.com"} in user["UserAttributes"]
    assert _sign_in(cognito, client_id, "mailless")["ChallengeName"] == "EMAIL_OTP"


def test_required_mfa_uses_sms_for_users_with_a_phone(cognito):
    pool_id, client_id = _pool(cognito, mode="ON", email=False)
    make_user(cognito, pool_id, "phoney", attributes={"phone_number": "+15555550199"})
    assert _sign_in(cognito, client_id, "phoney")["ChallengeName"] == "SMS_MFA"


def test_too_many_wrong_codes_end_the_session(cognito, http):
    pool_id, client_id = _pool(cognito)
    make_user(cognito, pool_id, "guess", attributes={"phone_number": "+15555550124"})
    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool_id, Username="guess", SMSMfaSettings={"Enabled": True}
    )
    challenge = _sign_in(cognito, client_id, "guess")
    code = last_code(http, username="guess")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        with pytest.raises(ClientError):
            _answer(cognito, client_id, challenge, {"USERNAME": "guess", "SMS_MFA_CODE": wrong})
    with pytest.raises(ClientError) as dead:
        _answer(cognito, client_id, challenge, {"USERNAME": "guess", "SMS_MFA_CODE": code})
    assert error_code(dead) == "NotAuthorizedException"
