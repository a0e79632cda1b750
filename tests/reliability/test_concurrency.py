"""Concurrency: 32 client threads against a two-worker ``cognito-emulator serve`` walk hundreds of users
through sign-up, confirmation, sign-in (password and SRP), refresh and an attribute change, with some steps
raced on purpose. No unexpected error, no "database is locked", no lost or duplicated user, and every
code, session and rotated refresh token consumed exactly once. (Thousands of users: scripts/load_long.py.)

Runs on the configured test database: a SQLite file, or PostgreSQL with COGNITO_EMULATOR_TEST_DATABASE.
"""

from __future__ import annotations

import os

from tests.reliability.databases import suite_database
from tests.reliability.load import EmulatorProcess, check_world, make_pool, run_load

USERS = int(os.environ.get("LOAD_USERS", "200"))
CONCURRENCY = 32


def test_concurrent_users_on_a_two_worker_server(tmp_path, database_kind):
    with (
        suite_database(tmp_path, database_kind) as database,
        EmulatorProcess(database, tmp_path / "server.log", workers=2) as server,
    ):
        pool = make_pool(server.endpoint)
        tally = run_load(server.endpoint, pool, users=USERS, concurrency=CONCURRENCY, deadline_seconds=300)
        problems = check_world(server.endpoint, pool, tally, USERS)
        log = server.log()

    assert tally.unexpected == [], tally.unexpected[:10]
    assert problems == [], problems[:10]
    assert len(tally.done) == USERS and tally.calls["SignUp"] == USERS
    # Every raced step had exactly one winner, and each kind of race happened.
    assert {winners for _, winners in tally.races} == {1}
    assert {operation for operation, _ in tally.races} == {
        "ConfirmSignUp",
        "RespondToAuthChallenge",
        "GetTokensFromRefreshToken",
    }
    assert "database is locked" not in log.lower()
    assert "Traceback" not in log and " 500 " not in log
