"""The outbox over HTTP: GET/DELETE /_emulator/messages, the log line, and --fixed-code."""

from __future__ import annotations

import logging
import re

PASSWORD = "Passw0rd!"


def make_pool(cognito, **settings) -> str:
    settings.setdefault("AutoVerifiedAttributes", ["email"])
    return cognito.create_user_pool(PoolName="pool", **settings)["UserPool"]["Id"]


def sign_up(cognito, client_id: str, username: str, email: str) -> None:
    cognito.sign_up(
        ClientId=client_id,
        Username=username,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": email}],
    )


def client_for(cognito, pool_id: str) -> str:
    return cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app")["UserPoolClient"]["ClientId"]


def test_messages_newest_first_with_filters(cognito, http):
    pool_a, pool_b = make_pool(cognito), make_pool(cognito)
    client_a, client_b = client_for(cognito, pool_a), client_for(cognito, pool_b)
    sign_up(cognito, client_a, "amy", "amy@example.com")
    sign_up(cognito, client_a, "ben", "ben@example.com")
    sign_up(cognito, client_b, "cat", "cat@example.com")
    cognito.admin_create_user(
        UserPoolId=pool_b, Username="dan", UserAttributes=[{"Name": "phone_number", "Value": "+15555550100"}]
    )

    everything = http.get("/_emulator/messages").json()["messages"]
    assert [message["username"] for message in everything] == ["dan", "cat", "ben", "amy"]
    first = everything[-1]
    assert set(first) == {
        "id",
        "pool_id",
        "username",
        "channel",
        "destination",
        "purpose",
        "code",
        "subject",
        "body",
        "created_at",
    }
    assert first["pool_id"] == pool_a and first["channel"] == "EMAIL" and first["purpose"] == "SIGN_UP"
    assert re.fullmatch(r"\d{6}", first["code"]) and first["code"] in first["body"]
    assert re.match(r"\d{4}-\d\d-\d\dT", first["created_at"])

    def usernames(**params) -> list[str]:
        response = http.get("/_emulator/messages", params=params)
        assert response.status_code == 200
        return [message["username"] for message in response.json()["messages"]]

    assert usernames(pool_id=pool_a) == ["ben", "amy"]
    assert usernames(username="cat") == ["cat"]
    assert usernames(channel="SMS") == ["dan"]
    assert usernames(channel="sms") == ["dan"]
    assert usernames(destination="ben@example.com") == ["ben"]
    assert usernames(limit=2) == ["dan", "cat"]
    assert usernames(pool_id=pool_b, channel="EMAIL") == ["cat"]
    assert http.get("/_emulator/messages", params={"limit": "0"}).status_code == 400
    assert http.get("/_emulator/messages", params={"channel": "PIGEON"}).status_code == 400

    assert http.delete("/_emulator/messages", params={"pool_id": pool_b}).json() == {"deleted": 2}
    assert usernames() == ["ben", "amy"]
    http.delete("/_emulator/messages")
    assert usernames() == []


def test_one_log_line_per_message(cognito, caplog):
    caplog.set_level(logging.INFO, logger="emulator.outbox")
    pool_id = make_pool(cognito)
    sign_up(cognito, client_for(cognito, pool_id), "eve", "eve@example.com")
    lines = [record.getMessage() for record in caplog.records if record.name == "emulator.outbox"]
    assert len(lines) == 1
    assert re.fullmatch(r"EMAIL to eve@example\.com code=\d{6} purpose=SIGN_UP pool=\S+ user=eve", lines[0])


def test_fixed_code(cognito, http, server, monkeypatch):
    monkeypatch.setattr(server.emulator.settings, "fixed_code", "123456")
    pool_id = make_pool(cognito)
    client_id = client_for(cognito, pool_id)
    sign_up(cognito, client_id, "fay", "fay@example.com")
    [message] = http.get("/_emulator/messages").json()["messages"]
    assert message["code"] == "123456"
    cognito.confirm_sign_up(ClientId=client_id, Username="fay", ConfirmationCode="123456")


def test_codes_are_random(cognito, http):
    pool_id = make_pool(cognito)
    client_id = client_for(cognito, pool_id)
    for index in range(6):
        sign_up(cognito, client_id, f"user{index}", f"user{index}@example.com")
    codes = {message["code"] for message in http.get("/_emulator/messages").json()["messages"]}
    assert len(codes) >= 5  # six random 6-digit codes practically never collide
