"""argon2id password hashing (emulator.crypto.passwords)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from argon2.profiles import RFC_9106_LOW_MEMORY

from emulator.crypto import passwords


@pytest.fixture(scope="module")
def fast() -> PasswordHasher:
    return passwords.make_hasher("fast")


@pytest.fixture(scope="module")
def strong_hash() -> str:
    # One strong hash for the whole module (each costs ~0.1 s).
    return passwords.hash_password(passwords.make_hasher("strong"), "Correct-Horse-1")


def test_fast_profile_parameters(fast: PasswordHasher) -> None:
    params = extract_parameters(passwords.hash_password(fast, "x"))
    assert params.type is Type.ID
    assert (params.time_cost, params.memory_cost, params.parallelism) == (1, 1024, 1)
    assert (params.hash_len, params.salt_len) == (32, 16)


def test_strong_profile_is_rfc_9106_low_memory(strong_hash: str) -> None:
    assert extract_parameters(strong_hash) == RFC_9106_LOW_MEMORY
    assert strong_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_unknown_profile() -> None:
    with pytest.raises(ValueError):
        passwords.make_hasher("medium")


def test_round_trip(fast: PasswordHasher) -> None:
    h = passwords.hash_password(fast, "Correct-Horse-1")
    assert h.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    assert passwords.verify_password(fast, h, "Correct-Horse-1") is True
    assert passwords.verify_password(fast, h, "Correct-Horse-2") is False
    assert passwords.verify_password(fast, h, "correct-horse-1") is False
    assert passwords.verify_password(fast, h, "") is False


def test_salted(fast: PasswordHasher) -> None:
    assert passwords.hash_password(fast, "same") != passwords.hash_password(fast, "same")


def test_unicode_password(fast: PasswordHasher) -> None:
    h = passwords.hash_password(fast, "pässwörd-日本-🔑")
    assert passwords.verify_password(fast, h, "pässwörd-日本-🔑")
    assert not passwords.verify_password(fast, h, "passwörd-日本-🔑")


def test_hashes_verify_across_profiles(fast: PasswordHasher, strong_hash: str) -> None:
    assert passwords.verify_password(fast, strong_hash, "Correct-Horse-1")
    assert not passwords.verify_password(fast, strong_hash, "nope")


@pytest.mark.parametrize(
    "bad_hash",
    [
        "",
        "not a hash",
        "$argon2id$v=19$m=8192,t=1,p=1$AAAA",
        "$argon2id$v=19$m=8192,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$!!!!",
        "$2b$12$abcdefghijklmnopqrstuu3Ck4I6Jg4xJxKz5m9p1Yl6Gq0y5a6C",  # bcrypt
        "$argon2id$v=19$m=8192,t=1,p=1$é",
        None,
    ],
)
def test_verify_never_raises_on_bad_hash(fast: PasswordHasher, bad_hash: str) -> None:
    assert passwords.verify_password(fast, bad_hash, "whatever") is False
    assert passwords.needs_rehash(fast, bad_hash) is True


def test_verify_never_raises_on_unencodable_password(fast: PasswordHasher) -> None:
    h = passwords.hash_password(fast, "pw")
    assert passwords.verify_password(fast, h, "pw\ud800") is False
    with pytest.raises(ValueError):
        passwords.hash_password(fast, "pw\ud800")


def test_needs_rehash(fast: PasswordHasher, strong_hash: str) -> None:
    assert passwords.needs_rehash(fast, passwords.hash_password(fast, "pw")) is False
    assert passwords.needs_rehash(fast, strong_hash) is True
    assert passwords.needs_rehash(passwords.make_hasher("strong"), strong_hash) is False
    argon2i = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1, type=Type.I).hash("pw")
    assert passwords.verify_password(fast, argon2i, "pw") is True  # older type still verifies...
    assert passwords.needs_rehash(fast, argon2i) is True  # ...and is due for replacement


def test_hashes_of_the_earlier_fast_profile_still_verify(fast: PasswordHasher) -> None:
    """Databases written when ``fast`` meant 8 MiB keep working: a hash carries its own parameters."""
    earlier = PasswordHasher(
        time_cost=1, memory_cost=8192, parallelism=1, hash_len=32, salt_len=16, type=Type.ID
    )
    stored = earlier.hash("Correct-Horse-1")
    assert passwords.verify_password(fast, stored, "Correct-Horse-1") is True
    assert passwords.verify_password(fast, stored, "Correct-Horse-2") is False
