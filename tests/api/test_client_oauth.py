"""An app client's OAuth settings over real HTTP with boto3, refused where Cognito refuses them."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.helpers import error_of, make_pool

WEB = {
    "AllowedOAuthFlowsUserPoolClient": True,
    "AllowedOAuthFlows": ["code"],
    "AllowedOAuthScopes": ["openid", "email"],
    "CallbackURLs": ["https://app.example.com/callback"],
}


@pytest.fixture
def pool_id(cognito) -> str:
    pool_id = make_pool(cognito, PoolName="oauth-clients")
    cognito.create_resource_server(
        UserPoolId=pool_id,
        Identifier="orders",
        Name="Orders",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "Read"}],
    )
    return pool_id


def create(cognito, pool_id, **settings):
    return cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c", **settings)["UserPoolClient"]


def refused(cognito, pool_id, **settings) -> tuple[str, str]:
    with pytest.raises(ClientError) as excinfo:
        create(cognito, pool_id, **settings)
    return error_of(excinfo)


def test_a_web_client_with_standard_and_custom_scopes(cognito, pool_id):
    client = create(
        cognito,
        pool_id,
        **{**WEB, "AllowedOAuthScopes": ["openid", "aws.cognito.signin.user.admin", "orders/read"]},
        LogoutURLs=["http://localhost:3000/"],
        DefaultRedirectURI="https://app.example.com/callback",
        SupportedIdentityProviders=["COGNITO"],
    )
    assert client["AllowedOAuthScopes"] == ["openid", "aws.cognito.signin.user.admin", "orders/read"]
    assert client["DefaultRedirectURI"] == "https://app.example.com/callback"


def test_oauth_clients_need_flows_and_scopes(cognito, pool_id):
    for missing in ("AllowedOAuthFlows", "AllowedOAuthScopes"):
        settings = {key: value for key, value in WEB.items() if key != missing}
        assert refused(cognito, pool_id, **settings) == (
            "InvalidParameterException",
            "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use "
            "OAuth flows.",
        )


def test_unknown_scopes_do_not_exist(cognito, pool_id):
    for scope in ("Cognito", "orders/write", "billing/read"):
        assert refused(cognito, pool_id, **{**WEB, "AllowedOAuthScopes": ["openid", scope]}) == (
            "ScopeDoesNotExistException",
            f"Invalid scope requested: {scope}",
        )


def test_client_credentials_needs_a_secret_custom_scopes_and_no_other_flow(cognito, pool_id):
    m2m = {
        "AllowedOAuthFlowsUserPoolClient": True,
        "AllowedOAuthFlows": ["client_credentials"],
        "AllowedOAuthScopes": ["orders/read"],
    }
    client = create(cognito, pool_id, GenerateSecret=True, **m2m)
    assert client["AllowedOAuthFlows"] == ["client_credentials"]
    assert "CallbackURLs" not in client

    assert refused(cognito, pool_id, **m2m) == (
        "InvalidOAuthFlowException",
        "client_credentials flow can not be selected if client does not have a client secret.",
    )
    code, _ = refused(
        cognito,
        pool_id,
        GenerateSecret=True,
        **{**m2m, "AllowedOAuthFlows": ["client_credentials", "code"]},
        CallbackURLs=["https://app.example.com/"],
    )
    assert code == "InvalidOAuthFlowException"
    code, _ = refused(cognito, pool_id, GenerateSecret=True, **{**m2m, "AllowedOAuthScopes": ["openid"]})
    assert code == "InvalidOAuthFlowException"


@pytest.mark.parametrize(
    ("url", "valid"),
    [
        ("https://app.example.com/callback?x=1", True),
        ("http://localhost:3000/", True),
        ("http://127.0.0.1:8080/cb", True),
        ("http://[::1]:8080/cb", True),
        ("myapp://callback", True),
        ("http://app.example.com/", False),
        ("http://localhost.com/", False),
        ("https://app.example.com/#fragment", False),
        ("/relative/path", False),
        ("https:///no-host", False),
    ],
)
def test_callback_and_logout_urls(cognito, pool_id, url, valid):
    for key in ("CallbackURLs", "LogoutURLs"):
        settings = {**WEB, key: [url]}
        if valid:
            assert create(cognito, pool_id, **settings)[key] == [url]
        else:
            assert refused(cognito, pool_id, **settings)[0] == "InvalidParameterException"


def test_http_is_refused_with_cognitos_message(cognito, pool_id):
    assert refused(cognito, pool_id, **{**WEB, "CallbackURLs": ["http://localhost.com/"]}) == (
        "InvalidParameterException",
        "http://localhost.com/ cannot use the HTTP protocol.",
    )


def test_the_default_redirect_uri_is_one_of_the_callback_urls(cognito, pool_id):
    code, _ = refused(cognito, pool_id, **WEB, DefaultRedirectURI="https://elsewhere.example.com/")
    assert code == "InvalidParameterException"


def test_identity_providers_the_pool_does_not_have(cognito, pool_id):
    assert refused(cognito, pool_id, **WEB, SupportedIdentityProviders=["COGNITO", "Google"]) == (
        "InvalidParameterException",
        f"The provider Google does not exist for User Pool {pool_id}",
    )


def test_update_checks_the_same_rules_and_knows_the_secret(cognito, pool_id):
    public = create(cognito, pool_id)
    with pytest.raises(ClientError) as excinfo:
        cognito.update_user_pool_client(
            UserPoolId=pool_id,
            ClientId=public["ClientId"],
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["client_credentials"],
            AllowedOAuthScopes=["orders/read"],
        )
    assert error_of(excinfo)[0] == "InvalidOAuthFlowException"
    with pytest.raises(ClientError) as excinfo:
        cognito.update_user_pool_client(
            UserPoolId=pool_id, ClientId=public["ClientId"], **{**WEB, "AllowedOAuthScopes": ["orders/nope"]}
        )
    assert error_of(excinfo)[0] == "ScopeDoesNotExistException"
    # Nothing was changed by the refused updates.
    described = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=public["ClientId"])
    assert "AllowedOAuthFlows" not in described["UserPoolClient"]

    secret = create(cognito, pool_id, GenerateSecret=True)
    updated = cognito.update_user_pool_client(
        UserPoolId=pool_id,
        ClientId=secret["ClientId"],
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["orders/read"],
    )["UserPoolClient"]
    assert updated["AllowedOAuthScopes"] == ["orders/read"]
