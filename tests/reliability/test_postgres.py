"""Two emulator processes on one PostgreSQL database serve one pool as one: sign up on the first, sign in
on the second, refresh on the first, revoke on the second; racing requests split across the two still
consume a code, a session and a rotated refresh token exactly once; a concurrent load spread over both
loses and duplicates nothing.

PostgreSQL is the one COGNITO_EMULATOR_TEST_DATABASE names, or a throwaway cluster started from Debian's
``postgresql`` package when it is installed; without either these tests are skipped.
"""

from __future__ import annotations

import threading

import httpx
import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from tests.reliability.databases import fresh_postgres_database, postgres_server
from tests.reliability.load import (
    PASSWORD,
    EmulatorProcess,
    Tally,
    boto_client,
    check_world,
    make_pool,
    run_load,
)


@pytest.fixture(scope="module")
def postgres():  # type: ignore[no-untyped-def]
    with postgres_server() as url:
        if url is None:
            pytest.skip("no PostgreSQL: set COGNITO_EMULATOR_TEST_DATABASE or install Debian's postgresql")
        yield url


@pytest.fixture(scope="module")
def two_servers(postgres, tmp_path_factory):  # type: ignore[no-untyped-def]
    """Two `serve` processes started at the same moment on one fresh database (they create the schema
    together: one waits for the other); shared by this module's tests, each on a pool of its own."""
    tmp_path = tmp_path_factory.mktemp("two-servers")
    with fresh_postgres_database(postgres) as database:
        first = EmulatorProcess(database, tmp_path / "first.log", workers=1)
        second = EmulatorProcess(database, tmp_path / "second.log", workers=2)
        starters = [threading.Thread(target=server.start) for server in (first, second)]
        for starter in starters:
            starter.start()
        for starter in starters:
            starter.join()
        try:
            assert first.process and second.process
            yield first, second
        finally:
            first.stop()
            second.stop()
        for server in (first, second):
            assert "Traceback" not in server.log(), server.log()[-3000:]


def _code(endpoint: str, pool_id: str, username: str) -> str:
    found = httpx.get(
        f"{endpoint}/_emulator/messages", params={"pool_id": pool_id, "username": username}
    ).json()
    return found["messages"][0]["code"]


def test_two_processes_serve_one_pool_as_one(two_servers):
    first, second = two_servers
    one, two = boto_client(first.endpoint), boto_client(second.endpoint)
    pool = make_pool(first.endpoint, "shared")
    assert two.describe_user_pool(UserPoolId=pool.pool_id)["UserPool"]["Name"] == "shared"

    # Sign up on the first; the code is in the outbox both see; confirm on the second.
    email = [{"Name": "email", "Value": "alice@example.com"}]
    one.sign_up(ClientId=pool.client_id, Username="alice", Password=PASSWORD, UserAttributes=email)
    code = _code(second.endpoint, pool.pool_id, "alice")
    two.confirm_sign_up(ClientId=pool.client_id, Username="alice", ConfirmationCode=code)
    # Sign in on the second (SRP: its challenge session is stored, answered on the first).
    srp = AWSSRP("alice", PASSWORD, pool.pool_id, pool.client_id, client=two)
    parameters = srp.get_auth_params()
    challenge = two.initiate_auth(
        ClientId=pool.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=parameters
    )
    tokens = one.respond_to_auth_challenge(
        ClientId=pool.client_id,
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=srp.process_challenge(challenge["ChallengeParameters"], parameters),
        Session=challenge["Session"],
    )["AuthenticationResult"]
    # Both sign with the same keys: a token from one is good on the other, and JWKS are the same.
    assert two.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"
    jwks = f"/{pool.pool_id}/.well-known/jwks.json"
    assert httpx.get(first.endpoint + jwks).json() == httpx.get(second.endpoint + jwks).json()
    # Refresh on the first, revoke on the second: the first refuses the token from then on.
    refreshed = one.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
    )["AuthenticationResult"]
    assert two.get_user(AccessToken=refreshed["AccessToken"])["Username"] == "alice"
    two.revoke_token(Token=tokens["RefreshToken"], ClientId=pool.client_id)
    with pytest.raises(ClientError) as excinfo:
        one.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
        )
    assert excinfo.value.response["Error"]["Code"] == "NotAuthorizedException"
    with pytest.raises(ClientError) as excinfo:  # revocation also ends the access tokens of that session
        one.get_user(AccessToken=refreshed["AccessToken"])
    assert excinfo.value.response["Error"]["Code"] == "NotAuthorizedException"
    # The clock is shared too: moved on the second, seen on the first.
    httpx.post(f"{second.endpoint}/_emulator/clock", json={"advance_seconds": 3600}).raise_for_status()
    assert httpx.get(f"{first.endpoint}/_emulator/clock").json()["offset_seconds"] >= 3600
    # Back to real time for the module's other tests (SRP's TIMESTAMP must be near the server's clock).
    httpx.post(f"{first.endpoint}/_emulator/clock", json={"reset": True}).raise_for_status()
    assert httpx.get(f"{second.endpoint}/_emulator/clock").json()["offset_seconds"] == 0


def test_races_split_across_the_two_processes_have_one_winner(two_servers):
    first, second = two_servers
    one, two = boto_client(first.endpoint), boto_client(second.endpoint)
    pool = make_pool(first.endpoint, "races")
    tally = Tally()

    def across(operation: str, call, losers: set[str]):  # type: ignore[no-untyped-def]
        # The two racers alternate servers: tally.race runs the function twice at once.
        turn = iter([one, two])
        lock = threading.Lock()

        def attempt():  # type: ignore[no-untyped-def]
            with lock:
                client = next(turn)
            return call(client)

        return tally.race(operation, attempt, losers)

    for number in range(6):
        username = f"racer{number}"
        one.sign_up(
            ClientId=pool.client_id,
            Username=username,
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}],
        )
        code = _code(first.endpoint, pool.pool_id, username)
        across(
            "ConfirmSignUp",
            lambda client, u=username, c=code: client.confirm_sign_up(
                ClientId=pool.client_id, Username=u, ConfirmationCode=c
            ),
            {"NotAuthorizedException", "ExpiredCodeException", "CodeMismatchException"},
        )
        srp = AWSSRP(username, PASSWORD, pool.pool_id, pool.client_id, client=one)
        parameters = srp.get_auth_params()
        challenge = one.initiate_auth(
            ClientId=pool.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=parameters
        )
        answers = srp.process_challenge(challenge["ChallengeParameters"], parameters)
        across(
            "RespondToAuthChallenge",
            lambda client, a=answers, s=challenge["Session"]: client.respond_to_auth_challenge(
                ClientId=pool.client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=a, Session=s
            ),
            {"NotAuthorizedException"},
        )
        rotating = two.initiate_auth(
            ClientId=pool.rotating_client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]
        across(
            "GetTokensFromRefreshToken",
            lambda client, t=rotating["RefreshToken"]: client.get_tokens_from_refresh_token(
                RefreshToken=t, ClientId=pool.rotating_client_id
            ),
            {"RefreshTokenReuseException", "NotAuthorizedException"},
        )
    assert tally.unexpected == []
    assert dict(tally.races) == {
        ("ConfirmSignUp", 1): 6,
        ("RespondToAuthChallenge", 1): 6,
        ("GetTokensFromRefreshToken", 1): 6,
    }


def test_a_load_spread_over_both_processes(two_servers):
    first, second = two_servers
    pool = make_pool(first.endpoint, "spread")
    users = 64
    tally = run_load(
        first.endpoint, pool, users=users, concurrency=16, endpoints=[first.endpoint, second.endpoint]
    )
    assert tally.unexpected == [], tally.unexpected[:10]
    assert check_world(second.endpoint, pool, tally, users) == []
