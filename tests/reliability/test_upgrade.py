"""Upgrades: a database written by schema version 1 opens with this code, migrates, and keeps its data.

tests/reliability/data/schema-v1.db was written by the emulator at schema version 1 (make_schema_v1.py
beside it); schema-v1.json holds what the test needs to use it (ids, a refresh token, when it was made).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP
from sqlalchemy import text

from emulator.config import Settings
from emulator.engine.core import Emulator
from emulator.store import Database, migrations
from emulator.store.models import SCHEMA_VERSION
from emulator.testing import EmulatorClient, ServerThread
from emulator.userpools.triggers import targets
from tests.conftest import make_boto_client

DATA = Path(__file__).parent / "data"


def _copy_v1(tmp_path: Path) -> tuple[str, dict]:
    target = tmp_path / "emulator.db"
    shutil.copyfile(DATA / "schema-v1.db", target)
    return f"sqlite:///{target}", json.loads((DATA / "schema-v1.json").read_text())


def _version(path: str) -> str:
    with sqlite3.connect(path.removeprefix("sqlite:///")) as connection:
        return connection.execute("SELECT value FROM emulator_state WHERE key='schema_version'").fetchone()[0]


def test_schema_v1_database_opens_migrates_and_keeps_its_data(tmp_path):
    url, facts = _copy_v1(tmp_path)
    assert _version(url) == "1"
    with ServerThread(Settings(port=0, database=url)) as server:
        cognito = make_boto_client(server.endpoint)
        pool_id, client_id = facts["pool_id"], facts["client_id"]

        pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
        assert pool["Name"] == "schema-v1"
        assert any(attribute["Name"] == "custom:tier" for attribute in pool["SchemaAttributes"])
        alice = cognito.admin_get_user(UserPoolId=pool_id, Username="alice")
        attributes = {item["Name"]: item["Value"] for item in alice["UserAttributes"]}
        assert alice["UserStatus"] == "CONFIRMED"
        assert attributes["email"] == "alice@example.com" and attributes["custom:tier"] == "gold"
        groups = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username="alice")["Groups"]
        assert [group["GroupName"] for group in groups] == ["admins"]

        # The stored password hash and SRP verifier still work (SRP at the real time: its TIMESTAMP is).
        tokens = cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": facts["password"]},
        )["AuthenticationResult"]
        assert cognito.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"
        srp = AWSSRP("alice", facts["password"], pool_id, client_id, client=cognito)
        assert "AccessToken" in srp.authenticate_user()["AuthenticationResult"]

        # Back to an hour after the file was made: its refresh token and codes are valid then.
        made_at = datetime.fromisoformat(facts["made_at"])
        server.emulator.set_clock_offset((made_at + timedelta(hours=1) - datetime.now(UTC)).total_seconds())
        refreshed = cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": facts["refresh_token"]},
        )["AuthenticationResult"]
        assert cognito.get_user(AccessToken=refreshed["AccessToken"])["Username"] == "alice"

        # The unconfirmed user confirms with the code version 1 sent, once.
        assert cognito.admin_get_user(UserPoolId=pool_id, Username="bob")["UserStatus"] == "UNCONFIRMED"
        assert EmulatorClient(server.endpoint).last_code("bob") == facts["bob_code"]
        cognito.confirm_sign_up(ClientId=client_id, Username="bob", ConfirmationCode=facts["bob_code"])
        assert cognito.admin_get_user(UserPoolId=pool_id, Username="bob")["UserStatus"] == "CONFIRMED"
        with pytest.raises(ClientError):
            cognito.confirm_sign_up(ClientId=client_id, Username="bob", ConfirmationCode=facts["bob_code"])
    assert _version(url) == str(SCHEMA_VERSION)


def test_migration_steps_run_in_order_in_one_transaction(tmp_path):
    url, facts = _copy_v1(tmp_path)
    database = Database(url)
    ran: list[int] = []

    def v1_to_v2(connection) -> None:
        ran.append(1)
        connection.execute(text("UPDATE user_pools SET name = name || '-v2'"))

    def v2_to_v3(connection) -> None:
        ran.append(2)
        connection.execute(text("UPDATE user_pools SET name = name || '-v3'"))

    try:
        with database.engine.begin() as connection:
            done = migrations.upgrade(connection, target=3, migrations={2: v2_to_v3, 1: v1_to_v2})
        assert ran == [1, 2]
        assert done[:2] == ["migrated schema version 1 to 2", "migrated schema version 2 to 3"]
        with database.engine.connect() as connection:
            assert connection.scalar(text("SELECT name FROM user_pools")) == "schema-v1-v2-v3"
            assert migrations.recorded_version(connection) == 3
    finally:
        database.dispose()


def test_failing_migration_leaves_the_database_as_it_was(tmp_path):
    url, _ = _copy_v1(tmp_path)
    database = Database(url)

    def v1_to_v2(connection) -> None:
        connection.execute(text("UPDATE user_pools SET name = 'half-done'"))

    def v2_to_v3(connection) -> None:
        raise RuntimeError("this step fails")

    try:
        with pytest.raises(RuntimeError, match="this step fails"), database.engine.begin() as connection:
            migrations.upgrade(connection, target=3, migrations={1: v1_to_v2, 2: v2_to_v3})
        missing = "no migration from schema version 1 to 2"
        with pytest.raises(migrations.MigrationError, match=missing), database.engine.begin() as connection:
            migrations.upgrade(connection, target=2, migrations={})
        with database.engine.connect() as connection:
            assert connection.scalar(text("SELECT name FROM user_pools")) == "schema-v1"
            assert migrations.recorded_version(connection) == 1
    finally:
        database.dispose()


def test_database_from_a_newer_emulator_is_refused(tmp_path):
    url, _ = _copy_v1(tmp_path)
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        connection.execute(
            "UPDATE emulator_state SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),)
        )
    connection.close()
    with pytest.raises(migrations.SchemaTooNewError, match="newer than this emulator"):
        Emulator(Settings(database=url))


def test_columns_added_under_one_version_are_added_to_older_files(tmp_path):
    """A database that lacks columns the models gained since (a nullable one, one with a plain default)
    gets them at start, existing rows keep their data and take the default."""
    url, facts = _copy_v1(tmp_path)
    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        connection.execute("ALTER TABLE users DROP COLUMN totp_last_step")
        connection.execute("ALTER TABLE users DROP COLUMN failed_attempts")
    connection.close()
    emulator = Emulator(Settings(database=url))
    try:
        assert "added column users.totp_last_step" in emulator.database.migrated
        assert "added column users.failed_attempts" in emulator.database.migrated
    finally:
        emulator.close()
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT username, failed_attempts, totp_last_step FROM users").fetchall()
    connection.close()
    assert sorted(rows) == [("alice", 0, None), ("bob", 0, None)]
    with ServerThread(Settings(port=0, database=url)) as server:
        cognito = make_boto_client(server.endpoint)
        user = cognito.admin_get_user(UserPoolId=facts["pool_id"], Username="alice")
        assert user["UserStatus"] == "CONFIRMED"


def test_version_1_state_keys_are_widened_for_long_lambda_arns(tmp_path, database_kind):
    """Schema 1 kept emulator_state keys in 64 characters, too few for a trigger mapping of a function ARN with
    its alias; the step to version 2 widens the column (PostgreSQL enforces it), keeping the rows."""
    from tests.reliability.databases import suite_database

    long_arn = "arn:aws:lambda:eu-central-1:123456789012:function:" + "f" * 64 + ":production"
    with suite_database(tmp_path, database_kind) as url:
        database = Database(url)
        try:
            with database.engine.begin() as connection:
                migrations.upgrade(connection)  # a new database, then made to look like version 1
                connection.execute(
                    text("UPDATE emulator_state SET value = '1' WHERE key = :key"),
                    {"key": migrations.VERSION_KEY},
                )
                if connection.dialect.name == "postgresql":  # the column as version 1 made it
                    connection.execute(text("ALTER TABLE emulator_state ALTER COLUMN key TYPE VARCHAR(64)"))
            with database.engine.begin() as connection:
                done = migrations.upgrade(connection)
            assert "migrated schema version 1 to 2" in done
            with database.session() as session, session.begin():
                targets.set_target(session, long_arn, "python:handlers.py:handler")
            with database.session() as session:
                assert targets.resolve(session, long_arn) == "python:handlers.py:handler"
        finally:
            database.dispose()
