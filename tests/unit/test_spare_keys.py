"""Spare signing keys: pools take RSA keys from a stock made ahead in the background, each key once, and make
their own when the stock is empty."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from emulator.config import Settings
from emulator.engine import Emulator
from emulator.store.models import SigningKey, SpareSigningKey


@pytest.fixture
def emulator(tmp_path: Path):
    instance = Emulator(Settings(database=f"sqlite:///{tmp_path / 'e.db'}"))
    yield instance
    instance.close()


def spare_kids(emulator: Emulator) -> list[str]:
    with emulator.database.session(write=False) as session:
        return list(session.scalars(select(SpareSigningKey.kid).order_by(SpareSigningKey.created_at)))


def pool_kids(emulator: Emulator, pool_id: str) -> dict[str, str]:
    with emulator.database.session(write=False) as session:
        rows = session.execute(
            select(SigningKey.token_use, SigningKey.kid).where(SigningKey.pool_id == pool_id)
        )
        return dict(rows.all())


def create_pool(emulator: Emulator, name: str) -> str:
    return emulator.call("CreateUserPool", {"PoolName": name})["UserPool"]["Id"]


def test_a_pool_takes_two_spare_keys_and_the_stock_is_topped_up(emulator: Emulator):
    assert emulator.spare_keys.fill() == emulator.spare_keys.stock
    stocked = spare_kids(emulator)
    assert len(stocked) == emulator.spare_keys.stock == 4

    pool = create_pool(emulator, "first")
    kids = pool_kids(emulator, pool)
    assert set(kids.values()) == set(stocked[:2])  # the two oldest spares, one per token use
    assert kids["id"] != kids["access"]
    assert set(spare_kids(emulator)).isdisjoint(kids.values())  # taken keys leave the stock

    emulator.spare_keys.fill()  # what the background thread does after a take
    assert len(spare_kids(emulator)) == 4
    assert set(spare_kids(emulator)).isdisjoint(kids.values())


def test_an_empty_stock_makes_the_keys_inline_and_wakes_the_filler(emulator: Emulator):
    assert spare_kids(emulator) == []
    pool = create_pool(emulator, "no stock")
    assert len(set(pool_kids(emulator, pool).values())) == 2
    # The miss woke the background thread, which fills the stock by itself.
    assert emulator.spare_keys._thread is not None


def test_the_filler_thread_fills_the_stock_after_a_pool_is_created(emulator: Emulator):
    create_pool(emulator, "wakes the filler")
    thread = emulator.spare_keys._thread
    assert thread is not None and thread.is_alive()
    for _ in range(200):
        if len(spare_kids(emulator)) >= emulator.spare_keys.stock:
            break
        thread.join(0.05)
    assert len(spare_kids(emulator)) == emulator.spare_keys.stock


def test_tokens_of_a_pool_with_spare_keys_verify_against_its_jwks(emulator: Emulator):
    emulator.spare_keys.fill()
    pool = create_pool(emulator, "tokens")
    client = emulator.call(
        "CreateUserPoolClient",
        {"UserPoolId": pool, "ClientName": "c", "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH"]},
    )["UserPoolClient"]["ClientId"]
    emulator.call("AdminCreateUser", {"UserPoolId": pool, "Username": "amy", "MessageAction": "SUPPRESS"})
    emulator.call(
        "AdminSetUserPassword",
        {"UserPoolId": pool, "Username": "amy", "Password": "Passw0rd!", "Permanent": True},
    )
    result = emulator.call(
        "AdminInitiateAuth",
        {
            "UserPoolId": pool,
            "ClientId": client,
            "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "amy", "PASSWORD": "Passw0rd!"},
        },
    )["AuthenticationResult"]
    user = emulator.call("GetUser", {"AccessToken": result["AccessToken"]})
    assert user["Username"] == "amy"


def test_a_reset_keeps_the_stock(emulator: Emulator):
    emulator.spare_keys.fill()
    before = spare_kids(emulator)
    emulator.reset()
    assert spare_kids(emulator) == before


def test_a_closed_stock_makes_no_keys(emulator: Emulator):
    emulator.spare_keys.close()
    emulator.spare_keys.wanted()
    assert emulator.spare_keys._thread is None
    assert emulator.spare_keys.fill() == 0


def test_an_in_memory_database_makes_keys_inline_without_a_thread():
    instance = Emulator(Settings(database="sqlite://"))
    try:
        pool = create_pool(instance, "in memory")
        assert len(set(pool_kids(instance, pool).values())) == 2
        assert instance.spare_keys._thread is None
    finally:
        instance.close()


def sign_in(emulator: Emulator, pool: str) -> dict[str, str]:
    client = emulator.call(
        "CreateUserPoolClient",
        {"UserPoolId": pool, "ClientName": "c", "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH"]},
    )["UserPoolClient"]["ClientId"]
    emulator.call("AdminCreateUser", {"UserPoolId": pool, "Username": "amy", "MessageAction": "SUPPRESS"})
    emulator.call(
        "AdminSetUserPassword",
        {"UserPoolId": pool, "Username": "amy", "Password": "Passw0rd!", "Permanent": True},
    )
    return emulator.call(
        "AdminInitiateAuth",
        {
            "UserPoolId": pool,
            "ClientId": client,
            "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "amy", "PASSWORD": "Passw0rd!"},
        },
    )["AuthenticationResult"]


def test_a_deleted_pools_keys_go_back_to_the_stock_under_new_kids(emulator: Emulator):
    import jwt

    emulator.spare_keys.close()  # no background filler: the stock holds only what deletion gives back
    first = create_pool(emulator, "first")
    old_kids = set(pool_kids(emulator, first).values())
    old_tokens = sign_in(emulator, first)
    emulator.call("DeleteUserPool", {"UserPoolId": first})

    recycled = spare_kids(emulator)
    assert len(recycled) == 2 and old_kids.isdisjoint(recycled)

    second = create_pool(emulator, "second")
    new_kids = set(pool_kids(emulator, second).values())
    assert new_kids == set(recycled) and spare_kids(emulator) == []
    # A token of the deleted pool names a kid that no pool has any more, and its own issuer.
    header = jwt.get_unverified_header(old_tokens["AccessToken"])
    assert header["kid"] in old_kids and header["kid"] not in new_kids
    with emulator.database.session(write=False) as session:
        assert session.scalar(select(SigningKey).where(SigningKey.kid == header["kid"])) is None
    # The new pool's tokens verify as usual.
    new_tokens = sign_in(emulator, second)
    assert emulator.call("GetUser", {"AccessToken": new_tokens["AccessToken"]})["Username"] == "amy"
    assert jwt.get_unverified_header(new_tokens["AccessToken"])["kid"] in new_kids


def test_recycling_keeps_the_stock_bounded(emulator: Emulator):
    from emulator.userpools.tokens import spare_keys

    emulator.spare_keys.close()
    pools = [create_pool(emulator, f"pool {n}") for n in range(spare_keys.RECYCLED_STOCK // 2 + 2)]
    for pool in pools:
        emulator.call("DeleteUserPool", {"UserPoolId": pool})
    assert len(spare_kids(emulator)) == spare_keys.RECYCLED_STOCK
