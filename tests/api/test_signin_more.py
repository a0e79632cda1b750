"""More sign-in paths: legacy ADMIN_NO_SRP_AUTH, the Admin challenge API, MFA preferences by access token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError

from emulator.crypto import totp
from tests.helpers import PASSWORD, error_code, make_client, make_pool, make_user


def test_legacy_admin_no_srp_auth(cognito):
    pool_id = make_pool(cognito)
    client_id = make_client(cognito, pool_id, ExplicitAuthFlows=["ADMIN_NO_SRP_AUTH"])["ClientId"]
    make_user(cognito, pool_id, "old")
    result = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_NO_SRP_AUTH",
        AuthParameters={"USERNAME": "old", "PASSWORD": PASSWORD},
    )
    assert "AccessToken" in result["AuthenticationResult"]


def test_admin_respond_to_auth_challenge(cognito):
    pool_id = make_pool(cognito)
    client_id = make_client(cognito, pool_id)["ClientId"]
    make_user(cognito, pool_id, "temp", password="Temp0rary!", permanent=False)
    challenge = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "temp", "PASSWORD": "Temp0rary!"},
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    other_pool = make_pool(cognito)
    other_client = make_client(cognito, other_pool)["ClientId"]
    with pytest.raises(ClientError) as wrong_client:
        cognito.admin_respond_to_auth_challenge(
            UserPoolId=other_pool,
            ClientId=other_client,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=challenge["Session"],
            ChallengeResponses={"USERNAME": "temp", "NEW_PASSWORD": "N3w-password!"},
        )
    assert error_code(wrong_client) == "NotAuthorizedException"
    done = cognito.admin_respond_to_auth_challenge(
        UserPoolId=pool_id,
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "temp", "NEW_PASSWORD": "N3w-password!"},
    )
    assert "AccessToken" in done["AuthenticationResult"]


def test_mfa_preference_by_access_token_and_admin_delete_software_token(cognito):
    pool_id = make_pool(cognito)
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration="OPTIONAL", SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    client_id = make_client(cognito, pool_id)["ClientId"]
    make_user(cognito, pool_id, "tess")

    def sign_in():
        return cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "tess", "PASSWORD": PASSWORD},
        )

    access = sign_in()["AuthenticationResult"]["AccessToken"]
    with pytest.raises(ClientError) as not_set_up:
        cognito.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True})
    assert error_code(not_set_up) == "SoftwareTokenMFANotFoundException"
    secret = cognito.associate_software_token(AccessToken=access)["SecretCode"]
    assert len(secret) >= 16
    with pytest.raises(ClientError) as mismatch:
        cognito.verify_software_token(AccessToken=access, UserCode="12345x")
    assert error_code(mismatch) in ("EnableSoftwareTokenMFAException", "InvalidParameterException")
    cognito.verify_software_token(AccessToken=access, UserCode=totp.code_at(secret, datetime.now(UTC)))
    # Verified but not yet enabled: sign-in still needs no code.
    assert "AuthenticationResult" in sign_in()
    cognito.set_user_mfa_preference(
        AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    me = cognito.get_user(AccessToken=access)
    assert me["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA" and me["UserMFASettingList"] == [
        "SOFTWARE_TOKEN_MFA"
    ]
    challenge = sign_in()
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    later = totp.code_at(secret, datetime.now(UTC) + timedelta(seconds=30))
    cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "tess", "SOFTWARE_TOKEN_MFA_CODE": later},
    )
    cognito.admin_delete_software_token(UserPoolId=pool_id, Username="tess")
    assert "AuthenticationResult" in sign_in()
    with pytest.raises(ClientError) as gone:
        cognito.admin_delete_software_token(UserPoolId=pool_id, Username="tess")
    assert error_code(gone) == "SoftwareTokenMFANotFoundException"
