"""emulator.password_work: argon2id answers prepared before the write lock, and used only when they are
answers to exactly the question the operation asks."""

from __future__ import annotations

import pytest

from emulator import password_work
from emulator.config import Settings
from emulator.core import Emulator
from emulator.crypto import passwords
from emulator.errors import NotAuthorizedException

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
