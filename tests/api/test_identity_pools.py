"""Identity pools (cognito-identity) managed with boto3 on the same server as the user pools: create,
describe, update, delete, list, tags, roles and role mappings, principal tag maps."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from tests.helpers import error_of, make_client, make_pool

ROLE = "arn:aws:iam::123456789012:role/{}"
POOL_ID = re.compile(r"^us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture
def user_pool(cognito) -> tuple[str, str]:
    pool_id = make_pool(cognito, PoolName="users")
    return pool_id, make_client(cognito, pool_id)["ClientId"]


def provider(pool_id: str) -> str:
    return f"cognito-idp.us-east-1.amazonaws.com/{pool_id}"


def test_an_identity_pool_is_created_and_described_as_cognito_shows_it(identity, user_pool):
    pool_id, client_id = user_pool
    created = identity.create_identity_pool(
        IdentityPoolName="my app",
        AllowUnauthenticatedIdentities=True,
        CognitoIdentityProviders=[{"ProviderName": provider(pool_id), "ClientId": client_id}],
        IdentityPoolTags={"team": "web"},
    )
    assert POOL_ID.fullmatch(created["IdentityPoolId"])
    assert created["IdentityPoolName"] == "my app"
    assert created["AllowUnauthenticatedIdentities"] is True
    assert created["CognitoIdentityProviders"] == [
        {"ProviderName": provider(pool_id), "ClientId": client_id, "ServerSideTokenCheck": False}
    ]
    assert created["SupportedLoginProviders"] == {}
    assert created["OpenIdConnectProviderARNs"] == [] and created["SamlProviderARNs"] == []
    assert created["IdentityPoolTags"] == {"team": "web"}
    described = identity.describe_identity_pool(IdentityPoolId=created["IdentityPoolId"])
    described.pop("ResponseMetadata")
    created.pop("ResponseMetadata")
    assert described == created


def test_update_replaces_the_settings_and_keeps_the_developer_provider(identity):
    pool_id = identity.create_identity_pool(
        IdentityPoolName="p",
        AllowUnauthenticatedIdentities=False,
        DeveloperProviderName="login.example",
        SupportedLoginProviders={"accounts.google.com": "123.apps.googleusercontent.com"},
    )["IdentityPoolId"]
    updated = identity.update_identity_pool(
        IdentityPoolId=pool_id, IdentityPoolName="renamed", AllowUnauthenticatedIdentities=True
    )
    assert updated["IdentityPoolName"] == "renamed"
    assert updated["AllowUnauthenticatedIdentities"] is True
    assert updated["SupportedLoginProviders"] == {}
    assert updated["DeveloperProviderName"] == "login.example"
    with pytest.raises(ClientError) as excinfo:
        identity.update_identity_pool(
            IdentityPoolId=pool_id,
            IdentityPoolName="renamed",
            AllowUnauthenticatedIdentities=True,
            DeveloperProviderName="other.example",
        )
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_a_pool_that_does_not_exist_is_not_found(identity):
    missing = "us-east-1:00000000-0000-4000-8000-000000000000"
    for call in (
        lambda: identity.describe_identity_pool(IdentityPoolId=missing),
        lambda: identity.delete_identity_pool(IdentityPoolId=missing),
        lambda: identity.get_id(IdentityPoolId=missing),
        lambda: identity.get_identity_pool_roles(IdentityPoolId=missing),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo) == ("ResourceNotFoundException", f"IdentityPool '{missing}' not found.")


def test_shapes_are_checked_against_cognito_identitys_own_model(identity, http):
    with pytest.raises(ClientError) as excinfo:
        identity.describe_identity_pool(IdentityPoolId="not-an-id")
    code, message = error_of(excinfo)
    assert code == "InvalidParameterException"
    assert message.startswith("1 validation error detected: Value 'not-an-id' at 'identityPoolId'")
    response = http.post(
        "/",
        content=b"{}",
        headers={
            "content-type": "application/x-amz-json-1.1",
            "x-amz-target": "AWSCognitoIdentityService.NoSuchThing",
        },
    )
    assert response.status_code == 400
    assert response.headers["x-amzn-errortype"] == "UnknownOperationException"


def test_pools_are_listed_page_by_page_and_deleted(identity):
    ids = [
        identity.create_identity_pool(IdentityPoolName=f"p{n}", AllowUnauthenticatedIdentities=False)[
            "IdentityPoolId"
        ]
        for n in range(3)
    ]
    first = identity.list_identity_pools(MaxResults=2)
    assert [p["IdentityPoolId"] for p in first["IdentityPools"]] == ids[:2]
    second = identity.list_identity_pools(MaxResults=2, NextToken=first["NextToken"])
    assert [p["IdentityPoolName"] for p in second["IdentityPools"]] == ["p2"]
    assert "NextToken" not in second
    identity.delete_identity_pool(IdentityPoolId=ids[0])
    listed = identity.list_identity_pools(MaxResults=60)["IdentityPools"]
    assert [p["IdentityPoolId"] for p in listed] == ids[1:]
    with pytest.raises(ClientError) as excinfo:
        identity.list_identity_pools(MaxResults=60, NextToken="garbage")
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_tags_by_arn(identity):
    pool_id = identity.create_identity_pool(
        IdentityPoolName="p", AllowUnauthenticatedIdentities=False, IdentityPoolTags={"a": "1"}
    )["IdentityPoolId"]
    arn = f"arn:aws:cognito-identity:us-east-1:123456789012:identitypool/{pool_id}"
    identity.tag_resource(ResourceArn=arn, Tags={"b": "2", "c": "3"})
    assert identity.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"a": "1", "b": "2", "c": "3"}
    identity.untag_resource(ResourceArn=arn, TagKeys=["a", "c"])
    assert identity.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"b": "2"}
    assert identity.describe_identity_pool(IdentityPoolId=pool_id)["IdentityPoolTags"] == {"b": "2"}
    with pytest.raises(ClientError) as excinfo:
        identity.list_tags_for_resource(ResourceArn=arn.replace(pool_id, "us-east-1:" + "0" * 8))
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


def test_roles_and_role_mappings_are_kept_and_checked(identity, user_pool):
    pool_id, client_id = user_pool
    identity_pool = identity.create_identity_pool(
        IdentityPoolName="p",
        AllowUnauthenticatedIdentities=True,
        CognitoIdentityProviders=[{"ProviderName": provider(pool_id), "ClientId": client_id}],
    )["IdentityPoolId"]
    key = f"{provider(pool_id)}:{client_id}"
    mappings = {
        key: {
            "Type": "Rules",
            "AmbiguousRoleResolution": "AuthenticatedRole",
            "RulesConfiguration": {
                "Rules": [
                    {
                        "Claim": "cognito:groups",
                        "MatchType": "Contains",
                        "Value": "admin",
                        "RoleARN": ROLE.format("a"),
                    }
                ]
            },
        }
    }
    roles = {"authenticated": ROLE.format("auth"), "unauthenticated": ROLE.format("guest")}
    identity.set_identity_pool_roles(IdentityPoolId=identity_pool, Roles=roles, RoleMappings=mappings)
    got = identity.get_identity_pool_roles(IdentityPoolId=identity_pool)
    assert got["IdentityPoolId"] == identity_pool
    assert got["Roles"] == roles
    assert got["RoleMappings"] == mappings

    bad = [
        {"authenticated": "not-a-role-arn-at-all"},
    ]
    for roles_value in bad:
        with pytest.raises(ClientError) as excinfo:
            identity.set_identity_pool_roles(IdentityPoolId=identity_pool, Roles=roles_value)
        assert error_of(excinfo)[0] == "InvalidParameterException"
    for mapping in (
        {"Type": "Rules", "AmbiguousRoleResolution": "Deny"},
        {"Type": "Token"},
        {
            "Type": "Token",
            "AmbiguousRoleResolution": "Deny",
            "RulesConfiguration": mappings[key]["RulesConfiguration"],
        },
    ):
        with pytest.raises(ClientError) as excinfo:
            identity.set_identity_pool_roles(
                IdentityPoolId=identity_pool, Roles=roles, RoleMappings={key: mapping}
            )
        assert error_of(excinfo)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as excinfo:
        identity.set_identity_pool_roles(
            IdentityPoolId=identity_pool,
            Roles=roles,
            RoleMappings={
                f"{provider(pool_id)}:otherclient": {"Type": "Token", "AmbiguousRoleResolution": "Deny"}
            },
        )
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_principal_tag_maps(identity, user_pool):
    pool_id, client_id = user_pool
    identity_pool = identity.create_identity_pool(
        IdentityPoolName="p",
        AllowUnauthenticatedIdentities=False,
        CognitoIdentityProviders=[{"ProviderName": provider(pool_id), "ClientId": client_id}],
    )["IdentityPoolId"]
    unset = identity.get_principal_tag_attribute_map(
        IdentityPoolId=identity_pool, IdentityProviderName=provider(pool_id)
    )
    assert unset["UseDefaults"] is False and unset["PrincipalTags"] == {}
    defaults = identity.set_principal_tag_attribute_map(
        IdentityPoolId=identity_pool, IdentityProviderName=provider(pool_id), UseDefaults=True
    )
    assert defaults["PrincipalTags"] == {"username": "sub", "client": "aud"}
    custom = identity.set_principal_tag_attribute_map(
        IdentityPoolId=identity_pool,
        IdentityProviderName=provider(pool_id),
        UseDefaults=False,
        PrincipalTags={"department": "custom:dept"},
    )
    assert custom["PrincipalTags"] == {"department": "custom:dept"}
    got = identity.get_principal_tag_attribute_map(
        IdentityPoolId=identity_pool, IdentityProviderName=provider(pool_id)
    )
    assert got["IdentityProviderName"] == provider(pool_id)
    assert got["PrincipalTags"] == {"department": "custom:dept"} and got["UseDefaults"] is False
    with pytest.raises(ClientError) as excinfo:
        identity.get_principal_tag_attribute_map(
            IdentityPoolId=identity_pool, IdentityProviderName="graph.facebook.com"
        )
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


def test_a_reset_and_deleting_the_pool_clear_its_identities(identity, server):
    pool = identity.create_identity_pool(IdentityPoolName="p", AllowUnauthenticatedIdentities=True)[
        "IdentityPoolId"
    ]
    identity_id = identity.get_id(IdentityPoolId=pool)["IdentityId"]
    identity.delete_identity_pool(IdentityPoolId=pool)
    with pytest.raises(ClientError) as excinfo:
        identity.describe_identity(IdentityId=identity_id)
    assert error_of(excinfo)[0] == "ResourceNotFoundException"
    pool = identity.create_identity_pool(IdentityPoolName="p", AllowUnauthenticatedIdentities=True)[
        "IdentityPoolId"
    ]
    identity.get_id(IdentityPoolId=pool)
    server.emulator.reset()
    assert identity.list_identity_pools(MaxResults=60)["IdentityPools"] == []


def test_a_user_pool_provider_must_name_a_user_pool(identity, user_pool):
    pool_id, client_id = user_pool
    for name in ("accounts.google.com", "example.com/tenant_abc", "cognito-idp.us-east-1.amazonaws.com/nope"):
        with pytest.raises(ClientError) as excinfo:
            identity.create_identity_pool(
                IdentityPoolName="p",
                AllowUnauthenticatedIdentities=False,
                CognitoIdentityProviders=[{"ProviderName": name, "ClientId": client_id}],
            )
        assert error_of(excinfo) == (
            "InvalidParameterException",
            f"Invalid Cognito Identity Provider name: {name}",
        )
    # The emulator's issuer without its scheme names the same user pool as AWS's form.
    created = identity.create_identity_pool(
        IdentityPoolName="p",
        AllowUnauthenticatedIdentities=False,
        CognitoIdentityProviders=[{"ProviderName": f"127.0.0.1:9229/{pool_id}", "ClientId": client_id}],
    )
    assert created["CognitoIdentityProviders"][0]["ProviderName"] == f"127.0.0.1:9229/{pool_id}"
