"""emulator.userpools.password_work: argon2id answers prepared before the write lock, and used only when they are
answers to exactly the question the operation asks."""

from __future__ import annotations

import pytest

from emulator.config import Settings
from emulator.crypto import passwords, srp
from emulator.engine.core import Emulator
from emulator.protocol.errors import NotAuthorizedException
from emulator.userpools import password_work

PASSWORD = "Passw0rd!x"
OTHER = "Other-Passw0rd!"


@pytest.fixture
def world(tmp_path):
    emulator = Emulator(Settings(database=f"sqlite:///{tmp_path / 'e.db'}"))
    pool = emulator.call(
        "CreateUserPool", {"PoolName": "p", "AliasAttributes": ["email"], "AutoVerifiedAttributes": ["email"]}
    )["UserPool"]["Id"]
    client = emulator.call(
        "CreateUserPoolClient",
        {"UserPoolId": pool, "ClientName": "c", "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]},
    )["UserPoolClient"]["ClientId"]
    emulator.call(
        "AdminCreateUser",
        {
            "UserPoolId": pool,
            "Username": "Amy",
            "MessageAction": "SUPPRESS",
            "UserAttributes": [
                {"Name": "email", "Value": "amy@example.com"},
                {"Name": "email_verified", "Value": "true"},
            ],
        },
    )
    emulator.call(
        "AdminSetUserPassword",
        {"UserPoolId": pool, "Username": "Amy", "Password": PASSWORD, "Permanent": True},
    )
    yield emulator, pool, client
    emulator.close()


def sign_in(client: str, login: str, password: str) -> dict:
    return {
        "AuthFlow": "USER_PASSWORD_AUTH",
        "ClientId": client,
        "AuthParameters": {"USERNAME": login, "PASSWORD": password},
    }


def sign_in_with(emulator: Emulator, client: str, work: password_work.PasswordWork) -> dict:
    """Amy's sign-in with PASSWORD, run as Emulator.call runs a writer, with ``work`` as its prepared answers."""
    operation = emulator.operations["InitiateAuth"]
    body = sign_in(client, "Amy", PASSWORD)
    return emulator._run(operation, body, None, None, None, None, read_attempt=False, password_work=work)


@pytest.mark.parametrize("login", ["Amy", "AMY@example.com"])
def test_sign_in_check_is_prepared_for_username_and_alias(world, login) -> None:
    emulator, _pool, client = world
    work = password_work.prepare(emulator, "InitiateAuth", sign_in(client, login, PASSWORD))
    assert work is not None
    assert list(work.checks.values()) == [True]
    ((stored, password),) = work.checks
    assert password == PASSWORD and stored.startswith("$argon2id$")


def test_case_insensitive_pool(world) -> None:
    """The pool made through the API is case sensitive: "amy" names nobody; in a case-insensitive pool it
    names Amy, and the check is prepared for her."""
    emulator, _pool, client = world
    assert password_work.prepare(emulator, "InitiateAuth", sign_in(client, "amy", PASSWORD)) is None
    pool = emulator.call(
        "CreateUserPool", {"PoolName": "q", "UsernameConfiguration": {"CaseSensitive": False}}
    )["UserPool"]["Id"]
    emulator.call("AdminCreateUser", {"UserPoolId": pool, "Username": "Amy", "MessageAction": "SUPPRESS"})
    emulator.call(
        "AdminSetUserPassword",
        {"UserPoolId": pool, "Username": "amy", "Password": PASSWORD, "Permanent": True},
    )
    work = password_work.prepare(
        emulator,
        "AdminInitiateAuth",
        {
            "UserPoolId": pool,
            "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "AMY", "PASSWORD": PASSWORD},
        },
    )
    assert work is not None and list(work.checks.values()) == [True]


def test_wrong_password_prepared_as_false_and_refused(world) -> None:
    emulator, _pool, client = world
    work = password_work.prepare(emulator, "InitiateAuth", sign_in(client, "Amy", OTHER))
    assert work is not None and list(work.checks.values()) == [False]
    with pytest.raises(NotAuthorizedException):
        emulator.call("InitiateAuth", sign_in(client, "Amy", OTHER))


def test_unknown_login_prepares_nothing(world) -> None:
    emulator, _pool, client = world
    assert password_work.prepare(emulator, "InitiateAuth", sign_in(client, "nobody", PASSWORD)) is None
    assert password_work.prepare(emulator, "InitiateAuth", sign_in("no-such-client", "Amy", PASSWORD)) is None


def test_a_prepared_answer_for_another_hash_is_not_used(world) -> None:
    """The password changes between the check ahead and the writing run: the stale answer does not apply."""
    emulator, pool, client = world
    stale = password_work.prepare(emulator, "InitiateAuth", sign_in(client, "Amy", PASSWORD))
    assert stale is not None and list(stale.checks.values()) == [True]
    emulator.call(
        "AdminSetUserPassword", {"UserPoolId": pool, "Username": "Amy", "Password": OTHER, "Permanent": True}
    )
    with pytest.raises(NotAuthorizedException):
        sign_in_with(emulator, client, stale)


def test_a_prepared_answer_is_what_is_used(world) -> None:
    """Inside the lock the prepared answer is taken, not computed again: a (deliberately) false answer for
    the right password is obeyed, which shows the lookup is by exact hash and password."""
    emulator, _pool, client = world
    work = password_work.prepare(emulator, "InitiateAuth", sign_in(client, "Amy", PASSWORD))
    assert work is not None
    work.checks = {key: False for key in work.checks}
    with pytest.raises(NotAuthorizedException):
        sign_in_with(emulator, client, work)


def test_new_passwords_are_hashed_ahead_and_used_once(world) -> None:
    emulator, _pool, client = world
    body = {"ClientId": client, "Username": "bob", "Password": PASSWORD}
    work = password_work.prepare(emulator, "SignUp", body)
    assert work is not None
    hashed = work.hashes[PASSWORD]
    hasher = passwords.make_hasher("fast")
    assert passwords.verify_password(hasher, hashed, PASSWORD)
    assert work.take_hash(PASSWORD) == hashed
    assert work.take_hash(PASSWORD) is None
    challenge = {
        "ChallengeName": "NEW_PASSWORD_REQUIRED",
        "ClientId": client,
        "ChallengeResponses": {"NEW_PASSWORD": OTHER},
    }
    answer = password_work.prepare(emulator, "RespondToAuthChallenge", challenge)
    assert answer is not None and set(answer.hashes) == {OTHER}


def test_sign_up_and_sign_in_through_call(world) -> None:
    emulator, _pool, client = world
    emulator.call(
        "SignUp",
        {
            "ClientId": client,
            "Username": "carol",
            "Password": PASSWORD,
            "UserAttributes": [{"Name": "email", "Value": "c@example.com"}],
        },
    )
    pool = _pool
    emulator.call("AdminConfirmSignUp", {"UserPoolId": pool, "Username": "carol"})
    result = emulator.call("InitiateAuth", sign_in(client, "carol", PASSWORD))
    assert "AccessToken" in result["AuthenticationResult"]
    with pytest.raises(NotAuthorizedException):
        emulator.call("InitiateAuth", sign_in(client, "carol", OTHER))


# --- SRP: the server's g^b and the premaster secret, computed ahead ---------------------------------------
class InProcessCognito:
    """The two calls pycognito's AWSSRP makes, answered by Emulator.call (so password_work runs)."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    def initiate_auth(self, **request):  # type: ignore[no-untyped-def]
        return self.emulator.call("InitiateAuth", request)

    def respond_to_auth_challenge(self, **request):  # type: ignore[no-untyped-def]
        return self.emulator.call("RespondToAuthChallenge", request)


def srp_sign_in(emulator: Emulator, pool: str, client: str, password: str) -> dict:
    from pycognito.aws_srp import AWSSRP

    aws = AWSSRP(
        username="Amy", password=password, pool_id=pool, client_id=client, client=InProcessCognito(emulator)
    )
    return aws.authenticate_user()


@pytest.fixture
def srp_world(world):
    emulator, pool, _client = world
    client = emulator.call(
        "CreateUserPoolClient",
        {
            "UserPoolId": pool,
            "ClientName": "srp",
            "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        },
    )["UserPoolClient"]["ClientId"]
    return emulator, pool, client


def test_srp_work_is_prepared_for_both_steps_and_matches_the_session(srp_world, monkeypatch) -> None:
    emulator, pool, client = srp_world
    prepared: list[tuple[str, password_work.PasswordWork | None]] = []
    real = password_work.prepare

    def recording(emulator_: Emulator, name: str, body: dict):  # type: ignore[no-untyped-def]
        work = real(emulator_, name, body)
        prepared.append((name, None if work is None else password_work.PasswordWork(**vars(work))))
        return work

    monkeypatch.setattr(password_work, "prepare", recording)
    assert "AccessToken" in srp_sign_in(emulator, pool, client, PASSWORD)["AuthenticationResult"]
    (first, initiate), (second, respond) = prepared
    assert first == "InitiateAuth" and initiate is not None and initiate.ephemeral is not None
    b, g_b = initiate.ephemeral
    assert g_b == pow(srp.g, b, srp.N)
    assert second == "RespondToAuthChallenge" and respond is not None
    (((a_hex, verifier_hex, b_hex), premaster),) = respond.premasters.items()
    # The session's secret is the one prepared for the first step, and the premaster is the server's own.
    assert int(b_hex, 16) == b
    assert premaster == srp.server_premaster(a_hex, verifier_hex, b_hex)


def test_srp_wrong_password_still_refused(srp_world) -> None:
    emulator, pool, client = srp_world
    with pytest.raises(NotAuthorizedException):
        srp_sign_in(emulator, pool, client, OTHER)


def test_srp_prepared_premaster_is_what_is_used(srp_world, monkeypatch) -> None:
    """A (deliberately) wrong premaster prepared for the session's exact values makes the right password
    fail: the check inside the lock takes the prepared value rather than computing its own."""
    emulator, pool, client = srp_world
    real = password_work.prepare

    def corrupting(emulator_: Emulator, name: str, body: dict):  # type: ignore[no-untyped-def]
        work = real(emulator_, name, body)
        if work is not None:
            work.premasters = {
                key: (value[0], value[1] + 1) for key, value in work.premasters.items() if value
            }
        return work

    monkeypatch.setattr(password_work, "prepare", corrupting)
    with pytest.raises(NotAuthorizedException):
        srp_sign_in(emulator, pool, client, PASSWORD)
