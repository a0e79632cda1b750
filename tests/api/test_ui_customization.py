"""The classic hosted UI's customization over real HTTP with boto3: CSS of Cognito's classes and a logo,
for the whole pool ('ALL') or one app client, and only once the pool has a domain."""

from __future__ import annotations

import base64

import pytest
from botocore.exceptions import ClientError

from emulator.store.models import UICustomization
from emulator.userpools import ui_customization
from tests.helpers import error_of, make_pool

# The smallest PNG there is: a 1x1 transparent pixel.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
CSS = ".banner-customizable { background-color: #123456; }\n.submitButton-customizable:hover { color: red; }"


@pytest.fixture
def pool_id(cognito) -> str:
    pool_id = make_pool(cognito, PoolName="ui")
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain="ui-customized")
    return pool_id


@pytest.fixture
def client_id(cognito, pool_id) -> str:
    return cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="web")["UserPoolClient"]["ClientId"]


def test_the_pool_wide_customization_round_trips(cognito, pool_id, client_id):
    empty = cognito.get_ui_customization(UserPoolId=pool_id)["UICustomization"]
    assert empty == {"UserPoolId": pool_id, "ClientId": "ALL"}

    stored = cognito.set_ui_customization(UserPoolId=pool_id, CSS=CSS, ImageFile=PNG)["UICustomization"]
    assert stored["UserPoolId"] == pool_id
    assert stored["ClientId"] == "ALL"
    assert stored["CSS"] == CSS
    assert stored["CSSVersion"]
    assert stored["ImageUrl"].startswith(f"https://d3oia8etllorh5.cloudfront.net/{pool_id}/ALL/")
    assert stored["CreationDate"] == stored["LastModifiedDate"]
    assert cognito.get_ui_customization(UserPoolId=pool_id, ClientId="ALL")["UICustomization"] == stored
    # A client without its own customization gets the pool's.
    assert cognito.get_ui_customization(UserPoolId=pool_id, ClientId=client_id)["UICustomization"] == stored


def test_a_client_customization_overrides_the_pools(cognito, pool_id, client_id):
    cognito.set_ui_customization(UserPoolId=pool_id, CSS=CSS)
    own = ".logo-customizable { max-width: 60%; }"
    stored = cognito.set_ui_customization(UserPoolId=pool_id, ClientId=client_id, CSS=own)["UICustomization"]
    assert stored["ClientId"] == client_id
    assert "ImageUrl" not in stored
    got = cognito.get_ui_customization(UserPoolId=pool_id, ClientId=client_id)["UICustomization"]
    assert got == stored
    assert cognito.get_ui_customization(UserPoolId=pool_id)["UICustomization"]["CSS"] == CSS


def test_setting_nothing_removes_it_and_leaves_the_css_version(cognito, pool_id):
    version = cognito.set_ui_customization(UserPoolId=pool_id, CSS=CSS)["UICustomization"]["CSSVersion"]
    cognito.set_ui_customization(UserPoolId=pool_id)
    assert cognito.get_ui_customization(UserPoolId=pool_id)["UICustomization"] == {
        "UserPoolId": pool_id,
        "ClientId": "ALL",
        "CSSVersion": version,
    }


@pytest.mark.parametrize(
    "css",
    [
        "body { color: red; }",
        ".banner-customizable, .evil { color: red; }",
        "@import url(https://evil.example.com/x.css);",
        ".banner-customizable { color: red; ",
    ],
)
def test_css_outside_the_customizable_classes_is_refused(cognito, pool_id, css):
    with pytest.raises(ClientError) as excinfo:
        cognito.set_ui_customization(UserPoolId=pool_id, CSS=css)
    assert error_of(excinfo)[0] == "InvalidParameterException"
    assert "CSS" not in cognito.get_ui_customization(UserPoolId=pool_id)["UICustomization"]


def test_the_image_must_be_a_png_or_a_jpeg(cognito, pool_id):
    with pytest.raises(ClientError) as excinfo:
        cognito.set_ui_customization(UserPoolId=pool_id, ImageFile=b"GIF89a not allowed")
    assert error_of(excinfo)[0] == "InvalidParameterException"
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 16
    assert "ImageUrl" in cognito.set_ui_customization(UserPoolId=pool_id, ImageFile=jpeg)["UICustomization"]


def test_a_domain_is_needed_and_deleting_it_removes_the_customization(cognito, pool_id, client_id):
    bare = make_pool(cognito, PoolName="no-domain")
    for operation in (cognito.get_ui_customization, cognito.set_ui_customization):
        with pytest.raises(ClientError) as excinfo:
            operation(UserPoolId=bare)
        assert error_of(excinfo) == (
            "InvalidParameterException",
            "There has to be an existing domain associated with this user pool",
        )
    cognito.set_ui_customization(UserPoolId=pool_id, CSS=CSS)
    cognito.delete_user_pool_domain(UserPoolId=pool_id, Domain="ui-customized")
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain="ui-customized")
    assert cognito.get_ui_customization(UserPoolId=pool_id)["UICustomization"] == {
        "UserPoolId": pool_id,
        "ClientId": "ALL",
    }


def test_unknown_clients_and_pools(cognito, pool_id):
    with pytest.raises(ClientError) as excinfo:
        cognito.set_ui_customization(UserPoolId=pool_id, ClientId="abcdefghijklmnopqrstuvwxyz", CSS=CSS)
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "User pool client abcdefghijklmnopqrstuvwxyz does not exist.",
    )
    with pytest.raises(ClientError) as excinfo:
        cognito.get_ui_customization(UserPoolId="us-east-1_Nope12345")
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


def test_the_logo_is_kept_as_uploaded(cognito, pool_id, server):
    cognito.set_ui_customization(UserPoolId=pool_id, ImageFile=PNG)
    # What the login pages will serve: the very bytes uploaded.
    with server.emulator.database.session() as session:
        row = session.get(UICustomization, (pool_id, "ALL"))
        assert ui_customization.image_bytes(row) == PNG
