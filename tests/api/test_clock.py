"""Time travel over HTTP: ``/_emulator/clock`` moves the clock that codes, sessions and tokens expire by."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError

from emulator.config import Settings
from emulator.core import Emulator
from tests.helpers import PASSWORD, error_code, error_message, last_code, make_client, make_pool, make_user


def clock(http) -> dict:
    response = http.get("/_emulator/clock")
    assert response.status_code == 200
    return response.json()


def travel(http, **body) -> dict:
    response = http.post("/_emulator/clock", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


def test_get_shows_real_time_and_no_offset(http):
    before = datetime.now(UTC)
    state = clock(http)
    assert state["offset_seconds"] == 0
    now = parse(state["now"])
    assert now.tzinfo is not None
    assert before - timedelta(seconds=1) <= now <= datetime.now(UTC) + timedelta(seconds=1)


def test_advance_adds_up_and_reset_returns_to_real_time(http):
    assert travel(http, advance_seconds=3600)["offset_seconds"] == 3600
    state = travel(http, advance_seconds=90.5)
    assert state["offset_seconds"] == 3690.5
    assert parse(state["now"]) - datetime.now(UTC) > timedelta(seconds=3680)
    assert clock(http)["offset_seconds"] == 3690.5
    assert travel(http, advance_seconds=-690.5)["offset_seconds"] == 3000
    state = travel(http, reset=True)
    assert state["offset_seconds"] == 0
    assert abs(parse(state["now"]) - datetime.now(UTC)) < timedelta(seconds=2)


def test_set_to_an_iso_time(http):
    state = travel(http, set="2031-02-03T04:05:06Z")
    assert abs(parse(state["now"]) - datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC)) < timedelta(seconds=2)
    # Without a zone the time is UTC; with one it is converted.
    state = travel(http, set="2031-02-03T04:05:06")
    assert abs(parse(state["now"]) - datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC)) < timedelta(seconds=2)
    state = travel(http, set="2031-02-03T06:05:06+02:00")
    assert abs(parse(state["now"]) - datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC)) < timedelta(seconds=2)
    # The past works too.
    state = travel(http, set="2001-01-01T00:00:00Z")
    assert state["offset_seconds"] < 0


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[1]",
        b"{}",
        b'{"advance_seconds": "60"}',
        b'{"advance_seconds": true}',
        b'{"advance_seconds": 1e300}',
        b'{"set": "yesterday"}',
        b'{"set": 5}',
        b'{"set": "99999-01-01T00:00:00Z"}',
        b'{"reset": false}',
        b'{"advance_seconds": 5, "reset": true}',
        b'{"advance": 5}',
    ],
)
def test_bad_requests_are_400_and_change_nothing(http, body):
    response = http.post("/_emulator/clock", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]
    assert clock(http)["offset_seconds"] == 0


def test_reset_of_the_emulator_also_resets_the_clock(http):
    travel(http, advance_seconds=86400)
    assert http.post("/_emulator/reset", json={}).status_code == 200
    assert clock(http)["offset_seconds"] == 0


def test_every_worker_sees_the_same_clock(http, server):
    """The offset is in the database: a second Emulator on the same database (another worker) agrees."""
    travel(http, advance_seconds=7200)
    other = Emulator(Settings(database=server.settings.database), create_schema=False)
    try:
        with other.database.session(write=False) as session:
            assert other.clock_offset(session) == 7200
        other.set_clock_offset(60)
    finally:
        other.close()
    assert clock(http)["offset_seconds"] == 60


# --- what moves with the clock ----------------------------------------------------------------------
def _pool_and_client(cognito) -> tuple[str, str]:
    pool_id = make_pool(cognito, AutoVerifiedAttributes=["email"])
    return pool_id, make_client(cognito, pool_id)["ClientId"]


def test_access_token_expires_after_an_hour_of_travel(cognito, http):
    pool_id, client_id = _pool_and_client(cognito)
    make_user(cognito, pool_id, "alice")
    tokens = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    travel(http, advance_seconds=3590)
    assert cognito.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"
    travel(http, advance_seconds=20)
    with pytest.raises(ClientError) as excinfo:
        cognito.get_user(AccessToken=tokens["AccessToken"])
    assert error_code(excinfo) == "NotAuthorizedException"
    assert error_message(excinfo) == "Access Token has expired"


def test_sign_up_code_expires_after_a_day_of_travel(cognito, http):
    pool_id, client_id = _pool_and_client(cognito)
    for name in ("bob", "carol"):
        cognito.sign_up(
            ClientId=client_id,
            Username=name,
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}],
        )
    bob_code = last_code(http, username="bob")
    carol_code = last_code(http, username="carol")
    travel(http, advance_seconds=24 * 3600 - 60)
    cognito.confirm_sign_up(ClientId=client_id, Username="bob", ConfirmationCode=bob_code)
    travel(http, advance_seconds=120)
    with pytest.raises(ClientError) as excinfo:
        cognito.confirm_sign_up(ClientId=client_id, Username="carol", ConfirmationCode=carol_code)
    assert error_code(excinfo) == "ExpiredCodeException"


def _new_password_challenge(cognito, pool_id: str, client_id: str, username: str) -> str:
    make_user(cognito, pool_id, username, permanent=False)
    response = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )
    assert response["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    return response["Session"]


def test_challenge_session_expires_after_three_minutes_of_travel(cognito, http):
    pool_id, client_id = _pool_and_client(cognito)
    early = _new_password_challenge(cognito, pool_id, client_id, "dave")
    late = _new_password_challenge(cognito, pool_id, client_id, "erin")
    travel(http, advance_seconds=170)
    result = cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=early,
        ChallengeResponses={"USERNAME": "dave", "NEW_PASSWORD": "N3w-Passw0rd!"},
    )
    assert "AuthenticationResult" in result
    travel(http, advance_seconds=20)
    with pytest.raises(ClientError) as excinfo:
        cognito.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=late,
            ChallengeResponses={"USERNAME": "erin", "NEW_PASSWORD": "N3w-Passw0rd!"},
        )
    assert error_code(excinfo) == "NotAuthorizedException"
    assert error_message(excinfo) == "Invalid session for the user, session is expired."


def test_refresh_token_expires_after_thirty_days_of_travel(cognito, http):
    pool_id, client_id = _pool_and_client(cognito)
    make_user(cognito, pool_id, "frank")
    tokens = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "frank", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    refresh = {"REFRESH_TOKEN": tokens["RefreshToken"]}
    travel(http, advance_seconds=29 * 86400)
    cognito.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=refresh)
    travel(http, advance_seconds=2 * 86400)
    with pytest.raises(ClientError) as excinfo:
        cognito.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=refresh)
    assert error_code(excinfo) == "NotAuthorizedException"
