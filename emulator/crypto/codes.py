"""Random one-time values: numeric confirmation/MFA codes and temporary passwords.

Everything comes from ``secrets`` (the OS CSPRNG) with uniform choices; nothing here is stored or sent.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping
from typing import Any

#: The characters Cognito counts as symbols in a password policy ("RequireSymbols").
COGNITO_SYMBOLS = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-"

#: Cognito's default MinimumLength, used when the policy does not say.
DEFAULT_MINIMUM_LENGTH = 8

#: Temporary passwords are never shorter than this, even if the policy allows it (more is always allowed).
TEMPORARY_PASSWORD_MIN_LENGTH = 12

_MAX_LENGTH = 256  # the longest password Cognito accepts


def new_numeric_code(digits: int = 6) -> str:
    """A uniformly random code of exactly ``digits`` decimal digits, zero-padded ("004711")."""
    if not isinstance(digits, int) or isinstance(digits, bool) or digits < 1:
        raise ValueError("digits must be a positive integer")
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def _flag(policy: Mapping[str, Any], key: str) -> bool:
    value = policy.get(key, False)
    if not isinstance(value, bool):
        raise ValueError(f"PasswordPolicy.{key} must be a boolean")
    return value


def new_temporary_password(policy: Mapping[str, Any]) -> str:
    """A random password that satisfies the Cognito PasswordPolicy ``policy``.

    ``policy`` uses the API's member names: MinimumLength (default 8), RequireUppercase,
    RequireLowercase, RequireNumbers, RequireSymbols (default False, as when a member is omitted);
    other members (TemporaryPasswordValidityDays, PasswordHistorySize) are ignored.

    The result always contains at least one upper-case letter, one lower-case letter and one digit,
    whatever the policy requires, and at least one of COGNITO_SYMBOLS when RequireSymbols is set
    (symbols are left out otherwise, to keep the password easy to type from an e-mail). Its length is
    max(MinimumLength, 12). Raises ValueError for a malformed policy.
    """
    minimum = policy.get("MinimumLength", DEFAULT_MINIMUM_LENGTH)
    if not isinstance(minimum, int) or isinstance(minimum, bool) or not 0 <= minimum <= _MAX_LENGTH:
        raise ValueError(f"PasswordPolicy.MinimumLength must be an integer from 0 to {_MAX_LENGTH}")
    for key in ("RequireUppercase", "RequireLowercase", "RequireNumbers"):
        _flag(policy, key)  # validated; these classes are always included anyway

    classes = [string.ascii_uppercase, string.ascii_lowercase, string.digits]
    if _flag(policy, "RequireSymbols"):
        classes.append(COGNITO_SYMBOLS)
    length = max(minimum, TEMPORARY_PASSWORD_MIN_LENGTH)

    alphabet = "".join(classes)
    chars = [secrets.choice(cls) for cls in classes]  # one of each class...
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]  # ...the rest from all
    secrets.SystemRandom().shuffle(chars)  # so the guaranteed characters are not always first
    return "".join(chars)
