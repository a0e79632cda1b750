"""The console's identity pool pages over HTTP: the pools, a pool's settings, roles and identities with their
logins, what is shown escaped, and an unknown pool a 404."""

from __future__ import annotations

from tests.helpers import PASSWORD, make_client, make_pool, make_user


def test_identity_pools_and_their_identities_are_listed(http, cognito, identity):
    pool_id = make_pool(cognito, PoolName="users")
    client_id = make_client(cognito, pool_id)["ClientId"]
    provider = f"cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    identity_pool = identity.create_identity_pool(
        IdentityPoolName="shop ids",
        AllowUnauthenticatedIdentities=True,
        DeveloperProviderName="login.shop",
        CognitoIdentityProviders=[{"ProviderName": provider, "ClientId": client_id}],
    )["IdentityPoolId"]
    identity.set_identity_pool_roles(
        IdentityPoolId=identity_pool,
        Roles={"authenticated": "arn:aws:iam::123456789012:role/signed-in"},
        RoleMappings={
            f"{provider}:{client_id}": {"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"}
        },
    )
    make_user(cognito, pool_id, "alice")
    token = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["IdToken"]
    user = identity.get_id(IdentityPoolId=identity_pool, Logins={provider: token})["IdentityId"]
    guest = identity.get_id(IdentityPoolId=identity_pool)["IdentityId"]
    developer = identity.get_open_id_token_for_developer_identity(
        IdentityPoolId=identity_pool, Logins={"login.shop": "<b>bob</b>"}
    )["IdentityId"]

    listing = http.get("/_emulator/identity-pools")
    assert listing.status_code == 200
    assert "shop ids" in listing.text
    assert identity_pool in listing.text and provider in listing.text and "login.shop" in listing.text
    assert "Identity pools" in http.get("/_emulator/").text  # in the navigation

    page = http.get(f"/_emulator/identity-pools/{identity_pool}")
    assert page.status_code == 200
    assert user in page.text and guest in page.text and developer in page.text
    assert "3 identities" in page.text
    assert "&lt;b&gt;bob&lt;/b&gt;" in page.text and "<b>bob</b>" not in page.text
    assert "arn:aws:iam::123456789012:role/signed-in" in page.text
    assert "Token · ambiguous: AuthenticatedRole" in page.text
    sub = cognito.admin_get_user(UserPoolId=pool_id, Username="alice")["UserAttributes"]
    assert next(item["Value"] for item in sub if item["Name"] == "sub") in page.text


def test_an_unknown_identity_pool_is_404(http):
    response = http.get("/_emulator/identity-pools/us-east-1:00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert "No identity pool" in response.text
    assert "No identity pools yet" in http.get("/_emulator/identity-pools").text
