"""The plain Python API (emulator.testing) for unittest and scripts: LocalEmulator, EmulatorClient and
EmulatorTestCase."""

from __future__ import annotations

import unittest
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from emulator import testing
from emulator.crypto import totp
from emulator.testing import EmulatorClient, EmulatorError, LocalEmulator, NoCodeError

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "signin-steps.yaml"


@pytest.fixture(scope="module")
def local() -> LocalEmulator:
    with LocalEmulator() as running:
        yield running


def _pool_with_user(local: LocalEmulator) -> tuple[str, str]:
    client = local.client
    pool_id = client.create_user_pool(
        PoolName="p", UsernameAttributes=["email"], AutoVerifiedAttributes=["email"]
    )["UserPool"]["Id"]
    client_id = client.create_user_pool_client(UserPoolId=pool_id, ClientName="c")["UserPoolClient"][
        "ClientId"
    ]
    client.sign_up(ClientId=client_id, Username="eve@example.com", Password="Passw0rd!")
    return pool_id, client_id


def test_outbox_helpers_find_email_usernames(local):
    local.reset()
    pool_id, _ = _pool_with_user(local)
    # The stored username is a UUID: the email address finds the messages anyway.
    message = local.last_message("eve@example.com")
    assert message["pool_id"] == pool_id and message["username"] != "eve@example.com"
    assert local.last_code("eve@example.com", purpose="SIGN_UP") == message["code"]
    with pytest.raises(NoCodeError, match="purpose='FORGOT_PASSWORD'"):
        local.last_code("eve@example.com", purpose="FORGOT_PASSWORD")
    assert local.clear_messages() == 1
    assert local.messages() == []


def test_clock_helpers(local):
    local.reset()
    start = local.now()
    assert abs(start - datetime.now(UTC)) < timedelta(seconds=2)
    assert local.advance_clock(600) - start >= timedelta(seconds=599)
    assert local.set_clock(datetime(2040, 1, 2, 3, 4, 5)).year == 2040  # naive means UTC
    assert local.set_clock("2041-01-01T00:00:00+00:00").year == 2041
    assert abs(local.reset_clock() - datetime.now(UTC)) < timedelta(seconds=2)
    with pytest.raises(EmulatorError) as excinfo:
        local.set_clock("whenever")
    assert excinfo.value.status == 400


def test_totp_code_of_a_secret_follows_the_emulator_clock(local):
    local.reset()
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    when = local.set_clock("2030-06-01T12:00:00Z")
    assert local.totp_code(secret) in {
        totp.code_at(secret, when),
        totp.code_at(secret, when + timedelta(seconds=30)),
    }
    with pytest.raises(EmulatorError) as excinfo:
        local.totp_code("someone")
    assert excinfo.value.status == 404


def test_reset_is_fast_and_restores_the_start_up_world(tmp_path):
    with LocalEmulator(fixtures=[DEMO]) as demo:
        before = {(user["pool_id"], user["username"], user["sub"]) for user in demo.users()}
        demo.client.admin_delete_user(UserPoolId="us-east-1_Demo00001", Username="done")
        demo.advance_clock(86400)
        demo.client.create_user_pool(PoolName="scratch")
        demo.reset()
        assert {(user["pool_id"], user["username"], user["sub"]) for user in demo.users()} == before
        assert demo.clock()["offset_seconds"] == 0
        assert len(demo.client.list_user_pools(MaxResults=60)["UserPools"]) == 6
        # The demo world still works after the reset: sign in with its password.
        demo.client.admin_initiate_auth(
            UserPoolId="us-east-1_Demo00001",
            ClientId="demo00001client00000000001",
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "done", "PASSWORD": "Passw0rd!"},
        )


def test_stop_removes_the_throwaway_database_and_a_restart_starts_empty():
    emulator = LocalEmulator()
    early = emulator.client  # made before start(): replaced by one that knows the port
    emulator.start()
    assert emulator.client is not early
    emulator.client.create_user_pool(PoolName="first-run")
    folder = Path(emulator.settings.database.removeprefix("sqlite:///")).parent
    assert folder.is_dir()
    emulator.stop()
    assert not folder.exists()
    with pytest.raises(RuntimeError, match="not running"):
        emulator.emulator  # noqa: B018
    with emulator:
        assert emulator.client.list_user_pools(MaxResults=10)["UserPools"] == []
        emulator.client.create_user_pool(PoolName="second-run")
        emulator.reset()
        assert emulator.client.list_user_pools(MaxResults=10)["UserPools"] == []


def test_client_against_a_running_server(server, cognito):
    """EmulatorClient speaks only HTTP: the same helpers against any server (here the suite's)."""
    remote = EmulatorClient(server.endpoint)
    assert remote.health()["status"] == "ok"
    assert remote.client.list_user_pools(MaxResults=1)["UserPools"] == []
    cognito.create_user_pool(PoolName="seen")
    remote.reset()
    assert cognito.list_user_pools(MaxResults=1)["UserPools"] == []


class _SampleCase(testing.EmulatorTestCase):
    __test__ = False  # run below through unittest's own runner, not collected by pytest
    fixtures = [str(DEMO)]

    def test_demo_world_is_there(self) -> None:
        pools = self.cognito.client.list_user_pools(MaxResults=60)["UserPools"]
        self.assertEqual(len(pools), 6)
        self.cognito.client.create_user_pool(PoolName="scratch")

    def test_and_fresh_for_each_test(self) -> None:
        self.assertEqual(len(self.cognito.client.list_user_pools(MaxResults=60)["UserPools"]), 6)
        self.cognito.client.create_user_pool(PoolName="scratch")


def test_unittest_case():
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(_SampleCase)
    result = unittest.TextTestRunner(stream=open("/dev/null", "w"), verbosity=0).run(suite)  # noqa: SIM115
    assert result.testsRun == 2
    assert result.wasSuccessful(), result.failures + result.errors


def test_an_emulator_with_an_admin_token_and_iam_credentials():
    """The helpers send the server's --admin-token and sign with one of its --iam-credentials."""
    with LocalEmulator(admin_token="s3cret-token", iam_credentials=["AKIDEXAMPLE:wJalrXUtnFEMI"]) as guarded:
        pool_id = guarded.client.create_user_pool(PoolName="p")["UserPool"]["Id"]
        assert [user["pool_id"] for user in guarded.users()] == []
        assert guarded.advance_clock(60) > datetime.now(UTC)
        guarded.reset()
        outsider = EmulatorClient(guarded.endpoint)
        with pytest.raises(EmulatorError) as excinfo:
            outsider.messages()
        assert excinfo.value.status == 401
        with pytest.raises(outsider.client.exceptions.ClientError) as refused:
            outsider.client.describe_user_pool(UserPoolId=pool_id)
        assert refused.value.response["Error"]["Code"] == "UnrecognizedClientException"
