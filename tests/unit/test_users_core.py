"""Pure pieces of the users area: password policy, masking, the ListUsers filter parser, and the code
rules of the outbox (exercised through Emulator.call, without HTTP)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from emulator.config import Settings
from emulator.crypto import srp
from emulator.engine.core import Emulator
from emulator.protocol.context import Context
from emulator.protocol.errors import (
    CodeMismatchException,
    ExpiredCodeException,
    InvalidParameterException,
    InvalidPasswordException,
    LimitExceededException,
)
from emulator.store.models import User, UserPool
from emulator.userpools import outbox, users
from emulator.userpools.operations.list_users import parse_filter


def pool_with(policy: dict | None = None) -> UserPool:
    config = {"Policies": {"PasswordPolicy": policy}} if policy is not None else {}
    return UserPool(id="us-east-1_Test00001", region="us-east-1", name="p", config=config)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Aa1!", "Password not long enough"),
        ("AAAAAAA1!", "Password must have lowercase characters"),
        ("aaaaaaa1!", "Password must have uppercase characters"),
        ("Aaaaaaaa!", "Password must have numeric characters"),
        ("Aaaaaaaa1", "Password must have symbol characters"),
        ("ÄÖÜäöüß1!", "Password must have lowercase characters"),  # only Basic Latin letters count
    ],
)
def test_default_password_policy(password: str, problem: str) -> None:
    with pytest.raises(InvalidPasswordException) as excinfo:
        users.check_password_policy(pool_with(), password)
    assert excinfo.value.message == f"Password did not conform with policy: {problem}"


@pytest.mark.parametrize("symbol", list("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-"))
def test_every_cognito_symbol_counts(symbol: str) -> None:
    users.check_password_policy(pool_with(), f"Abcdefg1{symbol}")


def test_relaxed_policy() -> None:
    relaxed = pool_with(
        {
            "MinimumLength": 6,
            "RequireUppercase": False,
            "RequireLowercase": False,
            "RequireNumbers": False,
            "RequireSymbols": False,
        }
    )
    users.check_password_policy(relaxed, "abcdef")
    with pytest.raises(InvalidPasswordException):
        users.check_password_policy(relaxed, "abcde")


def test_masking() -> None:
    assert outbox.mask_destination("EMAIL", "alice@example.com") == "a***@e***"
    assert outbox.mask_destination("SMS", "+14155550123") == "+*******0123"
    assert outbox.delivery_details("SMS", "+14155550123") == {
        "Destination": "+*******0123",
        "DeliveryMedium": "SMS",
        "AttributeName": "phone_number",
    }


def test_render() -> None:
    assert outbox.render("{username}: {####} {####}", code="123456", username="bob") == "bob: 123456 123456"


def test_filter_parser() -> None:
    assert parse_filter("") is None
    assert parse_filter("   ") is None
    assert parse_filter('email = "a@b.c"') == ("email", "=", "a@b.c")
    assert parse_filter('given_name^="Jo"') == ("given_name", "^=", "Jo")
    assert parse_filter('cognito:user_status = "CONFIRMED"') == ("cognito:user_status", "=", "CONFIRMED")
    assert parse_filter('name = "say \\"hi\\""') == ("name", "=", 'say "hi"')
    for bad in ("email", 'email = "x', "email = x", 'email != "x"', 'email = "x" and name = "y"'):
        with pytest.raises(InvalidParameterException) as excinfo:
            parse_filter(bad)
        assert excinfo.value.message == "Error while parsing filter"
    with pytest.raises(InvalidParameterException) as excinfo:
        parse_filter('custom:x = "1"')
    assert excinfo.value.message == "Invalid search attribute: custom:x"


# --- codes, through a real (in-memory) emulator ------------------------------------------------------
@pytest.fixture
def emulator(tmp_path):
    instance = Emulator(Settings(database=f"sqlite:///{tmp_path / 'e.db'}"))
    yield instance
    instance.close()


def run(emulator: Emulator, work, *, offset: float = 0.0):
    """Run ``work(ctx)`` in one transaction, as an operation would (committing unless it raises)."""
    session = emulator.database.session()
    try:
        ctx = Context(
            db=session,
            emulator=emulator,
            now=emulator.now(session) + timedelta(seconds=offset),
            region="us-east-1",
            operation="test",
            request_id="r",
        )
        result = work(ctx)
        session.commit()
        return result
    finally:
        session.rollback()
        session.close()


def test_codes(emulator: Emulator) -> None:
    pool_id = emulator.call("CreateUserPool", {"PoolName": "p"})["UserPool"]["Id"]
    emulator.call("AdminCreateUser", {"UserPoolId": pool_id, "Username": "amy", "MessageAction": "SUPPRESS"})

    def user(ctx: Context) -> tuple[UserPool, User]:
        pool = ctx.db.get(UserPool, pool_id)
        return pool, users.get_user(ctx, pool, "amy")

    def issue(ctx: Context) -> str:
        pool, amy = user(ctx)
        return outbox.issue_code(
            ctx, pool, amy, purpose="TEST", channel="EMAIL", destination="a@b.c", ttl=timedelta(minutes=3)
        ).code

    def consume(code: str):
        return lambda ctx: outbox.consume_code(ctx, user(ctx)[1], purpose="TEST", code=code)

    with pytest.raises(ExpiredCodeException):
        run(emulator, consume("123456"))  # nothing was ever sent
    first = run(emulator, issue)
    second = run(emulator, issue)
    if first != second:
        with pytest.raises(ExpiredCodeException):
            run(emulator, consume(first))  # replaced by a newer code
    wrong = "000000" if second != "000000" else "111111"
    with pytest.raises(CodeMismatchException):
        run(emulator, consume(wrong))
    run(emulator, consume(second))
    with pytest.raises(ExpiredCodeException):
        run(emulator, consume(second))  # single use

    third = run(emulator, issue)
    with pytest.raises(ExpiredCodeException):
        run(emulator, consume(third), offset=181)  # 3 minutes have passed
    fourth = run(emulator, issue)
    wrong = "000000" if fourth != "000000" else "111111"
    for _ in range(outbox.MAX_WRONG_ATTEMPTS):
        with pytest.raises(CodeMismatchException):
            run(emulator, consume(wrong))
    with pytest.raises(LimitExceededException):
        run(emulator, consume(fourth))  # too many wrong guesses: the code is dead


def test_set_password_stores_hash_and_srp_verifier(emulator: Emulator) -> None:
    pool_id = emulator.call("CreateUserPool", {"PoolName": "p"})["UserPool"]["Id"]
    emulator.call(
        "AdminCreateUser",
        {
            "UserPoolId": pool_id,
            "Username": "amy",
            "MessageAction": "SUPPRESS",
            "TemporaryPassword": "Passw0rd!",
        },
    )

    def check(ctx: Context) -> None:
        pool = ctx.db.get(UserPool, pool_id)
        amy = users.get_user(ctx, pool, "amy")
        assert amy.password_hash.startswith("$argon2id$")
        assert "Passw0rd!" not in amy.password_hash
        assert amy.password_temporary is True and amy.password_set_at is not None
        assert users.check_password(ctx, amy, "Passw0rd!")
        assert not users.check_password(ctx, amy, "Passw0rd?")
        # The verifier is g^x for x of this pool name, user name, password and salt.
        x = srp.compute_x(pool_id.split("_", 1)[1], "amy", "Passw0rd!", amy.srp_salt)
        assert pow(srp.g, x, srp.N) == int(amy.srp_verifier, 16)

    run(emulator, check)
