"""A small software passkey authenticator for the tests: an ECDSA P-256 key (``cryptography``), CBOR
attestation objects (``cbor2``), and the base64url JSON browsers' ``toJSON()`` (and Amplify) send.

It does what a browser and an authenticator do together, and nothing is checked here: the emulator must
refuse a wrong origin, relying party, challenge, counter or key by itself.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, AT = 0x01, 0x04, 0x40
AAGUID = bytes(16)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def from_b64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def cose_public_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    numbers = key.public_key().public_numbers()
    return cbor2.dumps(
        {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
    )


@dataclass
class SoftwarePasskey:
    """One credential: its id, private key and counter; ``origin`` is where the 'browser' is."""

    origin: str = "http://localhost:3000"
    credential_id: bytes = field(default_factory=lambda: os.urandom(16))
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    counter: int = 0
    user_handle: bytes | None = None

    @property
    def id(self) -> str:
        return b64url(self.credential_id)

    def private_pem(self) -> str:
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin or self.origin, "crossOrigin": False}
        ).encode()

    def create(
        self,
        options: dict[str, Any],
        *,
        origin: str | None = None,
        rp_id: str | None = None,
        challenge: str | None = None,
        user_verified: bool = True,
        public_key: bytes | None = None,
    ) -> dict[str, Any]:
        """navigator.credentials.create() for CredentialCreationOptions; overrides make a bad answer
        (``public_key``: another COSE key than this passkey's, e.g. of an algorithm the server refuses)."""
        self.user_handle = from_b64url(options["user"]["id"])
        rp = rp_id or options["rp"]["id"]
        flags = UP | AT | (UV if user_verified else 0)
        attested = AAGUID + struct.pack(">H", len(self.credential_id)) + self.credential_id
        auth_data = (
            hashlib.sha256(rp.encode()).digest()
            + bytes([flags])
            + struct.pack(">I", self.counter)
            + attested
            + (public_key or cose_public_key(self.key))
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", challenge or options["challenge"], origin)
        return {
            "id": self.id,
            "rawId": self.id,
            "type": "public-key",
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["internal"],
                "publicKeyAlgorithm": -7,
                "authenticatorData": b64url(auth_data),
            },
        }

    def get(
        self,
        options: dict[str, Any],
        *,
        origin: str | None = None,
        rp_id: str | None = None,
        challenge: str | None = None,
        user_verified: bool = True,
        counter: int | None = None,
    ) -> str:
        """navigator.credentials.get() for CREDENTIAL_REQUEST_OPTIONS; the CREDENTIAL (a JSON string)."""
        if counter is None:
            self.counter += 1
            counter = self.counter
        rp = rp_id or options["rpId"]
        flags = UP | (UV if user_verified else 0)
        auth_data = hashlib.sha256(rp.encode()).digest() + bytes([flags]) + struct.pack(">I", counter)
        client_data = self._client_data("webauthn.get", challenge or options["challenge"], origin)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        response = {
            "clientDataJSON": b64url(client_data),
            "authenticatorData": b64url(auth_data),
            "signature": b64url(signature),
        }
        if self.user_handle is not None:
            response["userHandle"] = b64url(self.user_handle)
        return json.dumps(
            {
                "id": self.id,
                "rawId": self.id,
                "type": "public-key",
                "clientExtensionResults": {},
                "authenticatorAttachment": "platform",
                "response": response,
            }
        )
