"""User sessions with boto3 over HTTP: the session configurations, (Admin)ListUserSessions,
(Admin)RevokeUserSession on the refresh-token families, and MaxPerUser."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from tests.helpers import PASSWORD, error_code, make_client, make_pool, make_user

SESSION_ID = re.compile(r"^tkn[a-z0-9]{25}$")


@pytest.fixture
def pool_id(cognito) -> str:
    pool_id = make_pool(cognito, PoolName="sessions")
    make_user(cognito, pool_id, "alice")
    return pool_id


@pytest.fixture
def client_id(cognito, pool_id) -> str:
    return make_client(cognito, pool_id)["ClientId"]


def track(cognito, pool_id: str, max_per_user: int = 20) -> None:
    cognito.set_user_pool_session_configuration(
        UserPoolId=pool_id, UserSessionTracking="ENABLED", TokenSession={"MaxPerUser": max_per_user}
    )


def sign_in(cognito, client_id: str) -> dict:
    return cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]


def test_session_configurations_default_and_replace(cognito, pool_id, client_id):
    assert cognito.get_user_pool_session_configuration(UserPoolId=pool_id) | {"ResponseMetadata": None} == {
        "UserPoolId": pool_id,
        "UserSessionTracking": "DISABLED",
        "TokenSession": {"MaxPerUser": 20},
        "ResponseMetadata": None,
    }
    got = cognito.get_user_pool_client_session_configuration(UserPoolId=pool_id, ClientId=client_id)
    assert got["SSOSession"] == {"MaxValidityMinutes": 60} and got["ClientId"] == client_id
    # The client's SSO session needs tracking on.
    with pytest.raises(ClientError) as caught:
        cognito.set_user_pool_client_session_configuration(
            UserPoolId=pool_id, ClientId=client_id, SSOSession={"MaxValidityMinutes": 30}
        )
    assert error_code(caught) == "OperationNotEnabledException"
    track(cognito, pool_id, 5)
    assert cognito.get_user_pool_session_configuration(UserPoolId=pool_id)["TokenSession"] == {
        "MaxPerUser": 5
    }
    cognito.set_user_pool_client_session_configuration(
        UserPoolId=pool_id, ClientId=client_id, SSOSession={"MaxValidityMinutes": 30}
    )
    got = cognito.get_user_pool_client_session_configuration(UserPoolId=pool_id, ClientId=client_id)
    assert got["SSOSession"] == {"MaxValidityMinutes": 30}

    with pytest.raises(ClientError) as caught:
        cognito.get_user_pool_session_configuration(UserPoolId="us-east-1_nothere00")
    assert error_code(caught) == "ResourceNotFoundException"
    lite = make_pool(cognito, UserPoolTier="LITE")
    with pytest.raises(ClientError) as caught:
        track(cognito, lite)
    assert error_code(caught) == "FeatureUnavailableInTierException"


def test_sessions_are_listed_and_revoking_one_ends_its_tokens(cognito, pool_id, client_id):
    with pytest.raises(ClientError) as caught:
        cognito.admin_list_user_sessions(UserPoolId=pool_id, Username="alice")
    assert error_code(caught) == "OperationNotEnabledException"
    track(cognito, pool_id)
    first, second = sign_in(cognito, client_id), sign_in(cognito, client_id)

    listed = cognito.list_user_sessions(AccessToken=second["AccessToken"])["Sessions"]
    assert len(listed) == 2
    assert all(SESSION_ID.match(item["SessionId"]) and item["SessionType"] == "TOKEN" for item in listed)
    assert all(item["ClientId"] == client_id and item["CreateDate"] for item in listed)
    current = [item for item in listed if item["IsCurrentSession"]]
    other = [item for item in listed if not item["IsCurrentSession"]]
    assert len(current) == 1 and len(other) == 1
    admin_listed = cognito.admin_list_user_sessions(UserPoolId=pool_id, Username="alice")["Sessions"]
    assert {item["SessionId"] for item in admin_listed} == {item["SessionId"] for item in listed}

    # Not one's own current session; another one, yes: its refresh and access tokens stop working.
    with pytest.raises(ClientError) as caught:
        cognito.revoke_user_session(AccessToken=second["AccessToken"], SessionId=current[0]["SessionId"])
    assert error_code(caught) == "InvalidParameterException"
    cognito.revoke_user_session(AccessToken=second["AccessToken"], SessionId=other[0]["SessionId"])
    with pytest.raises(ClientError) as caught:
        cognito.get_user(AccessToken=first["AccessToken"])
    assert error_code(caught) == "NotAuthorizedException"
    with pytest.raises(ClientError) as caught:
        cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]},
        )
    assert error_code(caught) == "NotAuthorizedException"
    assert cognito.get_user(AccessToken=second["AccessToken"])["Username"] == "alice"
    assert len(cognito.list_user_sessions(AccessToken=second["AccessToken"])["Sessions"]) == 1

    with pytest.raises(ClientError) as caught:
        cognito.revoke_user_session(AccessToken=second["AccessToken"], SessionId=other[0]["SessionId"])
    assert error_code(caught) == "ResourceNotFoundException"
    cognito.admin_revoke_user_session(UserPoolId=pool_id, Username="alice", SessionId=current[0]["SessionId"])
    with pytest.raises(ClientError) as caught:
        cognito.get_user(AccessToken=second["AccessToken"])
    assert error_code(caught) == "NotAuthorizedException"
    assert cognito.admin_list_user_sessions(UserPoolId=pool_id, Username="alice")["Sessions"] == []
    with pytest.raises(ClientError) as caught:
        cognito.admin_list_user_sessions(UserPoolId=pool_id, Username="nobody")
    assert error_code(caught) == "UserNotFoundException"


def test_max_per_user_ends_the_oldest_sessions(cognito, pool_id, client_id):
    track(cognito, pool_id, 2)
    first = sign_in(cognito, client_id)
    second = sign_in(cognito, client_id)
    third = sign_in(cognito, client_id)
    with pytest.raises(ClientError) as caught:
        cognito.get_user(AccessToken=first["AccessToken"])
    assert error_code(caught) == "NotAuthorizedException"
    assert cognito.get_user(AccessToken=second["AccessToken"])["Username"] == "alice"
    sessions = cognito.admin_list_user_sessions(UserPoolId=pool_id, Username="alice")["Sessions"]
    assert len(sessions) == 2
    assert cognito.get_user(AccessToken=third["AccessToken"])["Username"] == "alice"


def test_only_sign_ins_while_tracking_is_on_are_sessions_and_refresh_is_activity(cognito, pool_id, client_id):
    before = sign_in(cognito, client_id)
    track(cognito, pool_id, 2)
    first = sign_in(cognito, client_id)
    second = sign_in(cognito, client_id)
    sessions = cognito.admin_list_user_sessions(UserPoolId=pool_id, Username="alice")["Sessions"]
    assert len(sessions) == 2 and all(item["LastIPAddress"] == "127.0.0.1" for item in sessions)
    assert all("Boto3" in item["DeviceType"] for item in sessions)
    # The sign-in from before tracking is not a session, and MaxPerUser does not count it.
    assert cognito.get_user(AccessToken=before["AccessToken"])["Username"] == "alice"
    # Refreshing the first session makes the second the least recently used: the next sign-in ends it.
    cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]},
    )
    sign_in(cognito, client_id)
    assert cognito.get_user(AccessToken=first["AccessToken"])["Username"] == "alice"
    with pytest.raises(ClientError) as caught:
        cognito.get_user(AccessToken=second["AccessToken"])
    assert error_code(caught) == "NotAuthorizedException"


def test_the_console_shows_a_users_sessions_and_auth_events(cognito, http):
    pool_id = make_pool(cognito, UserPoolTier="PLUS", UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"})
    client_id = make_client(cognito, pool_id)["ClientId"]
    make_user(cognito, pool_id, "alice")
    sub = cognito.admin_get_user(UserPoolId=pool_id, Username="alice")["UserAttributes"]
    sub = next(item["Value"] for item in sub if item["Name"] == "sub")
    page = http.get(f"/_emulator/pools/{pool_id}/users/{sub}").text
    assert "Session tracking is off" in page and "No auth events yet." in page
    track(cognito, pool_id)
    sign_in(cognito, client_id)
    session_id = cognito.admin_list_user_sessions(UserPoolId=pool_id, Username="alice")["Sessions"][0][
        "SessionId"
    ]
    page = http.get(f"/_emulator/pools/{pool_id}/users/{sub}").text
    assert session_id in page and client_id in page
    assert "<td>SignIn</td><td>Pass</td>" in page
