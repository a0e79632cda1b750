"""Password sign-in flows driven by boto3: USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, status errors."""

from __future__ import annotations

import json

import jwt
import pytest
from botocore.exceptions import ClientError

from tests.helpers import PASSWORD, error_code, error_message, make_client, make_pool, make_user


@pytest.fixture
def world(cognito):
    pool_id = make_pool(cognito)
    client = make_client(cognito, pool_id)
    make_user(cognito, pool_id, "alice", attributes={"email": "alice@example.com", "email_verified": "true"})
    return pool_id, client["ClientId"]


def test_user_password_auth_returns_tokens(cognito, world):
    pool_id, client_id = world
    result = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )
    tokens = result["AuthenticationResult"]
    assert tokens["TokenType"] == "Bearer" and tokens["ExpiresIn"] == 3600
    claims = jwt.decode(tokens["IdToken"], options={"verify_signature": False})
    assert claims["cognito:username"] == "alice" and claims["aud"] == client_id
    assert cognito.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"


def test_admin_user_password_auth(cognito, world):
    pool_id, client_id = world
    result = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )
    assert "AccessToken" in result["AuthenticationResult"]


def test_wrong_password_and_unknown_user(cognito, world):
    pool_id, client_id = world
    with pytest.raises(ClientError) as wrong:
        cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": "Wrong0ne!"},
        )
    assert error_code(wrong) == "NotAuthorizedException"
    assert error_message(wrong) == "Incorrect username or password."
    with pytest.raises(ClientError) as unknown:
        cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "nobody", "PASSWORD": PASSWORD},
        )
    assert error_code(unknown) == "UserNotFoundException"  # the API default is LEGACY


def test_prevent_user_existence_errors_hides_unknown_users(cognito):
    pool_id = make_pool(cognito)
    client_id = make_client(cognito, pool_id, PreventUserExistenceErrors="ENABLED")["ClientId"]
    with pytest.raises(ClientError) as unknown:
        cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "nobody", "PASSWORD": PASSWORD},
        )
    assert error_code(unknown) == "NotAuthorizedException"
    assert error_message(unknown) == "Incorrect username or password."


def test_flow_must_be_enabled_for_the_client(cognito):
    pool_id = make_pool(cognito)
    client_id = make_client(
        cognito, pool_id, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["ClientId"]
    make_user(cognito, pool_id, "bob")
    with pytest.raises(ClientError) as excinfo:
        cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "bob", "PASSWORD": PASSWORD},
        )
    assert error_code(excinfo) == "InvalidParameterException"
    assert error_message(excinfo) == "USER_PASSWORD_AUTH flow not enabled for this client"


def test_admin_flow_through_user_api_is_refused(cognito, world):
    _pool_id, client_id = world
    with pytest.raises(ClientError) as excinfo:
        cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
        )
    assert error_code(excinfo) == "InvalidParameterException"


def test_secret_hash_is_required_and_checked(cognito):
    from emulator.crypto.secret_hash import compute_secret_hash

    pool_id = make_pool(cognito)
    client = make_client(cognito, pool_id, GenerateSecret=True)
    make_user(cognito, pool_id, "carol")
    params = {"USERNAME": "carol", "PASSWORD": PASSWORD}
    with pytest.raises(ClientError) as missing:
        cognito.initiate_auth(
            ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params
        )
    assert error_code(missing) == "NotAuthorizedException"
    with pytest.raises(ClientError) as wrong:
        cognito.initiate_auth(
            ClientId=client["ClientId"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={**params, "SECRET_HASH": "d3Jvbmc="},
        )
    assert error_message(wrong) == f"Unable to verify secret hash for client {client['ClientId']}"
    good = compute_secret_hash(client["ClientId"], client["ClientSecret"], "carol")
    result = cognito.initiate_auth(
        ClientId=client["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={**params, "SECRET_HASH": good},
    )
    assert "AccessToken" in result["AuthenticationResult"]


def test_unconfirmed_disabled_and_reset_required_users(cognito, world):
    pool_id, client_id = world

    def sign_in(username, password=PASSWORD):
        return cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )

    cognito.sign_up(
        ClientId=client_id,
        Username="dave",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "dave@example.com"}],
    )
    with pytest.raises(ClientError) as unconfirmed:
        sign_in("dave")
    assert error_code(unconfirmed) == "UserNotConfirmedException"
    with pytest.raises(ClientError) as wrong_for_unconfirmed:
        sign_in("dave", "Wrong0ne!")
    assert error_code(wrong_for_unconfirmed) == "NotAuthorizedException"

    cognito.admin_disable_user(UserPoolId=pool_id, Username="alice")
    with pytest.raises(ClientError) as disabled:
        sign_in("alice")
    assert error_message(disabled) == "User is disabled."
    cognito.admin_enable_user(UserPoolId=pool_id, Username="alice")

    cognito.admin_reset_user_password(UserPoolId=pool_id, Username="alice")
    with pytest.raises(ClientError) as reset:
        sign_in("alice")
    assert error_code(reset) == "PasswordResetRequiredException"


def test_new_password_required_for_temporary_password(cognito):
    pool_id = make_pool(
        cognito, Schema=[{"Name": "name", "AttributeDataType": "String", "Required": True, "Mutable": True}]
    )
    client_id = make_client(cognito, pool_id)["ClientId"]
    make_user(
        cognito,
        pool_id,
        "erin",
        password="Temp0rary!",
        permanent=False,
        attributes={"email": "erin@example.com"},
    )
    challenge = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "erin", "PASSWORD": "Temp0rary!"},
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    parameters = challenge["ChallengeParameters"]
    assert json.loads(parameters["requiredAttributes"]) == ["userAttributes.name"]
    assert json.loads(parameters["userAttributes"])["email"] == "erin@example.com"
    with pytest.raises(ClientError) as missing:
        cognito.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=challenge["Session"],
            ChallengeResponses={"USERNAME": "erin", "NEW_PASSWORD": "N3w-password!"},
        )
    assert error_code(missing) == "InvalidParameterException"
    with pytest.raises(ClientError) as weak:
        cognito.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=challenge["Session"],
            ChallengeResponses={"USERNAME": "erin", "NEW_PASSWORD": "short", "userAttributes.name": "Erin"},
        )
    assert error_code(weak) == "InvalidPasswordException"
    done = cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={
            "USERNAME": "erin",
            "NEW_PASSWORD": "N3w-password!",
            "userAttributes.name": "Erin",
        },
    )
    assert "AccessToken" in done["AuthenticationResult"]
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="erin")
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "name", "Value": "Erin"} in user["UserAttributes"]
    # The session is spent, and the new password works.
    with pytest.raises(ClientError) as reused:
        cognito.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=challenge["Session"],
            ChallengeResponses={
                "USERNAME": "erin",
                "NEW_PASSWORD": "N3w-password!",
                "userAttributes.name": "Erin",
            },
        )
    assert error_message(reused) == "Invalid session for the user, session is expired."
    cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "erin", "PASSWORD": "N3w-password!"},
    )


def test_session_expires_with_the_clock(cognito, server):
    pool_id = make_pool(cognito)
    client_id = make_client(cognito, pool_id)["ClientId"]
    make_user(cognito, pool_id, "frank", password="Temp0rary!", permanent=False)
    challenge = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "frank", "PASSWORD": "Temp0rary!"},
    )
    server.emulator.set_clock_offset(181)
    try:
        with pytest.raises(ClientError) as expired:
            cognito.respond_to_auth_challenge(
                ClientId=client_id,
                ChallengeName="NEW_PASSWORD_REQUIRED",
                Session=challenge["Session"],
                ChallengeResponses={"USERNAME": "frank", "NEW_PASSWORD": "N3w-password!"},
            )
    finally:
        server.emulator.set_clock_offset(0)
    assert error_code(expired) == "NotAuthorizedException"
    assert error_message(expired) == "Invalid session for the user, session is expired."


def test_lockout_after_repeated_failures(cognito, world, server):
    _pool_id, client_id = world
    for _ in range(5):
        with pytest.raises(ClientError):
            cognito.initiate_auth(
                ClientId=client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "alice", "PASSWORD": "Wrong0ne!"},
            )
    with pytest.raises(ClientError) as locked:
        cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
        )
    assert error_message(locked) == "Password attempts exceeded"
    server.emulator.set_clock_offset(3)
    try:
        cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
        )
    finally:
        server.emulator.set_clock_offset(0)
