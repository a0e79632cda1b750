"""USER_SRP_AUTH with real SRP, driven by independent clients: pycognito (Cognito and AWSSRP) and boto3."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from pycognito import Cognito
from pycognito.aws_srp import AWSSRP

from tests.conftest import make_boto_client
from tests.helpers import PASSWORD, error_code, error_message, make_client, make_pool, make_user


@pytest.fixture
def world(cognito):
    pool_id = make_pool(cognito)
    client = make_client(cognito, pool_id)
    make_user(cognito, pool_id, "alice", attributes={"email": "alice@example.com", "email_verified": "true"})
    return pool_id, client["ClientId"]


def test_pycognito_signs_in_with_srp_and_verifies_tokens(endpoint, world):
    pool_id, client_id = world
    user = Cognito(pool_id, client_id, username="alice", boto3_client_kwargs={"endpoint_url": endpoint})
    user.authenticate(password=PASSWORD)  # verifies the tokens against the pool's JWKS
    assert user.id_claims["cognito:username"] == "alice"
    assert user.access_claims["token_use"] == "access"
    assert user.get_user().email == "alice@example.com"


def test_aws_srp_wrong_password_fails(endpoint, world):
    pool_id, client_id = world
    srp = AWSSRP(
        username="alice",
        password="Wrong-passw0rd",
        pool_id=pool_id,
        client_id=client_id,
        client=make_boto_client(endpoint),
    )
    with pytest.raises(ClientError) as excinfo:
        srp.authenticate_user()
    assert error_code(excinfo) == "NotAuthorizedException"
    assert error_message(excinfo) == "Incorrect username or password."


def test_srp_by_alias_and_email_username(cognito, endpoint):
    pool_id = make_pool(cognito, UsernameAttributes=["email"])
    client_id = make_client(cognito, pool_id)["ClientId"]
    make_user(cognito, pool_id, "grace@example.com", attributes={"email_verified": "true"})
    tokens = AWSSRP(
        username="grace@example.com",
        password=PASSWORD,
        pool_id=pool_id,
        client_id=client_id,
        client=make_boto_client(endpoint),
    ).authenticate_user()
    assert "AccessToken" in tokens["AuthenticationResult"]


def test_srp_with_client_secret(cognito, endpoint):
    pool_id = make_pool(cognito)
    client = make_client(cognito, pool_id, GenerateSecret=True)
    make_user(cognito, pool_id, "heidi")
    user = Cognito(
        pool_id,
        client["ClientId"],
        client_secret=client["ClientSecret"],
        username="heidi",
        boto3_client_kwargs={"endpoint_url": endpoint},
    )
    user.authenticate(password=PASSWORD)
    assert user.access_token


def test_srp_unknown_user_legacy_and_prevented(cognito, endpoint):
    pool_id = make_pool(cognito)
    legacy = make_client(cognito, pool_id)["ClientId"]
    prevented = make_client(cognito, pool_id, PreventUserExistenceErrors="ENABLED")["ClientId"]
    for client_id, expected in ((legacy, "UserNotFoundException"), (prevented, "NotAuthorizedException")):
        srp = AWSSRP(
            username="nobody",
            password=PASSWORD,
            pool_id=pool_id,
            client_id=client_id,
            client=make_boto_client(endpoint),
        )
        with pytest.raises(ClientError) as excinfo:
            srp.authenticate_user()
        assert error_code(excinfo) == expected


def test_srp_refuses_a_replayed_or_tampered_claim(cognito, endpoint, world):
    pool_id, client_id = world
    client = make_boto_client(endpoint)
    srp = AWSSRP(username="alice", password=PASSWORD, pool_id=pool_id, client_id=client_id, client=client)
    start = client.initiate_auth(
        AuthFlow="USER_SRP_AUTH", AuthParameters=srp.get_auth_params(), ClientId=client_id
    )
    assert start["ChallengeName"] == "PASSWORD_VERIFIER"
    parameters = start["ChallengeParameters"]
    assert parameters["USER_ID_FOR_SRP"] == "alice" and parameters["SALT"] and parameters["SRP_B"]
    answer = srp.process_challenge(parameters, {"USERNAME": "alice"})
    tampered = {**answer, "PASSWORD_CLAIM_SIGNATURE": "AAAA" + answer["PASSWORD_CLAIM_SIGNATURE"][4:]}
    with pytest.raises(ClientError) as bad:
        client.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="PASSWORD_VERIFIER",
            ChallengeResponses=tampered,
            Session=start["Session"],
        )
    assert error_code(bad) == "NotAuthorizedException"
    ok = client.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=answer,
        Session=start["Session"],
    )
    assert "AccessToken" in ok["AuthenticationResult"]
    with pytest.raises(ClientError) as replay:
        client.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="PASSWORD_VERIFIER",
            ChallengeResponses=answer,
            Session=start["Session"],
        )
    assert error_message(replay) == "Invalid session for the user, session is expired."


def test_srp_new_password_challenge_with_pycognito(cognito, endpoint):
    pool_id = make_pool(cognito)
    client_id = make_client(cognito, pool_id)["ClientId"]
    make_user(cognito, pool_id, "ivan", password="Temp0rary!", permanent=False)
    user = Cognito(pool_id, client_id, username="ivan", boto3_client_kwargs={"endpoint_url": endpoint})
    user.new_password_challenge(password="Temp0rary!", new_password="Brand-n3w-pass")
    user.authenticate(password="Brand-n3w-pass")
    assert user.id_claims["cognito:username"] == "ivan"
