"""Managed login branding over real HTTP with boto3: one per app client, stored and returned as given."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from emulator.store.models import UICustomization
from tests.helpers import error_of, make_pool

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
SETTINGS = {
    "components": {"primaryButton": {"lightMode": {"defaults": {"backgroundColor": "0972d3ff"}}}},
    "categories": {"global": {"colorSchemeMode": "DARK"}},
}
LOGO = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8


@pytest.fixture
def pool_id(cognito) -> str:
    return make_pool(cognito, PoolName="branding")


@pytest.fixture
def client_id(cognito, pool_id) -> str:
    return cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="web")["UserPoolClient"]["ClientId"]


def test_create_and_describe_by_id_and_by_client(cognito, pool_id, client_id):
    assets = [{"Category": "PAGE_HEADER_LOGO", "ColorMode": "LIGHT", "Extension": "PNG", "Bytes": LOGO}]
    created = cognito.create_managed_login_branding(
        UserPoolId=pool_id, ClientId=client_id, Settings=SETTINGS, Assets=assets
    )["ManagedLoginBranding"]
    assert UUID4.match(created["ManagedLoginBrandingId"])
    assert created["UserPoolId"] == pool_id
    assert created["UseCognitoProvidedValues"] is False
    assert created["Settings"] == SETTINGS
    assert created["Assets"] == assets
    assert created["CreationDate"] == created["LastModifiedDate"]

    by_id = cognito.describe_managed_login_branding(
        UserPoolId=pool_id, ManagedLoginBrandingId=created["ManagedLoginBrandingId"]
    )["ManagedLoginBranding"]
    by_client = cognito.describe_managed_login_branding_by_client(UserPoolId=pool_id, ClientId=client_id)[
        "ManagedLoginBranding"
    ]
    assert by_id == by_client == created


def test_one_branding_per_client(cognito, pool_id, client_id):
    cognito.create_managed_login_branding(
        UserPoolId=pool_id, ClientId=client_id, UseCognitoProvidedValues=True
    )
    with pytest.raises(ClientError) as excinfo:
        cognito.create_managed_login_branding(UserPoolId=pool_id, ClientId=client_id, Settings=SETTINGS)
    assert error_of(excinfo)[0] == "ManagedLoginBrandingExistsException"


def test_cognito_values_exclude_settings_and_assets(cognito, pool_id, client_id):
    with pytest.raises(ClientError) as excinfo:
        cognito.create_managed_login_branding(
            UserPoolId=pool_id, ClientId=client_id, UseCognitoProvidedValues=True, Settings=SETTINGS
        )
    assert error_of(excinfo)[0] == "InvalidParameterException"
    created = cognito.create_managed_login_branding(
        UserPoolId=pool_id, ClientId=client_id, UseCognitoProvidedValues=True
    )["ManagedLoginBranding"]
    assert created["UseCognitoProvidedValues"] is True
    assert "Settings" not in created
    assert created["Assets"] == []


def test_update_replaces_and_resets(cognito, pool_id, client_id, server):
    branding_id = cognito.create_managed_login_branding(
        UserPoolId=pool_id, ClientId=client_id, UseCognitoProvidedValues=True
    )["ManagedLoginBranding"]["ManagedLoginBrandingId"]
    server.emulator.set_clock_offset(60)
    updated = cognito.update_managed_login_branding(
        UserPoolId=pool_id, ManagedLoginBrandingId=branding_id, Settings=SETTINGS
    )["ManagedLoginBranding"]
    assert updated["UseCognitoProvidedValues"] is False
    assert updated["Settings"] == SETTINGS
    assert updated["LastModifiedDate"] > updated["CreationDate"]
    reset = cognito.update_managed_login_branding(
        UserPoolId=pool_id, ManagedLoginBrandingId=branding_id, UseCognitoProvidedValues=True
    )["ManagedLoginBranding"]
    assert reset["UseCognitoProvidedValues"] is True
    assert "Settings" not in reset


def test_duplicate_assets_are_refused(cognito, pool_id, client_id):
    asset = {"Category": "FORM_LOGO", "ColorMode": "DARK", "Extension": "PNG", "Bytes": LOGO}
    with pytest.raises(ClientError) as excinfo:
        cognito.create_managed_login_branding(
            UserPoolId=pool_id, ClientId=client_id, Settings=SETTINGS, Assets=[asset, asset]
        )
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_delete_and_unknown_brandings(cognito, pool_id, client_id):
    branding_id = cognito.create_managed_login_branding(
        UserPoolId=pool_id, ClientId=client_id, UseCognitoProvidedValues=True
    )["ManagedLoginBranding"]["ManagedLoginBrandingId"]
    assert set(
        cognito.delete_managed_login_branding(UserPoolId=pool_id, ManagedLoginBrandingId=branding_id)
    ) == {"ResponseMetadata"}
    with pytest.raises(ClientError) as excinfo:
        cognito.describe_managed_login_branding(UserPoolId=pool_id, ManagedLoginBrandingId=branding_id)
    assert error_of(excinfo)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        cognito.describe_managed_login_branding_by_client(UserPoolId=pool_id, ClientId=client_id)
    assert error_of(excinfo)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        cognito.create_managed_login_branding(
            UserPoolId=pool_id, ClientId="abcdefghijklmnopqrstuvwxyz", UseCognitoProvidedValues=True
        )
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "User pool client abcdefghijklmnopqrstuvwxyz does not exist.",
    )
    # A branding is found only in its own pool.
    other = make_pool(cognito, PoolName="other")
    kept = cognito.create_managed_login_branding(
        UserPoolId=pool_id, ClientId=client_id, UseCognitoProvidedValues=True
    )["ManagedLoginBranding"]["ManagedLoginBrandingId"]
    with pytest.raises(ClientError) as excinfo:
        cognito.describe_managed_login_branding(UserPoolId=other, ManagedLoginBrandingId=kept)
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


def test_deleting_the_client_deletes_its_branding_and_ui_customization(cognito, pool_id, client_id, server):
    branding_id = cognito.create_managed_login_branding(
        UserPoolId=pool_id, ClientId=client_id, UseCognitoProvidedValues=True
    )["ManagedLoginBranding"]["ManagedLoginBrandingId"]
    cognito.create_user_pool_domain(UserPoolId=pool_id, Domain="branding-domain")
    cognito.set_ui_customization(UserPoolId=pool_id, ClientId=client_id, CSS=".logo-customizable {}")
    cognito.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    with server.emulator.database.session() as session:
        assert session.get(UICustomization, (pool_id, client_id)) is None
    with pytest.raises(ClientError) as excinfo:
        cognito.describe_managed_login_branding(UserPoolId=pool_id, ManagedLoginBrandingId=branding_id)
    assert error_of(excinfo)[0] == "ResourceNotFoundException"
    # A new client may get a branding again, and the pool-wide customization is untouched.
    new_client = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="again")["UserPoolClient"]
    cognito.create_managed_login_branding(
        UserPoolId=pool_id, ClientId=new_client["ClientId"], UseCognitoProvidedValues=True
    )
