"""SignUp, ConfirmSignUp and ResendConfirmationCode over HTTP with boto3, codes read from the outbox."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

import pytest
from botocore.exceptions import ClientError

PASSWORD = "Passw0rd!"


def make_pool(cognito, **settings) -> str:
    settings.setdefault("AutoVerifiedAttributes", ["email"])
    return cognito.create_user_pool(PoolName="pool", **settings)["UserPool"]["Id"]


def make_client(cognito, pool_id, **settings) -> dict:
    return cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app", **settings)["UserPoolClient"]


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


def email(address: str) -> list[dict]:
    return [{"Name": "email", "Value": address}]


def test_sign_up_code_from_the_outbox_confirms_the_user(cognito, http):
    pool_id = make_pool(cognito)
    client_id = make_client(cognito, pool_id)["ClientId"]
    result = cognito.sign_up(
        ClientId=client_id, Username="alice", Password=PASSWORD, UserAttributes=email("alice@example.com")
    )
    assert result["UserConfirmed"] is False
    assert re.fullmatch(r"[0-9a-f-]{36}", result["UserSub"])
    assert result["CodeDeliveryDetails"] == {
        "Destination": "a***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    assert len(result["Session"]) >= 20
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="alice")
    assert user["UserStatus"] == "UNCONFIRMED"

    [message] = messages(http, pool_id=pool_id)
    assert message["channel"] == "EMAIL" and message["destination"] == "alice@example.com"
    assert message["purpose"] == "SIGN_UP" and re.fullmatch(r"\d{6}", message["code"])
    assert message["subject"] == "Your verification code"
    assert message["body"] == f"Your verification code is {message['code']}. "

    confirmed = cognito.confirm_sign_up(
        ClientId=client_id, Username="alice", ConfirmationCode=message["code"]
    )
    assert len(confirmed["Session"]) >= 20
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="alice")
    assert user["UserStatus"] == "CONFIRMED"
    assert attrs(user["UserAttributes"])["email_verified"] == "true"
    # The code was single use; the user is confirmed now.
    with pytest.raises(ClientError) as excinfo:
        cognito.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=message["code"])
    assert error(excinfo) == (
        "NotAuthorizedException",
        "User cannot be confirmed. Current status is CONFIRMED",
    )


def test_wrong_code_and_resent_code(cognito, http):
    pool_id = make_pool(cognito)
    client_id = make_client(cognito, pool_id)["ClientId"]
    cognito.sign_up(
        ClientId=client_id, Username="bob", Password=PASSWORD, UserAttributes=email("bob@example.com")
    )
    first = last_code(http, pool_id=pool_id)
    wrong = "000000" if first != "000000" else "111111"
    with pytest.raises(ClientError) as excinfo:
        cognito.confirm_sign_up(ClientId=client_id, Username="bob", ConfirmationCode=wrong)
    assert error(excinfo) == (
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    )
    resent = cognito.resend_confirmation_code(ClientId=client_id, Username="bob")
    assert resent["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    second = last_code(http, pool_id=pool_id)
    assert len(messages(http, pool_id=pool_id)) == 2
    if first != second:
        # The replaced code stopped working.
        with pytest.raises(ClientError) as excinfo:
            cognito.confirm_sign_up(ClientId=client_id, Username="bob", ConfirmationCode=first)
        assert error(excinfo) == (
            "ExpiredCodeException",
            "Invalid code provided, please request a code again.",
        )
    cognito.confirm_sign_up(ClientId=client_id, Username="bob", ConfirmationCode=second)
    with pytest.raises(ClientError) as excinfo:
        cognito.resend_confirmation_code(ClientId=client_id, Username="bob")
    assert error(excinfo) == ("InvalidParameterException", "User is already confirmed.")


def test_expired_code(cognito, http, server):
    pool_id = make_pool(cognito)
    client_id = make_client(cognito, pool_id)["ClientId"]
    cognito.sign_up(
        ClientId=client_id, Username="carol", Password=PASSWORD, UserAttributes=email("c@example.com")
    )
    code = last_code(http, pool_id=pool_id)
    server.emulator.set_clock_offset(24 * 3600 - 60)
    cognito.admin_get_user(UserPoolId=pool_id, Username="carol")  # still fine a minute before expiry
    server.emulator.set_clock_offset(24 * 3600 + 1)
    with pytest.raises(ClientError) as excinfo:
        cognito.confirm_sign_up(ClientId=client_id, Username="carol", ConfirmationCode=code)
    assert error(excinfo) == ("ExpiredCodeException", "Invalid code provided, please request a code again.")
    cognito.resend_confirmation_code(ClientId=client_id, Username="carol")
    cognito.confirm_sign_up(
        ClientId=client_id, Username="carol", ConfirmationCode=last_code(http, pool_id=pool_id)
    )


def test_too_many_wrong_codes_and_resends(cognito, http):
    pool_id = make_pool(cognito)
    client_id = make_client(cognito, pool_id)["ClientId"]
    cognito.sign_up(
        ClientId=client_id, Username="dan", Password=PASSWORD, UserAttributes=email("d@example.com")
    )
    code = last_code(http, pool_id=pool_id)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(ClientError) as excinfo:
            cognito.confirm_sign_up(ClientId=client_id, Username="dan", ConfirmationCode=wrong)
        assert error(excinfo)[0] == "CodeMismatchException"
    with pytest.raises(ClientError) as excinfo:
        cognito.confirm_sign_up(ClientId=client_id, Username="dan", ConfirmationCode=code)
    assert error(excinfo) == ("LimitExceededException", "Attempt limit exceeded, please try after some time.")
    for _ in range(4):
        cognito.resend_confirmation_code(ClientId=client_id, Username="dan")
    with pytest.raises(ClientError) as excinfo:
        cognito.resend_confirmation_code(ClientId=client_id, Username="dan")
    assert error(excinfo) == ("LimitExceededException", "Attempt limit exceeded, please try after some time.")
    cognito.confirm_sign_up(
        ClientId=client_id, Username="dan", ConfirmationCode=last_code(http, pool_id=pool_id)
    )


def test_phone_wins_when_both_are_auto_verified_and_sms_template(cognito, http):
    pool_id = make_pool(
        cognito,
        AutoVerifiedAttributes=["email", "phone_number"],
        VerificationMessageTemplate={"SmsMessage": "Code: {####}", "DefaultEmailOption": "CONFIRM_WITH_CODE"},
    )
    client_id = make_client(cognito, pool_id)["ClientId"]
    result = cognito.sign_up(
        ClientId=client_id,
        Username="erin",
        Password=PASSWORD,
        UserAttributes=[
            {"Name": "email", "Value": "e@example.com"},
            {"Name": "phone_number", "Value": "+15555550123"},
        ],
    )
    assert result["CodeDeliveryDetails"] == {
        "Destination": "+*******0123",
        "DeliveryMedium": "SMS",
        "AttributeName": "phone_number",
    }
    [message] = messages(http, pool_id=pool_id, channel="SMS")
    assert message["body"] == f"Code: {message['code']}" and message["subject"] is None
    cognito.confirm_sign_up(ClientId=client_id, Username="erin", ConfirmationCode=message["code"])
    values = attrs(cognito.admin_get_user(UserPoolId=pool_id, Username="erin")["UserAttributes"])
    assert values["phone_number_verified"] == "true" and values.get("email_verified") != "true"


def test_no_auto_verification_sends_nothing(cognito, http):
    pool_id = make_pool(cognito, AutoVerifiedAttributes=[])
    client_id = make_client(cognito, pool_id)["ClientId"]
    result = cognito.sign_up(
        ClientId=client_id, Username="fay", Password=PASSWORD, UserAttributes=email("f@x.io")
    )
    assert "CodeDeliveryDetails" not in result and result["UserConfirmed"] is False
    assert messages(http, pool_id=pool_id) == []
    with pytest.raises(ClientError) as excinfo:
        cognito.resend_confirmation_code(ClientId=client_id, Username="fay")
    assert error(excinfo) == (
        "InvalidParameterException",
        "Cannot resend codes. Auto verification not turned on.",
    )
    with pytest.raises(ClientError) as excinfo:
        cognito.confirm_sign_up(ClientId=client_id, Username="fay", ConfirmationCode="123456")
    assert error(excinfo)[0] == "ExpiredCodeException"


def test_sign_up_errors(cognito):
    pool_id = make_pool(
        cognito,
        Schema=[{"Name": "given_name", "AttributeDataType": "String", "Required": True, "Mutable": True}],
    )
    client_id = make_client(cognito, pool_id)["ClientId"]

    def refused(**kwargs) -> tuple[str, str]:
        kwargs.setdefault("Password", PASSWORD)
        with pytest.raises(ClientError) as excinfo:
            cognito.sign_up(ClientId=client_id, **kwargs)
        return error(excinfo)

    given = [{"Name": "given_name", "Value": "Gus"}]
    assert refused(Username="gus") == (
        "InvalidParameterException",
        "Attributes did not conform to the schema: given_name: The attribute is required",
    )
    assert refused(Username="gus", UserAttributes=given, Password="short") == (
        "InvalidPasswordException",
        "Password did not conform with policy: Password not long enough",
    )
    assert refused(Username="gus", UserAttributes=[*given, {"Name": "custom:nope", "Value": "1"}]) == (
        "InvalidParameterException",
        "Attributes did not conform to the schema: custom:nope: Attribute does not exist in the schema.",
    )
    # The verified flags are not writable by an app client by default.
    assert refused(Username="gus", UserAttributes=[*given, {"Name": "email_verified", "Value": "true"}]) == (
        "NotAuthorizedException",
        "A client attempted to write unauthorized attribute",
    )
    cognito.sign_up(ClientId=client_id, Username="gus", Password=PASSWORD, UserAttributes=given)
    assert refused(Username="gus", UserAttributes=given) == ("UsernameExistsException", "User already exists")
    with pytest.raises(ClientError) as excinfo:
        cognito.sign_up(ClientId="nosuchclient00000000000000", Username="x", Password=PASSWORD)
    assert error(excinfo)[0] == "ResourceNotFoundException"


def test_client_write_attributes(cognito):
    pool_id = cognito.create_user_pool(
        PoolName="p", Schema=[{"Name": "plan", "AttributeDataType": "String", "Mutable": True}]
    )["UserPool"]["Id"]
    client_id = make_client(cognito, pool_id, WriteAttributes=["email", "name"])["ClientId"]
    with pytest.raises(ClientError) as excinfo:
        cognito.sign_up(
            ClientId=client_id,
            Username="hal",
            Password=PASSWORD,
            UserAttributes=[{"Name": "custom:plan", "Value": "x"}],
        )
    assert error(excinfo) == ("NotAuthorizedException", "A client attempted to write unauthorized attribute")
    cognito.sign_up(
        ClientId=client_id, Username="hal", Password=PASSWORD, UserAttributes=[{"Name": "name", "Value": "H"}]
    )


def test_admin_only_pools_refuse_sign_up(cognito):
    pool_id = make_pool(cognito, AdminCreateUserConfig={"AllowAdminCreateUserOnly": True})
    client_id = make_client(cognito, pool_id)["ClientId"]
    with pytest.raises(ClientError) as excinfo:
        cognito.sign_up(ClientId=client_id, Username="ian", Password=PASSWORD)
    assert error(excinfo) == ("NotAuthorizedException", "SignUp is not permitted for this user pool")


def secret_hash(client: dict, username: str) -> str:
    digest = hmac.new(
        client["ClientSecret"].encode(), (username + client["ClientId"]).encode(), hashlib.sha256
    )
    return base64.b64encode(digest.digest()).decode()


def test_secret_hash_required_and_checked(cognito, http):
    pool_id = make_pool(cognito)
    client = make_client(cognito, pool_id, GenerateSecret=True)
    client_id = client["ClientId"]
    with pytest.raises(ClientError) as excinfo:
        cognito.sign_up(ClientId=client_id, Username="jo", Password=PASSWORD, UserAttributes=email("jo@x.io"))
    assert error(excinfo) == (
        "NotAuthorizedException",
        f"Client {client_id} is configured with secret but SECRET_HASH was not received",
    )
    with pytest.raises(ClientError) as excinfo:
        cognito.sign_up(
            ClientId=client_id,
            Username="jo",
            Password=PASSWORD,
            SecretHash=secret_hash(client, "someone-else"),
            UserAttributes=email("jo@x.io"),
        )
    assert error(excinfo) == (
        "NotAuthorizedException",
        f"Unable to verify secret hash for client {client_id}",
    )
    cognito.sign_up(
        ClientId=client_id,
        Username="jo",
        Password=PASSWORD,
        SecretHash=secret_hash(client, "jo"),
        UserAttributes=email("jo@x.io"),
    )
    code = last_code(http, pool_id=pool_id)
    for call in (
        lambda **kw: cognito.confirm_sign_up(ClientId=client_id, Username="jo", ConfirmationCode=code, **kw),
        lambda **kw: cognito.resend_confirmation_code(ClientId=client_id, Username="jo", **kw),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error(excinfo)[0] == "NotAuthorizedException"
    cognito.resend_confirmation_code(ClientId=client_id, Username="jo", SecretHash=secret_hash(client, "jo"))
    cognito.confirm_sign_up(
        ClientId=client_id,
        Username="jo",
        ConfirmationCode=last_code(http, pool_id=pool_id),
        SecretHash=secret_hash(client, "jo"),
    )


def test_email_username_pool(cognito, http):
    pool_id = make_pool(cognito, UsernameAttributes=["email"])
    client_id = make_client(cognito, pool_id)["ClientId"]
    result = cognito.sign_up(ClientId=client_id, Username="kay@example.com", Password=PASSWORD)
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="kay@example.com")
    assert user["Username"] == result["UserSub"]
    assert attrs(user["UserAttributes"])["email"] == "kay@example.com"
    with pytest.raises(ClientError) as excinfo:
        cognito.sign_up(ClientId=client_id, Username="kay@example.com", Password=PASSWORD)
    assert error(excinfo) == ("UsernameExistsException", "An account with the given email already exists.")
    with pytest.raises(ClientError) as excinfo:
        cognito.sign_up(ClientId=client_id, Username="kay", Password=PASSWORD)
    assert error(excinfo) == ("InvalidParameterException", "Username should be an email.")
    cognito.confirm_sign_up(
        ClientId=client_id, Username="kay@example.com", ConfirmationCode=last_code(http, pool_id=pool_id)
    )
    assert cognito.admin_get_user(UserPoolId=pool_id, Username=result["UserSub"])["UserStatus"] == "CONFIRMED"


def test_email_alias_is_claimed_on_confirmation(cognito, http):
    pool_id = make_pool(cognito, AliasAttributes=["email"])
    client_id = make_client(cognito, pool_id)["ClientId"]
    cognito.sign_up(
        ClientId=client_id, Username="jie", Password=PASSWORD, UserAttributes=email("jie@example.com")
    )
    cognito.confirm_sign_up(
        ClientId=client_id, Username="jie", ConfirmationCode=last_code(http, pool_id=pool_id)
    )
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="jie@example.com")["Username"] == "jie"
    # Signing up with someone else's email works; confirming it does not (without ForceAliasCreation).
    cognito.sign_up(
        ClientId=client_id, Username="shirley", Password=PASSWORD, UserAttributes=email("jie@example.com")
    )
    code = last_code(http, pool_id=pool_id)
    with pytest.raises(ClientError) as excinfo:
        cognito.confirm_sign_up(ClientId=client_id, Username="shirley", ConfirmationCode=code)
    assert error(excinfo) == ("AliasExistsException", "An account with the given email already exists.")
    cognito.confirm_sign_up(
        ClientId=client_id, Username="shirley", ConfirmationCode=code, ForceAliasCreation=True
    )
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="jie@example.com")["Username"] == "shirley"


def test_prevent_user_existence_errors(cognito):
    pool_id = make_pool(cognito)
    legacy = make_client(cognito, pool_id)["ClientId"]
    hiding = make_client(cognito, pool_id, PreventUserExistenceErrors="ENABLED")["ClientId"]
    with pytest.raises(ClientError) as excinfo:
        cognito.resend_confirmation_code(ClientId=legacy, Username="ghost")
    assert error(excinfo) == ("UserNotFoundException", "User does not exist.")
    with pytest.raises(ClientError) as excinfo:
        cognito.confirm_sign_up(ClientId=legacy, Username="ghost", ConfirmationCode="123456")
    assert error(excinfo) == ("UserNotFoundException", "User does not exist.")
    first = cognito.resend_confirmation_code(ClientId=hiding, Username="ghost")["CodeDeliveryDetails"]
    again = cognito.resend_confirmation_code(ClientId=hiding, Username="ghost")["CodeDeliveryDetails"]
    assert first == again and first["DeliveryMedium"] == "EMAIL"
    with pytest.raises(ClientError) as excinfo:
        cognito.confirm_sign_up(ClientId=hiding, Username="ghost", ConfirmationCode="123456")
    assert error(excinfo)[0] == "CodeMismatchException"


def test_confirm_with_link_email(cognito, http):
    pool_id = make_pool(cognito, VerificationMessageTemplate={"DefaultEmailOption": "CONFIRM_WITH_LINK"})
    client_id = make_client(cognito, pool_id)["ClientId"]
    cognito.sign_up(ClientId=client_id, Username="liz", Password=PASSWORD, UserAttributes=email("liz@x.io"))
    [message] = messages(http, pool_id=pool_id)
    assert message["subject"] == "Your verification link"
    assert (
        f"/confirmUser?client_id={client_id}&user_name=liz&confirmation_code={message['code']}"
        in message["body"]
    )


def test_password_optional_only_in_passwordless_pools(cognito, http):
    pool_id = make_pool(cognito)
    client_id = make_client(cognito, pool_id)["ClientId"]
    with pytest.raises(ClientError) as excinfo:
        cognito.sign_up(ClientId=client_id, Username="nopass", UserAttributes=email("n@x.io"))
    assert error(excinfo)[0] == "InvalidParameterException"
    passwordless = make_pool(
        cognito, Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}}
    )
    client_id = make_client(cognito, passwordless)["ClientId"]
    cognito.sign_up(ClientId=client_id, Username="nopass", UserAttributes=email("n@x.io"))
    cognito.confirm_sign_up(
        ClientId=client_id, Username="nopass", ConfirmationCode=last_code(http, pool_id=passwordless)
    )
    assert cognito.admin_get_user(UserPoolId=passwordless, Username="nopass")["UserStatus"] == "CONFIRMED"
