"""The client side of Cognito's device SRP, written for the tests from the arithmetic the clients use
(amazon-cognito-identity-js' AuthenticationHelper, Amplify JS v6, pycognito), independent of the emulator's
``emulator.crypto.srp``:

- ConfirmDevice: a random 40-byte device password (base64), a 16-byte salt, x = H(pad(salt) ||
  H(DeviceGroupKey || DeviceKey || ":" || password)), v = g^x; sent as base64 of the padded hex bytes.
- DEVICE_SRP_AUTH: A = g^a; DEVICE_PASSWORD_VERIFIER: u = H(pad(A) || pad(B)), S = (B - k*g^x)^(a + u*x),
  K = HKDF(S, u), signature = HMAC(K, DeviceGroupKey || DeviceKey || SECRET_BLOCK bytes || TIMESTAMP).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pycognito.aws_srp import N_HEX  # RFC 3526's 3072-bit group, as every Cognito client has it

N = int(N_HEX, 16)
G = 2
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def pad(value: int) -> bytes:
    digits = format(value, "x")
    if len(digits) % 2:
        digits = "0" + digits
    if digits[0] in "89abcdef":
        digits = "00" + digits
    return bytes.fromhex(digits)


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


K_MULTIPLIER = int.from_bytes(sha(pad(N) + pad(G)), "big")


def timestamp(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return (
        f"{_DAYS[now.weekday()]} {_MONTHS[now.month - 1]} {now.day} "
        f"{now.hour:02d}:{now.minute:02d}:{now.second:02d} UTC {now.year}"
    )


def _x(group_key: str, device_key: str, password: str, salt: int) -> int:
    return int.from_bytes(sha(pad(salt) + sha(f"{group_key}{device_key}:{password}".encode())), "big")


@dataclass
class DeviceSecret:
    """What a client keeps for a remembered device, and the DeviceSecretVerifierConfig it confirmed it with."""

    group_key: str
    device_key: str
    password: str = field(default_factory=lambda: base64.b64encode(os.urandom(40)).decode())
    salt: int = field(default_factory=lambda: int.from_bytes(os.urandom(16), "big"))

    def verifier_config(self) -> dict[str, str]:
        verifier = pow(G, _x(self.group_key, self.device_key, self.password, self.salt), N)
        return {
            "PasswordVerifier": base64.b64encode(pad(verifier)).decode(),
            "Salt": base64.b64encode(pad(self.salt)).decode(),
        }


class DeviceSrp:
    """One device SRP exchange: ``srp_a`` for DEVICE_SRP_AUTH, ``answer`` for DEVICE_PASSWORD_VERIFIER."""

    def __init__(self, secret: DeviceSecret) -> None:
        self.secret = secret
        self.a = secrets.randbits(256) or 1
        self.A = pow(G, self.a, N)

    @property
    def srp_a(self) -> str:
        return format(self.A, "x")

    def answer(self, parameters: dict[str, str], *, when: str | None = None) -> dict[str, str]:
        secret = self.secret
        B = int(parameters["SRP_B"], 16)
        salt = int(parameters["SALT"], 16)
        u = int.from_bytes(sha(pad(self.A) + pad(B)), "big")
        x = _x(secret.group_key, secret.device_key, secret.password, salt)
        S = pow(B - K_MULTIPLIER * pow(G, x, N), self.a + u * x, N)
        prk = hmac.new(pad(u), pad(S), hashlib.sha256).digest()
        key = hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]
        when = when or timestamp()
        message = (
            secret.group_key.encode()
            + secret.device_key.encode()
            + base64.b64decode(parameters["SECRET_BLOCK"])
            + when.encode()
        )
        return {
            "USERNAME": parameters["USERNAME"],
            "DEVICE_KEY": secret.device_key,
            "PASSWORD_CLAIM_SECRET_BLOCK": parameters["SECRET_BLOCK"],
            "PASSWORD_CLAIM_SIGNATURE": base64.b64encode(
                hmac.new(key, message, hashlib.sha256).digest()
            ).decode(),
            "TIMESTAMP": when,
        }


def device_sign_in(
    cognito: Any, client_id: str, challenge: dict[str, Any], secret: DeviceSecret
) -> dict[str, Any]:
    """Answer a DEVICE_SRP_AUTH challenge and its DEVICE_PASSWORD_VERIFIER (with Sessions, as Amplify does)."""
    assert challenge["ChallengeName"] == "DEVICE_SRP_AUTH", challenge
    exchange = DeviceSrp(secret)
    username = challenge["ChallengeParameters"]["USERNAME"]
    verifier = cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="DEVICE_SRP_AUTH",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": username, "DEVICE_KEY": secret.device_key, "SRP_A": exchange.srp_a},
    )
    assert verifier["ChallengeName"] == "DEVICE_PASSWORD_VERIFIER", verifier
    return cognito.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="DEVICE_PASSWORD_VERIFIER",
        Session=verifier["Session"],
        ChallengeResponses=exchange.answer(verifier["ChallengeParameters"]),
    )
