"""Credentials in STS's shape for an identity's role (GetCredentialsForIdentity), valid one hour on the
emulator's clock.

They are NOT AWS credentials: no AWS service accepts them. The emulator itself does, when it runs with
``--iam-credentials``: a request signed with them (and carrying their session token) passes its SigV4 check
until they expire. The secret is kept as it is (a signature can only be checked with it); the session token
only as its SHA-256.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from emulator.clock import as_utc
from emulator.protocol.context import Context
from emulator.store.models_identity import Identity, IssuedCredentials

VALIDITY = timedelta(hours=1)
_UPPER_ALNUM = string.ascii_uppercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"


def token_hash(session_token: str) -> str:
    return hashlib.sha256(session_token.encode("utf-8")).hexdigest()


def issue(ctx: Context, identity: Identity, role_arn: str) -> dict[str, Any]:
    access_key_id = "ASIA" + "".join(secrets.choice(_UPPER_ALNUM) for _ in range(16))
    secret_key = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))
    # STS session tokens are long opaque base64 strings; this one means nothing but itself.
    session_token = "IQoJb3JpZ2luX2Vj" + base64.b64encode(secrets.token_bytes(384)).decode("ascii")
    expires_at = ctx.now + VALIDITY
    ctx.db.add(
        IssuedCredentials(
            access_key_id=access_key_id,
            identity_id=identity.id,
            secret_key=secret_key,
            session_token_hash=token_hash(session_token),
            role_arn=role_arn,
            expires_at=expires_at,
        )
    )
    return {
        "AccessKeyId": access_key_id,
        "SecretKey": secret_key,
        "SessionToken": session_token,
        "Expiration": expires_at.replace(microsecond=0),
    }


@dataclass(frozen=True)
class Issued:
    access_key_id: str
    secret_key: str
    session_token_hash: str
    role_arn: str


def lookup(db: Session, access_key_id: str, now: datetime) -> Issued | None:
    """Credentials this emulator issued and that have not expired (on its clock), or None."""
    if not access_key_id.startswith("ASIA"):
        return None
    row = db.get(IssuedCredentials, access_key_id)
    if row is None or as_utc(row.expires_at) <= now:
        return None
    return Issued(row.access_key_id, row.secret_key, row.session_token_hash, row.role_arn)
