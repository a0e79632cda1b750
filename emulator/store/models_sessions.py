"""User sessions recorded while a pool's UserSessionTracking is ENABLED (ListUserSessions & co.)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from emulator.store.models import Base


class UserSession(Base):
    """A TOKEN session: one sign-in's refresh-token family (``origin_jti``), with what Cognito shows of it."""

    __tablename__ = "user_sessions"
    __table_args__ = (
        Index("ix_user_sessions_user", "user_id", "last_active_at"),
        Index("ix_user_sessions_origin", "origin_jti"),
    )
    id: Mapped[str] = mapped_column(String(28), primary_key=True)  # tkn + 25 [a-z0-9]
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(128))
    origin_jti: Mapped[str] = mapped_column(String(64))
    device_type: Mapped[str | None] = mapped_column(Text)
    ip_address: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime]
    last_active_at: Mapped[datetime]
