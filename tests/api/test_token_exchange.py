"""GetDerivedToken (OAuth 2.0 token exchange) with boto3 over HTTP: impersonation and delegation (an act
claim), narrowed scopes, an audience, signed by the pool's keys, tied to the subject's session."""

from __future__ import annotations

import jwt
import pytest
from botocore.exceptions import ClientError

from tests.helpers import PASSWORD, error_code, make_client, make_pool, make_user

EXCHANGE = ["ALLOW_TOKEN_EXCHANGE_IMPERSONATION", "ALLOW_TOKEN_EXCHANGE_DELEGATION"]


@pytest.fixture
def world(cognito) -> dict:
    pool_id = make_pool(cognito, PoolName="exchange")
    cognito.create_resource_server(
        UserPoolId=pool_id,
        Identifier="https://api.example.com",
        Name="api",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "r"}],
    )
    app = make_client(cognito, pool_id)["ClientId"]
    service = make_client(cognito, pool_id, GenerateSecret=True, ExplicitAuthFlows=EXCHANGE)
    make_user(cognito, pool_id, "alice")
    make_user(cognito, pool_id, "agent")
    return {"pool_id": pool_id, "app": app, "service": service}


def sign_in(cognito, client_id: str, username: str) -> dict:
    return cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]


def verified(http, pool_id: str, token: str) -> dict:
    keys = http.get(f"/{pool_id}/.well-known/jwks.json").json()["keys"]
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWK(next(item for item in keys if item["kid"] == kid)).key
    return jwt.decode(token, key, algorithms=["RS256"], options={"verify_aud": False})


def test_impersonation_and_delegation(cognito, world, http):
    pool_id, service = world["pool_id"], world["service"]
    subject = sign_in(cognito, world["app"], "alice")
    derived = cognito.get_derived_token(
        ClientId=service["ClientId"],
        ClientSecret=service["ClientSecret"],
        SubjectToken=subject["AccessToken"],
        SubjectTokenType="ACCESS_TOKEN",
        Audiences=["https://api.example.com"],
        Scopes=["aws.cognito.signin.user.admin"],
    )
    assert derived["IssuedTokenType"] == "ACCESS_TOKEN" and derived["TokenType"] == "Bearer"
    assert derived["ExpiresIn"] == 3600 and derived["Scopes"] == ["aws.cognito.signin.user.admin"]
    claims = verified(http, pool_id, derived["IssuedToken"])
    original = jwt.decode(subject["AccessToken"], options={"verify_signature": False})
    assert claims["sub"] == original["sub"] and claims["client_id"] == service["ClientId"]
    assert claims["aud"] == "https://api.example.com" and "act" not in claims
    assert claims["origin_jti"] == original["origin_jti"]
    assert cognito.get_user(AccessToken=derived["IssuedToken"])["Username"] == "alice"

    actor = sign_in(cognito, world["app"], "agent")
    delegated = cognito.get_derived_token(
        ClientId=service["ClientId"],
        ClientSecret=service["ClientSecret"],
        SubjectToken=subject["IdToken"],
        SubjectTokenType="ID_TOKEN",
        ActorToken=actor["AccessToken"],
        ActorTokenType="ACCESS_TOKEN",
        RequestedTokenType="ID_TOKEN",
    )
    assert delegated["IssuedTokenType"] == "ID_TOKEN" and delegated["TokenType"] == "N_A"
    claims = verified(http, pool_id, delegated["IssuedToken"])
    agent_sub = jwt.decode(actor["AccessToken"], options={"verify_signature": False})["sub"]
    assert claims["token_use"] == "id" and claims["sub"] == original["sub"]
    assert claims["act"] == {"sub": agent_sub, "client_id": world["app"]}

    # The issued token belongs to the subject's sign-in: signing that out ends it.
    cognito.global_sign_out(AccessToken=subject["AccessToken"])
    with pytest.raises(ClientError) as caught:
        cognito.get_user(AccessToken=derived["IssuedToken"])
    assert error_code(caught) == "NotAuthorizedException"
    with pytest.raises(ClientError) as caught:
        cognito.get_derived_token(
            ClientId=service["ClientId"],
            ClientSecret=service["ClientSecret"],
            SubjectToken=subject["AccessToken"],
            SubjectTokenType="ACCESS_TOKEN",
        )
    assert error_code(caught) == "NotAuthorizedException"


def test_what_is_refused(cognito, world):
    service = world["service"]
    subject = sign_in(cognito, world["app"], "alice")
    base = {"SubjectToken": subject["AccessToken"], "SubjectTokenType": "ACCESS_TOKEN"}
    cases = [
        ({"ClientId": world["app"], **base}, "NotAuthorizedException"),  # the flow is not allowed
        ({"ClientId": service["ClientId"], **base}, "NotAuthorizedException"),  # no secret
        ({"ClientId": service["ClientId"], "ClientSecret": "x" * 30, **base}, "NotAuthorizedException"),
        (
            {
                "ClientId": service["ClientId"],
                "ClientSecret": service["ClientSecret"],
                **base,
                "Scopes": ["https://api.example.com/read"],
            },
            "InvalidParameterException",
        ),
        (
            {
                "ClientId": service["ClientId"],
                "ClientSecret": service["ClientSecret"],
                **base,
                "Resources": ["https://nothere.example.com"],
            },
            "InvalidParameterException",
        ),
        (
            {
                "ClientId": service["ClientId"],
                "ClientSecret": service["ClientSecret"],
                "SubjectToken": subject["IdToken"],
                "SubjectTokenType": "ACCESS_TOKEN",
            },
            "NotAuthorizedException",
        ),
        (
            {
                "ClientId": service["ClientId"],
                "ClientSecret": service["ClientSecret"],
                "SubjectToken": subject["AccessToken"],
                "SubjectTokenType": "ID_TOKEN",
            },
            "NotAuthorizedException",
        ),
        ({"ClientId": "nosuchclient00000000000000", **base}, "ResourceNotFoundException"),
    ]
    for request, expected in cases:
        with pytest.raises(ClientError) as caught:
            cognito.get_derived_token(**request)
        assert error_code(caught) == expected, request
    impersonation_only = make_client(
        cognito, world["pool_id"], ExplicitAuthFlows=["ALLOW_TOKEN_EXCHANGE_IMPERSONATION"]
    )["ClientId"]
    with pytest.raises(ClientError) as caught:
        cognito.get_derived_token(
            ClientId=impersonation_only,
            ActorToken=subject["AccessToken"],
            ActorTokenType="ACCESS_TOKEN",
            **base,
        )
    assert error_code(caught) == "NotAuthorizedException"
    assert cognito.get_derived_token(ClientId=impersonation_only, **base)["IssuedToken"]
