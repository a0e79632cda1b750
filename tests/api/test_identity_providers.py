"""Identity providers over real HTTP with boto3: create, describe (completed details), list pages, update,
delete, by identifier, and their errors."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.helpers import error_of, make_pool

GOOGLE = {"client_id": "gid", "client_secret": "gsecret", "authorize_scopes": "openid email profile"}


@pytest.fixture
def pool_id(cognito) -> str:
    return make_pool(cognito, PoolName="identity-providers")


def test_google_is_completed_and_round_trips(cognito, pool_id):
    created = cognito.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="Google",
        ProviderType="Google",
        ProviderDetails=GOOGLE,
        AttributeMapping={"email": "email"},
        IdpIdentifiers=["example.com"],
    )["IdentityProvider"]
    details = created["ProviderDetails"]
    assert details["oidc_issuer"] == "https://accounts.google.com"
    assert details["token_request_method"] == "POST"
    assert details["attributes_url_add_attributes"] == "true"
    assert created["AttributeMapping"] == {"email": "email", "username": "sub"}
    described = cognito.describe_identity_provider(UserPoolId=pool_id, ProviderName="Google")[
        "IdentityProvider"
    ]
    assert described == created
    by_id = cognito.get_identity_provider_by_identifier(UserPoolId=pool_id, IdpIdentifier="example.com")
    assert by_id["IdentityProvider"]["ProviderName"] == "Google"
    updated = cognito.update_identity_provider(
        UserPoolId=pool_id, ProviderName="Google", AttributeMapping={"name": "name"}
    )["IdentityProvider"]
    assert updated["AttributeMapping"] == {"name": "name", "username": "sub"}
    assert updated["ProviderDetails"]["client_secret"] == "gsecret"
    cognito.delete_identity_provider(UserPoolId=pool_id, ProviderName="Google")
    with pytest.raises(ClientError) as caught:
        cognito.describe_identity_provider(UserPoolId=pool_id, ProviderName="Google")
    assert error_of(caught)[0] == "ResourceNotFoundException"


def test_apple_private_key_is_never_returned(cognito, pool_id):
    created = cognito.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="SignInWithApple",
        ProviderType="SignInWithApple",
        ProviderDetails={
            "client_id": "com.example",
            "team_id": "TEAM",
            "key_id": "KEY",
            "private_key": "-----BEGIN PRIVATE KEY-----x",
            "authorize_scopes": "email name",
        },
    )["IdentityProvider"]
    assert "private_key" not in created["ProviderDetails"]
    assert created["ProviderDetails"]["oidc_issuer"] == "https://appleid.apple.com"


def test_errors(cognito, pool_id):
    cognito.create_identity_provider(
        UserPoolId=pool_id, ProviderName="Google", ProviderType="Google", ProviderDetails=GOOGLE
    )
    with pytest.raises(ClientError) as caught:
        cognito.create_identity_provider(
            UserPoolId=pool_id, ProviderName="Google", ProviderType="Google", ProviderDetails=GOOGLE
        )
    assert error_of(caught)[0] == "DuplicateProviderException"
    with pytest.raises(ClientError) as caught:
        cognito.create_identity_provider(
            UserPoolId=pool_id, ProviderName="Oidc", ProviderType="OIDC", ProviderDetails={"client_id": "x"}
        )
    assert error_of(caught)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as caught:
        cognito.get_identity_provider_by_identifier(UserPoolId=pool_id, IdpIdentifier="nope")
    assert error_of(caught)[0] == "ResourceNotFoundException"


def test_list_pages(cognito, pool_id):
    for index in range(3):
        cognito.create_identity_provider(
            UserPoolId=pool_id,
            ProviderName=f"Oidc{index}",
            ProviderType="OIDC",
            ProviderDetails={
                "client_id": "c",
                "client_secret": "s",
                "attributes_request_method": "GET",
                "oidc_issuer": "https://issuer.example.com",
                "authorize_scopes": "openid",
            },
        )
    first = cognito.list_identity_providers(UserPoolId=pool_id, MaxResults=2)
    assert [p["ProviderName"] for p in first["Providers"]] == ["Oidc0", "Oidc1"]
    second = cognito.list_identity_providers(UserPoolId=pool_id, MaxResults=2, NextToken=first["NextToken"])
    assert [p["ProviderName"] for p in second["Providers"]] == ["Oidc2"]
    assert "NextToken" not in second
