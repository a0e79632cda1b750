"""App client operations over real HTTP with boto3: create, describe, update, delete, list."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from tests.conftest import call
from tests.helpers import error_of

CLIENT_ID = re.compile(r"^[a-z0-9]{26}$")
CLIENT_SECRET = re.compile(r"^[a-z0-9]{51}$")


@pytest.fixture
def pool_id(cognito) -> str:
    return cognito.create_user_pool(
        PoolName="clients", Schema=[{"Name": "tenant", "AttributeDataType": "String"}]
    )["UserPool"]["Id"]


FULL_SETTINGS = {
    "ClientName": "web-app",
    "RefreshTokenValidity": 12,
    "AccessTokenValidity": 2,
    "IdTokenValidity": 90,
    "TokenValidityUnits": {"AccessToken": "hours", "IdToken": "minutes", "RefreshToken": "hours"},
    "ReadAttributes": ["email", "custom:tenant"],
    "WriteAttributes": ["email"],
    "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    "SupportedIdentityProviders": ["COGNITO"],
    "CallbackURLs": ["https://app.example.com/callback", "http://localhost:3000/"],
    "LogoutURLs": ["https://app.example.com/logout"],
    "DefaultRedirectURI": "https://app.example.com/callback",
    "AllowedOAuthFlows": ["code"],
    "AllowedOAuthScopes": ["openid", "email", "profile"],
    "AllowedOAuthFlowsUserPoolClient": True,
    "PreventUserExistenceErrors": "ENABLED",
    "EnableTokenRevocation": False,
    "EnablePropagateAdditionalUserContextData": False,
    "AuthSessionValidity": 10,
}


# --- CreateUserPoolClient / DescribeUserPoolClient -------------------------------------------------------
def test_a_new_client_has_aws_defaults(cognito, pool_id):
    created = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="plain")["UserPoolClient"]
    client = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=created["ClientId"])[
        "UserPoolClient"
    ]
    assert client == created
    assert CLIENT_ID.match(client["ClientId"])
    assert client["UserPoolId"] == pool_id
    assert client["ClientName"] == "plain"
    assert "ClientSecret" not in client
    assert client["RefreshTokenValidity"] == 30
    assert client["TokenValidityUnits"] == {}
    assert client["AllowedOAuthFlowsUserPoolClient"] is False
    assert client["EnableTokenRevocation"] is True
    assert client["EnablePropagateAdditionalUserContextData"] is False
    assert client["AuthSessionValidity"] == 3
    # Created through the API (not the console), a client keeps the legacy user-existence errors.
    assert client.get("PreventUserExistenceErrors", "LEGACY") == "LEGACY"
    for absent in ("ExplicitAuthFlows", "CallbackURLs", "AllowedOAuthFlows", "ReadAttributes"):
        assert absent not in client
    assert client["CreationDate"] == client["LastModifiedDate"]


def test_generate_secret(cognito, pool_id):
    client = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="server", GenerateSecret=True)[
        "UserPoolClient"
    ]
    assert CLIENT_SECRET.match(client["ClientSecret"])
    described = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"])
    assert described["UserPoolClient"]["ClientSecret"] == client["ClientSecret"]
    other = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="other", GenerateSecret=True)
    assert other["UserPoolClient"]["ClientSecret"] != client["ClientSecret"]
    assert other["UserPoolClient"]["ClientId"] != client["ClientId"]


def test_an_explicit_secret_needs_generate_secret(cognito, pool_id):
    secret = "s" * 40
    client = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="c", GenerateSecret=True, ClientSecret=secret
    )["UserPoolClient"]
    assert client["ClientSecret"] == secret
    with pytest.raises(ClientError) as excinfo:
        cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c", ClientSecret=secret)
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_create_client_with_every_setting_round_trips(cognito, pool_id):
    created = cognito.create_user_pool_client(UserPoolId=pool_id, **FULL_SETTINGS)["UserPoolClient"]
    client = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=created["ClientId"])[
        "UserPoolClient"
    ]
    for key, value in FULL_SETTINGS.items():
        assert client[key] == value, key


def test_legacy_auth_flow_names_are_kept(cognito, pool_id):
    client = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="legacy", ExplicitAuthFlows=["USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"]
    )["UserPoolClient"]
    assert client["ExplicitAuthFlows"] == ["USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"]
    with pytest.raises(ClientError) as excinfo:
        cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="mixed",
            ExplicitAuthFlows=["USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"],
        )
    assert error_of(excinfo)[0] == "InvalidParameterException"


@pytest.mark.parametrize(
    ("settings", "valid"),
    [
        ({"AccessTokenValidity": 5, "TokenValidityUnits": {"AccessToken": "minutes"}}, True),
        ({"AccessTokenValidity": 4, "TokenValidityUnits": {"AccessToken": "minutes"}}, False),
        ({"AccessTokenValidity": 1, "TokenValidityUnits": {"AccessToken": "days"}}, True),
        ({"AccessTokenValidity": 25, "TokenValidityUnits": {"AccessToken": "hours"}}, False),
        ({"AccessTokenValidity": 1441}, False),  # the default unit is minutes
        ({"IdTokenValidity": 300, "TokenValidityUnits": {"IdToken": "seconds"}}, True),
        ({"IdTokenValidity": 299, "TokenValidityUnits": {"IdToken": "seconds"}}, False),
        ({"IdTokenValidity": 2, "TokenValidityUnits": {"IdToken": "days"}}, False),
        ({"RefreshTokenValidity": 60, "TokenValidityUnits": {"RefreshToken": "minutes"}}, True),
        ({"RefreshTokenValidity": 59, "TokenValidityUnits": {"RefreshToken": "minutes"}}, False),
        ({"RefreshTokenValidity": 3650}, True),  # the default unit is days: ten years
        ({"RefreshTokenValidity": 3651}, False),
    ],
)
def test_token_validity_ranges(cognito, pool_id, settings, valid):
    if valid:
        client = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c", **settings)[
            "UserPoolClient"
        ]
        for key, value in settings.items():
            assert client[key] == value
    else:
        with pytest.raises(ClientError) as excinfo:
            cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c", **settings)
        assert error_of(excinfo)[0] == "InvalidParameterException"


def test_auth_session_validity_is_3_to_15_minutes(cognito, pool_id, http):
    client = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c", AuthSessionValidity=15)
    assert client["UserPoolClient"]["AuthSessionValidity"] == 15
    response = call(
        http, "CreateUserPoolClient", {"UserPoolId": pool_id, "ClientName": "c", "AuthSessionValidity": 16}
    )
    assert response.status_code == 400
    assert response.json() == {
        "__type": "InvalidParameterException",
        "message": "1 validation error detected: Value '16' at 'authSessionValidity' failed to satisfy "
        "constraint: Member must have value less than or equal to 15",
    }


def test_unknown_read_or_write_attributes_are_refused(cognito, pool_id):
    with pytest.raises(ClientError) as excinfo:
        cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c", ReadAttributes=["custom:nope"])
    assert error_of(excinfo) == (
        "InvalidParameterException",
        "Invalid read attributes specified while creating a client",
    )
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c")["UserPoolClient"][
        "ClientId"
    ]
    with pytest.raises(ClientError) as excinfo:
        cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, WriteAttributes=["shoe_size"])
    assert error_of(excinfo) == (
        "InvalidParameterException",
        "Invalid write attributes specified while updating a client",
    )


def test_oauth_flows_need_callback_urls(cognito, pool_id):
    with pytest.raises(ClientError) as excinfo:
        cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="c",
            AllowedOAuthFlows=["code"],
            AllowedOAuthScopes=["openid"],
            AllowedOAuthFlowsUserPoolClient=True,
        )
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_clients_of_unknown_pools_and_unknown_clients(cognito, pool_id):
    with pytest.raises(ClientError) as excinfo:
        cognito.create_user_pool_client(UserPoolId="us-east-1_Nope12345", ClientName="c")
    assert error_of(excinfo) == ("ResourceNotFoundException", "User pool us-east-1_Nope12345 does not exist.")

    with pytest.raises(ClientError) as excinfo:
        cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId="abcdefghijklmnopqrstuvwxyz")
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "User pool client abcdefghijklmnopqrstuvwxyz does not exist.",
    )

    # A client is only found in its own pool.
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c")["UserPoolClient"][
        "ClientId"
    ]
    other_pool = cognito.create_user_pool(PoolName="other")["UserPool"]["Id"]
    for operation in (cognito.describe_user_pool_client, cognito.delete_user_pool_client):
        with pytest.raises(ClientError) as excinfo:
            operation(UserPoolId=other_pool, ClientId=client_id)
        assert error_of(excinfo) == (
            "ResourceNotFoundException",
            f"User pool client {client_id} does not exist.",
        )


# --- UpdateUserPoolClient --------------------------------------------------------------------------------
def test_update_client_changes_settings_and_resets_the_omitted_ones(cognito, pool_id, server):
    created = cognito.create_user_pool_client(UserPoolId=pool_id, GenerateSecret=True, **FULL_SETTINGS)[
        "UserPoolClient"
    ]
    server.emulator.set_clock_offset(300)
    updated = cognito.update_user_pool_client(
        UserPoolId=pool_id,
        ClientId=created["ClientId"],
        ClientName="renamed",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        AccessTokenValidity=30,
    )["UserPoolClient"]
    client = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=created["ClientId"])[
        "UserPoolClient"
    ]
    assert updated == client
    assert client["ClientName"] == "renamed"
    assert client["ExplicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert client["AccessTokenValidity"] == 30
    # What the update left out is back to AWS's defaults ...
    assert client["RefreshTokenValidity"] == 30
    assert client["TokenValidityUnits"] == {}
    assert client["AuthSessionValidity"] == 3
    assert client["EnableTokenRevocation"] is True
    assert client["AllowedOAuthFlowsUserPoolClient"] is False
    for absent in (
        "IdTokenValidity",
        "ReadAttributes",
        "WriteAttributes",
        "CallbackURLs",
        "AllowedOAuthFlows",
    ):
        assert absent not in client
    # ... but the id, the secret and the creation date never change.
    assert client["ClientId"] == created["ClientId"]
    assert client["ClientSecret"] == created["ClientSecret"]
    assert client["CreationDate"] == created["CreationDate"]
    assert (client["LastModifiedDate"] - client["CreationDate"]).total_seconds() == pytest.approx(300, abs=5)


def test_update_keeps_the_name_when_none_is_given(cognito, pool_id):
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="keep")["UserPoolClient"][
        "ClientId"
    ]
    cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, RefreshTokenValidity=7)
    client = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    assert client["ClientName"] == "keep"
    assert client["RefreshTokenValidity"] == 7


def test_update_an_unknown_client(cognito, pool_id):
    with pytest.raises(ClientError) as excinfo:
        cognito.update_user_pool_client(UserPoolId=pool_id, ClientId="abcdefghijklmnopqrstuvwxyz")
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "User pool client abcdefghijklmnopqrstuvwxyz does not exist.",
    )


# --- DeleteUserPoolClient --------------------------------------------------------------------------------
def test_delete_client(cognito, pool_id):
    keep = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="keep")["UserPoolClient"][
        "ClientId"
    ]
    doomed = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="doomed")["UserPoolClient"][
        "ClientId"
    ]
    assert set(cognito.delete_user_pool_client(UserPoolId=pool_id, ClientId=doomed)) == {"ResponseMetadata"}
    with pytest.raises(ClientError) as excinfo:
        cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=doomed)
    assert error_of(excinfo) == ("ResourceNotFoundException", f"User pool client {doomed} does not exist.")
    with pytest.raises(ClientError) as excinfo:
        cognito.delete_user_pool_client(UserPoolId=pool_id, ClientId=doomed)
    assert error_of(excinfo)[0] == "ResourceNotFoundException"
    listed = cognito.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"]
    assert [client["ClientId"] for client in listed] == [keep]


# --- ListUserPoolClients ---------------------------------------------------------------------------------
def test_list_clients_pages_with_max_results_and_next_token(cognito, pool_id):
    created = {
        cognito.create_user_pool_client(UserPoolId=pool_id, ClientName=f"client-{n}")["UserPoolClient"][
            "ClientId"
        ]: f"client-{n}"
        for n in range(5)
    }
    other_pool = cognito.create_user_pool(PoolName="other")["UserPool"]["Id"]
    cognito.create_user_pool_client(UserPoolId=other_pool, ClientName="elsewhere")

    seen: dict[str, str] = {}
    pages = 0
    kwargs: dict = {"UserPoolId": pool_id, "MaxResults": 2}
    while True:
        page = cognito.list_user_pool_clients(**kwargs)
        pages += 1
        assert len(page["UserPoolClients"]) <= 2
        for summary in page["UserPoolClients"]:
            assert set(summary) == {"ClientId", "UserPoolId", "ClientName"}
            assert summary["UserPoolId"] == pool_id
            assert summary["ClientId"] not in seen
            seen[summary["ClientId"]] = summary["ClientName"]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert pages == 3
    assert seen == created

    paginator = cognito.get_paginator("list_user_pool_clients")
    names = [
        summary["ClientName"]
        for page in paginator.paginate(UserPoolId=pool_id, PaginationConfig={"PageSize": 3})
        for summary in page["UserPoolClients"]
    ]
    assert sorted(names) == sorted(created.values())


def test_list_clients_of_an_empty_and_an_unknown_pool(cognito, pool_id):
    assert cognito.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"] == []
    with pytest.raises(ClientError) as excinfo:
        cognito.list_user_pool_clients(UserPoolId="us-east-1_Nope12345")
    assert error_of(excinfo) == ("ResourceNotFoundException", "User pool us-east-1_Nope12345 does not exist.")
