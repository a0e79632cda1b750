"""Fixture files: the declared world appears over the API, loading is idempotent (and comes back after a reset),
problems are reported with the file, the path in it and what is wrong, and `cognito-emulator export` writes a
file that loads back into the same world."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from botocore.exceptions import ClientError

from emulator.cli.commands import main
from emulator.config import Settings
from emulator.crypto.secret_hash import compute_secret_hash
from emulator.crypto.totp import code_at
from emulator.protocol import service_model
from emulator.testing import ServerThread
from emulator.worlds import fixtures
from tests.conftest import make_boto_client

POOL = "us-east-1_Fixture01"
WEB = "fixtureweb0000000000000001"
BACKEND = "fixturebackend000000000001"
BACKEND_SECRET = "fixturesecretfixturesecretfixturesecret01"
EMAIL_POOL = "eu-west-1_Emails001"
EMAIL_WEB = "emailnamesweb0000000000001"
ALICE_SUB = "11111111-2222-4333-8444-555555555555"
DAVE_SUB = "66666666-7777-4888-9999-000000000000"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PASSWORD = "Passw0rd!"

WORLD = f"""
version: 1
pools:
  - id: {POOL}
    name: fixture-pool
    settings:
      UsernameConfiguration: {{CaseSensitive: false}}
      Schema: [{{Name: team, AttributeDataType: String, Mutable: true}}]
      UserPoolTags: {{team: identity}}
    mfa:
      MfaConfiguration: OPTIONAL
      SoftwareTokenMfaConfiguration: {{Enabled: true}}
    clients:
      - id: {WEB}
        name: web
        settings:
          ExplicitAuthFlows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
          AccessTokenValidity: 30
          TokenValidityUnits: {{AccessToken: minutes}}
      - id: {BACKEND}
        name: backend
        secret: {BACKEND_SECRET}
        settings:
          ExplicitAuthFlows: [ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_USER_PASSWORD_AUTH]
    groups:
      - {{name: admins, description: The admins, precedence: 0}}
      - {{name: readers}}
    users:
      - username: alice
        sub: {ALICE_SUB}
        password: {PASSWORD}
        attributes:
          email: alice@example.com
          email_verified: true
          "custom:team": blue
          birthdate: 1990-01-31
        groups: [admins, readers]
        totp_secret: {TOTP_SECRET}
        mfa: {{totp: true, preferred: TOTP}}
      - username: bob
        status: UNCONFIRMED
        password: {PASSWORD}
      - username: carol
        enabled: false
  - id: {EMAIL_POOL}
    name: email-names
    settings:
      UsernameAttributes: [email]
    mfa: {{MfaConfiguration: OFF}}
    clients:
      - id: {EMAIL_WEB}
        name: web
        settings: {{ExplicitAuthFlows: [ALLOW_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]}}
    users:
      - username: dave@example.com
        sub: {DAVE_SUB}
        password: {PASSWORD}
"""


def write(tmp_path: Path, text: str, name: str = "world.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(text: str, name: str = "fixtures/x.yaml") -> list[str]:
    with pytest.raises(fixtures.FixtureError) as excinfo:
        fixtures.check(fixtures.parse(text, name), name)
    assert str(excinfo.value).splitlines() == [f"{name}: {problem}" for problem in excinfo.value.problems]
    return excinfo.value.problems


def sign_in(
    cognito: Any, client_id: str, username: str, password: str = PASSWORD, **extra: str
) -> dict[str, Any]:
    return cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password, **extra},
    )


def alice_tokens(cognito: Any) -> dict[str, Any]:
    challenge = sign_in(cognito, WEB, "alice")
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    from datetime import UTC, datetime

    result = cognito.respond_to_auth_challenge(
        ClientId=WEB,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=challenge["Session"],
        ChallengeResponses={
            "USERNAME": "alice",
            "SOFTWARE_TOKEN_MFA_CODE": code_at(TOTP_SECRET, datetime.now(UTC)),
        },
    )
    return result["AuthenticationResult"]


def attributes(user: dict[str, Any]) -> dict[str, str]:
    return {item["Name"]: item["Value"] for item in user.get("UserAttributes", user.get("Attributes", []))}


# --- loading ----------------------------------------------------------------------------------------------------
def test_the_declared_world_appears_over_the_api(server: ServerThread, cognito: Any, tmp_path: Path) -> None:
    fixtures.load_file(server.emulator, write(tmp_path, WORLD))

    pool = cognito.describe_user_pool(UserPoolId=POOL)["UserPool"]
    assert pool["Name"] == "fixture-pool" and pool["MfaConfiguration"] == "OPTIONAL"
    assert pool["UserPoolTags"] == {"team": "identity"}
    assert "custom:team" in {item["Name"] for item in pool["SchemaAttributes"]}
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}
    assert cognito.get_user_pool_mfa_config(UserPoolId=POOL)["SoftwareTokenMfaConfiguration"] == {
        "Enabled": True
    }

    web = cognito.describe_user_pool_client(UserPoolId=POOL, ClientId=WEB)["UserPoolClient"]
    assert web["ClientName"] == "web" and "ClientSecret" not in web and web["AccessTokenValidity"] == 30
    backend = cognito.describe_user_pool_client(UserPoolId=POOL, ClientId=BACKEND)["UserPoolClient"]
    assert backend["ClientSecret"] == BACKEND_SECRET

    groups = {group["GroupName"]: group for group in cognito.list_groups(UserPoolId=POOL)["Groups"]}
    assert set(groups) == {"admins", "readers"}
    assert groups["admins"]["Precedence"] == 0 and groups["admins"]["Description"] == "The admins"

    alice = cognito.admin_get_user(UserPoolId=POOL, Username="ALICE")  # case-insensitive pool
    assert alice["Username"] == "alice" and alice["UserStatus"] == "CONFIRMED" and alice["Enabled"]
    assert attributes(alice) == {
        "sub": ALICE_SUB,
        "email": "alice@example.com",
        "email_verified": "true",
        "custom:team": "blue",
        "birthdate": "1990-01-31",  # not turned into a date by YAML
    }
    assert alice["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert alice["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    assert cognito.admin_get_user(UserPoolId=POOL, Username="bob")["UserStatus"] == "UNCONFIRMED"
    assert cognito.admin_get_user(UserPoolId=POOL, Username="carol")["Enabled"] is False

    # The password, the TOTP secret and the groups are real.
    claims = jwt.decode(alice_tokens(cognito)["IdToken"], options={"verify_signature": False})
    assert claims["sub"] == ALICE_SUB and sorted(claims["cognito:groups"]) == ["admins", "readers"]
    with pytest.raises(ClientError) as excinfo:
        sign_in(cognito, WEB, "bob")
    assert excinfo.value.response["Error"]["Code"] == "UserNotConfirmedException"

    # The client secret is the declared one.
    hashed = compute_secret_hash(BACKEND, BACKEND_SECRET, "alice")
    challenge = cognito.admin_initiate_auth(
        UserPoolId=POOL,
        ClientId=BACKEND,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD, "SECRET_HASH": hashed},
    )
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_a_pool_with_email_user_names_keeps_the_declared_sub(
    server: ServerThread, cognito: Any, tmp_path: Path
) -> None:
    fixtures.load_file(server.emulator, write(tmp_path, WORLD))
    dave = cognito.admin_get_user(UserPoolId=EMAIL_POOL, Username="dave@example.com")
    assert dave["Username"] == DAVE_SUB
    assert attributes(dave)["email"] == "dave@example.com"
    tokens = sign_in(cognito, EMAIL_WEB, "dave@example.com")["AuthenticationResult"]
    assert jwt.decode(tokens["AccessToken"], options={"verify_signature": False})["username"] == DAVE_SUB
    assert cognito.describe_user_pool(UserPoolId=EMAIL_POOL)["UserPool"]["MfaConfiguration"] == "OFF"


def test_loading_again_puts_the_world_back_as_declared(
    server: ServerThread, cognito: Any, tmp_path: Path
) -> None:
    path = write(tmp_path, WORLD)
    fixtures.load_file(server.emulator, path)
    before = cognito.admin_get_user(UserPoolId=POOL, Username="bob")["UserAttributes"]

    # Change what the file declares, and add things it does not mention.
    cognito.admin_set_user_password(
        UserPoolId=POOL, Username="alice", Password="Other-Passw0rd!", Permanent=True
    )
    cognito.admin_update_user_attributes(
        UserPoolId=POOL, Username="alice", UserAttributes=[{"Name": "custom:team", "Value": "red"}]
    )
    cognito.admin_remove_user_from_group(UserPoolId=POOL, Username="alice", GroupName="admins")
    cognito.admin_disable_user(UserPoolId=POOL, Username="alice")
    cognito.admin_confirm_sign_up(UserPoolId=POOL, Username="bob")
    cognito.update_user_pool_client(UserPoolId=POOL, ClientId=WEB, ClientName="renamed")
    cognito.set_user_pool_mfa_config(UserPoolId=POOL, MfaConfiguration="OFF")
    cognito.admin_create_user(UserPoolId=POOL, Username="eve", MessageAction="SUPPRESS")

    fixtures.load_file(server.emulator, path)

    alice = cognito.admin_get_user(UserPoolId=POOL, Username="alice")
    assert (
        alice["Enabled"]
        and attributes(alice)["custom:team"] == "blue"
        and attributes(alice)["sub"] == ALICE_SUB
    )
    groups = cognito.admin_list_groups_for_user(UserPoolId=POOL, Username="alice")["Groups"]
    assert sorted(group["GroupName"] for group in groups) == ["admins", "readers"]
    assert alice_tokens(cognito)["AccessToken"]  # the declared password and TOTP work again
    assert cognito.admin_get_user(UserPoolId=POOL, Username="bob")["UserStatus"] == "UNCONFIRMED"
    assert cognito.admin_get_user(UserPoolId=POOL, Username="bob")["UserAttributes"] == before
    assert (
        cognito.describe_user_pool_client(UserPoolId=POOL, ClientId=WEB)["UserPoolClient"]["ClientName"]
        == "web"
    )
    assert cognito.describe_user_pool(UserPoolId=POOL)["UserPool"]["MfaConfiguration"] == "OPTIONAL"
    # Nothing is duplicated; what the file does not mention is left alone.
    usernames = sorted(user["Username"] for user in cognito.list_users(UserPoolId=POOL)["Users"])
    assert usernames == ["alice", "bob", "carol", "eve"]
    assert len(cognito.list_user_pool_clients(UserPoolId=POOL, MaxResults=60)["UserPoolClients"]) == 2
    assert len(cognito.list_groups(UserPoolId=POOL)["Groups"]) == 2
    assert {pool["Id"] for pool in cognito.list_user_pools(MaxResults=60)["UserPools"]} == {
        POOL
    }  # us-east-1 only


def test_a_pool_entry_without_a_name_adds_to_an_existing_pool(
    server: ServerThread, cognito: Any, tmp_path: Path
) -> None:
    fixtures.load_file(server.emulator, write(tmp_path, WORLD))
    more = f"""
pools:
  - id: {POOL}
    users:
      - {{username: frank, password: {PASSWORD}, groups: [readers]}}
    groups:
      - {{name: readers, description: now described}}
"""
    fixtures.load_file(server.emulator, write(tmp_path, more, "more.yaml"))
    assert cognito.describe_user_pool(UserPoolId=POOL)["UserPool"]["MfaConfiguration"] == "OPTIONAL"
    assert cognito.get_group(UserPoolId=POOL, GroupName="readers")["Group"]["Description"] == "now described"
    assert sign_in(cognito, WEB, "frank")["AuthenticationResult"]["AccessToken"]

    missing = write(
        tmp_path, "pools:\n  - id: us-east-1_Missing01\n    users: [{username: x}]\n", "missing.yaml"
    )
    with pytest.raises(fixtures.FixtureError) as excinfo:
        fixtures.load_file(server.emulator, missing)
    assert excinfo.value.problems == [
        "pools[0].id: pool us-east-1_Missing01 does not exist; give it a `name` to create it"
    ]


def test_a_json_fixture_file_loads_too(server: ServerThread, cognito: Any, tmp_path: Path) -> None:
    document = fixtures.parse(WORLD, "world.yaml")
    fixtures.load_file(server.emulator, write(tmp_path, json.dumps(document), "world.json"))
    assert cognito.admin_get_user(UserPoolId=POOL, Username="alice")["UserStatus"] == "CONFIRMED"


def test_reset_loads_the_start_up_fixtures_again(tmp_path: Path) -> None:
    path = write(tmp_path, WORLD)
    settings = Settings(port=0, database=f"sqlite:///{tmp_path / 'reset.db'}", fixtures=[str(path)])
    with ServerThread(settings) as running:
        cognito = make_boto_client(running.endpoint)
        cognito.admin_delete_user(UserPoolId=POOL, Username="alice")
        cognito.admin_create_user(UserPoolId=POOL, Username="eve", MessageAction="SUPPRESS")
        assert httpx.post(f"{running.endpoint}/_emulator/reset", json={}).status_code == 200
        usernames = sorted(user["Username"] for user in cognito.list_users(UserPoolId=POOL)["Users"])
        assert usernames == ["alice", "bob", "carol"]
        assert attributes(cognito.admin_get_user(UserPoolId=POOL, Username="alice"))["sub"] == ALICE_SUB


def test_a_problem_found_while_loading_changes_nothing(
    server: ServerThread, cognito: Any, tmp_path: Path
) -> None:
    text = f"""
pools:
  - id: {POOL}
    name: p
    settings: {{AliasAttributes: [email], UsernameAttributes: [email]}}
  - id: us-east-1_Fixture02
    name: q
    clients: [{{id: {WEB}, name: web, settings: {{ReadAttributes: [nickname, shoe_size]}}}}]
    users:
      - {{username: ok, password: {PASSWORD}}}
      - {{username: short, password: Pw1!}}
      - {{username: strange, attributes: {{shoe_size: "42"}}}}
      - {{username: mailer, attributes: {{email: not-an-email}}}}
      - {{username: emailmfa, attributes: {{email: e@example.com}}, mfa: {{email: true}}}}
"""
    with pytest.raises(fixtures.FixtureError) as excinfo:
        fixtures.load_file(server.emulator, write(tmp_path, text, "bad.yaml"))
    assert excinfo.value.problems == [
        "pools[0].settings: Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.",
        "pools[1].clients[0].settings: Invalid read attributes specified while creating a client",
        "pools[1].users[1].password: Password did not conform with policy: Password not long enough",
        "pools[1].users[2].attributes: Attributes did not conform to the schema: "
        "Type for attribute {shoe_size} could not be determined",
        "pools[1].users[3].attributes: Invalid email address format.",
        "pools[1].users[4].mfa.email: the pool has no EmailMfaConfiguration (see its `mfa`)",
    ]
    assert str(excinfo.value).startswith(f"{tmp_path / 'bad.yaml'}: pools[0].settings: ")
    with pytest.raises(ClientError) as described:
        cognito.describe_user_pool(UserPoolId="us-east-1_Fixture02")
    assert described.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_one_start_names_the_schema_problems_and_every_users_problems(tmp_path: Path) -> None:
    """A start reports all of a file's problems at once: the schema's, and the pool rules' for each user
    (several for one user), so a person fixes the file in one go."""
    from emulator import worlds
    from emulator.engine import Emulator

    text = f"""
pools:
  - id: {POOL}
    name: p
    settings: {{UsernameAttributes: [email], Policies: {{PasswordPolicy: {{MinimumLength: 12}}}}}}
    users:
      - {{username: not-an-email, password: {PASSWORD}-long}}
      - {{username: bob@example.com, attributes: {{shoe_size: "42"}}, password: short}}
      - {{username: carol@example.com, status: NEW}}
      - {{username: dave@example.com, attributes: {{email: dave@example.com, phone_number: "12345"}}}}
      - {{username: fine@example.com, password: {PASSWORD}-long}}
  - id: us-east-1_Fixture02
    name: q
    settings: {{Bogus: 1}}
    users: [{{username: erin, password: short}}]
"""
    path = write(tmp_path, text, "bad.yaml")
    url = f"sqlite:///{tmp_path / 'e.db'}"
    with pytest.raises(fixtures.FixtureError) as excinfo:
        worlds.install(Emulator(Settings(database=url, fixtures=[str(path)])))
    assert excinfo.value.problems == [
        "pools[0].users[2].status: must be one of CONFIRMED, UNCONFIRMED, FORCE_CHANGE_PASSWORD, RESET_REQUIRED "
        "(got the string 'NEW')",
        "pools[1].settings.Bogus: CreateUserPool has no setting 'Bogus'",
        "pools[0].users[0].username: Username should be an email.",
        "pools[0].users[1].attributes: Attributes did not conform to the schema: "
        "Type for attribute {shoe_size} could not be determined",
        "pools[0].users[1].password: Password did not conform with policy: Password not long enough",
        "pools[0].users[3].attributes: Invalid phone number format.",
    ]
    # Nothing of it was loaded (the pool of the flawed settings is not tried: its rules are unknown).
    empty = Emulator(Settings(database=url))
    try:
        with empty.database.session(write=False) as session:
            assert fixtures.export(session)["pools"] == []
    finally:
        empty.close()


# --- checking -----------------------------------------------------------------------------------------------------
def test_problems_name_the_file_the_path_and_what_is_wrong() -> None:
    text = f"""
pools:
  - id: {POOL}
    name: p
    users:
      - {{username: a}}
      - {{username: b}}
      - {{username: c, status: ACTIVE}}
"""
    assert problems(text) == [
        "pools[0].users[2].status: must be one of CONFIRMED, UNCONFIRMED, FORCE_CHANGE_PASSWORD, RESET_REQUIRED "
        "(got the string 'ACTIVE')"
    ]


def test_every_problem_of_a_file_is_reported_at_once() -> None:
    text = f"""
version: 2
pool: []
triggers:
  fn: ftp://nowhere
pools:
  - id: not-a-pool-id
    name: p
  - id: {POOL}
    name: p
    settings:
      Polices: {{}}
      PoolName: x
      MfaConfiguration: MAYBE
      Policies: {{PasswordPolicy: {{MinimumLength: 2, RequireSymbols: "yes"}}}}
      AutoVerifiedAttributes: email
    mfa: {{MfaConfiguration: "ON", SoftwareTokenMfaConfiguration: {{Enabled: true}}}}
    clients:
      - {{id: bad-id, name: web}}
      - {{id: badsecret, name: web, secret: short, settings: {{ClientName: x, ExplicitAuthFlows: [ALLOW_NOTHING]}}}}
      - {{id: goodclient1, name: web}}
      - {{id: goodclient1, name: again}}
    groups:
      - {{name: admins}}
      - {{name: admins}}
    users:
      - username: a
        password: 12345678
        groups: [admins, nobody]
        mfa: {{sms: true, preferred: TOTP, fax: true}}
        attributes: {{sub: x, email: [a]}}
      - username: a
        password_hash: $argon2id$v=19$m=65536,t=3,p=4$abc$def
        srp_salt: zz
      - username: c
        password: {PASSWORD}
        password_hash: $argon2id$x
        srp_salt: ab
        srp_verifier: cd
        mfa: {{totp: true}}
        totp_secret: "not base32!"
        sub: 123
        enabled: "yes"
"""
    assert problems(text) == [
        "pool: unknown key (did you mean 'pools'?); expected one of version, triggers, pools, identity_pools",
        "version: must be 1 (got the number 2)",
        "triggers.fn: a trigger target is python:module:function or http(s)://host:port, got 'ftp://nowhere'",
        "pools[0].id: 'not-a-pool-id' does not match the pattern [\\w-]+_[0-9a-zA-Z]+",
        "pools[1].settings.Polices: CreateUserPool has no setting 'Polices' (did you mean 'Policies'?)",
        "pools[1].settings.PoolName: not allowed here: give it as the pool's `name`",
        "pools[1].settings.MfaConfiguration: must be one of OFF, ON, OPTIONAL (got 'MAYBE')",
        "pools[1].settings.Policies.PasswordPolicy.MinimumLength: must be at least 6 (got 2)",
        "pools[1].settings.Policies.PasswordPolicy.RequireSymbols: must be true or false (got the string 'yes')",
        "pools[1].settings.AutoVerifiedAttributes: must be a list (got the string 'email')",
        "pools[1].mfa.MfaConfiguration: ON contradicts settings.MfaConfiguration MAYBE; set it in one place",
        "pools[1].clients[0].id: 'bad-id' does not match the pattern [\\w+]+",
        "pools[1].clients[1].secret: must have at least 24 characters (has 5)",
        "pools[1].clients[1].settings.ClientName: not allowed here: give it as the client's `name`",
        "pools[1].clients[1].settings.ExplicitAuthFlows[0]: must be one of "
        f"{', '.join(service_model.shape('ExplicitAuthFlowsType')['enum'])} (got 'ALLOW_NOTHING')",
        "pools[1].groups[1].name: group 'admins' is declared twice in this pool",
        "pools[1].users[0].password: must be a string (got the number 12345678; quote it)",
        "pools[1].users[0].attributes.sub: give the sub as the user's `sub`, not as an attribute",
        "pools[1].users[0].attributes.email: must be a string, number or boolean (got a list)",
        "pools[1].users[0].groups[1]: group 'nobody' is not declared in this pool's groups",
        "pools[1].users[0].mfa.fax: unknown key; expected one of sms, totp, email, preferred",
        "pools[1].users[0].mfa.preferred: TOTP is preferred but mfa.totp is not true",
        "pools[1].users[0].mfa.sms: SMS MFA needs a phone_number attribute",
        "pools[1].users[1].srp_verifier: is required with password_hash and srp_salt",
        "pools[1].users[1].username: 'a' is already declared at pools[1].users[0]",
        "pools[1].users[2].sub: must be a lower-case UUID like 7d8a6f0e-1c2b-4e3f-9a8b-0c1d2e3f4a5b "
        "(got the number 123)",
        "pools[1].users[2].enabled: must be true or false (got the string 'yes')",
        "pools[1].users[2].password_hash: give either `password` or the exported hashes, not both",
        "pools[1].users[2].totp_secret: must be a base32 secret of at least 16 characters (A-Z, 2-7)",
        "pools[1].clients[3].id: client id goodclient1 is already used at pools[1].clients[2]",
    ]


def test_mfa_settings_of_a_user_must_hang_together() -> None:
    text = f"""
pools:
  - id: {POOL}
    name: p
    users:
      - username: a
        mfa: {{sms: true, email: true, preferred: TOTP}}
      - username: b
        mfa: {{preferred: FAX}}
      - username: c
        mfa: {{totp: true, preferred: SOFTWARE_TOKEN_MFA}}
"""
    assert problems(text) == [
        "pools[0].users[0].mfa.preferred: TOTP is preferred but mfa.totp is not true",
        "pools[0].users[0].mfa.sms: SMS MFA needs a phone_number attribute",
        "pools[0].users[0].mfa.email: email MFA needs an email attribute",
        "pools[0].users[1].mfa.preferred: must be one of SMS, TOTP, EMAIL (got the string 'FAX')",
        "pools[0].users[2].mfa.totp: TOTP MFA needs the user's `totp_secret`",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file is empty; expected a mapping with `pools`"),
        ("- a\n- b\n", "must be a mapping (got a list)"),
        ("pools:\n  - id: x_1\n    name: a\n    name: b\n", "line 4: duplicate key 'name'"),
        ("pools: [\n", "line 2, column 1: not valid YAML: expected the node content"),
        (
            "pools:\n  - id: us-east-1_A1\n    settings: {}\n",
            "pools[0].name: is required to declare the pool's",
        ),
    ],
)
def test_unreadable_documents(text: str, expected: str) -> None:
    with pytest.raises(fixtures.FixtureError) as excinfo:
        fixtures.check(fixtures.parse(text, "x.yaml"), "x.yaml")
    assert excinfo.value.problems[0].startswith(expected)


def test_yaml_keeps_off_and_on_as_strings_and_json_errors_name_the_file(tmp_path: Path) -> None:
    fixture = fixtures.check(
        fixtures.parse(
            f"pools:\n  - id: {POOL}\n    name: p\n    mfa: {{MfaConfiguration: OFF}}\n", "x.yaml"
        ),
        "x.yaml",
    )
    assert fixture.pools[0].mfa == {"MfaConfiguration": "OFF"}
    with pytest.raises(fixtures.FixtureError) as excinfo:
        fixtures.read(write(tmp_path, "{pools: []}", "broken.json"))
    assert str(excinfo.value).startswith(f"{tmp_path / 'broken.json'}: not valid JSON: ")
    with pytest.raises(fixtures.FixtureError) as excinfo:
        fixtures.read(tmp_path / "absent.yaml")
    assert "cannot read the file" in str(excinfo.value)


def test_yaml_syntax_errors_name_the_file_and_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, f"pools:\n  - id: {POOL}\n    name: [unclosed\n    users: []\n", "broken.yaml")
    with pytest.raises(fixtures.FixtureError) as excinfo:
        fixtures.read(path)
    message = str(excinfo.value)
    assert message.startswith(f"{path}: line 4, column 10: not valid YAML: ")
    assert "(in a flow sequence that starts at line 3, column 11)" in message
    assert "<unicode string>" not in message and "\n" not in message


def test_a_python_trigger_path_is_relative_to_the_fixture_file(tmp_path: Path) -> None:
    path = write(
        tmp_path, "triggers:\n  fn: python:handlers/auth.py:define\n  other: http://127.0.0.1:3001\n"
    )
    fixture = fixtures.read(path)
    assert fixture.triggers == {
        "fn": f"python:{tmp_path / 'handlers' / 'auth.py'}:define",
        "other": "http://127.0.0.1:3001",
    }


def test_export_writes_trigger_files_relative_to_the_exported_file(
    server: ServerThread, tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    """So an exported file can be shared with its handlers and loaded from wherever they end up."""
    project = tmp_path / "project"
    (project / "handlers").mkdir(parents=True)
    (project / "handlers" / "auth.py").write_text("def define(event, context):\n    return event\n")
    triggers = (
        "triggers:\n  fn: python:handlers/auth.py:define\n  mod: python:fixtures.triggers.sign_up:pre_sign_up\n"
        "  other: http://127.0.0.1:3001\n"
    )
    fixtures.load_file(server.emulator, write(project, triggers))
    database = server.settings.database
    assert main(["export", "--database", database, "--output", str(project / "exported.yaml")]) == 0
    exported = fixtures.parse((project / "exported.yaml").read_text(), "exported.yaml")
    assert exported["triggers"] == {
        "fn": "python:handlers/auth.py:define",
        "mod": "python:fixtures.triggers.sign_up:pre_sign_up",
        "other": "http://127.0.0.1:3001",
    }
    # Moved elsewhere with its handlers, the file still names them.
    moved = project.rename(tmp_path / "elsewhere")
    assert (
        fixtures.read(moved / "exported.yaml").triggers["fn"]
        == f"python:{moved / 'handlers' / 'auth.py'}:define"
    )
    # To stdout: relative to the current directory.
    monkeypatch.chdir(tmp_path)
    assert main(["export", "--database", database]) == 0
    assert "fn: python:project/handlers/auth.py:define" in capsys.readouterr().out


def test_the_demo_world_is_valid() -> None:
    fixture = fixtures.read(Path(__file__).resolve().parents[2] / "fixtures" / "signin-steps.yaml")
    ids = [pool.id for pool in fixture.pools]
    assert [i for i in ids if i != "us-east-1_DemoDevices"] == [f"us-east-1_Demo0000{n}" for n in range(1, 7)]
    assert "us-east-1_DemoDevices" in ids  # remembered devices (issue 22)


# --- export -------------------------------------------------------------------------------------------------------
def test_export_loads_back_into_the_same_world(server: ServerThread, cognito: Any, tmp_path: Path) -> None:
    fixtures.load_file(server.emulator, write(tmp_path, WORLD))
    # Settings changed through the API come along too.
    cognito.update_user_pool(UserPoolId=POOL, MfaConfiguration="OPTIONAL", DeletionProtection="ACTIVE")
    cognito.set_user_pool_mfa_config(
        UserPoolId=POOL, MfaConfiguration="OPTIONAL", SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    with server.emulator.database.session(write=False) as session:
        first = fixtures.export(session, with_password_hashes=True)
    text = fixtures.dump(first, with_password_hashes=True)
    assert text.startswith("# A cognito-emulator fixture file")
    assert "password_hash: $argon2id$" in text and PASSWORD not in text

    server.emulator.reset()
    fixtures.load_file(server.emulator, write(tmp_path, text, "exported.yaml"))
    with server.emulator.database.session(write=False) as session:
        second = fixtures.export(session, with_password_hashes=True)
    assert second == first
    assert cognito.describe_user_pool(UserPoolId=POOL)["UserPool"]["DeletionProtection"] == "ACTIVE"
    # The exported hashes are the passwords: plain and SRP sign-in work after the round trip.
    assert alice_tokens(cognito)["AccessToken"]
    assert sign_in(cognito, EMAIL_WEB, "dave@example.com")["AuthenticationResult"]


def test_export_without_hashes_leaves_users_without_passwords(
    server: ServerThread, cognito: Any, tmp_path: Path
) -> None:
    fixtures.load_file(server.emulator, write(tmp_path, WORLD))
    with server.emulator.database.session(write=False) as session:
        document = fixtures.export(session)
    assert all("password_hash" not in user for pool in document["pools"] for user in pool.get("users", []))
    server.emulator.reset()
    fixtures.load_file(server.emulator, write(tmp_path, fixtures.dump(document), "exported.yaml"))
    assert cognito.admin_get_user(UserPoolId=POOL, Username="alice")["UserStatus"] == "CONFIRMED"
    with pytest.raises(ClientError) as excinfo:
        sign_in(cognito, WEB, "alice")
    assert excinfo.value.response["Error"]["Code"] == "NotAuthorizedException"


def test_the_export_command_writes_yaml_or_json(server: ServerThread, tmp_path: Path, capsys: Any) -> None:
    fixtures.load_file(server.emulator, write(tmp_path, WORLD))
    database = server.settings.database
    output = tmp_path / "world.json"
    assert main(["export", "--database", database, "--output", str(output)]) == 0
    document = json.loads(output.read_text())
    assert fixtures.check(document, "world.json").pools[0].id == EMAIL_POOL  # pools in id order
    assert main(["export", "--database", database, "--with-password-hashes"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("# A cognito-emulator fixture file") and "srp_verifier:" in printed
    assert (
        fixtures.check(fixtures.parse(printed, "stdout.yaml"), "stdout.yaml").pools[1].users[0].password_hash
    )
    assert main(["export", "--database", f"sqlite:///{tmp_path / 'none.db'}"]) == 2
    assert "no emulator database" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()


def test_serve_refuses_to_start_with_a_broken_fixture_file(tmp_path: Path, capsys: Any) -> None:
    bad = write(
        tmp_path, "pools:\n  - {id: us-east-1_Bad000001, name: b, users: [{username: x, status: NEW}]}\n"
    )
    code = main(
        ["serve", "--port", "0", "--database", f"sqlite:///{tmp_path / 'e.db'}", "--fixtures", str(bad)]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "cannot load the fixtures" in err
    assert f"{bad}: pools[0].users[0].status: must be one of CONFIRMED" in err


def test_worker_processes_do_not_load_at_start_but_do_after_a_reset(tmp_path: Path) -> None:
    """``--workers N``: the parent process loads the fixtures; each worker only reloads them after a reset."""
    from emulator import worlds
    from emulator.engine import Emulator

    path = write(tmp_path, WORLD)
    url = f"sqlite:///{tmp_path / 'workers.db'}"
    Emulator(Settings(database=url)).close()  # the parent created the schema
    worker = worlds.install(
        Emulator(Settings(database=url, fixtures=[str(path)]), create_schema=False), load_now=False
    )
    try:
        with worker.database.session(write=False) as session:
            assert fixtures.export(session)["pools"] == []
        worker.reset()
        with worker.database.session(write=False) as session:
            assert [pool["id"] for pool in fixtures.export(session)["pools"]] == [EMAIL_POOL, POOL]
    finally:
        worker.close()
