"""TOTP (RFC 6238) for software-token MFA: AssociateSoftwareToken, VerifySoftwareToken and the
SOFTWARE_TOKEN_MFA challenge. SHA-1, 6 digits, 30-second steps, as every authenticator app assumes.

Pure: the caller passes the time (from the emulator's Clock, so time travel works) and keeps the last
accepted step per user in the database (replay protection).
"""

from __future__ import annotations

import base64
import hmac
import re
import secrets
from datetime import UTC, datetime, timedelta

import pyotp

STEP_SECONDS = 30
DIGITS = 6
#: Steps accepted on each side of the current one (clock drift between phone and server).
TOLERANCE_STEPS = 1
#: Secret size: 160 bits, the RFC 4226 recommendation, i.e. 32 base32 characters without padding.
SECRET_BYTES = 20

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CODE_RE = re.compile(r"[0-9]{6}")  # not \d, which also matches non-ASCII digits


def _as_utc(at: datetime) -> datetime:
    # pyotp reads a naive datetime as *local* time; here naive means UTC, as everywhere in the emulator.
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def time_step(at: datetime) -> int:
    """The RFC 6238 counter T for instant ``at``: whole 30-second steps since the Unix epoch."""
    return (_as_utc(at) - _EPOCH) // timedelta(seconds=STEP_SECONDS)


def new_secret() -> str:
    """A fresh shared secret as AssociateSoftwareToken's SecretCode: 160 random bits, base32, no padding."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)


def code_at(secret: str, at: datetime) -> str:
    """The 6-digit code an authenticator app shows at instant ``at`` (for tests and the CLI)."""
    return _totp(secret).generate_otp(time_step(at))


def verify_code(secret: str, code: str, at: datetime, last_used_step: int | None) -> int | None:
    """Check a user's code at instant ``at``; return the matched time step, or None.

    Accepted: exactly six ASCII digits equal to the code of the current step or of one step before or
    after it, provided that step is greater than ``last_used_step`` (the step returned by the previous
    successful call for this user, or None). Storing the returned step as the new ``last_used_step``
    makes every code single-use and also rejects older codes. If the code happens to match more than
    one step in the window, the latest acceptable step is returned (the conservative choice for replay).

    Raises ValueError only if ``secret`` itself is not valid base32 of at least 112 bits.
    """
    if not isinstance(code, str) or not _CODE_RE.fullmatch(code):
        return None
    totp = _totp(secret)
    current = time_step(at)
    for step in range(current + TOLERANCE_STEPS, current - TOLERANCE_STEPS - 1, -1):
        if last_used_step is not None and step <= last_used_step:
            break  # steps only get smaller from here
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def otpauth_uri(secret: str, account: str, issuer: str) -> str:
    """The ``otpauth://totp/<issuer>:<account>?secret=...&issuer=...`` URI to show as a QR code."""
    return _totp(secret).provisioning_uri(name=account, issuer_name=issuer)
