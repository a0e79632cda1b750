"""federated_sign_in through a real (file-backed) emulator, without HTTP: the user it makes, its identities
attribute, group and mapped attributes, a second sign-in reusing it, and the required-attribute error."""

from __future__ import annotations

import json

import pytest

from emulator.config import Settings
from emulator.engine.core import Emulator
from emulator.protocol.context import Context
from emulator.protocol.errors import InvalidParameterException
from emulator.store.models import UserPool
from emulator.userpools.federation import providers
from emulator.userpools.federation.users import federated_sign_in

GOOGLE = {"client_id": "gid", "client_secret": "gsecret", "authorize_scopes": "openid email"}


@pytest.fixture
def emulator(tmp_path):
    instance = Emulator(Settings(database=f"sqlite:///{tmp_path / 'e.db'}"))
    yield instance
    instance.close()


def run(emulator: Emulator, work):
    session = emulator.database.session()
    try:
        ctx = Context(
            db=session,
            emulator=emulator,
            now=emulator.now(session),
            region="us-east-1",
            operation="test",
            request_id="r",
        )
        result = work(ctx)
        session.commit()
        return result
    finally:
        session.rollback()
        session.close()


def sign_in(emulator: Emulator, pool_id: str, subject: str, claims: dict) -> str:
    def work(ctx: Context) -> str:
        pool = ctx.db.get(UserPool, pool_id)
        return federated_sign_in(ctx, pool, providers.get(ctx, pool, "Google"), subject, claims).username

    return run(emulator, work)


def test_first_and_later_sign_in(emulator: Emulator) -> None:
    pool_id = emulator.call("CreateUserPool", {"PoolName": "p"})["UserPool"]["Id"]
    emulator.call(
        "CreateIdentityProvider",
        {
            "UserPoolId": pool_id,
            "ProviderName": "Google",
            "ProviderType": "Google",
            "ProviderDetails": GOOGLE,
            "AttributeMapping": {"email": "email", "name": "name"},
        },
    )
    username = sign_in(emulator, pool_id, "1173", {"sub": "1173", "email": "a@example.com", "name": "Amy"})
    assert username == "google_1173"
    user = emulator.call("AdminGetUser", {"UserPoolId": pool_id, "Username": username})
    assert user["UserStatus"] == "EXTERNAL_PROVIDER"
    attrs = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attrs["email"] == "a@example.com" and attrs["email_verified"] == "false"
    (identity,) = json.loads(attrs["identities"])
    assert (
        identity["userId"] == "1173" and identity["providerType"] == "Google" and identity["primary"] is True
    )
    assert '"primary":true' in attrs["identities"]
    groups = emulator.call("AdminListGroupsForUser", {"UserPoolId": pool_id, "Username": username})
    assert [g["GroupName"] for g in groups["Groups"]] == [f"{pool_id}_Google"]

    assert sign_in(emulator, pool_id, "1173", {"sub": "1173", "name": "Amy B"}) == username
    user = emulator.call("AdminGetUser", {"UserPoolId": pool_id, "Username": username})
    attrs = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attrs["name"] == "Amy B" and attrs["email"] == "a@example.com"  # absent claims left untouched
    assert attrs["sub"] == {a["Name"]: a["Value"] for a in user["UserAttributes"]}["sub"]


def test_required_attribute_not_mapped(emulator: Emulator) -> None:
    pool_id = emulator.call(
        "CreateUserPool",
        {"PoolName": "p", "Schema": [{"Name": "email", "AttributeDataType": "String", "Required": True}]},
    )["UserPool"]["Id"]
    emulator.call(
        "CreateIdentityProvider",
        {
            "UserPoolId": pool_id,
            "ProviderName": "Google",
            "ProviderType": "Google",
            "ProviderDetails": GOOGLE,
        },
    )
    with pytest.raises(InvalidParameterException) as caught:
        sign_in(emulator, pool_id, "1", {"sub": "1", "email": "a@example.com"})
    assert caught.value.message == "attributes required: [email]"


def test_linked_identity_signs_in_as_destination(emulator: Emulator) -> None:
    pool_id = emulator.call("CreateUserPool", {"PoolName": "p"})["UserPool"]["Id"]
    emulator.call(
        "CreateIdentityProvider",
        {
            "UserPoolId": pool_id,
            "ProviderName": "Google",
            "ProviderType": "Google",
            "ProviderDetails": GOOGLE,
            "AttributeMapping": {"name": "name"},
        },
    )
    emulator.call("AdminCreateUser", {"UserPoolId": pool_id, "Username": "amy", "MessageAction": "SUPPRESS"})
    link = {
        "UserPoolId": pool_id,
        "DestinationUser": {"ProviderName": "Cognito", "ProviderAttributeValue": "amy"},
        "SourceUser": {
            "ProviderName": "Google",
            "ProviderAttributeName": "Cognito_Subject",
            "ProviderAttributeValue": "42",
        },
    }
    emulator.call("AdminLinkProviderForUser", link)
    with pytest.raises(InvalidParameterException) as caught:
        emulator.call("AdminLinkProviderForUser", link)
    assert caught.value.message == "SourceUser is already linked to DestinationUser"
    assert sign_in(emulator, pool_id, "42", {"sub": "42", "name": "Amy G"}) == "amy"
    # An identity that signed in already cannot be linked.
    sign_in(emulator, pool_id, "7", {"sub": "7"})
    other = {**link, "SourceUser": {**link["SourceUser"], "ProviderAttributeValue": "7"}}
    with pytest.raises(InvalidParameterException) as caught:
        emulator.call("AdminLinkProviderForUser", other)
    assert caught.value.message.startswith("Merging is not currently supported")
    # A disabled link: the next sign-in makes a federated user of its own.
    emulator.call(
        "AdminDisableProviderForUser",
        {
            "UserPoolId": pool_id,
            "User": {
                "ProviderName": "Google",
                "ProviderAttributeName": "Cognito_Subject",
                "ProviderAttributeValue": "42",
            },
        },
    )
    assert sign_in(emulator, pool_id, "42", {"sub": "42"}) == "google_42"


def test_identities_claim_has_string_values() -> None:
    from emulator.userpools.tokens.minting import _identities_claim

    attribute = '[{"userId":"1","providerName":"Google","providerType":"Google","issuer":null,"primary":true,"dateCreated":1673913190125}]'
    assert _identities_claim(attribute) == [
        {
            "userId": "1",
            "providerName": "Google",
            "providerType": "Google",
            "issuer": None,
            "primary": "true",
            "dateCreated": "1673913190125",
        }
    ]
