"""GetId, GetCredentialsForIdentity and GetOpenIdToken with boto3: logins checked for real (forged, expired,
wrong-audience and foreign tokens refused with Cognito Identity's messages), guests only when allowed, role
mappings, identities linked, merged, described, listed, unlinked and deleted."""

from __future__ import annotations

import base64
import contextlib
import json
import re
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.helpers import PASSWORD, error_of, make_client, make_pool, make_user

ROLE = "arn:aws:iam::123456789012:role/{}"
IDENTITY_ID = re.compile(r"^us-east-1:[0-9a-f-]{36}$")
NOT_SUPPORTED = "Token is not from a supported provider of this identity pool."


class World:
    def __init__(self, cognito, identity, *, guests: bool = True, **pool_settings) -> None:
        self.cognito, self.identity = cognito, identity
        self.pool_id = make_pool(cognito, PoolName="users")
        self.client_id = make_client(cognito, self.pool_id)["ClientId"]
        self.provider = f"cognito-idp.us-east-1.amazonaws.com/{self.pool_id}"
        self.identity_pool = identity.create_identity_pool(
            IdentityPoolName="app",
            AllowUnauthenticatedIdentities=guests,
            CognitoIdentityProviders=[{"ProviderName": self.provider, "ClientId": self.client_id}],
            **pool_settings,
        )["IdentityPoolId"]
        identity.set_identity_pool_roles(
            IdentityPoolId=self.identity_pool,
            Roles={"authenticated": ROLE.format("auth"), "unauthenticated": ROLE.format("guest")},
        )

    def id_token(self, username: str = "alice", client_id: str | None = None) -> str:
        with contextlib.suppress(ClientError):  # already there
            make_user(self.cognito, self.pool_id, username, attributes={"email": f"{username}@example.com"})
        result = self.cognito.admin_initiate_auth(
            UserPoolId=self.pool_id,
            ClientId=client_id or self.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        )
        return result["AuthenticationResult"]["IdToken"]

    def get_id(self, token: str, key: str | None = None) -> str:
        return self.identity.get_id(IdentityPoolId=self.identity_pool, Logins={key or self.provider: token})[
            "IdentityId"
        ]

    def credentials(self, identity_id: str, token: str | None = None, **extra):
        logins = {"Logins": {self.provider: token}} if token else {}
        return self.identity.get_credentials_for_identity(IdentityId=identity_id, **logins, **extra)


@pytest.fixture
def world(cognito, identity) -> World:
    return World(cognito, identity)


def refused(excinfo) -> tuple[str, str]:
    return error_of(excinfo)


def test_a_user_gets_one_identity_and_credentials_in_stss_shape(world, server):
    token = world.id_token()
    identity_id = world.get_id(token)
    assert IDENTITY_ID.fullmatch(identity_id)
    assert world.get_id(token) == identity_id  # the same login, the same identity
    before = datetime.now(UTC)
    result = world.credentials(identity_id, token)
    assert result["IdentityId"] == identity_id
    credentials = result["Credentials"]
    assert re.fullmatch(r"ASIA[A-Z0-9]{16}", credentials["AccessKeyId"])
    assert len(credentials["SecretKey"]) == 40 and len(credentials["SessionToken"]) > 100
    expiry = credentials["Expiration"]
    assert timedelta(minutes=59) < expiry - before < timedelta(minutes=61)
    # On the emulator's clock: a day ahead, credentials expire a day later too.
    server.emulator.set_clock_offset(86400)
    try:
        later = world.credentials(identity_id, world.id_token())["Credentials"]["Expiration"]
    finally:
        server.emulator.set_clock_offset(0)
    assert timedelta(hours=24, minutes=59) < later - before < timedelta(hours=25, minutes=1)
    description = world.identity.describe_identity(IdentityId=identity_id)
    assert description["Logins"] == [world.provider]


def test_amplifys_issuer_form_of_the_login_names_the_same_provider(world, server):
    token = world.id_token()
    issuer = jwt.decode(token, options={"verify_signature": False})["iss"]
    amplify_key = re.sub(r"^\w+://", "", issuer)
    assert amplify_key == f"{server.endpoint.split('://')[1]}/{world.pool_id}"
    identity_id = world.get_id(token, key=amplify_key)
    assert world.get_id(token) == identity_id
    result = world.identity.get_credentials_for_identity(IdentityId=identity_id, Logins={amplify_key: token})
    assert result["IdentityId"] == identity_id


def test_forged_expired_and_foreign_tokens_are_refused(world, server):
    token = world.id_token()
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": header["kid"]})
    with pytest.raises(ClientError) as excinfo:
        world.get_id(forged)
    assert refused(excinfo) == (
        "NotAuthorizedException",
        "Invalid login token. Couldn't verify signed token.",
    )

    # The claims changed but the signature kept: the signature no longer matches.
    head, _, signature = token.split(".")
    tampered = f"{head}.{base64.urlsafe_b64encode(json.dumps({**claims, 'sub': 'someone-else'}).encode()).decode().rstrip('=')}.{signature}"
    with pytest.raises(ClientError) as excinfo:
        world.get_id(tampered)
    assert refused(excinfo)[1] == "Invalid login token. Couldn't verify signed token."

    with pytest.raises(ClientError) as excinfo:
        world.get_id("not a token")
    assert refused(excinfo) == (
        "NotAuthorizedException",
        "Invalid login token. Not a valid OpenId Connect identity token.",
    )

    # An access token is not an ID token: no aud.
    access = world.cognito.admin_initiate_auth(
        UserPoolId=world.pool_id,
        ClientId=world.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["AccessToken"]
    with pytest.raises(ClientError) as excinfo:
        world.get_id(access)
    assert refused(excinfo) == (
        "NotAuthorizedException",
        "Invalid login token. Missing a required claim: aud",
    )

    # A token of the pool's other client, which the identity pool does not list.
    other_client = make_client(world.cognito, world.pool_id)["ClientId"]
    with pytest.raises(ClientError) as excinfo:
        world.get_id(world.id_token(client_id=other_client))
    assert refused(excinfo) == ("NotAuthorizedException", NOT_SUPPORTED)

    # A token of a user pool the identity pool does not trust.
    stranger = World(world.cognito, world.identity)
    with pytest.raises(ClientError) as excinfo:
        world.identity.get_id(
            IdentityPoolId=world.identity_pool, Logins={stranger.provider: stranger.id_token()}
        )
    assert refused(excinfo) == ("NotAuthorizedException", NOT_SUPPORTED)

    # A login named after one pool carrying another pool's token.
    with pytest.raises(ClientError) as excinfo:
        world.get_id(stranger.id_token())
    assert refused(excinfo) == (
        "NotAuthorizedException",
        "Invalid login token. Issuer doesn't match providerName",
    )

    # Expired, by the emulator's clock.
    server.emulator.set_clock_offset(3601)
    try:
        with pytest.raises(ClientError) as excinfo:
            world.get_id(token)
    finally:
        server.emulator.set_clock_offset(0)
    code, message = refused(excinfo)
    assert code == "NotAuthorizedException"
    assert re.fullmatch(rf"Invalid login token\. Token expired: \d+ >= {claims['exp']}", message)


def test_providers_the_emulator_cannot_check_are_refused(cognito, identity):
    world = World(
        cognito, identity, SupportedLoginProviders={"accounts.google.com": "app.apps.googleusercontent.com"}
    )
    fake_google = jwt.encode({"iss": "https://accounts.google.com", "aud": "app", "sub": "1"}, "k" * 32)
    for key in ("accounts.google.com", "graph.facebook.com"):
        with pytest.raises(ClientError) as excinfo:
            identity.get_id(IdentityPoolId=world.identity_pool, Logins={key: fake_google})
        assert error_of(excinfo)[0] == "NotAuthorizedException"
    assert error_of(excinfo)[1] == NOT_SUPPORTED


def test_guests_get_the_unauthenticated_role_only_when_the_pool_allows_them(cognito, identity):
    world = World(cognito, identity, guests=True)
    guest = identity.get_id(IdentityPoolId=world.identity_pool)["IdentityId"]
    assert identity.get_id(IdentityPoolId=world.identity_pool)["IdentityId"] != guest
    assert world.credentials(guest)["Credentials"]["AccessKeyId"].startswith("ASIA")
    assert world.identity.describe_identity(IdentityId=guest)["Logins"] == []

    closed = World(cognito, identity, guests=False)
    with pytest.raises(ClientError) as excinfo:
        identity.get_id(IdentityPoolId=closed.identity_pool)
    assert error_of(excinfo) == (
        "NotAuthorizedException",
        "Unauthenticated access is not supported for this identity pool.",
    )
    # A guest identity made while guests were allowed gets nothing once they are not.
    identity.update_identity_pool(
        IdentityPoolId=world.identity_pool,
        IdentityPoolName="app",
        AllowUnauthenticatedIdentities=False,
        CognitoIdentityProviders=[{"ProviderName": world.provider, "ClientId": world.client_id}],
    )
    with pytest.raises(ClientError) as excinfo:
        world.credentials(guest)
    assert error_of(excinfo)[1] == "Unauthenticated access is not supported for this identity pool."


def test_an_authenticated_identity_needs_its_own_login(world):
    alice = world.get_id(world.id_token("alice"))
    with pytest.raises(ClientError) as excinfo:
        world.credentials(alice)
    assert error_of(excinfo) == (
        "NotAuthorizedException",
        "Logins don't match. Please include at least one valid login for this identity or identity pool.",
    )
    bob_token = world.id_token("bob")
    world.get_id(bob_token)
    with pytest.raises(ClientError) as excinfo:
        world.credentials(alice, bob_token)
    assert error_of(excinfo)[0] == "NotAuthorizedException"
    with pytest.raises(ClientError) as excinfo:
        world.credentials("us-east-1:00000000-0000-4000-8000-000000000000", bob_token)
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


def test_a_guest_that_signs_in_becomes_the_users_identity(world):
    guest = world.identity.get_id(IdentityPoolId=world.identity_pool)["IdentityId"]
    token = world.id_token("carol")
    # A first sign-in: the guest identity is the user's from now on.
    assert world.credentials(guest, token)["IdentityId"] == guest
    assert world.get_id(token) == guest
    # Another guest presenting the same login is merged into the user's identity.
    other_guest = world.identity.get_id(IdentityPoolId=world.identity_pool)["IdentityId"]
    assert world.credentials(other_guest, token)["IdentityId"] == guest
    with pytest.raises(ClientError) as excinfo:
        world.identity.describe_identity(IdentityId=other_guest)
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


def role_of(server, access_key_id: str) -> str:
    with server.emulator.database.session() as session:
        from emulator.store.models_identity import IssuedCredentials

        return session.get(IssuedCredentials, access_key_id).role_arn


def test_role_mappings_choose_the_role(world, server):
    cognito, identity = world.cognito, world.identity
    cognito.create_group(
        UserPoolId=world.pool_id, GroupName="admins", RoleArn=ROLE.format("admin"), Precedence=1
    )
    cognito.create_group(
        UserPoolId=world.pool_id, GroupName="staff", RoleArn=ROLE.format("staff"), Precedence=2
    )
    token = world.id_token("dave")
    cognito.admin_add_user_to_group(UserPoolId=world.pool_id, Username="dave", GroupName="admins")
    cognito.admin_add_user_to_group(UserPoolId=world.pool_id, Username="dave", GroupName="staff")
    token = world.id_token("dave")
    world.id_token("erin")
    erin = world.id_token("erin")
    key = f"{world.provider}:{world.client_id}"
    roles = {"authenticated": ROLE.format("auth"), "unauthenticated": ROLE.format("guest")}

    def role_for(user_token: str, **extra) -> str:
        identity_id = world.get_id(user_token)
        return role_of(
            server, world.credentials(identity_id, user_token, **extra)["Credentials"]["AccessKeyId"]
        )

    assert role_for(token) == ROLE.format("auth")  # no mapping: the pool's authenticated role

    def mapping(value: dict) -> None:
        identity.set_identity_pool_roles(
            IdentityPoolId=world.identity_pool, Roles=roles, RoleMappings={key: value}
        )

    mapping({"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"})
    assert role_for(token) == ROLE.format("admin")  # cognito:preferred_role
    assert role_for(token, CustomRoleArn=ROLE.format("staff")) == ROLE.format("staff")  # one of cognito:roles
    assert role_for(erin) == ROLE.format("auth")  # no groups: ambiguous -> the authenticated role
    mapping({"Type": "Token", "AmbiguousRoleResolution": "Deny"})
    with pytest.raises(ClientError) as excinfo:
        role_for(erin)
    assert error_of(excinfo) == (
        "NotAuthorizedException",
        "The ambiguous role mapping rules denied this request.",
    )

    rules = [
        {"Claim": "email", "MatchType": "StartsWith", "Value": "erin@", "RoleARN": ROLE.format("erin")},
        {
            "Claim": "cognito:groups",
            "MatchType": "Contains",
            "Value": "staff",
            "RoleARN": ROLE.format("staffrule"),
        },
        {
            "Claim": "email",
            "MatchType": "NotEqual",
            "Value": "nobody@example.com",
            "RoleARN": ROLE.format("other"),
        },
    ]
    mapping({"Type": "Rules", "AmbiguousRoleResolution": "Deny", "RulesConfiguration": {"Rules": rules}})
    assert role_for(erin) == ROLE.format("erin")
    assert role_for(token) == ROLE.format("staffrule")
    equals = [
        {"Claim": "email", "MatchType": "Equals", "Value": "dave@example.com", "RoleARN": ROLE.format("dave")}
    ]
    mapping({"Type": "Rules", "AmbiguousRoleResolution": "Deny", "RulesConfiguration": {"Rules": equals}})
    assert role_for(token) == ROLE.format("dave")
    with pytest.raises(ClientError) as excinfo:
        role_for(erin)
    assert error_of(excinfo)[0] == "NotAuthorizedException"
    mapping(
        {
            "Type": "Rules",
            "AmbiguousRoleResolution": "AuthenticatedRole",
            "RulesConfiguration": {"Rules": equals},
        }
    )
    assert role_for(erin) == ROLE.format("auth")


def test_no_role_is_an_invalid_configuration(cognito, identity):
    world = World(cognito, identity)
    identity.set_identity_pool_roles(IdentityPoolId=world.identity_pool, Roles={})
    guest = identity.get_id(IdentityPoolId=world.identity_pool)["IdentityId"]
    with pytest.raises(ClientError) as excinfo:
        world.credentials(guest)
    assert error_of(excinfo) == (
        "InvalidIdentityPoolConfigurationException",
        "Invalid identity pool configuration. Check assigned IAM roles for this pool.",
    )


def test_openid_tokens_are_signed_with_the_identity_services_own_key(cognito, identity, server):
    world = World(cognito, identity, AllowClassicFlow=True)
    token = world.id_token()
    identity_id = world.get_id(token)
    result = identity.get_open_id_token(IdentityId=identity_id, Logins={world.provider: token})
    assert result["IdentityId"] == identity_id
    keys = httpx.get(f"{server.endpoint}/cognito-identity/.well-known/jwks_uri").json()["keys"]
    discovery = httpx.get(f"{server.endpoint}/cognito-identity/.well-known/openid-configuration").json()
    assert discovery["jwks_uri"] == f"{server.endpoint}/cognito-identity/.well-known/jwks_uri"
    header = jwt.get_unverified_header(result["Token"])
    key = next(k for k in keys if k["kid"] == header["kid"])
    user_pool_keys = httpx.get(f"{server.endpoint}/{world.pool_id}/.well-known/jwks.json").json()["keys"]
    assert key["kid"] not in {k["kid"] for k in user_pool_keys}
    claims = jwt.decode(
        result["Token"],
        jwt.PyJWK(key).key,
        algorithms=["RS512"],
        audience=world.identity_pool,
        issuer=discovery["issuer"],
    )
    assert claims["sub"] == identity_id
    assert claims["amr"][:2] == ["authenticated", "cognito-idp.us-east-1.amazonaws.com"]
    assert claims["amr"][2].startswith(f"{world.provider}:CognitoSignIn:")
    assert claims["exp"] - claims["iat"] == 600

    guest = identity.get_id(IdentityPoolId=world.identity_pool)["IdentityId"]
    guest_token = identity.get_open_id_token(IdentityId=guest)["Token"]
    assert jwt.decode(guest_token, options={"verify_signature": False})["amr"] == ["unauthenticated"]

    enhanced_only = World(cognito, identity)
    guest = identity.get_id(IdentityPoolId=enhanced_only.identity_pool)["IdentityId"]
    with pytest.raises(ClientError) as excinfo:
        identity.get_open_id_token(IdentityId=guest)
    assert error_of(excinfo) == (
        "InvalidParameterException",
        "Basic (classic) flow is not enabled, please use enhanced flow.",
    )


def test_identities_are_described_listed_unlinked_and_deleted(world):
    token = world.id_token()
    user = world.get_id(token)
    guests = [world.identity.get_id(IdentityPoolId=world.identity_pool)["IdentityId"] for _ in range(2)]
    first = world.identity.list_identities(IdentityPoolId=world.identity_pool, MaxResults=2)
    assert first["IdentityPoolId"] == world.identity_pool
    assert [item["IdentityId"] for item in first["Identities"]] == [user, guests[0]]
    assert first["Identities"][0]["Logins"] == [world.provider]
    assert isinstance(first["Identities"][0]["CreationDate"], datetime)
    rest = world.identity.list_identities(
        IdentityPoolId=world.identity_pool, MaxResults=2, NextToken=first["NextToken"]
    )
    assert [item["IdentityId"] for item in rest["Identities"]] == [guests[1]]

    with pytest.raises(ClientError) as excinfo:
        world.identity.unlink_identity(IdentityId=user, Logins={}, LoginsToRemove=[world.provider])
    assert error_of(excinfo)[0] == "NotAuthorizedException"
    world.identity.unlink_identity(
        IdentityId=user, Logins={world.provider: token}, LoginsToRemove=[world.provider]
    )
    assert world.identity.describe_identity(IdentityId=user)["Logins"] == []
    assert world.get_id(token) != user  # the login is free again: a new identity

    deleted = world.identity.delete_identities(IdentityIdsToDelete=[guests[0], user])
    assert deleted["UnprocessedIdentityIds"] == []
    remaining = world.identity.list_identities(IdentityPoolId=world.identity_pool, MaxResults=60)[
        "Identities"
    ]
    assert guests[0] not in {item["IdentityId"] for item in remaining}
    with pytest.raises(ClientError) as excinfo:
        world.identity.describe_identity(IdentityId=user)
    assert error_of(excinfo) == ("ResourceNotFoundException", f"Identity '{user}' not found.")


def test_server_side_token_check_asks_the_user_pool(cognito, identity):
    world = World(cognito, identity)
    identity.update_identity_pool(
        IdentityPoolId=world.identity_pool,
        IdentityPoolName="app",
        AllowUnauthenticatedIdentities=True,
        CognitoIdentityProviders=[
            {"ProviderName": world.provider, "ClientId": world.client_id, "ServerSideTokenCheck": True}
        ],
    )
    token = world.id_token("frank")
    identity_id = world.get_id(token)
    cognito.admin_user_global_sign_out(UserPoolId=world.pool_id, Username="frank")
    with pytest.raises(ClientError) as excinfo:
        world.credentials(identity_id, token)
    assert error_of(excinfo) == ("NotAuthorizedException", "Invalid login token. Token has been revoked.")
    fresh = world.id_token("frank")
    assert world.credentials(identity_id, fresh)["IdentityId"] == identity_id
    cognito.admin_disable_user(UserPoolId=world.pool_id, Username="frank")
    with pytest.raises(ClientError) as excinfo:
        world.credentials(identity_id, fresh)
    assert error_of(excinfo)[0] == "NotAuthorizedException"


def test_logins_of_two_identities_presented_together_merge_them(cognito, identity):
    first = World(cognito, identity)
    second_pool = make_pool(cognito, PoolName="partners")
    second_client = make_client(cognito, second_pool)["ClientId"]
    second_provider = f"cognito-idp.us-east-1.amazonaws.com/{second_pool}"
    identity.update_identity_pool(
        IdentityPoolId=first.identity_pool,
        IdentityPoolName="app",
        AllowUnauthenticatedIdentities=True,
        CognitoIdentityProviders=[
            {"ProviderName": first.provider, "ClientId": first.client_id},
            {"ProviderName": second_provider, "ClientId": second_client},
        ],
    )
    make_user(cognito, second_pool, "gina")
    partner_token = cognito.admin_initiate_auth(
        UserPoolId=second_pool,
        ClientId=second_client,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "gina", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["IdToken"]
    token = first.id_token("gina")
    older = first.get_id(token)
    newer = identity.get_id(IdentityPoolId=first.identity_pool, Logins={second_provider: partner_token})[
        "IdentityId"
    ]
    assert older != newer
    both = {first.provider: token, second_provider: partner_token}
    assert identity.get_id(IdentityPoolId=first.identity_pool, Logins=both)["IdentityId"] == older
    assert sorted(identity.describe_identity(IdentityId=older)["Logins"]) == sorted(
        [first.provider, second_provider]
    )
    with pytest.raises(ClientError) as excinfo:
        identity.describe_identity(IdentityId=newer)
    assert error_of(excinfo)[0] == "ResourceNotFoundException"
    # Either login alone now finds the merged identity.
    assert (
        identity.get_id(IdentityPoolId=first.identity_pool, Logins={second_provider: partner_token})[
            "IdentityId"
        ]
        == older
    )
