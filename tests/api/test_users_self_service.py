"""What users do themselves, over HTTP with boto3: password recovery, and the access-token operations
(signed in through AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH / InitiateAuth USER_PASSWORD_AUTH)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

PASSWORD = "Passw0rd!"
FLOWS = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def make_pool(cognito, **settings) -> str:
    settings.setdefault("AutoVerifiedAttributes", ["email"])
    return cognito.create_user_pool(PoolName="pool", **settings)["UserPool"]["Id"]


def make_client(cognito, pool_id, **settings) -> str:
    settings.setdefault("ExplicitAuthFlows", FLOWS)
    return cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app", **settings)[
        "UserPoolClient"
    ]["ClientId"]


def make_user(cognito, pool_id, username, **attributes) -> None:
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": name, "Value": value} for name, value in attributes.items()],
    )
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)


def sign_in(cognito, pool_id, client_id, username, password=PASSWORD) -> str:
    result = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )
    return result["AuthenticationResult"]["AccessToken"]


def messages(http, **filters) -> list[dict]:
    response = http.get("/_emulator/messages", params=filters)
    assert response.status_code == 200, response.text
    return response.json()["messages"]


def last_code(http, **filters) -> str:
    return next(message["code"] for message in messages(http, **filters) if message["code"])


def error(excinfo) -> tuple[str, str]:
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def attrs(items) -> dict[str, str]:
    return {item["Name"]: item["Value"] for item in items}


@pytest.fixture
def world(cognito):
    pool_id = make_pool(cognito)
    client_id = make_client(cognito, pool_id)
    make_user(cognito, pool_id, "amy", email="amy@example.com", email_verified="true", name="Amy")
    return pool_id, client_id


# --- access-token operations -------------------------------------------------------------------------
def test_get_user(cognito, world):
    pool_id, client_id = world
    token = sign_in(cognito, pool_id, client_id, "amy")
    user = cognito.get_user(AccessToken=token)
    assert user["Username"] == "amy"
    values = attrs(user["UserAttributes"])
    assert (
        values["email"] == "amy@example.com"
        and values["email_verified"] == "true"
        and values["name"] == "Amy"
    )
    assert "UserStatus" not in user and "Enabled" not in user
    with pytest.raises(ClientError) as excinfo:
        cognito.get_user(AccessToken="not-a-token")
    assert error(excinfo)[0] == "NotAuthorizedException"


def test_get_user_honours_read_attributes(cognito, world):
    pool_id, _ = world
    narrow = make_client(cognito, pool_id, ReadAttributes=["email"])
    values = attrs(cognito.get_user(AccessToken=sign_in(cognito, pool_id, narrow, "amy"))["UserAttributes"])
    assert set(values) == {"sub", "email"}


def test_update_attributes_and_verify_new_email(cognito, http, world):
    pool_id, client_id = world
    token = sign_in(cognito, pool_id, client_id, "amy")
    result = cognito.update_user_attributes(
        AccessToken=token,
        UserAttributes=[{"Name": "name", "Value": "Amy B"}, {"Name": "email", "Value": "amy.b@example.com"}],
    )
    assert result["CodeDeliveryDetailsList"] == [
        {"Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    ]
    values = attrs(cognito.get_user(AccessToken=token)["UserAttributes"])
    assert values["name"] == "Amy B" and values["email"] == "amy.b@example.com"
    assert values["email_verified"] == "false"
    [message] = messages(http, pool_id=pool_id)
    assert message["destination"] == "amy.b@example.com" and message["purpose"] == "VERIFY_ATTRIBUTE:email"
    wrong = "000000" if message["code"] != "000000" else "111111"
    with pytest.raises(ClientError) as excinfo:
        cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=wrong)
    assert error(excinfo)[0] == "CodeMismatchException"
    cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=message["code"])
    assert attrs(cognito.get_user(AccessToken=token)["UserAttributes"])["email_verified"] == "true"
    with pytest.raises(ClientError) as excinfo:
        cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=message["code"])
    assert error(excinfo)[0] == "ExpiredCodeException"
    # Users cannot mark their own attributes verified, nor write unknown ones.
    with pytest.raises(ClientError) as excinfo:
        cognito.update_user_attributes(
            AccessToken=token, UserAttributes=[{"Name": "email_verified", "Value": "true"}]
        )
    assert error(excinfo) == ("NotAuthorizedException", "A client attempted to write unauthorized attribute")


def test_keep_verified_email_until_the_new_one_is_verified(cognito, http):
    pool_id = make_pool(
        cognito, UserAttributeUpdateSettings={"AttributesRequireVerificationBeforeUpdate": ["email"]}
    )
    client_id = make_client(cognito, pool_id)
    make_user(cognito, pool_id, "ben", email="ben@example.com", email_verified="true")
    token = sign_in(cognito, pool_id, client_id, "ben")
    cognito.update_user_attributes(
        AccessToken=token, UserAttributes=[{"Name": "email", "Value": "new@example.com"}]
    )
    values = attrs(cognito.get_user(AccessToken=token)["UserAttributes"])
    assert values["email"] == "ben@example.com" and values["email_verified"] == "true"
    # Asking again sends a fresh code to the waiting address.
    again = cognito.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    assert again["CodeDeliveryDetails"]["Destination"] == "n***@e***"
    code = last_code(http, pool_id=pool_id, destination="new@example.com")
    cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)
    values = attrs(cognito.get_user(AccessToken=token)["UserAttributes"])
    assert values["email"] == "new@example.com" and values["email_verified"] == "true"


def test_verify_phone_number(cognito, http, world):
    pool_id, client_id = world
    token = sign_in(cognito, pool_id, client_id, "amy")
    cognito.update_user_attributes(
        AccessToken=token, UserAttributes=[{"Name": "phone_number", "Value": "+15555550199"}]
    )
    # phone_number is not auto-verified in this pool: no code until asked.
    assert messages(http, pool_id=pool_id) == []
    sent = cognito.get_user_attribute_verification_code(AccessToken=token, AttributeName="phone_number")
    assert sent["CodeDeliveryDetails"] == {
        "Destination": "+*******0199",
        "DeliveryMedium": "SMS",
        "AttributeName": "phone_number",
    }
    cognito.verify_user_attribute(
        AccessToken=token, AttributeName="phone_number", Code=last_code(http, pool_id=pool_id, channel="SMS")
    )
    assert attrs(cognito.get_user(AccessToken=token)["UserAttributes"])["phone_number_verified"] == "true"
    with pytest.raises(ClientError) as excinfo:
        cognito.get_user_attribute_verification_code(AccessToken=token, AttributeName="name")
    assert error(excinfo)[0] == "InvalidParameterException"


def test_delete_attributes(cognito, world):
    pool_id, client_id = world
    token = sign_in(cognito, pool_id, client_id, "amy")
    cognito.delete_user_attributes(AccessToken=token, UserAttributeNames=["name"])
    assert "name" not in attrs(cognito.get_user(AccessToken=token)["UserAttributes"])
    with pytest.raises(ClientError) as excinfo:
        cognito.delete_user_attributes(AccessToken=token, UserAttributeNames=["sub"])
    assert error(excinfo) == ("NotAuthorizedException", "A client attempted to write unauthorized attribute")


def test_change_password(cognito, world):
    pool_id, client_id = world
    token = sign_in(cognito, pool_id, client_id, "amy")
    with pytest.raises(ClientError) as excinfo:
        cognito.change_password(
            AccessToken=token, PreviousPassword="Wrong0ne!", ProposedPassword="N3w-password"
        )
    assert error(excinfo) == ("NotAuthorizedException", "Incorrect username or password.")
    with pytest.raises(ClientError) as excinfo:
        cognito.change_password(AccessToken=token, PreviousPassword=PASSWORD, ProposedPassword="weakpassword")
    assert error(excinfo)[0] == "InvalidPasswordException"
    cognito.change_password(AccessToken=token, PreviousPassword=PASSWORD, ProposedPassword="N3w-password")
    result = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "amy", "PASSWORD": "N3w-password"},
    )
    assert "AccessToken" in result["AuthenticationResult"]
    with pytest.raises(ClientError) as excinfo:
        sign_in(cognito, pool_id, client_id, "amy", PASSWORD)
    assert error(excinfo)[0] == "NotAuthorizedException"


def test_delete_user(cognito, world):
    pool_id, client_id = world
    token = sign_in(cognito, pool_id, client_id, "amy")
    cognito.delete_user(AccessToken=token)
    with pytest.raises(ClientError) as excinfo:
        cognito.admin_get_user(UserPoolId=pool_id, Username="amy")
    assert error(excinfo) == ("UserNotFoundException", "User does not exist.")
    with pytest.raises(ClientError) as excinfo:
        cognito.get_user(AccessToken=token)
    assert error(excinfo)[0] in ("UserNotFoundException", "NotAuthorizedException")


def test_global_sign_out_and_disable_revoke_tokens(cognito, world):
    pool_id, client_id = world
    token = sign_in(cognito, pool_id, client_id, "amy")
    cognito.admin_user_global_sign_out(UserPoolId=pool_id, Username="amy")
    with pytest.raises(ClientError) as excinfo:
        cognito.get_user(AccessToken=token)
    assert error(excinfo) == ("NotAuthorizedException", "Access Token has been revoked")
    token = sign_in(cognito, pool_id, client_id, "amy")
    cognito.admin_disable_user(UserPoolId=pool_id, Username="amy")
    with pytest.raises(ClientError) as excinfo:
        cognito.get_user(AccessToken=token)
    assert error(excinfo)[0] == "NotAuthorizedException"
    cognito.admin_enable_user(UserPoolId=pool_id, Username="amy")
    with pytest.raises(ClientError) as excinfo:
        cognito.get_user(AccessToken=token)
    assert error(excinfo) == ("NotAuthorizedException", "Access Token has been revoked")
    cognito.get_user(AccessToken=sign_in(cognito, pool_id, client_id, "amy"))


# --- password recovery -------------------------------------------------------------------------------
def test_forgot_password(cognito, http, world, server):
    pool_id, client_id = world
    result = cognito.forgot_password(ClientId=client_id, Username="amy")
    assert result["CodeDeliveryDetails"] == {
        "Destination": "a***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    [message] = messages(http, pool_id=pool_id)
    assert message["purpose"] == "FORGOT_PASSWORD" and message["destination"] == "amy@example.com"
    code = message["code"]
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ClientError) as excinfo:
        cognito.confirm_forgot_password(
            ClientId=client_id, Username="amy", ConfirmationCode=wrong, Password="N3w-pass!"
        )
    assert error(excinfo) == (
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    )
    with pytest.raises(ClientError) as excinfo:
        cognito.confirm_forgot_password(
            ClientId=client_id, Username="amy", ConfirmationCode=code, Password="weak"
        )
    assert error(excinfo)[0] == "InvalidPasswordException"
    cognito.confirm_forgot_password(
        ClientId=client_id, Username="amy", ConfirmationCode=code, Password="N3w-pass!"
    )
    with pytest.raises(ClientError) as excinfo:
        cognito.confirm_forgot_password(
            ClientId=client_id, Username="amy", ConfirmationCode=code, Password="0ther-pass!"
        )
    assert error(excinfo) == ("ExpiredCodeException", "Invalid code provided, please request a code again.")
    sign_in(cognito, pool_id, client_id, "amy", "N3w-pass!")

    # A reset code lives one hour.
    cognito.forgot_password(ClientId=client_id, Username="amy")
    code = last_code(http, pool_id=pool_id)
    server.emulator.set_clock_offset(3601)
    with pytest.raises(ClientError) as excinfo:
        cognito.confirm_forgot_password(
            ClientId=client_id, Username="amy", ConfirmationCode=code, Password="0ther-pass!"
        )
    assert error(excinfo)[0] == "ExpiredCodeException"


def test_forgot_password_without_a_code_requested(cognito, world):
    _pool_id, client_id = world
    with pytest.raises(ClientError) as excinfo:
        cognito.confirm_forgot_password(
            ClientId=client_id, Username="amy", ConfirmationCode="123456", Password="N3w-pass!"
        )
    assert error(excinfo)[0] == "ExpiredCodeException"


def test_forgot_password_refusals(cognito, world):
    pool_id, client_id = world
    cognito.admin_create_user(
        UserPoolId=pool_id, Username="noemail", MessageAction="SUPPRESS", TemporaryPassword=PASSWORD
    )
    with pytest.raises(ClientError) as excinfo:
        cognito.forgot_password(ClientId=client_id, Username="noemail")
    assert error(excinfo) == ("NotAuthorizedException", "User password cannot be reset in the current state.")
    make_user(cognito, pool_id, "unverified", email="u@example.com")
    with pytest.raises(ClientError) as excinfo:
        cognito.forgot_password(ClientId=client_id, Username="unverified")
    assert error(excinfo) == (
        "InvalidParameterException",
        "Cannot reset password for the user as there is no registered/verified email or phone_number",
    )
    with pytest.raises(ClientError) as excinfo:
        cognito.forgot_password(ClientId=client_id, Username="ghost")
    assert error(excinfo) == ("UserNotFoundException", "User does not exist.")
    hiding = make_client(cognito, pool_id, PreventUserExistenceErrors="ENABLED")
    assert cognito.forgot_password(ClientId=hiding, Username="ghost")["CodeDeliveryDetails"]["DeliveryMedium"]
    assert cognito.forgot_password(ClientId=hiding, Username="unverified")["CodeDeliveryDetails"]
    with pytest.raises(ClientError) as excinfo:
        cognito.confirm_forgot_password(
            ClientId=hiding, Username="ghost", ConfirmationCode="123456", Password="N3w-pass!"
        )
    assert error(excinfo)[0] == "CodeMismatchException"
    for _ in range(4):
        cognito.forgot_password(ClientId=client_id, Username="amy")
    cognito.forgot_password(ClientId=client_id, Username="amy")
    with pytest.raises(ClientError) as excinfo:
        cognito.forgot_password(ClientId=client_id, Username="amy")
    assert error(excinfo) == ("LimitExceededException", "Attempt limit exceeded, please try after some time.")


def test_recovery_settings(cognito, http):
    pool_id = make_pool(
        cognito,
        AccountRecoverySetting={
            "RecoveryMechanisms": [
                {"Name": "verified_phone_number", "Priority": 2},
                {"Name": "verified_email", "Priority": 1},
            ]
        },
    )
    client_id = make_client(cognito, pool_id)
    make_user(
        cognito,
        pool_id,
        "cy",
        email="cy@example.com",
        email_verified="true",
        phone_number="+15555550111",
        phone_number_verified="true",
    )
    assert (
        cognito.forgot_password(ClientId=client_id, Username="cy")["CodeDeliveryDetails"]["DeliveryMedium"]
        == "EMAIL"
    )
    legacy = make_pool(cognito)
    legacy_client = make_client(cognito, legacy)
    make_user(
        cognito,
        legacy,
        "cy",
        email="cy@example.com",
        email_verified="true",
        phone_number="+15555550111",
        phone_number_verified="true",
    )
    # Without a setting, a verified phone number comes first.
    assert (
        cognito.forgot_password(ClientId=legacy_client, Username="cy")["CodeDeliveryDetails"][
            "DeliveryMedium"
        ]
        == "SMS"
    )
    admin_only = make_pool(
        cognito, AccountRecoverySetting={"RecoveryMechanisms": [{"Name": "admin_only", "Priority": 1}]}
    )
    admin_client = make_client(cognito, admin_only)
    make_user(cognito, admin_only, "cy", email="cy@example.com", email_verified="true")
    with pytest.raises(ClientError) as excinfo:
        cognito.forgot_password(ClientId=admin_client, Username="cy")
    assert error(excinfo) == ("NotAuthorizedException", "Contact administrator to reset password.")
