"""Developer-authenticated identities with boto3 (GetOpenIdTokenForDeveloperIdentity, Lookup, Merge, Unlink),
and the credentials an identity pool issues accepted by the emulator's own SigV4 check (--iam-credentials)."""

from __future__ import annotations

import boto3
import jwt
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from emulator.config import Settings
from emulator.testing import ServerThread
from tests.helpers import error_of
from tests.reliability.databases import suite_database

ROLE = "arn:aws:iam::123456789012:role/{}"
DEVELOPER = "login.example.com"


@pytest.fixture
def pool(identity) -> str:
    pool_id = identity.create_identity_pool(
        IdentityPoolName="backend", AllowUnauthenticatedIdentities=False, DeveloperProviderName=DEVELOPER
    )["IdentityPoolId"]
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": ROLE.format("dev")})
    return pool_id


def token_for(identity, pool: str, user: str, **extra):
    return identity.get_open_id_token_for_developer_identity(
        IdentityPoolId=pool, Logins={DEVELOPER: user}, **extra
    )


def test_a_developer_user_gets_one_identity_and_a_token_that_is_its_login(identity, pool):
    first = token_for(identity, pool, "user-1", TokenDuration=120)
    again = token_for(identity, pool, "user-1")
    assert first["IdentityId"] == again["IdentityId"]
    claims = jwt.decode(first["Token"], options={"verify_signature": False})
    assert claims["aud"] == pool and claims["sub"] == first["IdentityId"]
    assert claims["amr"] == ["authenticated", DEVELOPER, f"{DEVELOPER}:{pool}:user-1"]
    assert claims["exp"] - claims["iat"] == 120
    default = jwt.decode(again["Token"], options={"verify_signature": False})
    assert default["exp"] - default["iat"] == 900

    credentials = identity.get_credentials_for_identity(
        IdentityId=first["IdentityId"], Logins={"cognito-identity.amazonaws.com": first["Token"]}
    )
    assert credentials["IdentityId"] == first["IdentityId"]
    assert credentials["Credentials"]["AccessKeyId"].startswith("ASIA")
    assert identity.describe_identity(IdentityId=first["IdentityId"])["Logins"] == [DEVELOPER]

    # A token whose signature was tampered with is no login.
    head, body, signature = first["Token"].split(".")
    with pytest.raises(ClientError) as excinfo:
        identity.get_credentials_for_identity(
            IdentityId=first["IdentityId"],
            Logins={"cognito-identity.amazonaws.com": f"{head}.{body}.{signature[:-4]}AAAA"},
        )
    assert error_of(excinfo) == (
        "NotAuthorizedException",
        "Invalid login token. Couldn't verify signed token.",
    )
    # Another identity's token does not open this one.
    other = token_for(identity, pool, "user-2")
    with pytest.raises(ClientError) as excinfo:
        identity.get_credentials_for_identity(
            IdentityId=first["IdentityId"], Logins={"cognito-identity.amazonaws.com": other["Token"]}
        )
    assert error_of(excinfo)[0] == "NotAuthorizedException"


def test_an_expired_developer_token_is_refused(identity, pool, server):
    issued = token_for(identity, pool, "user-1", TokenDuration=60)
    server.emulator.set_clock_offset(61)
    try:
        with pytest.raises(ClientError) as excinfo:
            identity.get_credentials_for_identity(
                IdentityId=issued["IdentityId"], Logins={"cognito-identity.amazonaws.com": issued["Token"]}
            )
    finally:
        server.emulator.set_clock_offset(0)
    assert error_of(excinfo)[1].startswith("Invalid login token. Token expired: ")


def test_lookup_merge_and_unlink(identity, pool):
    one = token_for(identity, pool, "user-1")["IdentityId"]
    assert token_for(identity, pool, "user-1b", IdentityId=one)["IdentityId"] == one
    two = token_for(identity, pool, "user-2")["IdentityId"]
    looked = identity.lookup_developer_identity(IdentityPoolId=pool, DeveloperUserIdentifier="user-1b")
    assert looked["IdentityId"] == one
    assert looked["DeveloperUserIdentifierList"] == ["user-1", "user-1b"]
    page = identity.lookup_developer_identity(IdentityPoolId=pool, IdentityId=one, MaxResults=1)
    assert page["DeveloperUserIdentifierList"] == ["user-1"] and "NextToken" in page

    with pytest.raises(ClientError) as excinfo:
        token_for(identity, pool, "user-2", IdentityId=one)
    assert error_of(excinfo)[0] == "DeveloperUserAlreadyRegisteredException"

    merged = identity.merge_developer_identities(
        SourceUserIdentifier="user-2",
        DestinationUserIdentifier="user-1",
        DeveloperProviderName=DEVELOPER,
        IdentityPoolId=pool,
    )
    assert merged["IdentityId"] == one
    with pytest.raises(ClientError) as excinfo:
        identity.describe_identity(IdentityId=two)
    assert error_of(excinfo)[0] == "ResourceNotFoundException"
    assert identity.lookup_developer_identity(IdentityPoolId=pool, IdentityId=one)[
        "DeveloperUserIdentifierList"
    ] == ["user-1", "user-1b", "user-2"]

    identity.unlink_developer_identity(
        IdentityId=one, IdentityPoolId=pool, DeveloperProviderName=DEVELOPER, DeveloperUserIdentifier="user-2"
    )
    with pytest.raises(ClientError) as excinfo:
        identity.lookup_developer_identity(IdentityPoolId=pool, DeveloperUserIdentifier="user-2")
    assert error_of(excinfo)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        identity.unlink_developer_identity(
            IdentityId=one,
            IdentityPoolId=pool,
            DeveloperProviderName="other",
            DeveloperUserIdentifier="user-1",
        )
    assert error_of(excinfo)[0] == "NotAuthorizedException"
    with pytest.raises(ClientError) as excinfo:
        identity.lookup_developer_identity(IdentityPoolId=pool)
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_a_pool_without_a_developer_provider_has_no_developer_identities(identity):
    pool = identity.create_identity_pool(IdentityPoolName="p", AllowUnauthenticatedIdentities=True)[
        "IdentityPoolId"
    ]
    with pytest.raises(ClientError) as excinfo:
        identity.get_open_id_token_for_developer_identity(IdentityPoolId=pool, Logins={DEVELOPER: "u"})
    assert error_of(excinfo)[0] == "NotAuthorizedException"


ACCESS_KEY, SECRET = "AKIAIDENTITYTESTS01", "identity-tests-secret"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):  # type: ignore[no-untyped-def]
    with suite_database(tmp_path_factory.mktemp("guarded-identity")) as database:
        settings = Settings(port=0, database=database, iam_credentials=[f"{ACCESS_KEY}:{SECRET}"])
        with ServerThread(settings) as running:
            yield running


def client(service: str, endpoint: str, key: str, secret: str, token: str | None = None):  # type: ignore[no-untyped-def]
    return boto3.session.Session().client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=Config(retries={"max_attempts": 1}),
    )


def test_issued_credentials_pass_the_emulators_own_sigv4_check(guarded):
    admin = client("cognito-identity", guarded.endpoint, ACCESS_KEY, SECRET)
    pool = admin.create_identity_pool(IdentityPoolName="p", AllowUnauthenticatedIdentities=True)[
        "IdentityPoolId"
    ]
    admin.set_identity_pool_roles(IdentityPoolId=pool, Roles={"unauthenticated": ROLE.format("guest")})
    # GetId and GetCredentialsForIdentity are unsigned, as in AWS.
    anonymous = boto3.session.Session().client(
        "cognito-identity",
        endpoint_url=guarded.endpoint,
        region_name="us-east-1",
        config=Config(signature_version=__import__("botocore").UNSIGNED, retries={"max_attempts": 1}),
    )
    identity_id = anonymous.get_id(IdentityPoolId=pool)["IdentityId"]
    issued = anonymous.get_credentials_for_identity(IdentityId=identity_id)["Credentials"]
    with pytest.raises(ClientError) as excinfo:
        anonymous.list_identity_pools(MaxResults=10)
    assert error_of(excinfo)[0] == "MissingAuthenticationTokenException"

    key, secret, token = issued["AccessKeyId"], issued["SecretKey"], issued["SessionToken"]
    for service in ("cognito-identity", "cognito-idp"):
        signed = client(service, guarded.endpoint, key, secret, token)
        if service == "cognito-identity":
            assert signed.list_identity_pools(MaxResults=10)["IdentityPools"][0]["IdentityPoolId"] == pool
        else:
            assert signed.list_user_pools(MaxResults=10)["UserPools"] == []
    # Without the session token, or with another one, the same key is not accepted.
    for wrong in (None, token[:-4] + "AAAA"):
        with pytest.raises(ClientError) as excinfo:
            client("cognito-idp", guarded.endpoint, key, secret, wrong).list_user_pools(MaxResults=10)
        assert error_of(excinfo)[0] == "UnrecognizedClientException"
    with pytest.raises(ClientError) as excinfo:
        client("cognito-idp", guarded.endpoint, key, "wrong" + secret[5:], token).list_user_pools(
            MaxResults=10
        )
    assert error_of(excinfo)[0] == "InvalidSignatureException"
    # Once expired on the emulator's clock they are unknown.
    guarded.emulator.set_clock_offset(3601)
    try:
        with pytest.raises(ClientError) as excinfo:
            client("cognito-idp", guarded.endpoint, key, secret, token).list_user_pools(MaxResults=10)
    finally:
        guarded.emulator.set_clock_offset(0)
    assert error_of(excinfo)[0] == "UnrecognizedClientException"
