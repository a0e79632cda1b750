"""Identifiers in the formats real Cognito uses."""

from __future__ import annotations

import secrets
import string
import uuid

_ALNUM = string.ascii_letters + string.digits
_LOWER_ALNUM = string.ascii_lowercase + string.digits


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def user_pool_id(region: str) -> str:
    """``us-east-1_AbC123xyz``: region, underscore, 9 characters [0-9A-Za-z]."""
    return f"{region}_{_random(_ALNUM, 9)}"


def client_id() -> str:
    """26 characters [a-z0-9]."""
    return _random(_LOWER_ALNUM, 26)


def client_secret() -> str:
    """51 characters [a-z0-9]."""
    return _random(_LOWER_ALNUM, 51)


def sub() -> str:
    """A user's immutable ``sub``: a random UUID."""
    return str(uuid.uuid4())


def request_id() -> str:
    return str(uuid.uuid4())


def pool_region(pool_id: str) -> str:
    """The region part of a pool id (``us-east-1`` of ``us-east-1_AbC123xyz``)."""
    return pool_id.split("_", 1)[0]


def pool_name_for_srp(pool_id: str) -> str:
    """The part of the pool id after ``_``, which SRP hashes into every password verifier."""
    return pool_id.split("_", 1)[1] if "_" in pool_id else pool_id
