"""Fixture files declare identity pools (``identity_pools``): loaded over the API as declared, put back after a
reset with their identities gone, problems named with the file and the path, and exported so that the file
loads back. The testing API's ``identity_client`` reaches them."""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from emulator.config import Settings
from emulator.engine import Emulator
from emulator.testing import LocalEmulator
from emulator.worlds import fixtures

POOL = "us-east-1_Identity1"
CLIENT = "identityweb000000000000001"
IDENTITY_POOL = "us-east-1:0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
PROVIDER = f"cognito-idp.us-east-1.amazonaws.com/{POOL}"
AUTH = "arn:aws:iam::123456789012:role/fixture-auth"
GUEST = "arn:aws:iam::123456789012:role/fixture-guest"

WORLD = f"""
version: 1
pools:
  - id: {POOL}
    name: identity-users
    clients:
      - id: {CLIENT}
        name: web
        settings: {{ExplicitAuthFlows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]}}
    users:
      - username: alice
        password: Passw0rd!
identity_pools:
  - id: {IDENTITY_POOL}
    name: fixture identities
    settings:
      AllowUnauthenticatedIdentities: true
      DeveloperProviderName: login.fixture
      CognitoIdentityProviders:
        - {{ProviderName: {PROVIDER}, ClientId: {CLIENT}}}
      IdentityPoolTags: {{env: test}}
    roles: {{authenticated: {AUTH}, unauthenticated: {GUEST}}}
    role_mappings:
      {PROVIDER}:{CLIENT}:
        Type: Rules
        AmbiguousRoleResolution: AuthenticatedRole
        RulesConfiguration:
          Rules:
            - {{Claim: cognito:username, MatchType: Equals, Value: alice, RoleARN: arn:aws:iam::123456789012:role/alice}}
"""


@pytest.fixture
def world_file(tmp_path: Path) -> Path:
    path = tmp_path / "identity.yaml"
    path.write_text(WORLD, encoding="utf-8")
    return path


def test_a_declared_identity_pool_is_served_and_comes_back_after_a_reset(world_file: Path):
    with LocalEmulator(fixtures=[world_file]) as emulator:
        identity = emulator.identity_client
        pool = identity.describe_identity_pool(IdentityPoolId=IDENTITY_POOL)
        assert pool["IdentityPoolName"] == "fixture identities"
        assert pool["AllowUnauthenticatedIdentities"] is True
        assert pool["DeveloperProviderName"] == "login.fixture"
        assert pool["IdentityPoolTags"] == {"env": "test"}
        roles = identity.get_identity_pool_roles(IdentityPoolId=IDENTITY_POOL)
        assert roles["Roles"] == {"authenticated": AUTH, "unauthenticated": GUEST}
        assert roles["RoleMappings"][f"{PROVIDER}:{CLIENT}"]["Type"] == "Rules"

        token = emulator.client.initiate_auth(
            ClientId=CLIENT,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": "Passw0rd!"},
        )["AuthenticationResult"]["IdToken"]
        identity_id = identity.get_id(IdentityPoolId=IDENTITY_POOL, Logins={PROVIDER: token})["IdentityId"]
        credentials = identity.get_credentials_for_identity(IdentityId=identity_id, Logins={PROVIDER: token})
        assert credentials["Credentials"]["AccessKeyId"].startswith("ASIA")

        identity.update_identity_pool(
            IdentityPoolId=IDENTITY_POOL, IdentityPoolName="changed", AllowUnauthenticatedIdentities=False
        )
        emulator.reset()
        back = identity.describe_identity_pool(IdentityPoolId=IDENTITY_POOL)
        assert (
            back["IdentityPoolName"] == "fixture identities"
            and back["AllowUnauthenticatedIdentities"] is True
        )
        with pytest.raises(ClientError) as excinfo:
            identity.describe_identity(IdentityId=identity_id)
        assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_problems_are_named_with_the_file_and_the_path(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        """
identity_pools:
  - id: not-an-id
    name: x
  - id: us-east-1:0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d
    name: x
    settings: {AllowUnauthenticatedIdentities: maybe, Colour: blue}
  - id: us-east-1:1a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d
    name: x
    roles: {authenticated: arn:aws:iam::123456789012:user/not-a-role}
  - id: us-east-1:2a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d
    colour: blue
""",
        encoding="utf-8",
    )
    emulator = Emulator(Settings(database=f"sqlite:///{tmp_path / 'db.sqlite'}"))
    try:
        with pytest.raises(fixtures.FixtureError) as excinfo:
            fixtures.load_file(emulator, bad)
    finally:
        emulator.close()
    text = str(excinfo.value)
    assert f"{bad}: identity_pools[0].id: must be an identity pool id" in text
    assert "identity_pools[1].settings.Colour: CreateIdentityPool has no setting 'Colour'" in text
    assert "identity_pools[1].settings: STRING_VALUE can not be converted to a Boolean" in text
    assert "identity_pools[2]: Invalid authenticated role ARN" in text
    assert "identity_pools[3].colour: unknown key" in text and "identity_pools[3].name: is required" in text


def test_an_export_loads_back(world_file: Path, tmp_path: Path):
    emulator = Emulator(Settings(database=f"sqlite:///{tmp_path / 'db.sqlite'}"))
    try:
        fixtures.load_file(emulator, world_file)
        with emulator.database.session() as session:
            document = fixtures.export(session)
        entry = document["identity_pools"][0]
        assert entry["id"] == IDENTITY_POOL and entry["roles"]["unauthenticated"] == GUEST
        text = fixtures.dump(document)
        again = tmp_path / "again.yaml"
        again.write_text(text, encoding="utf-8")
        emulator.reset()
        fixtures.load_file(emulator, again)
        with emulator.database.session() as session:
            assert fixtures.export(session)["identity_pools"] == document["identity_pools"]
    finally:
        emulator.close()
