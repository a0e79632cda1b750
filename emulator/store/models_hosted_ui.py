"""Tables of the hosted login pages: the browser sessions of a user pool domain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from emulator.store.models import Base


class HostedUISession(Base):
    """A browser signed in on a pool's hosted pages: the domain session cookie, stored only as its hash.

    While it lives, /oauth2/authorize for the same client answers with a code at once (no login page)."""

    __tablename__ = "hosted_ui_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie's value
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # COGNITO for the pool's own users (identity providers come with federation).
    provider: Mapped[str] = mapped_column(String(64), default="COGNITO")
    auth_time: Mapped[datetime]
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    ended_at: Mapped[datetime | None]
