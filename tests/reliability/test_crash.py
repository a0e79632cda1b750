"""Crash safety: SIGKILL the server (and its workers) in the middle of a write load. After a restart, with a
changed configuration, every acknowledged write is there and SQLite's integrity check passes."""

from __future__ import annotations

import sqlite3
import threading
import time

from botocore.exceptions import ClientError

from tests.reliability.databases import suite_database
from tests.reliability.load import PASSWORD, EmulatorProcess, boto_client, make_pool

WRITERS = 8


def test_acknowledged_writes_survive_sigkill_and_a_changed_configuration(tmp_path, database_kind):
    with suite_database(tmp_path, database_kind) as database:
        log = tmp_path / "server.log"
        server = EmulatorProcess(database, log, workers=2).start()
        try:
            pool = make_pool(server.endpoint, "crash")
            acknowledged: dict[str, str | None] = {}  # username -> given_name we were told was stored
            lock = threading.Lock()
            stop = threading.Event()

            def writer(number: int) -> None:
                cognito = boto_client(server.endpoint)
                count = 0
                while not stop.is_set():
                    username = f"w{number}-{count}"
                    try:
                        cognito.admin_create_user(
                            UserPoolId=pool.pool_id,
                            Username=username,
                            TemporaryPassword=PASSWORD,
                            MessageAction="SUPPRESS",
                        )
                        with lock:
                            acknowledged[username] = None
                        if count % 3 == 0:
                            cognito.admin_update_user_attributes(
                                UserPoolId=pool.pool_id,
                                Username=username,
                                UserAttributes=[{"Name": "given_name", "Value": f"v{count}"}],
                            )
                            with lock:
                                acknowledged[username] = f"v{count}"
                    except ClientError as exc:
                        raise AssertionError(f"unexpected error before the crash: {exc}") from exc
                    except Exception:
                        return  # the server is gone
                    count += 1

            threads = [
                threading.Thread(target=writer, args=(number,), daemon=True) for number in range(WRITERS)
            ]
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 30
            while len(acknowledged) < 150 and time.monotonic() < deadline:
                time.sleep(0.05)
            server.kill()  # SIGKILL, mid-load: requests are in flight
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
            assert len(acknowledged) >= 150
            assert all(not thread.is_alive() for thread in threads)
        finally:
            server.kill()

        if database.startswith("sqlite"):
            path = database.removeprefix("sqlite:///")
            with sqlite3.connect(path) as connection:  # opening recovers the WAL, as a restart would
                assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            connection.close()

        # A restart with another configuration: one worker, another default region, strong password
        # hashing, no lockout, JSON logs.
        changed = [
            "--region",
            "eu-west-1",
            "--password-hashing",
            "strong",
            "--no-lockout",
            "--log-format",
            "json",
        ]
        with EmulatorProcess(database, log, workers=1, args=changed) as restarted:
            cognito = boto_client(restarted.endpoint)
            stored: dict[str, dict[str, str]] = {}
            token = None
            while True:
                page = cognito.list_users(
                    UserPoolId=pool.pool_id, Limit=60, **({"PaginationToken": token} if token else {})
                )
                for user in page["Users"]:
                    stored[user["Username"]] = {item["Name"]: item["Value"] for item in user["Attributes"]}
                token = page.get("PaginationToken")
                if not token:
                    break
            missing = sorted(set(acknowledged) - set(stored))
            assert missing == [], f"{len(missing)} acknowledged users lost: {missing[:5]}"
            for username, given_name in acknowledged.items():
                if given_name is not None:
                    assert stored[username].get("given_name") == given_name, username
            # The pool, its clients and the passwords hashed before the crash still work.
            some = sorted(acknowledged)[0]
            challenge = cognito.initiate_auth(
                ClientId=pool.client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": some, "PASSWORD": PASSWORD},
            )
            assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
            assert cognito.describe_user_pool(UserPoolId=pool.pool_id)["UserPool"]["Name"] == "crash"

        if database.startswith("sqlite"):
            with sqlite3.connect(database.removeprefix("sqlite:///")) as connection:
                assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            connection.close()
