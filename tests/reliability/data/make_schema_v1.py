"""How tests/reliability/data/schema-v1.db was made (run once, with the code of schema version 1).

    python tests/reliability/data/make_schema_v1.py

It drives a real emulator over HTTP: a pool with a custom attribute and an app client, a confirmed user
with a password, a group and a refresh token, an unconfirmed user with a code in the outbox. What the
upgrade test checks afterwards (ids, the refresh token, when it was made) goes to schema-v1.json beside
the database. Do not run it again with a newer schema: the file stands for what version 1 wrote.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from emulator.config import Settings  # noqa: E402
from emulator.store.models import SCHEMA_VERSION  # noqa: E402
from emulator.testing import EmulatorClient, ServerThread  # noqa: E402

PASSWORD = "Schema-v1-Passw0rd!"


def main() -> None:
    assert SCHEMA_VERSION == 1, "this script writes the version 1 database"
    workdir = Path(tempfile.mkdtemp())
    database = workdir / "emulator.db"
    settings = Settings(port=0, database=f"sqlite:///{database}")
    with ServerThread(settings) as server:
        helper = EmulatorClient(server.endpoint)
        cognito = helper.client
        pool = cognito.create_user_pool(
            PoolName="schema-v1",
            AutoVerifiedAttributes=["email"],
            Schema=[{"Name": "tier", "AttributeDataType": "String", "Mutable": True}],
        )["UserPool"]
        client = cognito.create_user_pool_client(
            UserPoolId=pool["Id"],
            ClientName="web",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
        )["UserPoolClient"]
        cognito.sign_up(
            ClientId=client["ClientId"],
            Username="alice",
            Password=PASSWORD,
            UserAttributes=[
                {"Name": "email", "Value": "alice@example.com"},
                {"Name": "custom:tier", "Value": "gold"},
            ],
        )
        cognito.confirm_sign_up(
            ClientId=client["ClientId"], Username="alice", ConfirmationCode=helper.last_code("alice")
        )
        cognito.create_group(UserPoolId=pool["Id"], GroupName="admins", Precedence=1)
        cognito.admin_add_user_to_group(UserPoolId=pool["Id"], Username="alice", GroupName="admins")
        tokens = cognito.initiate_auth(
            ClientId=client["ClientId"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
        )["AuthenticationResult"]
        cognito.sign_up(
            ClientId=client["ClientId"],
            Username="bob",
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": "bob@example.com"}],
        )
        facts = {
            "schema_version": SCHEMA_VERSION,
            "made_at": datetime.now(UTC).isoformat(),
            "pool_id": pool["Id"],
            "client_id": client["ClientId"],
            "password": PASSWORD,
            "refresh_token": tokens["RefreshToken"],
            "bob_code": helper.last_code("bob"),
        }
    # One self-contained file: fold the WAL back in and compact.
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
        connection.execute("VACUUM")
    connection.close()
    shutil.copyfile(database, HERE / "schema-v1.db")
    (HERE / "schema-v1.json").write_text(json.dumps(facts, indent=2) + "\n")
    shutil.rmtree(workdir)
    print(f"wrote {HERE / 'schema-v1.db'} ({(HERE / 'schema-v1.db').stat().st_size} bytes)")


if __name__ == "__main__":
    main()
