"""The inspection subcommands (messages, users, code, totp, clock, reset) against a running server, the JSON
endpoints they read (/_emulator/users, /_emulator/totp), and the log formats (codes highlighted, JSON lines)."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from emulator import logging_setup
from emulator.cli.commands import main
from emulator.crypto import totp
from emulator.testing.server import free_port
from tests.helpers import PASSWORD, make_client, make_pool, make_user

ROOT = Path(__file__).resolve().parents[2]
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def world(cognito, http, server):
    """A pool with an email sign-up (a code in the outbox) and a TOTP user."""
    pool_id = make_pool(cognito, AutoVerifiedAttributes=["email"])
    client_id = make_client(cognito, pool_id)["ClientId"]
    cognito.sign_up(
        ClientId=client_id,
        Username="alice",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}],
    )
    make_user(cognito, pool_id, "bob", attributes={"email": "bob@example.com", "email_verified": "true"})
    cognito.create_group(UserPoolId=pool_id, GroupName="admins")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="bob", GroupName="admins")
    with server.emulator.database.session() as session, session.begin():
        from sqlalchemy import select

        from emulator.store.models import User

        bob = session.scalar(select(User).where(User.pool_id == pool_id, User.username == "bob"))
        bob.totp_secret = SECRET
        bob.mfa_totp_enabled = True
        bob.mfa_preferred = "SOFTWARE_TOKEN_MFA"
    return {"pool_id": pool_id, "client_id": client_id, "endpoint": server.endpoint}


def test_code_prints_only_the_latest_code(capsys, world, http):
    status, out, _ = run(capsys, "code", "alice", "--endpoint", world["endpoint"])
    expected = http.get("/_emulator/messages", params={"username": "alice"}).json()["messages"][0]["code"]
    assert status == 0
    assert out == expected + "\n"
    # An email address finds the messages too (pools whose users sign in with their email).
    assert run(capsys, "code", "alice@example.com", "--endpoint", world["endpoint"])[1] == expected + "\n"


def test_code_for_someone_without_messages_fails(capsys, world):
    status, out, err = run(capsys, "code", "nobody", "--endpoint", world["endpoint"])
    assert status == 1
    assert out == ""
    assert "no code in the outbox for user 'nobody'" in err


def test_messages_lists_oldest_first_with_codes(capsys, world, cognito, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    cognito.resend_confirmation_code(ClientId=world["client_id"], Username="alice")
    status, out, _ = run(capsys, "messages", "--user", "alice", "--endpoint", world["endpoint"])
    assert status == 0
    lines = out.splitlines()
    assert len(lines) == 2
    assert all("alice -> alice@example.com  SIGN_UP  code [[ " in line for line in lines)
    newest = run(capsys, "code", "alice", "--endpoint", world["endpoint"])[1].strip()
    assert lines[-1].endswith(f"[[ {newest} ]]")
    status, out, _ = run(capsys, "messages", "--json", "--endpoint", world["endpoint"])
    assert [json.loads(line)["username"] for line in out.splitlines()] == ["alice", "alice"]


def test_users_table_and_json(capsys, world):
    status, out, _ = run(capsys, "users", "--pool", world["pool_id"], "--endpoint", world["endpoint"])
    assert status == 0
    header, *rows = out.splitlines()
    assert header.split() == ["POOL", "USERNAME", "STATUS", "ENABLED", "EMAIL", "/", "PHONE", "MFA", "GROUPS"]
    assert rows[0].split()[:5] == [world["pool_id"], "alice", "UNCONFIRMED", "yes", "alice@example.com"]
    assert rows[1].split() == [
        world["pool_id"], "bob", "CONFIRMED", "yes", "bob@example.com", "TOTP", "(preferred", "TOTP)", "admins"
    ]  # fmt: skip
    status, out, _ = run(capsys, "users", "--json", "--endpoint", world["endpoint"])
    users = [json.loads(line) for line in out.splitlines()]
    assert [user["username"] for user in users] == ["alice", "bob"]
    assert users[1]["groups"] == ["admins"]
    assert users[1]["mfa"] == {
        "enabled": ["TOTP"],
        "preferred": "TOTP",
        "totp_secret": True,
        "totp_pending": False,
    }


def test_users_of_an_unknown_pool(capsys, world):
    status, _, err = run(capsys, "users", "--pool", "us-east-1_Nope12345", "--endpoint", world["endpoint"])
    assert status == 1
    assert "User pool us-east-1_Nope12345 does not exist." in err


def test_totp_prints_the_current_code_of_the_users_secret(capsys, world, http):
    """By the emulator's clock: after time travel the code is the one of the travelled-to instant."""
    http.post("/_emulator/clock", json={"advance_seconds": 3600})
    before = datetime.fromisoformat(http.get("/_emulator/clock").json()["now"])
    status, out, _ = run(capsys, "totp", "bob", "--endpoint", world["endpoint"])
    after = datetime.fromisoformat(http.get("/_emulator/clock").json()["now"])
    assert status == 0
    assert out.strip() in {totp.code_at(SECRET, before), totp.code_at(SECRET, after)}
    assert out.strip() != totp.code_at(SECRET, before - timedelta(seconds=3600)) or before == after


def test_totp_errors(capsys, world, cognito):
    status, _, err = run(capsys, "totp", "alice", "--endpoint", world["endpoint"])
    assert status == 1
    assert "has no TOTP secret" in err
    status, _, err = run(capsys, "totp", "zed", "--endpoint", world["endpoint"])
    assert (status, "no user 'zed'" in err) == (1, True)
    # The same name in two pools needs --pool.
    other = make_pool(cognito, PoolName="other")
    make_user(cognito, other, "bob")
    status, _, err = run(capsys, "totp", "bob", "--endpoint", world["endpoint"])
    assert status == 1
    assert "several pools" in err
    status, out, _ = run(capsys, "totp", "bob", "--pool", world["pool_id"], "--endpoint", world["endpoint"])
    assert status == 0 and len(out.strip()) == 6


def test_totp_endpoint_reports_pending_secrets(world, http, cognito, server):
    with server.emulator.database.session() as session, session.begin():
        from sqlalchemy import select

        from emulator.store.models import User

        alice = session.scalar(select(User).where(User.username == "alice"))
        alice.totp_pending_secret = SECRET
    answer = http.get("/_emulator/totp", params={"username": "alice"}).json()
    assert answer["pending"] is True
    assert answer["username"] == "alice" and answer["pool_id"] == world["pool_id"]
    assert 1 <= answer["seconds_left"] <= 30
    assert http.get("/_emulator/totp").status_code == 400


def test_clock_command(capsys, world, http):
    status, out, _ = run(capsys, "clock", "--advance", "2h", "--endpoint", world["endpoint"])
    assert status == 0
    assert "(offset +7200 s)" in out
    assert http.get("/_emulator/clock").json()["offset_seconds"] == 7200
    assert "offset +7290 s" in run(capsys, "clock", "--advance", "90", "--endpoint", world["endpoint"])[1]
    assert (
        "2035-05-01"
        in run(capsys, "clock", "--set", "2035-05-01T12:00:00Z", "--endpoint", world["endpoint"])[1]
    )
    status, _, err = run(capsys, "clock", "--set", "tomorrow", "--endpoint", world["endpoint"])
    assert status == 1 and "not an ISO 8601 time" in err
    assert "real time" in run(capsys, "clock", "--reset", "--endpoint", world["endpoint"])[1]
    assert "real time" in run(capsys, "clock", "--endpoint", world["endpoint"])[1]
    with pytest.raises(SystemExit):
        main(["clock", "--advance", "soon"])


def test_reset_command(capsys, world, cognito):
    status, out, _ = run(capsys, "reset", "--endpoint", world["endpoint"])
    assert status == 0 and "reset" in out
    assert cognito.list_user_pools(MaxResults=10)["UserPools"] == []


def test_endpoint_from_the_environment_and_no_server(capsys, world, monkeypatch):
    monkeypatch.setenv("COGNITO_EMULATOR_ENDPOINT", world["endpoint"])
    assert run(capsys, "users")[0] == 0
    monkeypatch.delenv("COGNITO_EMULATOR_ENDPOINT")
    monkeypatch.setenv("COGNITO_EMULATOR_PORT", str(free_port()))
    status, _, err = run(capsys, "users")
    assert status == 1
    assert "no emulator at http://127.0.0.1:" in err and "cognito-emulator serve" in err


def test_messages_follow_prints_new_messages_as_they_come(world, cognito):
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "messages", "--follow", "--endpoint", world["endpoint"]],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environ,
        text=True,
    )
    try:
        first = process.stdout.readline()
        assert "alice -> alice@example.com  SIGN_UP" in first
        cognito.sign_up(
            ClientId=world["client_id"],
            Username="carol",
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": "carol@example.com"}],
        )
        deadline = time.monotonic() + 10
        line = process.stdout.readline()
        assert time.monotonic() < deadline
        assert "carol -> carol@example.com  SIGN_UP  code [[ " in line
    finally:
        process.terminate()
        process.wait(timeout=10)


# --- logs --------------------------------------------------------------------------------------------
def _outbox_record() -> logging.LogRecord:
    return logging.LogRecord(
        "emulator.outbox",
        logging.INFO,
        __file__,
        1,
        "%s to %s code=%s purpose=%s pool=%s user=%s",
        ("EMAIL", "a@example.com", "123456", "SIGN_UP", "us-east-1_abc", "alice"),
        None,
    )


def test_text_logs_highlight_codes():
    plain = logging_setup.TextFormatter(color=False).format(_outbox_record())
    assert plain.endswith(
        "emulator.outbox: EMAIL to a@example.com  code [[ 123456 ]]  purpose=SIGN_UP pool=us-east-1_abc user=alice"
    )
    colored = logging_setup.TextFormatter(color=True).format(_outbox_record())
    assert "\033[1;7m 123456 \033[0m" in colored


def test_json_logs_carry_the_fields():
    entry = json.loads(logging_setup.JsonFormatter().format(_outbox_record()))
    assert entry["level"] == "INFO" and entry["logger"] == "emulator.outbox"
    assert {key: entry[key] for key in ("channel", "destination", "code", "purpose", "pool", "user")} == {
        "channel": "EMAIL",
        "destination": "a@example.com",
        "code": "123456",
        "purpose": "SIGN_UP",
        "pool": "us-east-1_abc",
        "user": "alice",
    }


def test_request_lines_in_json_and_text(world, cognito, capsys):
    """The request log line of the live server, formatted both ways."""
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        logging_setup.configure("info", "json", stream=stream)
        cognito.admin_get_user(UserPoolId=world["pool_id"], Username="bob")
        with pytest.raises(cognito.exceptions.UserNotFoundException):
            cognito.admin_get_user(UserPoolId=world["pool_id"], Username="nobody")
        cognito.admin_reset_user_password(UserPoolId=world["pool_id"], Username="bob")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    requests = [entry for entry in entries if entry["logger"] == "emulator.requests"]
    ok, missing = requests[0], requests[1]
    assert ok["operation"] == "AdminGetUser" and ok["pool"] == world["pool_id"] and ok["user"] == "bob"
    assert ok["status"] == 200 and ok["outcome"] == "OK" and isinstance(ok["ms"], float)
    assert missing["outcome"] == "UserNotFoundException" and missing["status"] == 400
    codes = [entry for entry in entries if entry.get("code")]
    assert codes and codes[0]["purpose"] and codes[0]["user"] == "bob"


def test_serve_logs_json_lines_with_codes(tmp_path, cognito):
    """``serve --log-format json``: every stderr line is JSON; the outbox line has its code as a field."""
    port = free_port()
    environ = {key: value for key, value in os.environ.items() if not key.startswith("COGNITO_EMULATOR_")}
    environ["PYTHONPATH"] = str(ROOT)
    stderr = tmp_path / "stderr.txt"
    with stderr.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "emulator", "serve", "--port", str(port), "--log-format", "json",
             "--database", f"sqlite:///{tmp_path / 'db.sqlite'}"],
            stdout=subprocess.DEVNULL,
            stderr=sink,
            env=environ,
        )  # fmt: skip
    try:
        from emulator.testing import EmulatorClient

        client = EmulatorClient(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 30
        while True:
            try:
                client.health()
                break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None, stderr.read_text()
                time.sleep(0.05)
        boto = client.client
        pool_id = boto.create_user_pool(PoolName="p", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
        client_id = boto.create_user_pool_client(UserPoolId=pool_id, ClientName="c")["UserPoolClient"][
            "ClientId"
        ]
        boto.sign_up(
            ClientId=client_id,
            Username="dora",
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": "dora@example.com"}],
        )
        code = client.last_code("dora")
    finally:
        process.terminate()
        process.wait(timeout=20)
    entries = [json.loads(line) for line in stderr.read_text().splitlines()]
    assert [entry for entry in entries if entry.get("code") == code][0]["destination"] == "dora@example.com"
    sign_up = [entry for entry in entries if entry.get("operation") == "SignUp"]
    assert sign_up and sign_up[0]["outcome"] == "OK"


def test_commands_send_the_admin_token(capsys, monkeypatch):
    from emulator.testing import LocalEmulator

    with LocalEmulator(admin_token="s3cret-token") as guarded:
        status, _, err = run(capsys, "users", "--endpoint", guarded.endpoint)
        assert status == 1 and "admin token" in err
        assert run(capsys, "users", "--endpoint", guarded.endpoint, "--admin-token", "s3cret-token")[0] == 0
        monkeypatch.setenv("COGNITO_EMULATOR_ADMIN_TOKEN", "s3cret-token")
        assert run(capsys, "clock", "--advance", "1m", "--endpoint", guarded.endpoint)[0] == 0
