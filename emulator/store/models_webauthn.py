"""Passkeys (WebAuthn): users' registered credentials, registrations under way, and passkey MFA settings.

Only public material is kept: a credential's COSE public key (the private key never leaves the
authenticator) and the challenges handed to the browser, which are single use and expire.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from emulator.store.models import Base


class WebAuthnCredential(Base):
    """A passkey of a user: CompleteWebAuthnRegistration stores it, a WEB_AUTHN sign-in checks against it."""

    __tablename__ = "webauthn_credentials"
    __table_args__ = (UniqueConstraint("pool_id", "credential_id", name="uq_webauthn_pool_credential"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # base64url of the raw credential id, as browsers' toJSON() and Cognito's CredentialId spell it.
    credential_id: Mapped[str] = mapped_column(String(1400))
    # base64url of the COSE_Key from the attested credential data.
    public_key: Mapped[str] = mapped_column(Text)
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    aaguid: Mapped[str | None] = mapped_column(String(36))
    relying_party_id: Mapped[str] = mapped_column(String(127))
    friendly_name: Mapped[str] = mapped_column(String(256))
    attachment: Mapped[str | None] = mapped_column(String(32))
    transports: Mapped[list[Any]] = mapped_column(JSON, default=list)
    user_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]


class WebAuthnRegistration(Base):
    """A registration under way: the challenge StartWebAuthnRegistration gave out (one per user at a time)."""

    __tablename__ = "webauthn_registrations"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(128))
    # base64url of the challenge bytes.
    challenge: Mapped[str] = mapped_column(String(128))
    relying_party_id: Mapped[str] = mapped_column(String(127))
    user_verification: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[datetime]


class WebAuthnUserSetting(Base):
    """A user's passkey MFA (WebAuthnMfaSettings of (Admin)SetUserMFAPreference)."""

    __tablename__ = "webauthn_user_settings"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"), index=True)
    mfa_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
