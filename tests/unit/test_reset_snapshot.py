"""A reset writes an unchanged declared world back instead of loading it again (engine.reset): the same world,
fresh dates, and a changed file loaded for real."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from emulator import worlds
from emulator.clock import utcnow
from emulator.config import Settings
from emulator.engine import Emulator
from emulator.protocol.errors import ResourceNotFoundException, UserNotFoundException

POOL = "us-east-1_Demo00001"


@pytest.fixture
def fixture_file(tmp_path: Path) -> Path:
    path = tmp_path / "world.yaml"
    shutil.copy("fixtures/signin-steps.yaml", path)
    return path


@pytest.fixture
def emulator(tmp_path: Path, fixture_file: Path):
    settings = Settings(database=f"sqlite:///{tmp_path / 'e.db'}", fixtures=[str(fixture_file)])
    instance = worlds.install(Emulator(settings))
    yield instance
    instance.close()


def user(emulator: Emulator, username: str) -> dict:
    return emulator.call("AdminGetUser", {"UserPoolId": POOL, "Username": username})


def sign_in(emulator: Emulator, username: str, password: str) -> dict:
    client = emulator.call("ListUserPoolClients", {"UserPoolId": POOL, "MaxResults": 60})["UserPoolClients"][
        0
    ]
    emulator.call(
        "UpdateUserPoolClient",
        {
            "UserPoolId": POOL,
            "ClientId": client["ClientId"],
            "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH"],
        },
    )
    return emulator.call(
        "AdminInitiateAuth",
        {
            "UserPoolId": POOL,
            "ClientId": client["ClientId"],
            "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": username, "PASSWORD": password},
        },
    )


def test_the_second_reset_writes_the_same_world_back(emulator: Emulator, monkeypatch: pytest.MonkeyPatch):
    emulator.reset()  # loads the file and keeps what it loaded
    sub = user(emulator, "done")["UserAttributes"]
    emulator.call("AdminDeleteUser", {"UserPoolId": POOL, "Username": "done"})
    emulator.call("CreateUserPool", {"PoolName": "made by a test"})

    loads = []
    monkeypatch.setattr(
        "emulator.worlds.fixtures.applying.load_file", lambda *args, **kwargs: loads.append(args)
    )
    emulator.reset()
    assert loads == []  # written back, not loaded
    assert user(emulator, "done")["UserAttributes"] == sub  # the same user, the same sub
    names = [p["Name"] for p in emulator.call("ListUserPools", {"MaxResults": 60})["UserPools"]]
    assert "made by a test" not in names
    # The password hash came back too: the fixture's password signs in, a wrong one does not.
    assert "AuthenticationResult" in sign_in(emulator, "done", "Passw0rd!")


def test_written_back_dates_are_as_fresh_as_a_load(emulator: Emulator, monkeypatch: pytest.MonkeyPatch):
    emulator.reset()
    first = user(emulator, "done")["UserCreateDate"]
    later = utcnow() + timedelta(hours=3)
    monkeypatch.setattr("emulator.engine.reset.utcnow", lambda: later)
    emulator.reset()
    again = user(emulator, "done")["UserCreateDate"]
    assert timedelta(hours=3) <= again - first < timedelta(hours=3, minutes=1)


def test_a_changed_file_is_loaded_again(emulator: Emulator, fixture_file: Path):
    emulator.reset()
    fixture_file.write_text(fixture_file.read_text().replace("username: done ", "username: done-renamed "))
    emulator.reset()
    assert user(emulator, "done-renamed")["Username"] == "done-renamed"
    with pytest.raises(UserNotFoundException):
        user(emulator, "done")


def test_a_hook_that_cannot_say_what_it_loads_is_loaded_every_time(tmp_path: Path):
    instance = Emulator(Settings(database=f"sqlite:///{tmp_path / 'e.db'}"))
    try:
        calls = []

        def plain_hook(target: Emulator) -> None:
            calls.append(1)
            target.call("CreateUserPool", {"PoolName": "hooked"})

        instance.after_reset.append(plain_hook)
        instance.reset()
        instance.reset()
        assert len(calls) == 2
        pools = instance.call("ListUserPools", {"MaxResults": 60})["UserPools"]
        assert [p["Name"] for p in pools] == ["hooked"]
    finally:
        instance.close()


def test_a_reset_without_worlds_leaves_nothing(tmp_path: Path):
    instance = Emulator(Settings(database=f"sqlite:///{tmp_path / 'e.db'}"))
    try:
        pool = instance.call("CreateUserPool", {"PoolName": "gone"})["UserPool"]["Id"]
        instance.reset()
        instance.reset()
        with pytest.raises(ResourceNotFoundException):
            instance.call("DescribeUserPool", {"UserPoolId": pool})
    finally:
        instance.close()
