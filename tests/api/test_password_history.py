"""The password policy's PasswordHistorySize and the legacy (Admin)SetUserSettings, with boto3 over HTTP."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.helpers import PASSWORD, error_code, error_of, make_client, make_pool, make_user

POLICY = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
}


def history_pool(cognito, size: int, **settings) -> str:
    return make_pool(
        cognito, Policies={"PasswordPolicy": {**POLICY, "PasswordHistorySize": size}}, **settings
    )


def set_password(cognito, pool_id: str, password: str) -> None:
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password=password, Permanent=True)


def test_the_n_most_recent_passwords_cannot_be_set_again(cognito):
    pool_id = history_pool(cognito, 3)
    policy = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Policies"]["PasswordPolicy"]
    assert policy["PasswordHistorySize"] == 3
    make_user(cognito, pool_id, "alice", password="Passw0rd!1")
    set_password(cognito, pool_id, "Passw0rd!2")
    set_password(cognito, pool_id, "Passw0rd!3")
    for reused in ("Passw0rd!1", "Passw0rd!2", "Passw0rd!3"):
        with pytest.raises(ClientError) as caught:
            set_password(cognito, pool_id, reused)
        assert error_code(caught) == "PasswordHistoryPolicyViolationException"
    set_password(cognito, pool_id, "Passw0rd!4")
    # "Passw0rd!1" is now the fourth most recent: allowed again.
    set_password(cognito, pool_id, "Passw0rd!1")

    # ChangePassword obeys it too.
    client_id = make_client(cognito, pool_id)["ClientId"]
    token = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": "Passw0rd!1"},
    )["AuthenticationResult"]["AccessToken"]
    with pytest.raises(ClientError) as caught:
        cognito.change_password(
            AccessToken=token, PreviousPassword="Passw0rd!1", ProposedPassword="Passw0rd!4"
        )
    assert error_code(caught) == "PasswordHistoryPolicyViolationException"
    cognito.change_password(AccessToken=token, PreviousPassword="Passw0rd!1", ProposedPassword="Passw0rd!5")


def test_a_history_of_one_only_refuses_the_current_password(cognito):
    pool_id = history_pool(cognito, 1)
    make_user(cognito, pool_id, "alice")
    with pytest.raises(ClientError) as caught:
        set_password(cognito, pool_id, PASSWORD)
    assert error_code(caught) == "PasswordHistoryPolicyViolationException"
    set_password(cognito, pool_id, "Other0ne!")
    set_password(cognito, pool_id, PASSWORD)


def test_no_history_by_default_and_none_in_the_lite_tier(cognito):
    pool_id = history_pool(cognito, 0)
    policy = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Policies"]["PasswordPolicy"]
    assert "PasswordHistorySize" not in policy
    make_user(cognito, pool_id, "alice")
    set_password(cognito, pool_id, PASSWORD)
    with pytest.raises(ClientError) as caught:
        history_pool(cognito, 2, UserPoolTier="LITE")
    assert error_code(caught) == "FeatureUnavailableInTierException"


def test_legacy_sms_mfa_options_are_set_and_shown(cognito):
    pool_id = make_pool(cognito)
    client_id = make_client(cognito, pool_id)["ClientId"]
    make_user(cognito, pool_id, "alice", attributes={"phone_number": "+15555550100"})
    make_user(cognito, pool_id, "bob")
    sms = [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]

    cognito.admin_set_user_settings(UserPoolId=pool_id, Username="alice", MFAOptions=sms)
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="alice")
    assert user["MFAOptions"] == sms
    assert user["UserMFASettingList"] == ["SMS_MFA"]

    token = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "bob", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["AccessToken"]
    assert "MFAOptions" not in cognito.get_user(AccessToken=token)
    with pytest.raises(ClientError) as caught:
        cognito.set_user_settings(AccessToken=token, MFAOptions=sms)
    assert error_code(caught) == "InvalidParameterException"  # bob has no phone number
    cognito.set_user_settings(AccessToken=token, MFAOptions=[])

    cognito.admin_set_user_settings(UserPoolId=pool_id, Username="alice", MFAOptions=[])
    assert "MFAOptions" not in cognito.admin_get_user(UserPoolId=pool_id, Username="alice")
    with pytest.raises(ClientError) as caught:
        cognito.admin_set_user_settings(
            UserPoolId=pool_id,
            Username="alice",
            MFAOptions=[{"DeliveryMedium": "EMAIL", "AttributeName": "email"}],
        )
    assert error_code(caught) == "InvalidParameterException"
    with pytest.raises(ClientError) as caught:
        cognito.admin_set_user_settings(UserPoolId=pool_id, Username="nobody", MFAOptions=[])
    assert error_of(caught) == ("UserNotFoundException", "User does not exist.")
    with pytest.raises(ClientError) as caught:
        cognito.set_user_settings(AccessToken="not.a.token", MFAOptions=[])
    assert error_code(caught) == "NotAuthorizedException"
