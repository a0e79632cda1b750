"""PreTokenGeneration on the OAuth endpoints: TokenGeneration_HostedAuth for the code and implicit flows (with
the granted scopes in the event), TokenGeneration_RefreshTokens for a refresh, TokenGeneration_ClientCredentials
for M2M tokens (V3 triggers only, as in Cognito)."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest

from emulator.userpools.oauth import issue
from emulator.userpools.triggers import targets
from tests.api.oauth_world import APP, DOMAIN, World


@pytest.fixture
def world(oauth_world: World) -> World:
    return oauth_world


HANDLER = Path(__file__).parent / "data" / "oauth_pre_token.py"
ARN = "arn:aws:lambda:us-east-1:123456789012:function:oauthptg"


def claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


@pytest.fixture
def triggered(world: World):
    def use(version: str) -> World:
        with world.server.emulator.database.session() as session, session.begin():
            targets.set_target(session, ARN, f"python:{HANDLER}:handler")
        world.cognito.update_user_pool(
            UserPoolId=world.pool_id,
            LambdaConfig={"PreTokenGenerationConfig": {"LambdaVersion": version, "LambdaArn": ARN}},
        )
        return world

    return use


def test_the_code_flow_and_its_refresh(https, triggered):
    world = triggered("V2_0")
    code = world.code(scopes=["openid", "api/read"])
    body = https.post(
        f"/{DOMAIN}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": world.public,
            "redirect_uri": APP,
        },
    ).json()
    access, identity = claims(body["access_token"]), claims(body["id_token"])
    assert identity["trigger_source"] == "TokenGeneration_HostedAuth"
    assert access["trigger_source"] == "TokenGeneration_HostedAuth"
    assert access["seen_scopes"] == "openid api/read"
    assert access["scope"] == "openid api/read extra/added"
    refreshed = https.post(
        f"/{DOMAIN}/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": body["refresh_token"],
            "client_id": world.public,
        },
    ).json()
    assert claims(refreshed["access_token"])["trigger_source"] == "TokenGeneration_RefreshTokens"
    assert claims(refreshed["access_token"])["seen_scopes"] == "openid api/read"
    # The API's refresh (GetTokensFromRefreshToken) runs the same trigger, with the ClientMetadata given.
    api = world.cognito.get_tokens_from_refresh_token(
        ClientId=world.public, RefreshToken=body["refresh_token"], ClientMetadata={"k": "v"}
    )["AuthenticationResult"]
    assert claims(api["AccessToken"])["trigger_source"] == "TokenGeneration_RefreshTokens"
    assert claims(api["IdToken"])["trigger_source"] == "TokenGeneration_RefreshTokens"


def test_the_implicit_flow(https, triggered):
    world = triggered("V2_0")
    result = world.server.emulator.run(
        lambda ctx: issue.implicit_tokens(ctx, client_id=world.public, username="alice", scopes=["openid"]),
        name="Authorize",
    )
    assert claims(issue.oauth_fields(result)["id_token"])["trigger_source"] == "TokenGeneration_HostedAuth"


@pytest.mark.parametrize("version", ["V2_0", "V3_0"])
def test_client_credentials_runs_only_v3_triggers(https, triggered, version):
    world = triggered(version)
    body = https.post(
        f"/{DOMAIN}/oauth2/token",
        data={"grant_type": "client_credentials", "scope": "api/read"},
        headers=world.basic(world.m2m, world.m2m_secret),
    ).json()
    token = claims(body["access_token"])
    if version == "V3_0":
        assert token["trigger_source"] == "TokenGeneration_ClientCredentials"
        assert token["seen_scopes"] == "api/read" and token["scope"] == "api/read extra/added"
    else:
        assert "trigger_source" not in token and token["scope"] == "api/read"
    api = world.cognito.get_client_token(ClientId=world.m2m, Secret=world.m2m_secret)
    assert ("trigger_source" in claims(api["ClientAuthenticationResult"]["AccessToken"])) is (
        version == "V3_0"
    )
