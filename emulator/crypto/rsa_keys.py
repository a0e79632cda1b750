"""RSA-2048 key pairs for RS256 tokens, with the key id and the public JWK that JWKS documents publish."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def new_key_material() -> tuple[str, str, dict[str, Any]]:
    """A fresh RSA-2048 key pair: (kid, private key PEM, public JWK). About 50 ms of CPU."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_der = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    # Cognito's kids look like base64 of a 32-byte digest ("...=").
    kid = base64.b64encode(hashlib.sha256(public_der).digest()).decode("ascii")
    numbers = private_key.public_key().public_numbers()
    jwk = {
        "alg": "RS256",
        "e": _b64url_uint(numbers.e),
        "kid": kid,
        "kty": "RSA",
        "n": _b64url_uint(numbers.n),
        "use": "sig",
    }
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    return kid, pem, jwk
