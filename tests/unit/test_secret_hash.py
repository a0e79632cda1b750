"""SECRET_HASH (emulator.crypto.secret_hash) against pycognito's client-side computation."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from pycognito.aws_srp import AWSSRP

from emulator.crypto.secret_hash import compute_secret_hash, verify_secret_hash

CLIENT_ID = "1example23456789abcdefghij"
CLIENT_SECRET = "abcdef0123456789abcdef0123456789abcdef0123456789abc"


@pytest.mark.parametrize("username", ["alice", "alice@example.com", "+15555550100", "zoë-日本", ""])
def test_matches_pycognito(username: str) -> None:
    expected = AWSSRP.get_secret_hash(username, CLIENT_ID, CLIENT_SECRET)
    assert compute_secret_hash(CLIENT_ID, CLIENT_SECRET, username) == expected
    assert verify_secret_hash(CLIENT_ID, CLIENT_SECRET, username, expected) is True


def test_definition() -> None:
    digest = hmac.new(b"secret", b"bobclient", hashlib.sha256).digest()
    assert compute_secret_hash("client", "secret", "bob") == base64.b64encode(digest).decode()


def test_rejections() -> None:
    good = compute_secret_hash(CLIENT_ID, CLIENT_SECRET, "alice")
    assert not verify_secret_hash(CLIENT_ID, CLIENT_SECRET, "Alice", good)  # user names are case-sensitive
    assert not verify_secret_hash("otherclient", CLIENT_SECRET, "alice", good)
    assert not verify_secret_hash(CLIENT_ID, CLIENT_SECRET + "x", "alice", good)
    assert not verify_secret_hash(CLIENT_ID, CLIENT_SECRET, "alice", good.rstrip("="))
    assert not verify_secret_hash(CLIENT_ID, CLIENT_SECRET, "alice", good + " ")
    assert not verify_secret_hash(CLIENT_ID, CLIENT_SECRET, "alice", "")


@pytest.mark.parametrize("provided", [None, 42, "é" * 44, "\ud800"])
def test_never_raises_on_junk(provided: object) -> None:
    assert verify_secret_hash(CLIENT_ID, CLIENT_SECRET, "alice", provided) is False  # type: ignore[arg-type]


def test_unencodable_username_is_rejected_not_raised() -> None:
    good = compute_secret_hash(CLIENT_ID, CLIENT_SECRET, "alice")
    assert verify_secret_hash(CLIENT_ID, CLIENT_SECRET, "ali\ud800ce", good) is False
