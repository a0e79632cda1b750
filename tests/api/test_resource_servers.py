"""Resource servers over real HTTP with boto3: their custom scopes, pages, limits and errors."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.conftest import call
from tests.helpers import error_of, make_pool

SCOPES = [
    {"ScopeName": "read", "ScopeDescription": "Read the orders"},
    {"ScopeName": "write", "ScopeDescription": "Change the orders"},
]


@pytest.fixture
def pool_id(cognito) -> str:
    return make_pool(cognito, PoolName="resource-servers")


def test_create_describe_update_delete(cognito, pool_id):
    created = cognito.create_resource_server(
        UserPoolId=pool_id, Identifier="https://api.example.com", Name="Orders", Scopes=SCOPES
    )["ResourceServer"]
    assert created == {
        "UserPoolId": pool_id,
        "Identifier": "https://api.example.com",
        "Name": "Orders",
        "Scopes": SCOPES,
    }
    described = cognito.describe_resource_server(UserPoolId=pool_id, Identifier="https://api.example.com")
    assert described["ResourceServer"] == created

    updated = cognito.update_resource_server(
        UserPoolId=pool_id,
        Identifier="https://api.example.com",
        Name="Orders API",
        Scopes=[{"ScopeName": "admin", "ScopeDescription": "Everything"}],
    )["ResourceServer"]
    assert updated["Name"] == "Orders API"
    # The update replaces the scopes: those it leaves out are gone.
    assert updated["Scopes"] == [{"ScopeName": "admin", "ScopeDescription": "Everything"}]
    assert (
        cognito.describe_resource_server(UserPoolId=pool_id, Identifier="https://api.example.com")[
            "ResourceServer"
        ]
        == updated
    )

    assert set(cognito.delete_resource_server(UserPoolId=pool_id, Identifier="https://api.example.com")) == {
        "ResponseMetadata"
    }
    for operation in (cognito.describe_resource_server, cognito.delete_resource_server):
        with pytest.raises(ClientError) as excinfo:
            operation(UserPoolId=pool_id, Identifier="https://api.example.com")
        assert error_of(excinfo)[0] == "ResourceNotFoundException"


def test_a_server_without_scopes_has_no_scopes_member(cognito, pool_id):
    created = cognito.create_resource_server(UserPoolId=pool_id, Identifier="bare", Name="Bare")
    assert created["ResourceServer"] == {"UserPoolId": pool_id, "Identifier": "bare", "Name": "Bare"}


def test_identifiers_are_unique_within_a_pool_only(cognito, pool_id):
    cognito.create_resource_server(UserPoolId=pool_id, Identifier="orders", Name="Orders")
    with pytest.raises(ClientError) as excinfo:
        cognito.create_resource_server(UserPoolId=pool_id, Identifier="orders", Name="Again")
    assert error_of(excinfo)[0] == "InvalidParameterException"
    other = make_pool(cognito, PoolName="other")
    cognito.create_resource_server(UserPoolId=other, Identifier="orders", Name="Elsewhere")


def test_scope_names_are_unique_and_checked_by_the_model(cognito, pool_id, http):
    with pytest.raises(ClientError) as excinfo:
        cognito.create_resource_server(
            UserPoolId=pool_id,
            Identifier="dup",
            Name="Dup",
            Scopes=[SCOPES[0], {"ScopeName": "read", "ScopeDescription": "again"}],
        )
    assert error_of(excinfo)[0] == "InvalidParameterException"
    # A slash would make '<identifier>/<scope>' ambiguous: the model's pattern leaves it out.
    response = call(
        http,
        "CreateResourceServer",
        {
            "UserPoolId": pool_id,
            "Identifier": "slash",
            "Name": "Slash",
            "Scopes": [{"ScopeName": "a/b", "ScopeDescription": "no"}],
        },
    )
    assert response.status_code == 400
    assert response.json()["__type"] == "InvalidParameterException"
    assert "scopes.1.member.scopeName" in response.json()["message"]


def test_at_most_25_servers_per_pool(cognito, pool_id):
    for n in range(25):
        cognito.create_resource_server(UserPoolId=pool_id, Identifier=f"server-{n:02}", Name="S")
    with pytest.raises(ClientError) as excinfo:
        cognito.create_resource_server(UserPoolId=pool_id, Identifier="one-too-many", Name="S")
    assert error_of(excinfo)[0] == "LimitExceededException"


def test_list_pages_with_max_results_and_next_token(cognito, pool_id):
    identifiers = [f"server-{n}" for n in range(5)]
    for identifier in reversed(identifiers):
        cognito.create_resource_server(
            UserPoolId=pool_id, Identifier=identifier, Name=identifier, Scopes=SCOPES
        )
    cognito.create_resource_server(
        UserPoolId=make_pool(cognito, PoolName="x"), Identifier="elsewhere", Name="E"
    )

    seen: list[str] = []
    kwargs: dict = {"UserPoolId": pool_id, "MaxResults": 2}
    pages = 0
    while True:
        page = cognito.list_resource_servers(**kwargs)
        pages += 1
        assert len(page["ResourceServers"]) <= 2
        seen += [server["Identifier"] for server in page["ResourceServers"]]
        assert all(server["Scopes"] == SCOPES for server in page["ResourceServers"])
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert pages == 3
    assert seen == identifiers

    paginator = cognito.get_paginator("list_resource_servers")
    listed = [
        server["Identifier"]
        for page in paginator.paginate(UserPoolId=pool_id, MaxResults=3)
        for server in page["ResourceServers"]
    ]
    assert listed == identifiers


def test_list_limits_and_unknown_pools(cognito, pool_id, http):
    assert cognito.list_resource_servers(UserPoolId=pool_id, MaxResults=50)["ResourceServers"] == []
    response = call(http, "ListResourceServers", {"UserPoolId": pool_id, "MaxResults": 51})
    assert response.json()["__type"] == "InvalidParameterException"
    for operation, kwargs in (
        (cognito.list_resource_servers, {"MaxResults": 1}),
        (cognito.create_resource_server, {"Identifier": "x", "Name": "X"}),
        (cognito.describe_resource_server, {"Identifier": "x"}),
    ):
        with pytest.raises(ClientError) as excinfo:
            operation(UserPoolId="us-east-1_Nope12345", **kwargs)
        assert error_of(excinfo) == (
            "ResourceNotFoundException",
            "User pool us-east-1_Nope12345 does not exist.",
        )
