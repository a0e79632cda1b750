"""Tables of the OAuth 2.0 endpoints of a pool domain: authorization codes (only their hashes) and the scopes
granted to a hosted-UI sign-in, which its refreshed tokens keep."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from emulator.store.models import Base


class AuthorizationCode(Base):
    """A code from /oauth2/authorize: single use, expiring; only its SHA-256 is kept."""

    __tablename__ = "oauth_authorization_codes"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    redirect_uri: Mapped[str] = mapped_column(Text)
    scopes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    nonce: Mapped[str | None] = mapped_column(Text)
    code_challenge: Mapped[str | None] = mapped_column(String(128))
    code_challenge_method: Mapped[str | None] = mapped_column(String(16))
    auth_time: Mapped[datetime]
    # What else the tokens must carry (e.g. a device key, a federated sign-in's facts), for later issues.
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class OAuthGrant(Base):
    """The scopes granted to a sign-in through the pool's domain (authorize, the token endpoint), by the
    sign-in's ``origin_jti``: its tokens, refreshed ones included, carry them."""

    __tablename__ = "oauth_grants"
    origin_jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(128))
    scopes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]
