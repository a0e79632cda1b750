"""Password hashing with argon2id (argon2-cffi), for USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH,
password history and anything else that checks a plain password on the server.

USER_SRP_AUTH never sees the password: it uses the SRP verifier from ``srp.compute_verifier`` instead,
so a user with a password has both an argon2id hash and an SRP (salt, verifier) pair, set together.

Two profiles:

* ``"fast"``: still a salted, memory-hard argon2id hash, but cheap (1 pass over 1 MiB, one lane): about
  0.5 ms per hash on the development machine (2 vCPU VM). Meant for a local tool and for test suites that
  create thousands of users; it is *not* a setting for protecting real users' passwords.
* ``"strong"``: argon2-cffi's RFC 9106 "low memory" recommendation (3 passes over 64 MiB, 4 lanes):
  about 115 ms per hash on the same machine.

A hash records its own parameters, so hashes made under one profile still verify under the other;
``needs_rehash`` tells the caller when to replace a stored hash after a successful sign-in.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

PROFILES = ("fast", "strong")


def make_hasher(profile: str) -> PasswordHasher:
    """Return the PasswordHasher for ``profile`` ("fast" or "strong"); ValueError for anything else."""
    if profile == "fast":
        return PasswordHasher(
            time_cost=1,
            memory_cost=1024,  # KiB, i.e. 1 MiB
            parallelism=1,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )
    if profile == "strong":
        return PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)
    raise ValueError(f"unknown password hashing profile {profile!r}; expected one of {PROFILES}")


def hash_password(hasher: PasswordHasher, password: str) -> str:
    """Hash ``password`` with a fresh random salt: a PHC string like ``$argon2id$v=19$m=1024,t=1,p=1$...``.

    Raises ValueError (UnicodeEncodeError) for a string that cannot be UTF-8 encoded, e.g. one holding
    a lone surrogate, which a JSON request can carry.
    """
    return hasher.hash(password)


def verify_password(hasher: PasswordHasher, stored_hash: str, password: str) -> bool:
    """True if ``password`` matches ``stored_hash``.

    Returns False, never raises, for a wrong password, for a stored hash that is missing, corrupt or
    not argon2, and for a password that cannot be UTF-8 encoded.
    """
    if not isinstance(stored_hash, str) or not isinstance(password, str):
        return False
    try:
        return hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError, UnicodeError):
        return False


def needs_rehash(hasher: PasswordHasher, stored_hash: str) -> bool:
    """True if ``stored_hash`` was not made with ``hasher``'s parameters (or cannot be parsed).

    Call it after a successful verify_password and, if True, store ``hash_password(hasher, password)``.
    """
    if not isinstance(stored_hash, str):
        return True
    try:
        return hasher.check_needs_rehash(stored_hash)
    except (InvalidHashError, ValueError, UnicodeError):
        return True
