"""PreSignUp, PostConfirmation, CustomMessage and UserMigration triggers, seen through boto3 and the outbox."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.helpers import PASSWORD, error_code, error_message, last_code, make_client, make_pool, messages
from tests.trigger_hosts import ARN


def _loaded(file: str):
    from emulator.userpools.triggers.invoke import _load_module

    return _load_module(f"fixtures/triggers/{file}.py")


def test_pre_sign_up_auto_confirms_a_domain_and_post_confirmation_runs(cognito, trigger_host, http):
    pool_id = make_pool(
        cognito,
        LambdaConfig={"PreSignUp": ARN.format("pre"), "PostConfirmation": ARN.format("post")},
        AutoVerifiedAttributes=["email"],
    )
    client_id = make_client(cognito, pool_id)["ClientId"]
    trigger_host.map("pre", "sign_up", "pre_sign_up")
    trigger_host.map("post", "sign_up", "post_confirmation")

    trusted = cognito.sign_up(
        ClientId=client_id,
        Username="ann",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "ann@example.com"}],
    )
    assert trusted["UserConfirmed"] is True and "CodeDeliveryDetails" not in trusted
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="ann")
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]
    # The SignUp Session of an auto-confirmed user signs in at once (Amplify's autoSignIn).
    signed_in = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_AUTH",
        Session=trusted["Session"],
        AuthParameters={"USERNAME": "ann"},
    )
    assert "AccessToken" in signed_in["AuthenticationResult"]

    other = cognito.sign_up(
        ClientId=client_id,
        Username="bo",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "bo@elsewhere.example"}],
    )
    assert other["UserConfirmed"] is False
    cognito.confirm_sign_up(
        ClientId=client_id, Username="bo", ConfirmationCode=last_code(http, username="bo")
    )
    assert "PostConfirmation_ConfirmSignUp:bo" in _loaded("sign_up").CONFIRMED

    with pytest.raises(ClientError) as rejected:
        cognito.sign_up(
            ClientId=client_id,
            Username="cy",
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": "cy@blocked.example"}],
        )
    assert error_code(rejected) == "UserLambdaValidationException"
    assert error_message(rejected) == "PreSignUp failed with error Sign-ups from this domain are not allowed."
    with pytest.raises(ClientError):
        cognito.admin_get_user(UserPoolId=pool_id, Username="cy")


def test_custom_message_rewrites_sign_up_and_invitation(cognito, trigger_host, http):
    pool_id = make_pool(
        cognito, LambdaConfig={"CustomMessage": ARN.format("msg")}, AutoVerifiedAttributes=["email"]
    )
    client_id = make_client(cognito, pool_id)["ClientId"]
    trigger_host.map("msg", "custom_message", "custom_message")
    cognito.sign_up(
        ClientId=client_id,
        Username="dee",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "dee@example.com"}],
    )
    message = messages(http, username="dee")[0]
    assert message["subject"] == "Welcome to Acme"
    assert message["body"] == f"Hello! Your Acme code is {message['code']}."
    cognito.confirm_sign_up(ClientId=client_id, Username="dee", ConfirmationCode=message["code"])

    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="eve",
        DesiredDeliveryMediums=["EMAIL"],
        UserAttributes=[{"Name": "email", "Value": "eve@example.com"}],
        TemporaryPassword="Temp-passw0rd",
    )
    invitation = messages(http, username="eve")[0]
    assert invitation["subject"] == "Your Acme account"
    assert invitation["body"] == "Sign in as eve with Temp-passw0rd."


def test_user_migration_at_sign_in(cognito, trigger_host):
    pool_id = make_pool(cognito, LambdaConfig={"UserMigration": ARN.format("migrate")})
    client_id = make_client(cognito, pool_id)["ClientId"]
    trigger_host.map("migrate", "user_migration", "user_migration")

    def sign_in(username, password):
        return cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )

    with pytest.raises(ClientError) as bad_password:
        sign_in("legacy-lee", "Wrong-passw0rd")
    assert error_code(bad_password) == "UserLambdaValidationException"
    assert "AccessToken" in sign_in("legacy-lee", "Legacy-passw0rd")["AuthenticationResult"]
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="legacy-lee")
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "email", "Value": "lee@legacy.example"} in user["UserAttributes"]
    # Now a user of the pool: the migrated password works without the trigger's help.
    assert "AccessToken" in sign_in("legacy-lee", "Legacy-passw0rd")["AuthenticationResult"]


def test_user_migration_on_forgot_password(cognito, trigger_host, http):
    pool_id = make_pool(cognito, LambdaConfig={"UserMigration": ARN.format("migrate")})
    client_id = make_client(cognito, pool_id)["ClientId"]
    trigger_host.map("migrate", "user_migration", "user_migration")
    delivery = cognito.forgot_password(ClientId=client_id, Username="legacy-lee")["CodeDeliveryDetails"]
    assert delivery["DeliveryMedium"] == "EMAIL"
    code = last_code(http, destination="lee@legacy.example")
    cognito.confirm_forgot_password(
        ClientId=client_id, Username="legacy-lee", ConfirmationCode=code, Password="Brand-n3w-pass"
    )
    result = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "legacy-lee", "PASSWORD": "Brand-n3w-pass"},
    )
    assert "AccessToken" in result["AuthenticationResult"]
