"""Numeric codes and temporary passwords (emulator.crypto.codes)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from emulator.crypto import codes

SYMBOLS = set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-")


def satisfies(password: str, policy: dict[str, Any]) -> bool:
    """Cognito's policy rules, written out independently of the module under test."""
    return (
        len(password) >= policy.get("MinimumLength", 8)
        and (not policy.get("RequireUppercase") or any("A" <= c <= "Z" for c in password))
        and (not policy.get("RequireLowercase") or any("a" <= c <= "z" for c in password))
        and (not policy.get("RequireNumbers") or any("0" <= c <= "9" for c in password))
        and (not policy.get("RequireSymbols") or any(c in SYMBOLS for c in password))
    )


def test_symbol_set_is_cognitos() -> None:
    assert set(codes.COGNITO_SYMBOLS) == SYMBOLS
    assert len(codes.COGNITO_SYMBOLS) == len(SYMBOLS) == 32


@pytest.mark.parametrize("digits", [1, 4, 6, 8, 20])
def test_numeric_code_shape(digits: int) -> None:
    for _ in range(200):
        code = codes.new_numeric_code(digits)
        assert len(code) == digits and code.isascii() and code.isdigit()


def test_numeric_code_default_and_zero_padding() -> None:
    seen = [codes.new_numeric_code() for _ in range(3000)]
    assert all(len(c) == 6 for c in seen)
    # ~10% of 6-digit codes start with "0"; 3000 draws make zero such codes practically impossible.
    assert any(c.startswith("0") for c in seen)


def test_numeric_code_is_roughly_uniform() -> None:
    counts = Counter(codes.new_numeric_code(1) for _ in range(10_000))
    assert set(counts) == set("0123456789")
    assert all(800 < n < 1200 for n in counts.values())  # expected 1000 each; ~6.5 sigma margin


@pytest.mark.parametrize("bad", [0, -1, True, 2.0, "6"])
def test_numeric_code_rejects_bad_digits(bad: Any) -> None:
    with pytest.raises(ValueError):
        codes.new_numeric_code(bad)


POLICIES = [
    {},
    {
        "MinimumLength": 8,
        "RequireUppercase": True,
        "RequireLowercase": True,
        "RequireNumbers": True,
        "RequireSymbols": True,
    },
    {
        "MinimumLength": 6,
        "RequireUppercase": False,
        "RequireLowercase": False,
        "RequireNumbers": False,
        "RequireSymbols": False,
    },
    {"MinimumLength": 99, "RequireSymbols": True},
    {
        "MinimumLength": 20,
        "RequireNumbers": True,
        "TemporaryPasswordValidityDays": 7,
        "PasswordHistorySize": 3,
    },
]


@pytest.mark.parametrize("policy", POLICIES)
def test_temporary_password_satisfies_policy(policy: dict[str, Any]) -> None:
    for _ in range(300):
        pw = codes.new_temporary_password(policy)
        assert satisfies(pw, policy), pw
        # Always upper, lower and digit, so it also passes the strictest policy of the same length.
        strict = {**policy, "RequireUppercase": True, "RequireLowercase": True, "RequireNumbers": True}
        assert satisfies(pw, strict), pw
        assert len(pw) == max(policy.get("MinimumLength", 8), 12)
        assert pw.isascii() and pw.isprintable() and " " not in pw


def test_symbols_only_when_required() -> None:
    without = "".join(codes.new_temporary_password({"RequireSymbols": False}) for _ in range(100))
    assert not SYMBOLS & set(without)
    with_symbols = "".join(codes.new_temporary_password({"RequireSymbols": True}) for _ in range(300))
    assert set(with_symbols) <= SYMBOLS | set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    )
    assert len(SYMBOLS & set(with_symbols)) > 20  # the whole set is in use


def test_required_characters_are_not_always_in_front() -> None:
    firsts = {codes.new_temporary_password({"RequireSymbols": True})[0] for _ in range(200)}
    assert any(c.isdigit() for c in firsts) and any(c in SYMBOLS for c in firsts)


def test_temporary_passwords_differ() -> None:
    assert len({codes.new_temporary_password({}) for _ in range(100)}) == 100


@pytest.mark.parametrize(
    "policy",
    [
        {"MinimumLength": "8"},
        {"MinimumLength": -1},
        {"MinimumLength": 1000},
        {"MinimumLength": True},
        {"RequireSymbols": "yes"},
        {"RequireNumbers": 1},
    ],
)
def test_malformed_policy(policy: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        codes.new_temporary_password(policy)
