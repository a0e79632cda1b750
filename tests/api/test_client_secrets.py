"""Client secret rotation (AddUserPoolClientSecret & co.) with boto3 over real HTTP: at most two active
secrets, SECRET_HASH and ClientSecret accepted with either, the last one kept, what Describe shows."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from emulator.config import Settings
from emulator.crypto.secret_hash import compute_secret_hash
from emulator.testing import ServerThread
from tests.conftest import call, make_boto_client
from tests.helpers import PASSWORD, error_of, make_client, make_pool, make_user


@pytest.fixture
def pool_id(cognito) -> str:
    pool_id = make_pool(cognito, PoolName="secrets")
    make_user(cognito, pool_id, "alice")
    return pool_id


@pytest.fixture
def client(cognito, pool_id) -> dict:
    return make_client(cognito, pool_id, GenerateSecret=True)


def sign_in(cognito, client_id: str, secret: str) -> dict:
    return cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": "alice",
            "PASSWORD": PASSWORD,
            "SECRET_HASH": compute_secret_hash(client_id, secret, "alice"),
        },
    )["AuthenticationResult"]


def test_rotation_adds_a_second_secret_and_both_work_until_the_old_one_goes(cognito, pool_id, client):
    client_id, original = client["ClientId"], client["ClientSecret"]
    listed = cognito.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client_id)["ClientSecrets"]
    assert len(listed) == 1
    assert re.fullmatch(rf"{client_id}--\d{{13}}", listed[0]["ClientSecretId"])
    assert "ClientSecretValue" not in listed[0]
    original_id = listed[0]["ClientSecretId"]

    added = cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id)[
        "ClientSecretDescriptor"
    ]
    new = added["ClientSecretValue"]
    assert re.fullmatch(r"[a-z0-9]{51}", new) and new != original
    assert added["ClientSecretId"] != original_id and added["ClientSecretCreateDate"]
    listed = cognito.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client_id)["ClientSecrets"]
    assert [item["ClientSecretId"] for item in listed] == [original_id, added["ClientSecretId"]]
    assert all("ClientSecretValue" not in item for item in listed)
    described = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    assert described["ClientSecret"] == new

    # Either active secret signs SECRET_HASH; a third secret is over the limit.
    assert sign_in(cognito, client_id, original)["AccessToken"]
    assert sign_in(cognito, client_id, new)["AccessToken"]
    with pytest.raises(ClientError) as caught:
        cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id)
    assert error_of(caught)[0] == "LimitExceededException"

    cognito.delete_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id, ClientSecretId=original_id)
    with pytest.raises(ClientError) as caught:
        sign_in(cognito, client_id, original)
    assert error_of(caught) == (
        "NotAuthorizedException",
        f"Unable to verify secret hash for client {client_id}",
    )
    assert sign_in(cognito, client_id, new)["AccessToken"]
    with pytest.raises(ClientError) as caught:
        cognito.delete_user_pool_client_secret(
            UserPoolId=pool_id, ClientId=client_id, ClientSecretId=added["ClientSecretId"]
        )
    assert error_of(caught)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as caught:
        cognito.delete_user_pool_client_secret(
            UserPoolId=pool_id, ClientId=client_id, ClientSecretId=original_id
        )
    assert error_of(caught)[0] == "ResourceNotFoundException"
    described = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    assert described["ClientSecret"] == new


def test_a_chosen_secret_is_not_shown_back_and_works_for_refresh_and_revocation(cognito, pool_id, client):
    client_id, original = client["ClientId"], client["ClientSecret"]
    chosen = "my_own_secret_value_1234567890"
    added = cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id, ClientSecret=chosen)
    assert "ClientSecretValue" not in added["ClientSecretDescriptor"]
    tokens = sign_in(cognito, client_id, original)
    refreshed = cognito.get_tokens_from_refresh_token(
        ClientId=client_id, ClientSecret=chosen, RefreshToken=tokens["RefreshToken"]
    )
    assert refreshed["AuthenticationResult"]["AccessToken"]
    with pytest.raises(ClientError) as caught:
        cognito.get_tokens_from_refresh_token(
            ClientId=client_id,
            ClientSecret="not_a_secret_of_this_client_000",
            RefreshToken=tokens["RefreshToken"],
        )
    assert error_of(caught)[0] == "NotAuthorizedException"
    cognito.revoke_token(ClientId=client_id, ClientSecret=chosen, Token=tokens["RefreshToken"])
    with pytest.raises(ClientError) as caught:
        cognito.get_tokens_from_refresh_token(
            ClientId=client_id, ClientSecret=original, RefreshToken=tokens["RefreshToken"]
        )
    assert error_of(caught)[0] == "NotAuthorizedException"
    # The same value twice is refused.
    with pytest.raises(ClientError) as caught:
        cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id, ClientSecret=chosen)
    assert error_of(caught)[0] in ("InvalidParameterException", "LimitExceededException")


def test_public_and_unknown_clients(cognito, pool_id, http):
    public = make_client(cognito, pool_id)["ClientId"]
    assert cognito.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=public)["ClientSecrets"] == []
    with pytest.raises(ClientError) as caught:
        cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=public)
    assert error_of(caught)[0] == "InvalidParameterException"
    for action in (cognito.add_user_pool_client_secret, cognito.list_user_pool_client_secrets):
        with pytest.raises(ClientError) as caught:
            action(UserPoolId=pool_id, ClientId="nosuchclient0000000000000a")
        assert error_of(caught)[0] == "ResourceNotFoundException"
    response = call(
        http, "AddUserPoolClientSecret", {"UserPoolId": pool_id, "ClientId": public, "ClientSecret": "x"}
    )
    assert response.status_code == 400 and response.json()["__type"] == "InvalidParameterException"


def test_secrets_survive_a_restart_and_go_with_their_client(tmp_path):
    settings = Settings(port=0, database=f"sqlite:///{tmp_path / 'db.sqlite'}")
    with ServerThread(settings) as running:
        cognito = make_boto_client(running.endpoint)
        pool_id = make_pool(cognito)
        client_id = make_client(cognito, pool_id, GenerateSecret=True)["ClientId"]
        cognito.add_user_pool_client_secret(UserPoolId=pool_id, ClientId=client_id)
    with ServerThread(settings) as running:
        cognito = make_boto_client(running.endpoint)
        listed = cognito.list_user_pool_client_secrets(UserPoolId=pool_id, ClientId=client_id)
        assert len(listed["ClientSecrets"]) == 2
        cognito.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
        cognito.delete_user_pool(UserPoolId=pool_id)
