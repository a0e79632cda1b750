"""``serve --amplify-outputs amplify_outputs.json``: the pool and app client of an Amplify Gen 2 project, with
the ids, MFA, password policy, sign-in names, required attributes and groups the file declares.

The file in tests/api/data/my-app/ is shaped like what ``npx ampx sandbox`` writes (schema 1.4, with data and
storage sections that the emulator ignores)."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from emulator.testing import EmulatorClient, LocalEmulator
from emulator.testing.server import free_port
from emulator.worlds import amplify_outputs
from tests import real_clients

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
OUTPUTS = DATA / "my-app" / "amplify_outputs.json"
POOL_ID = "eu-west-1_Kp9xQ2mTz"
CLIENT_ID = "5ruqjv0p4ehm9k1b2c7d8a3f6g"
IDENTITY_POOL_ID = "eu-west-1:3f6b7c1e-2d4a-4e8b-9c0d-1a2b3c4d5e6f"
PASSWORD = "Correct-Horse-9"


@pytest.fixture(scope="module")
def amplify() -> LocalEmulator:
    with LocalEmulator(amplify_outputs=OUTPUTS, region="eu-west-1") as running:
        yield running


@pytest.fixture
def app(amplify: LocalEmulator) -> LocalEmulator:
    amplify.reset()
    return amplify


def test_the_pool_is_what_the_file_declares(app):
    pool = app.client.describe_user_pool(UserPoolId=POOL_ID)["UserPool"]
    assert pool["Name"] == "amplify-my-app"
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}
    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["MfaConfiguration"] == "OPTIONAL"
    assert pool["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 12,
        "RequireUppercase": True,
        "RequireLowercase": True,
        "RequireNumbers": True,
        "RequireSymbols": False,
        "TemporaryPasswordValidityDays": 7,
    }
    required = {attribute["Name"] for attribute in pool["SchemaAttributes"] if attribute["Required"]}
    assert required == {"sub", "email", "given_name"}
    assert pool["AccountRecoverySetting"] == {
        "RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]
    }
    mfa = app.client.get_user_pool_mfa_config(UserPoolId=POOL_ID)
    assert mfa["MfaConfiguration"] == "OPTIONAL"
    assert mfa["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert "SmsConfiguration" in mfa["SmsMfaConfiguration"]


def test_the_identity_pool_is_what_the_file_declares(app):
    identity = app.identity_client
    pool = identity.describe_identity_pool(IdentityPoolId=IDENTITY_POOL_ID)
    assert pool["AllowUnauthenticatedIdentities"] is True
    assert pool["CognitoIdentityProviders"] == [
        {
            "ProviderName": f"cognito-idp.eu-west-1.amazonaws.com/{POOL_ID}",
            "ClientId": CLIENT_ID,
            "ServerSideTokenCheck": False,
        }
    ]
    roles = identity.get_identity_pool_roles(IdentityPoolId=IDENTITY_POOL_ID)
    assert set(roles["Roles"]) == {"authenticated", "unauthenticated"}
    assert roles["RoleMappings"] == {
        f"cognito-idp.eu-west-1.amazonaws.com/{POOL_ID}:{CLIENT_ID}": {
            "Type": "Token",
            "AmbiguousRoleResolution": "AuthenticatedRole",
        }
    }
    guest = identity.get_id(IdentityPoolId=IDENTITY_POOL_ID)["IdentityId"]
    assert guest.startswith("eu-west-1:")
    closed = amplify_outputs.to_fixture(
        _outputs(unauthenticated_identities_enabled=False), "amplify_outputs.json"
    )
    assert closed["identity_pools"][0]["settings"]["AllowUnauthenticatedIdentities"] is False
    assert "identity_pools" not in amplify_outputs.to_fixture(_outputs(identity_pool_id=None), "x.json")


def test_the_client_and_groups_are_what_the_file_declares(app):
    client = app.client.describe_user_pool_client(UserPoolId=POOL_ID, ClientId=CLIENT_ID)["UserPoolClient"]
    assert "ClientSecret" not in client
    assert sorted(client["ExplicitAuthFlows"]) == [
        "ALLOW_CUSTOM_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_USER_SRP_AUTH",
    ]
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert client["EnableTokenRevocation"] is True
    groups = app.client.list_groups(UserPoolId=POOL_ID)["Groups"]
    assert {(group["GroupName"], group["Precedence"]) for group in groups} == {("ADMINS", 0), ("EDITORS", 1)}


def test_sign_up_and_srp_sign_in_follow_the_rules(app):
    cognito = app.client

    def sign_up(password: str, **attributes: str) -> dict:
        return cognito.sign_up(
            ClientId=CLIENT_ID,
            Username="zoe@example.com",
            Password=password,
            UserAttributes=[{"Name": name, "Value": value} for name, value in attributes.items()],
        )

    with pytest.raises(ClientError) as excinfo:
        sign_up("Sh0rt-pass", email="zoe@example.com", given_name="Zoe")  # 10 < 12 characters
    assert excinfo.value.response["Error"]["Code"] == "InvalidPasswordException"
    with pytest.raises(ClientError) as excinfo:
        sign_up(PASSWORD, email="zoe@example.com")
    assert excinfo.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "given_name" in excinfo.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as excinfo:
        cognito.sign_up(ClientId=CLIENT_ID, Username="zoe", Password=PASSWORD)
    assert excinfo.value.response["Error"]["Message"] == "Username should be an email."
    answer = sign_up(PASSWORD, email="zoe@example.com", given_name="Zoe")
    assert answer["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    cognito.confirm_sign_up(
        ClientId=CLIENT_ID, Username="Zoe@Example.com", ConfirmationCode=app.last_code("zoe@example.com")
    )
    with pytest.raises(ClientError) as excinfo:
        cognito.initiate_auth(
            ClientId=CLIENT_ID,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "zoe@example.com", "PASSWORD": PASSWORD},
        )
    assert excinfo.value.response["Error"]["Code"] == "InvalidParameterException"
    srp = AWSSRP(
        username="zoe@example.com", password=PASSWORD, pool_id=POOL_ID, client_id=CLIENT_ID, client=cognito
    )
    tokens = srp.authenticate_user()["AuthenticationResult"]
    assert cognito.get_user(AccessToken=tokens["AccessToken"])["Username"] == answer["UserSub"]


def test_reset_puts_the_pool_back_without_users(app):
    app.client.admin_create_user(
        UserPoolId=POOL_ID,
        Username="amy@example.com",
        UserAttributes=[{"Name": "given_name", "Value": "Amy"}],
        MessageAction="SUPPRESS",
    )
    app.client.delete_group(UserPoolId=POOL_ID, GroupName="EDITORS")
    app.emulator.reset()  # the real reset: wipe, then the after-reset hooks load the file again
    assert app.client.list_users(UserPoolId=POOL_ID)["Users"] == []
    assert len(app.client.list_groups(UserPoolId=POOL_ID)["Groups"]) == 2
    app.client.describe_user_pool_client(UserPoolId=POOL_ID, ClientId=CLIENT_ID)


def test_a_restart_on_the_same_database_keeps_the_users(tmp_path):
    database = f"sqlite:///{tmp_path / 'emulator.db'}"
    with LocalEmulator(amplify_outputs=OUTPUTS, database=database) as first:
        first.client.admin_create_user(
            UserPoolId=POOL_ID,
            Username="amy@example.com",
            UserAttributes=[{"Name": "given_name", "Value": "Amy"}],
            MessageAction="SUPPRESS",
        )
    changed = json.loads(OUTPUTS.read_text())
    changed["auth"]["password_policy"]["min_length"] = 16
    project = tmp_path / "my-app"
    project.mkdir()
    (project / "amplify_outputs.json").write_text(json.dumps(changed))
    with LocalEmulator(amplify_outputs=project / "amplify_outputs.json", database=database) as second:
        users = second.client.list_users(UserPoolId=POOL_ID)["Users"]
        assert len(users) == 1
        assert {"Name": "email", "Value": "amy@example.com"} in users[0]["Attributes"]
        policy = second.client.describe_user_pool(UserPoolId=POOL_ID)["UserPool"]["Policies"][
            "PasswordPolicy"
        ]
        assert policy["MinimumLength"] == 16


def _outputs(**auth_changes) -> dict:
    document = json.loads(OUTPUTS.read_text())
    for key, value in auth_changes.items():
        if value is None:
            document["auth"].pop(key, None)
        else:
            document["auth"][key] = value
    return document


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"user_pool_id": "not-a-pool"}, "auth.user_pool_id: must be a user pool id"),
        (
            {"aws_region": "us-east-1"},
            "auth.aws_region: 'us-east-1' is not the region of eu-west-1_Kp9xQ2mTz",
        ),
        ({"user_pool_client_id": None}, "auth.user_pool_client_id: must be an app client id"),
        ({"mfa_configuration": "SOMETIMES"}, "auth.mfa_configuration: 'SOMETIMES' is not one of"),
        ({"mfa_methods": []}, "auth.mfa_methods: mfa_configuration OPTIONAL needs at least one of"),
        ({"mfa_methods": ["SMS", "VOICE"]}, "auth.mfa_methods[1]: 'VOICE' is not one of SMS, TOTP, EMAIL"),
        ({"password_policy": {"min_length": 4}}, "auth.password_policy.min_length: must be a whole number"),
        (
            {"standard_required_attributes": ["shoe_size"]},
            "auth.standard_required_attributes[0]: 'shoe_size'",
        ),
        ({"username_attributes": "email"}, "auth.username_attributes: must be a list of strings"),
        ({"identity_pool_id": "eu-west-1_nope"}, "auth.identity_pool_id: must be an identity pool id"),
        (
            {"identity_pool_id": "us-east-1:3f6b7c1e-2d4a-4e8b-9c0d-1a2b3c4d5e6f"},
            "auth.identity_pool_id: us-east-1:3f6b7c1e-2d4a-4e8b-9c0d-1a2b3c4d5e6f is not in the user pool's region",
        ),
        (
            {"unauthenticated_identities_enabled": "yes"},
            "auth.unauthenticated_identities_enabled: must be true",
        ),
    ],
)
def test_bad_files_name_the_file_and_the_path(changes, problem):
    with pytest.raises(amplify_outputs.AmplifyOutputsError) as excinfo:
        amplify_outputs.to_fixture(_outputs(**changes), "amplify_outputs.json")
    assert f"amplify_outputs.json: {problem}" in str(excinfo.value)


def test_files_that_are_no_amplify_outputs(tmp_path):
    for text, problem in [
        ("{", "not valid JSON"),
        ("[]", "the file must hold a JSON object"),
        ('{"version": "1.4"}', "auth: missing"),
        ('{"version": "2", "auth": {}}', "version: schema version '2' is not supported"),
    ]:
        path = tmp_path / "amplify_outputs.json"
        path.write_text(text)
        with pytest.raises(amplify_outputs.AmplifyOutputsError) as excinfo:
            amplify_outputs.to_fixture(amplify_outputs.read(path), str(path))
        assert problem in str(excinfo.value)
    with pytest.raises(amplify_outputs.AmplifyOutputsError, match="cannot read the file"):
        amplify_outputs.read(tmp_path / "missing.json")


def test_minimal_file_and_optional_members():
    """Only the required members (schema 1.x): a username pool without MFA, Cognito's default policy."""
    document = {
        "version": "1",
        "auth": {
            "user_pool_id": "us-east-2_abc123XYZ",
            "aws_region": "us-east-2",
            "user_pool_client_id": "c" * 26,
        },
    }
    pool = amplify_outputs.to_fixture(document, "x/amplify_outputs.json")["pools"][0]
    assert pool["id"] == "us-east-2_abc123XYZ"
    assert "UsernameAttributes" not in pool["settings"] and "Policies" not in pool["settings"]
    assert pool["mfa"] == {"MfaConfiguration": "OFF"}
    with_flow = copy.deepcopy(document)
    with_flow["auth"].update(authentication_flow_type="USER_PASSWORD_AUTH", mfa_methods=["EMAIL"])
    pool = amplify_outputs.to_fixture(with_flow, "x/amplify_outputs.json")["pools"][0]
    assert "ALLOW_USER_PASSWORD_AUTH" in pool["clients"][0]["settings"]["ExplicitAuthFlows"]
    assert pool["mfa"]["EmailMfaConfiguration"] == {}


def test_serve_flag(tmp_path):
    """``cognito-emulator serve --amplify-outputs FILE`` creates the pool before it answers."""
    port = free_port()
    environ = {key: value for key, value in os.environ.items() if not key.startswith("COGNITO_EMULATOR_")}
    environ["PYTHONPATH"] = str(ROOT)
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "serve", "--port", str(port), "--amplify-outputs", str(OUTPUTS),
         "--database", f"sqlite:///{tmp_path / 'db.sqlite'}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environ,
        text=True,
    )  # fmt: skip
    try:
        client = EmulatorClient(f"http://127.0.0.1:{port}", region="eu-west-1")
        deadline = time.monotonic() + 30
        while True:
            try:
                client.health()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, process.stderr.read()
                time.sleep(0.05)
        assert "pools: 1" in process.stdout.readline()
        assert client.client.describe_user_pool_client(UserPoolId=POOL_ID, ClientId=CLIENT_ID)
    finally:
        process.terminate()
        _out, logged = process.communicate(timeout=20)
    # The identity pool is emulated now: nothing of this file is left unserved, so no warning.
    warnings = [line for line in logged.splitlines() if "WARNING" in line and "is not emulated" in line]
    assert warnings == [], logged
    assert "identity pool eu-west-1:3f6b7c1e-2d4a-4e8b-9c0d-1a2b3c4d5e6f" in logged


OAUTH = {
    "identity_providers": ["GOOGLE"],
    "domain": "my-app-login.auth.eu-west-1.amazoncognito.com",
    "scopes": ["phone", "email", "openid", "profile", "aws.cognito.signin.user.admin"],
    "redirect_sign_in_uri": ["http://localhost:3000/", "https://app.example.com/"],
    "redirect_sign_out_uri": ["http://localhost:3000/signed-out"],
    "response_type": "code",
}


def test_parts_not_emulated_are_named_with_what_the_app_sees():
    document = _outputs(oauth=OAUTH)
    lines = amplify_outputs.not_emulated(document)
    assert [line.split(" ", 1)[0] for line in lines] == ["auth.oauth.identity_providers"]
    assert "auth.oauth.identity_providers (GOOGLE) is not emulated" in lines[0]
    assert "signInWithRedirect() without a provider opens the pool's own login page" in lines[0]
    bare = _outputs(identity_pool_id=None, unauthenticated_identities_enabled=False)
    assert amplify_outputs.not_emulated(bare) == []
    # The hosted UI itself is emulated: an oauth section without identity providers warns of nothing.
    own_page = _outputs(identity_pool_id=None, unauthenticated_identities_enabled=False, oauth=dict(OAUTH))
    del own_page["auth"]["oauth"]["identity_providers"]
    assert amplify_outputs.not_emulated(own_page) == []
    # The pool is still built from such a file: the warnings do not stop the start.
    assert amplify_outputs.to_fixture(document, "amplify_outputs.json")["pools"][0]["id"] == POOL_ID


def test_the_oauth_section_makes_the_domain_and_the_clients_oauth_settings():
    pool = amplify_outputs.to_fixture(_outputs(oauth=OAUTH), "amplify_outputs.json")["pools"][0]
    # The domain prefix is the first label of the outputs' domain (the real one is prefix.auth.region...).
    assert pool["domain"] == "my-app-login"
    settings = pool["clients"][0]["settings"]
    assert settings["AllowedOAuthFlowsUserPoolClient"] is True
    assert settings["AllowedOAuthFlows"] == ["code"]
    assert settings["AllowedOAuthScopes"] == OAUTH["scopes"]
    assert settings["CallbackURLs"] == OAUTH["redirect_sign_in_uri"]
    assert settings["LogoutURLs"] == OAUTH["redirect_sign_out_uri"]
    assert settings["SupportedIdentityProviders"] == ["COGNITO"]
    implicit = dict(OAUTH, response_type="token")
    del implicit["scopes"]
    pool = amplify_outputs.to_fixture(_outputs(oauth=implicit), "amplify_outputs.json")["pools"][0]
    assert pool["clients"][0]["settings"]["AllowedOAuthFlows"] == ["implicit"]
    # No scopes in the file: what defineAuth's externalProviders grants by default.
    assert pool["clients"][0]["settings"]["AllowedOAuthScopes"] == OAUTH["scopes"]
    assert "domain" not in amplify_outputs.to_fixture(_outputs(), "amplify_outputs.json")["pools"][0]


def test_the_start_says_what_oauth_domain_the_app_must_use():
    from emulator.config import Settings

    with_tls = Settings(tls=True, tls_port=9443)
    assert amplify_outputs.domain_note(with_tls, "my-app-login") == (
        "domain my-app-login for signInWithRedirect: set oauth.domain to 'localhost:9443/my-app-login' in "
        "Amplify.configure"
    )
    assert "start with --tls" in amplify_outputs.domain_note(Settings(), "my-app-login")


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"domain": None}, "auth.oauth.domain: must be the user pool's domain name, not None"),
        ({"response_type": "id_token"}, "auth.oauth.response_type: 'id_token' is not one of code, token"),
        ({"redirect_sign_in_uri": []}, "auth.oauth.redirect_sign_in_uri: must be a non-empty list of URLs"),
        ({"redirect_sign_out_uri": "http://localhost/"}, "auth.oauth.redirect_sign_out_uri: must be a"),
        ({"scopes": "openid"}, "auth.oauth.scopes: must be a non-empty list of strings"),
        ({"identity_providers": "GOOGLE"}, "auth.oauth.identity_providers: must be a list of strings"),
    ],
)
def test_bad_oauth_sections_name_the_path(changes, problem):
    oauth = {key: value for key, value in {**OAUTH, **changes}.items() if value is not None}
    with pytest.raises(amplify_outputs.AmplifyOutputsError) as excinfo:
        amplify_outputs.to_fixture(_outputs(oauth=oauth), "amplify_outputs.json")
    assert f"amplify_outputs.json: {problem}" in str(excinfo.value)


def test_the_oauth_section_is_loaded_with_cognitos_rules(tmp_path):
    project = tmp_path / "my-app"
    project.mkdir()
    path = project / "amplify_outputs.json"
    path.write_text(json.dumps(_outputs(oauth=OAUTH)))
    with LocalEmulator(amplify_outputs=path, region="eu-west-1") as running:
        domain = running.client.describe_user_pool_domain(Domain="my-app-login")["DomainDescription"]
        assert domain["UserPoolId"] == POOL_ID and domain["Status"] == "ACTIVE"
        client = running.client.describe_user_pool_client(UserPoolId=POOL_ID, ClientId=CLIENT_ID)
        assert client["UserPoolClient"]["CallbackURLs"] == OAUTH["redirect_sign_in_uri"]
        assert client["UserPoolClient"]["AllowedOAuthFlowsUserPoolClient"] is True
        # A reset puts the domain back with the pool.
        running.reset()
        assert running.client.describe_user_pool(UserPoolId=POOL_ID)["UserPool"]["Domain"] == "my-app-login"
    # What Cognito refuses (a reserved word in the prefix, plain HTTP to a non-loopback host) is named.
    for change, problem in [
        (
            {"domain": "my-aws-app.auth.eu-west-1.amazoncognito.com"},
            "Domain cannot contain reserved word: aws",
        ),
        ({"redirect_sign_in_uri": ["http://app.example.com/"]}, "cannot use the HTTP protocol"),
    ]:
        path.write_text(json.dumps(_outputs(oauth={**OAUTH, **change})))
        with pytest.raises(amplify_outputs.AmplifyOutputsError) as excinfo:
            LocalEmulator(amplify_outputs=path, region="eu-west-1").start()
        assert problem in str(excinfo.value)


def test_serve_refuses_a_bad_file(tmp_path):
    bad = tmp_path / "amplify_outputs.json"
    bad.write_text(json.dumps(_outputs(aws_region="us-east-1")))
    environ = {key: value for key, value in os.environ.items() if not key.startswith("COGNITO_EMULATOR_")}
    environ["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-m", "emulator", "serve", "--port", str(free_port()), "--amplify-outputs", str(bad),
         "--database", f"sqlite:///{tmp_path / 'db.sqlite'}"],
        capture_output=True,
        env=environ,
        text=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert f"cannot use the Amplify outputs file {bad}:\n" in result.stderr
    assert "fixtures" not in result.stderr
    assert f"{bad}: auth.aws_region: 'us-east-1' is not the region of {POOL_ID} (eu-west-1)" in result.stderr


AMPLIFY_DIR = ROOT / "tests" / "amplify"


def test_an_amplify_app_only_adds_the_endpoint(app):
    """Amplify JS v6 configured from the file plus ``userPoolEndpoint`` and ``identityPoolEndpoint`` signs up,
    confirms, signs in, and fetchAuthSession() has the user's identity id and credentials."""
    real_clients.node_project(AMPLIFY_DIR, "aws-amplify")
    result = subprocess.run(
        ["node", str(DATA / "amplify_outputs_app.cjs")],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "AMPLIFY_DIR": str(AMPLIFY_DIR),
            "OUTPUTS": str(OUTPUTS),
            "ENDPOINT": app.endpoint,
        },
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["shortPassword"] == "InvalidPasswordException"
    assert report["missingGivenName"] == "InvalidParameterException"
    assert report["signUpStep"] == "CONFIRM_SIGN_UP" and report["delivery"] == "EMAIL"
    assert report["confirmed"] is True
    assert report["passwordFlow"] == "InvalidParameterException"
    assert report["signInStep"] == "DONE"
    assert report["attributes"]["given_name"] == "Zoe"
    assert report["userId"] == report["attributes"]["sub"]
    assert report["identityId"].startswith("eu-west-1:")
    assert report["accessKeyId"].startswith("ASIA") and report["hasIdToken"] is True
