"""The custom sender triggers: CustomEmailSender and CustomSMSSender send Cognito's messages instead of it.

When a pool's LambdaConfig names one, an email (or SMS) that carries a code is not sent (it does not reach the
outbox): the function is invoked with ``request.type`` customEmailSenderRequestV1 (customSMSSenderRequestV1),
the user's attributes and ``request.code``, the code (or the temporary password) encrypted for the function.

Cognito encrypts the code with the AWS Encryption SDK under the pool's KMSKeyID. The emulator has no KMS: it
encrypts with AES-256-GCM under a key derived from the KMSKeyID (HKDF-SHA256), and ``request.code`` is
base64(12-byte nonce + ciphertext + tag). ``decrypt_code(code, kms_key_id)`` gives the code back, in a test or
in a handler that runs against the emulator.
"""

from __future__ import annotations

import base64
import contextlib
import os
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select

from emulator.protocol.context import Context
from emulator.protocol.errors import InvalidLambdaResponseException
from emulator.store.models import User, UserPool
from emulator.userpools.triggers.events import base_event, user_attributes
from emulator.userpools.triggers.invoke import configured, invoke

_SOURCES = {
    "SIGN_UP": "SignUp",
    "FORGOT_PASSWORD": "ForgotPassword",
    "INVITATION": "AdminCreateUser",
    "SMS_MFA": "Authentication",
    "EMAIL_OTP": "Authentication",
    "SMS_OTP": "Authentication",
    "EMAIL_OTP_SIGNIN": "Authentication",
}


def _key(kms_key_id: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"cognito-emulator", info=b"custom-sender-code"
    ).derive(kms_key_id.encode())


def encrypt_code(code: str, kms_key_id: str) -> str:
    nonce = os.urandom(12)
    return base64.b64encode(nonce + AESGCM(_key(kms_key_id)).encrypt(nonce, code.encode(), None)).decode()


def decrypt_code(ciphertext: str, kms_key_id: str) -> str:
    """The code a custom sender trigger got in ``request.code``, in plain text."""
    raw = base64.b64decode(ciphertext)
    return AESGCM(_key(kms_key_id)).decrypt(raw[:12], raw[12:], None).decode()


def _source(ctx: Context, purpose: str) -> str | None:
    if purpose.startswith("VERIFY_ATTRIBUTE"):
        updating = ctx.operation in ("UpdateUserAttributes", "AdminUpdateUserAttributes")
        return "UpdateUserAttribute" if updating else "VerifyUserAttribute"
    if purpose == "SIGN_UP" and ctx.operation == "ResendConfirmationCode":
        return "ResendCode"
    return _SOURCES.get(purpose)


def takes_over(
    ctx: Context, pool: UserPool, *, channel: str, purpose: str, username: str, code: str | None
) -> bool:
    """Invoke the pool's custom sender for this message, if it has one; True when the message is its to send."""
    trigger = "CustomEmailSender" if channel == "EMAIL" else "CustomSMSSender"
    source = _source(ctx, purpose)
    if code is None or source is None or not configured(pool, trigger):
        return False
    kms_key_id = (pool.config.get("LambdaConfig") or {}).get("KMSKeyID") or ""
    user = ctx.db.scalar(select(User).where(User.pool_id == pool.id, User.username == username))
    request: dict[str, Any] = {
        "type": "customEmailSenderRequestV1" if channel == "EMAIL" else "customSMSSenderRequestV1",
        "code": encrypt_code(code, kms_key_id),
        "clientMetadata": {},
        "userAttributes": user_attributes(user),
    }
    event = base_event(ctx, pool, f"{trigger}_{source}", username, None, request)
    # A sender's answer is not read: one that returns nothing is fine.
    with contextlib.suppress(InvalidLambdaResponseException):
        invoke(ctx, pool, trigger, event)
    return True
