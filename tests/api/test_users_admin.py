"""Admin* user operations over HTTP with boto3: create (invitation in the outbox), get, delete, confirm,
passwords, attributes, enable/disable, sign-out."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

PASSWORD = "Passw0rd!"


def make_pool(cognito, **settings) -> str:
    return cognito.create_user_pool(PoolName="pool", **settings)["UserPool"]["Id"]


def messages(http, **filters) -> list[dict]:
    response = http.get("/_emulator/messages", params=filters)
    assert response.status_code == 200, response.text
    return response.json()["messages"]


def error(excinfo) -> tuple[str, str]:
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def attrs(items) -> dict[str, str]:
    return {item["Name"]: item["Value"] for item in items}


def test_admin_create_user_with_temporary_password(cognito, http):
    pool_id = make_pool(cognito)
    user = cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="alice",
        TemporaryPassword=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}, {"Name": "name", "Value": "Alice"}],
        DesiredDeliveryMediums=["EMAIL"],
    )["User"]
    assert user["Username"] == "alice"
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert user["Enabled"] is True
    values = attrs(user["Attributes"])
    assert values["email"] == "alice@example.com" and values["name"] == "Alice"
    assert re.fullmatch(r"[0-9a-f-]{36}", values["sub"])
    [invite] = messages(http, pool_id=pool_id)
    assert invite["channel"] == "EMAIL" and invite["destination"] == "alice@example.com"
    assert invite["purpose"] == "INVITATION"
    assert invite["subject"] == "Your temporary password"
    assert invite["body"] == f"Your username is alice and temporary password is {PASSWORD}. "

    got = cognito.admin_get_user(UserPoolId=pool_id, Username="alice")
    assert got["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert attrs(got["UserAttributes"])["sub"] == values["sub"]
    assert "UserMFASettingList" not in got


def test_generated_temporary_password_meets_the_policy_and_custom_template(cognito, http):
    pool_id = make_pool(
        cognito,
        AdminCreateUserConfig={
            "InviteMessageTemplate": {
                "EmailMessage": "Hi {username}, use {####}",
                "EmailSubject": "Welcome",
                "SMSMessage": "{username} {####}",
            }
        },
    )
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="bob",
        UserAttributes=[
            {"Name": "email", "Value": "bob@example.com"},
            {"Name": "phone_number", "Value": "+15555550100"},
        ],
        DesiredDeliveryMediums=["EMAIL", "SMS"],
    )
    sent = messages(http, pool_id=pool_id)
    assert {message["channel"] for message in sent} == {"EMAIL", "SMS"}
    email = next(message for message in sent if message["channel"] == "EMAIL")
    assert email["subject"] == "Welcome"
    password = re.fullmatch(r"Hi bob, use (\S+)", email["body"]).group(1)
    assert len(password) >= 8
    assert re.search("[A-Z]", password) and re.search("[a-z]", password) and re.search("[0-9]", password)
    sms = next(message for message in sent if message["channel"] == "SMS")
    assert sms["body"] == f"bob {password}" and sms["subject"] is None


def test_default_medium_is_sms_and_suppress_sends_nothing(cognito, http):
    pool_id = make_pool(cognito)
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="carol",
        UserAttributes=[{"Name": "phone_number", "Value": "+15555550101"}],
    )
    [sms] = messages(http, pool_id=pool_id)
    assert sms["channel"] == "SMS" and sms["destination"] == "+15555550101"
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="dave",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "dave@example.com"}],
    )
    assert len(messages(http, pool_id=pool_id)) == 1
    with pytest.raises(ClientError) as excinfo:
        cognito.admin_create_user(UserPoolId=pool_id, Username="erin", DesiredDeliveryMediums=["EMAIL"])
    assert error(excinfo) == (
        "InvalidParameterException",
        "No email provided but desired delivery medium was Email",
    )


def test_resend_invitation_replaces_the_temporary_password(cognito, http):
    pool_id = make_pool(cognito)
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="frank",
        TemporaryPassword=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "frank@example.com"}],
        DesiredDeliveryMediums=["EMAIL"],
    )
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="frank",
        MessageAction="RESEND",
        TemporaryPassword="Other0ne!",
        DesiredDeliveryMediums=["EMAIL"],
    )
    newest = messages(http, pool_id=pool_id)[0]
    assert "Other0ne!" in newest["body"]
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="frank", Password=PASSWORD, Permanent=True)
    with pytest.raises(ClientError) as excinfo:
        cognito.admin_create_user(UserPoolId=pool_id, Username="frank", MessageAction="RESEND")
    assert error(excinfo)[0] == "UnsupportedUserStateException"
    with pytest.raises(ClientError) as excinfo:
        cognito.admin_create_user(UserPoolId=pool_id, Username="nobody", MessageAction="RESEND")
    assert error(excinfo) == ("UserNotFoundException", "User does not exist.")


def test_username_exists_and_password_policy(cognito):
    pool_id = make_pool(
        cognito,
        Policies={"PasswordPolicy": {"MinimumLength": 10, "RequireSymbols": False}},
    )
    cognito.admin_create_user(UserPoolId=pool_id, Username="gina", MessageAction="SUPPRESS")
    with pytest.raises(ClientError) as excinfo:
        cognito.admin_create_user(UserPoolId=pool_id, Username="gina", MessageAction="SUPPRESS")
    assert error(excinfo) == ("UsernameExistsException", "User already exists")
    cases = {
        "Short1Aa": "Password not long enough",
        "NOLOWERCASE123": "Password must have lowercase characters",
        "nouppercase123": "Password must have uppercase characters",
        "NoNumbersHere": "Password must have numeric characters",
    }
    for password, problem in cases.items():
        with pytest.raises(ClientError) as excinfo:
            cognito.admin_set_user_password(
                UserPoolId=pool_id, Username="gina", Password=password, Permanent=True
            )
        assert error(excinfo) == (
            "InvalidPasswordException",
            f"Password did not conform with policy: {problem}",
        )
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username="gina", Password="NoSymbols123", Permanent=True
    )


def test_symbols_required_by_default(cognito):
    pool_id = make_pool(cognito)
    with pytest.raises(ClientError) as excinfo:
        cognito.admin_create_user(UserPoolId=pool_id, Username="hank", TemporaryPassword="Passw0rdd")
    assert error(excinfo) == (
        "InvalidPasswordException",
        "Password did not conform with policy: Password must have symbol characters",
    )
    cognito.admin_create_user(
        UserPoolId=pool_id, Username="hank", TemporaryPassword="Pass~w0rd", MessageAction="SUPPRESS"
    )


def test_get_delete_and_missing_users(cognito):
    pool_id = make_pool(cognito)
    cognito.admin_create_user(UserPoolId=pool_id, Username="ivy", MessageAction="SUPPRESS")
    sub = attrs(cognito.admin_get_user(UserPoolId=pool_id, Username="ivy")["UserAttributes"])["sub"]
    # Admin calls also accept the sub.
    assert cognito.admin_get_user(UserPoolId=pool_id, Username=sub)["Username"] == "ivy"
    cognito.admin_delete_user(UserPoolId=pool_id, Username="ivy")
    for call in (cognito.admin_get_user, cognito.admin_delete_user, cognito.admin_disable_user):
        with pytest.raises(ClientError) as excinfo:
            call(UserPoolId=pool_id, Username="ivy")
        assert error(excinfo) == ("UserNotFoundException", "User does not exist.")
    with pytest.raises(ClientError) as excinfo:
        cognito.admin_get_user(UserPoolId="us-east-1_nopenope1", Username="ivy")
    assert error(excinfo)[0] == "ResourceNotFoundException"


def test_case_insensitive_pool(cognito):
    pool_id = make_pool(cognito, UsernameConfiguration={"CaseSensitive": False})
    cognito.admin_create_user(UserPoolId=pool_id, Username="Jack", MessageAction="SUPPRESS")
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="jACK")["Username"] == "Jack"
    with pytest.raises(ClientError) as excinfo:
        cognito.admin_create_user(UserPoolId=pool_id, Username="JACK", MessageAction="SUPPRESS")
    assert error(excinfo)[0] == "UsernameExistsException"
    sensitive = make_pool(cognito)
    cognito.admin_create_user(UserPoolId=sensitive, Username="Jack", MessageAction="SUPPRESS")
    cognito.admin_create_user(UserPoolId=sensitive, Username="jack", MessageAction="SUPPRESS")
    with pytest.raises(ClientError):
        cognito.admin_get_user(UserPoolId=sensitive, Username="JACK")


def test_email_as_username(cognito, http):
    pool_id = make_pool(cognito, UsernameAttributes=["email"])
    user = cognito.admin_create_user(
        UserPoolId=pool_id, Username="kim@example.com", DesiredDeliveryMediums=["EMAIL"]
    )["User"]
    values = attrs(user["Attributes"])
    assert user["Username"] == values["sub"]
    assert values["email"] == "kim@example.com"
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="kim@example.com")["Username"] == values["sub"]
    assert "Your username is kim@example.com and" in messages(http, pool_id=pool_id)[0]["body"]
    with pytest.raises(ClientError) as excinfo:
        cognito.admin_create_user(UserPoolId=pool_id, Username="kim@example.com", MessageAction="SUPPRESS")
    assert error(excinfo) == ("UsernameExistsException", "An account with the given email already exists.")
    with pytest.raises(ClientError) as excinfo:
        cognito.admin_create_user(UserPoolId=pool_id, Username="not-an-email", MessageAction="SUPPRESS")
    assert error(excinfo) == ("InvalidParameterException", "Username should be an email.")
    both = make_pool(cognito, UsernameAttributes=["email", "phone_number"])
    with pytest.raises(ClientError) as excinfo:
        cognito.admin_create_user(UserPoolId=both, Username="plain", MessageAction="SUPPRESS")
    assert error(excinfo) == (
        "InvalidParameterException",
        "Username should be either an email or a phone number.",
    )
    by_phone = cognito.admin_create_user(UserPoolId=both, Username="+15555550123", MessageAction="SUPPRESS")[
        "User"
    ]
    assert attrs(by_phone["Attributes"])["phone_number"] == "+15555550123"


def test_aliases(cognito):
    pool_id = make_pool(cognito, AliasAttributes=["email", "preferred_username"])
    with pytest.raises(ClientError) as excinfo:
        cognito.admin_create_user(UserPoolId=pool_id, Username="lee@example.com", MessageAction="SUPPRESS")
    assert error(excinfo) == (
        "InvalidParameterException",
        "Username cannot be of email format, since user pool is configured for email alias.",
    )
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="lee",
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": "lee@example.com"},
            {"Name": "email_verified", "Value": "true"},
            {"Name": "preferred_username", "Value": "leeroy"},
        ],
    )
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="lee@example.com")["Username"] == "lee"
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="leeroy")["Username"] == "lee"
    # An unverified email is no alias.
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="max",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "max@example.com"}],
    )
    with pytest.raises(ClientError):
        cognito.admin_get_user(UserPoolId=pool_id, Username="max@example.com")
    # A verified email of another user is taken...
    with pytest.raises(ClientError) as excinfo:
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username="ned",
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "email", "Value": "lee@example.com"},
                {"Name": "email_verified", "Value": "true"},
            ],
        )
    assert error(excinfo) == ("AliasExistsException", "An account with the given email already exists.")
    # ...unless ForceAliasCreation moves it.
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="ned",
        MessageAction="SUPPRESS",
        ForceAliasCreation=True,
        UserAttributes=[
            {"Name": "email", "Value": "lee@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="lee@example.com")["Username"] == "ned"
    lee = attrs(cognito.admin_get_user(UserPoolId=pool_id, Username="lee")["UserAttributes"])
    assert lee["email_verified"] == "false"


def test_confirm_sign_up_and_set_password(cognito):
    pool_id = make_pool(cognito)
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app")["UserPoolClient"][
        "ClientId"
    ]
    cognito.sign_up(ClientId=client_id, Username="olga", Password=PASSWORD)
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="olga")["UserStatus"] == "UNCONFIRMED"
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username="olga")
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="olga")["UserStatus"] == "CONFIRMED"
    with pytest.raises(ClientError) as excinfo:
        cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username="olga")
    assert error(excinfo) == (
        "NotAuthorizedException",
        "User cannot be confirmed. Current status is CONFIRMED",
    )
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username="olga", Password="Temp0rary!", Permanent=False
    )
    assert (
        cognito.admin_get_user(UserPoolId=pool_id, Username="olga")["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    )
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="olga", Password=PASSWORD, Permanent=True)
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="olga")["UserStatus"] == "CONFIRMED"


def test_reset_user_password(cognito, http):
    pool_id = make_pool(cognito)
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="pat",
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": "pat@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    with pytest.raises(ClientError) as excinfo:
        cognito.admin_reset_user_password(UserPoolId=pool_id, Username="pat")
    assert error(excinfo) == ("NotAuthorizedException", "User password cannot be reset in the current state.")
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="pat", Password=PASSWORD, Permanent=True)
    cognito.admin_reset_user_password(UserPoolId=pool_id, Username="pat")
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="pat")["UserStatus"] == "RESET_REQUIRED"
    [message] = messages(http, pool_id=pool_id)
    assert message["purpose"] == "FORGOT_PASSWORD" and re.fullmatch(r"\d{6}", message["code"])
    assert message["destination"] == "pat@example.com"
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app")["UserPoolClient"][
        "ClientId"
    ]
    cognito.confirm_forgot_password(
        ClientId=client_id, Username="pat", ConfirmationCode=message["code"], Password="N3w-password"
    )
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="pat")["UserStatus"] == "CONFIRMED"


def test_update_and_delete_attributes(cognito, http):
    pool_id = make_pool(
        cognito,
        AutoVerifiedAttributes=["email"],
        Schema=[
            {"Name": "tier", "AttributeDataType": "String", "Mutable": True},
            {"Name": "fixed", "AttributeDataType": "String", "Mutable": False},
            {"Name": "given_name", "AttributeDataType": "String", "Required": True, "Mutable": True},
        ],
    )
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="quinn",
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": "quinn@example.com"},
            {"Name": "email_verified", "Value": "True"},
            {"Name": "custom:fixed", "Value": "1"},
            {"Name": "given_name", "Value": "Quinn"},
        ],
    )
    cognito.admin_update_user_attributes(
        UserPoolId=pool_id,
        Username="quinn",
        UserAttributes=[
            {"Name": "custom:tier", "Value": "gold"},
            {"Name": "email", "Value": "q@example.com"},
        ],
    )
    values = attrs(cognito.admin_get_user(UserPoolId=pool_id, Username="quinn")["UserAttributes"])
    assert values["custom:tier"] == "gold"
    assert values["email"] == "q@example.com" and values["email_verified"] == "false"
    [code] = messages(http, pool_id=pool_id)
    assert code["destination"] == "q@example.com" and code["purpose"] == "VERIFY_ATTRIBUTE:email"
    # An admin can set the verified flag with the value.
    cognito.admin_update_user_attributes(
        UserPoolId=pool_id,
        Username="quinn",
        UserAttributes=[
            {"Name": "email", "Value": "quinn2@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    values = attrs(cognito.admin_get_user(UserPoolId=pool_id, Username="quinn")["UserAttributes"])
    assert values["email"] == "quinn2@example.com" and values["email_verified"] == "true"
    assert len(messages(http, pool_id=pool_id)) == 1

    def refused(call, **kwargs) -> tuple[str, str]:
        with pytest.raises(ClientError) as excinfo:
            call(UserPoolId=pool_id, Username="quinn", **kwargs)
        return error(excinfo)

    code_, message = refused(
        cognito.admin_update_user_attributes, UserAttributes=[{"Name": "custom:fixed", "Value": "2"}]
    )
    assert code_ == "InvalidParameterException" and "custom:fixed" in message
    code_, message = refused(
        cognito.admin_update_user_attributes, UserAttributes=[{"Name": "custom:nope", "Value": "x"}]
    )
    assert (code_, message) == (
        "InvalidParameterException",
        "Attributes did not conform to the schema: Type for attribute {custom:nope} could not be determined",
    )
    assert refused(
        cognito.admin_update_user_attributes, UserAttributes=[{"Name": "email", "Value": "bad"}]
    ) == (
        "InvalidParameterException",
        "Invalid email address format.",
    )
    assert refused(
        cognito.admin_update_user_attributes, UserAttributes=[{"Name": "phone_number", "Value": "555"}]
    ) == ("InvalidParameterException", "Invalid phone number format.")
    code_, message = refused(cognito.admin_delete_user_attributes, UserAttributeNames=["given_name"])
    assert code_ == "InvalidParameterException" and "given_name" in message

    cognito.admin_delete_user_attributes(
        UserPoolId=pool_id, Username="quinn", UserAttributeNames=["custom:tier", "email"]
    )
    values = attrs(cognito.admin_get_user(UserPoolId=pool_id, Username="quinn")["UserAttributes"])
    assert "custom:tier" not in values and "email" not in values and "email_verified" not in values


def test_disable_enable_and_global_sign_out(cognito):
    pool_id = make_pool(cognito)
    cognito.admin_create_user(UserPoolId=pool_id, Username="rose", MessageAction="SUPPRESS")
    cognito.admin_disable_user(UserPoolId=pool_id, Username="rose")
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="rose")["Enabled"] is False
    cognito.admin_enable_user(UserPoolId=pool_id, Username="rose")
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="rose")["Enabled"] is True
    cognito.admin_user_global_sign_out(UserPoolId=pool_id, Username="rose")
