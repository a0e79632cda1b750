"""Lambda triggers run locally, in-process and through the Lambda Invoke API, and their effects via boto3."""

from __future__ import annotations

import jwt
import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from emulator.userpools.triggers import targets
from tests.conftest import make_boto_client
from tests.helpers import PASSWORD, error_code, error_message, make_client, make_pool, make_user

ARN = "arn:aws:lambda:us-east-1:123456789012:function:{}"


def _map(server, **functions: str) -> None:
    with server.emulator.database.session() as session, session.begin():
        for name, target in functions.items():
            targets.set_target(session, name, target)


def _custom_pool(cognito):
    pool_id = make_pool(
        cognito,
        LambdaConfig={
            "DefineAuthChallenge": ARN.format("define"),
            "CreateAuthChallenge": ARN.format("create"),
            "VerifyAuthChallengeResponse": ARN.format("verify"),
        },
    )
    client_id = make_client(cognito, pool_id)["ClientId"]
    make_user(cognito, pool_id, "quiz")
    return pool_id, client_id


def _map_custom(trigger_host):
    trigger_host.map("define", "custom_challenge", "define_auth_challenge")
    trigger_host.map("create", "custom_challenge", "create_auth_challenge")
    trigger_host.map("verify", "custom_challenge", "verify_auth_challenge_response")


def _answer(cognito, client_id, challenge, answer):
    return cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="CUSTOM_CHALLENGE",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "quiz", "ANSWER": answer},
    )


def test_custom_auth_without_srp(cognito, trigger_host):
    _pool_id, client_id = _custom_pool(cognito)
    _map_custom(trigger_host)
    challenge = cognito.initiate_auth(
        ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "quiz"}
    )
    assert challenge["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert challenge["ChallengeParameters"]["question"] == "What is 6 times 7?"
    retry = _answer(cognito, client_id, challenge, "41")
    assert retry["ChallengeName"] == "CUSTOM_CHALLENGE"
    done = _answer(cognito, client_id, retry, "42")
    assert "AccessToken" in done["AuthenticationResult"]


def test_custom_auth_fails_after_three_wrong_answers(cognito, trigger_host):
    _pool_id, client_id = _custom_pool(cognito)
    _map_custom(trigger_host)
    challenge = cognito.initiate_auth(
        ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "quiz"}
    )
    challenge = _answer(cognito, client_id, challenge, "1")
    challenge = _answer(cognito, client_id, challenge, "2")
    with pytest.raises(ClientError) as failed:
        _answer(cognito, client_id, challenge, "3")
    assert error_code(failed) == "NotAuthorizedException"


def test_custom_auth_with_srp(cognito, endpoint, trigger_host):
    _pool_id, client_id = _custom_pool(cognito)
    _map_custom(trigger_host)
    client = make_boto_client(endpoint)
    srp = AWSSRP(username="quiz", password=PASSWORD, pool_id=_pool_id, client_id=client_id, client=client)
    start = client.initiate_auth(
        ClientId=client_id,
        AuthFlow="CUSTOM_AUTH",
        AuthParameters={**srp.get_auth_params(), "CHALLENGE_NAME": "SRP_A"},
    )
    assert start["ChallengeName"] == "PASSWORD_VERIFIER"
    answer = srp.process_challenge(start["ChallengeParameters"], {"USERNAME": "quiz"})
    challenge = client.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="PASSWORD_VERIFIER",
        Session=start["Session"],
        ChallengeResponses=answer,
    )
    assert challenge["ChallengeName"] == "CUSTOM_CHALLENGE"
    done = _answer(client, client_id, challenge, "42")
    assert "IdToken" in done["AuthenticationResult"]


def test_custom_auth_without_trigger_or_mapping(cognito, server):
    pool_id = make_pool(cognito)
    client_id = make_client(cognito, pool_id)["ClientId"]
    make_user(cognito, pool_id, "quiz")
    with pytest.raises(ClientError) as missing:
        cognito.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "quiz"})
    assert error_code(missing) == "InvalidParameterException"
    assert error_message(missing) == "Custom auth lambda trigger is not configured for the user pool."
    _pool_id, client_id = _custom_pool(cognito)
    with pytest.raises(ClientError) as unmapped:
        cognito.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": "quiz"})
    assert error_code(unmapped) == "UnexpectedLambdaException"


def test_failing_and_broken_triggers_give_cognito_errors(cognito, server, http, trigger_host):
    pool_id = make_pool(
        cognito,
        LambdaConfig={"PreAuthentication": ARN.format("pre")},
        Schema=[{"Name": "blocked", "AttributeDataType": "String", "Mutable": True}],
    )
    client_id = make_client(cognito, pool_id)["ClientId"]
    make_user(cognito, pool_id, "blocked", attributes={"custom:blocked": "yes"})
    make_user(cognito, pool_id, "fine")
    trigger_host.map("pre", "authentication", "pre_authentication")

    def sign_in(username):
        return cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        )

    with pytest.raises(ClientError) as refused:
        sign_in("blocked")
    assert error_code(refused) == "UserLambdaValidationException"
    assert error_message(refused) == "PreAuthentication failed with error This account is blocked."
    assert "AccessToken" in sign_in("fine")["AuthenticationResult"]
    _map(server, pre="python:no_such_module_anywhere:handler")
    with pytest.raises(ClientError) as broken:
        sign_in("fine")
    assert error_code(broken) == "UnexpectedLambdaException"
    _map(server, pre="http://127.0.0.1:9")  # nothing listens there
    with pytest.raises(ClientError) as unreachable:
        sign_in("fine")
    assert error_code(unreachable) == "UnexpectedLambdaException"
    assert http.get("/_emulator/health").status_code == 200


@pytest.mark.parametrize("version", ["V1_0", "V2_0"])
def test_pre_token_generation_adds_claims(cognito, server, version, trigger_host):
    pool_id = make_pool(
        cognito,
        LambdaConfig={
            "PreTokenGenerationConfig": {"LambdaVersion": version, "LambdaArn": ARN.format("claims")}
        },
    )
    client_id = make_client(cognito, pool_id)["ClientId"]
    make_user(cognito, pool_id, "claimant")
    trigger_host.map("claims", "token_claims", "add_claims")
    tokens = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "claimant", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    id_claims = jwt.decode(tokens["IdToken"], options={"verify_signature": False})
    access_claims = jwt.decode(tokens["AccessToken"], options={"verify_signature": False})
    assert id_claims["tenant"] == "acme"
    if version == "V2_0":
        assert access_claims["tenant"] == "acme"
        assert "acme/read" in access_claims["scope"].split()
    else:
        assert "tenant" not in access_claims
