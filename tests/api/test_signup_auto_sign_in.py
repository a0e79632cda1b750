"""Amplify's autoSignIn: the Session of ConfirmSignUp signs the new user in once with InitiateAuth USER_AUTH."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

PASSWORD = "Passw0rd!"


def error(excinfo) -> tuple[str, str]:
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


@pytest.fixture
def signed_up(cognito, http):
    pool_id = cognito.create_user_pool(PoolName="pool", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    sign_up = cognito.sign_up(
        ClientId=client_id,
        Username="amy",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "amy@example.com"}],
    )
    code = http.get("/_emulator/messages").json()["messages"][0]["code"]
    return pool_id, client_id, sign_up, code


def auto_sign_in(cognito, client_id: str, session: str) -> dict:
    return cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "amy"}, Session=session
    )


def test_confirm_sign_up_session_signs_in_once(cognito, signed_up):
    _pool_id, client_id, sign_up, code = signed_up
    confirmed = cognito.confirm_sign_up(
        ClientId=client_id, Username="amy", ConfirmationCode=code, Session=sign_up["Session"]
    )
    result = auto_sign_in(cognito, client_id, confirmed["Session"])
    tokens = result["AuthenticationResult"]
    assert tokens["AccessToken"] and tokens["IdToken"] and tokens["RefreshToken"]
    assert cognito.get_user(AccessToken=tokens["AccessToken"])["Username"] == "amy"
    with pytest.raises(ClientError) as excinfo:
        auto_sign_in(cognito, client_id, confirmed["Session"])
    assert error(excinfo) == ("NotAuthorizedException", "Invalid session for the user, session is expired.")


def test_session_without_the_sign_up_session_and_expiry(cognito, signed_up, server):
    _pool_id, client_id, _sign_up, code = signed_up
    confirmed = cognito.confirm_sign_up(ClientId=client_id, Username="amy", ConfirmationCode=code)
    # The session lives for the client's AuthSessionValidity (3 minutes by default).
    server.emulator.set_clock_offset(181)
    with pytest.raises(ClientError) as excinfo:
        auto_sign_in(cognito, client_id, confirmed["Session"])
    assert error(excinfo) == ("NotAuthorizedException", "Invalid session for the user, session is expired.")


def test_sign_up_session_is_not_a_sign_in_session(cognito, signed_up):
    _pool_id, client_id, sign_up, code = signed_up
    with pytest.raises(ClientError) as excinfo:
        auto_sign_in(cognito, client_id, sign_up["Session"])
    assert error(excinfo)[0] == "NotAuthorizedException"
    with pytest.raises(ClientError) as excinfo:
        cognito.confirm_sign_up(ClientId=client_id, Username="amy", ConfirmationCode=code, Session="x" * 40)
    assert error(excinfo) == ("NotAuthorizedException", "Invalid session for the user, session is expired.")
