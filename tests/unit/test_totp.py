"""TOTP (emulator.crypto.totp): RFC 6238 vectors, windows and replay protection. No sleeping."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest

from emulator.crypto import totp

# RFC 6238 appendix B: SHA-1 secret "12345678901234567890"; the RFC shows 8 digits, we use the last 6.
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
T0 = datetime(2026, 11, 22, 2, 14, 0, tzinfo=UTC)  # exactly on a step boundary
STEP0 = int(T0.timestamp()) // 30


@pytest.mark.parametrize(("unix", "code8"), RFC_VECTORS)
def test_rfc6238_vectors(unix: int, code8: str) -> None:
    at = datetime.fromtimestamp(unix, UTC)
    assert totp.code_at(RFC_SECRET, at) == code8[-6:]
    assert totp.time_step(at) == unix // 30
    assert totp.verify_code(RFC_SECRET, code8[-6:], at, None) == unix // 30


def test_new_secret_shape() -> None:
    s = totp.new_secret()
    assert re.fullmatch(r"[A-Z2-7]{32}", s)  # 160 bits = 32 base32 chars, no "=" padding
    assert len(base64.b32decode(s)) == 20
    assert s != totp.new_secret()
    # Authenticator apps (via pyotp here) accept it as is.
    assert pyotp.TOTP(s).at(T0) == totp.code_at(s, T0)


def test_code_at_matches_pyotp() -> None:
    for i in range(50):
        at = T0 + timedelta(seconds=37 * i)
        assert totp.code_at(SECRET, at) == pyotp.TOTP(SECRET).at(at)


def test_naive_datetime_is_utc() -> None:
    assert totp.code_at(SECRET, T0.replace(tzinfo=None)) == totp.code_at(SECRET, T0)
    assert totp.time_step(T0.replace(tzinfo=None)) == STEP0
    plus_five = timezone(timedelta(hours=5))
    assert totp.time_step(T0.astimezone(plus_five)) == STEP0


def test_step_boundaries() -> None:
    assert totp.time_step(T0) == STEP0
    assert totp.time_step(T0 + timedelta(seconds=29, microseconds=999999)) == STEP0
    assert totp.time_step(T0 - timedelta(microseconds=1)) == STEP0 - 1


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_one_step_tolerance_each_side(offset: int) -> None:
    code = totp.code_at(SECRET, T0 + timedelta(seconds=30 * offset))
    assert totp.verify_code(SECRET, code, T0, None) == STEP0 + offset


@pytest.mark.parametrize("offset", [-3, -2, 2, 3])
def test_outside_the_window_is_rejected(offset: int) -> None:
    code = totp.code_at(SECRET, T0 + timedelta(seconds=30 * offset))
    # Guard against a chance collision with an in-window code (1 in a million per step).
    assert code not in {totp.code_at(SECRET, T0 + timedelta(seconds=30 * i)) for i in (-1, 0, 1)}
    assert totp.verify_code(SECRET, code, T0, None) is None


def test_window_edges_in_seconds() -> None:
    code = totp.code_at(SECRET, T0)  # valid during [T0, T0+30s)
    assert totp.verify_code(SECRET, code, T0 - timedelta(seconds=30), None) == STEP0  # one step early
    assert totp.verify_code(SECRET, code, T0 + timedelta(seconds=59), None) == STEP0  # one step late
    assert totp.verify_code(SECRET, code, T0 + timedelta(seconds=60), None) is None
    assert totp.verify_code(SECRET, code, T0 - timedelta(seconds=31), None) is None


def test_replay_of_the_same_code_is_rejected() -> None:
    code = totp.code_at(SECRET, T0)
    used = totp.verify_code(SECRET, code, T0, None)
    assert used == STEP0
    assert totp.verify_code(SECRET, code, T0 + timedelta(seconds=5), used) is None


def test_older_codes_are_rejected_after_a_newer_one() -> None:
    newer = totp.verify_code(SECRET, totp.code_at(SECRET, T0 + timedelta(seconds=30)), T0, None)
    assert newer == STEP0 + 1
    older = totp.code_at(SECRET, T0)
    assert totp.verify_code(SECRET, older, T0, newer) is None
    # The next step's code is fine later on.
    later = T0 + timedelta(seconds=60)
    assert totp.verify_code(SECRET, totp.code_at(SECRET, later), later, newer) == STEP0 + 2


def test_last_used_step_below_the_window_does_not_matter() -> None:
    code = totp.code_at(SECRET, T0)
    assert totp.verify_code(SECRET, code, T0, STEP0 - 5) == STEP0
    assert totp.verify_code(SECRET, code, T0, STEP0 - 1) == STEP0
    assert totp.verify_code(SECRET, code, T0, STEP0) is None


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "12345",
        "1234567",
        " 123456",
        "123456 ",
        "123456\n",
        "12345a",
        "١٢٣٤٥٦",
        "12 456",
        "-12345",
        None,
        123456,
    ],
)
def test_code_format_is_exactly_six_ascii_digits(bad: object) -> None:
    assert totp.verify_code(SECRET, bad, T0, None) is None  # type: ignore[arg-type]


def test_wrong_code() -> None:
    good = totp.code_at(SECRET, T0)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    window = {totp.code_at(SECRET, T0 + timedelta(seconds=30 * i)) for i in (-1, 0, 1)}
    if wrong not in window:
        assert totp.verify_code(SECRET, wrong, T0, None) is None


def test_otpauth_uri() -> None:
    uri = totp.otpauth_uri(SECRET, "alice@example.com", "My App")
    parsed = urlparse(uri)
    assert (parsed.scheme, parsed.netloc) == ("otpauth", "totp")
    assert parsed.path == "/My%20App:alice%40example.com"
    query = parse_qs(parsed.query)
    assert query["secret"] == [SECRET]
    assert query["issuer"] == ["My App"]
    # It round-trips through pyotp's parser, as an authenticator app would read it.
    parsed_totp = pyotp.parse_uri(uri)
    assert parsed_totp.at(T0) == totp.code_at(SECRET, T0)
