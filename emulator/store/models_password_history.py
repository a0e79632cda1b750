"""Hashes of a user's previous passwords, for the password policy's PasswordHistorySize."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from emulator.store.models import Base


class PasswordHistoryEntry(Base):
    """A password the user had before their current one, as its argon2id hash (never the password)."""

    __tablename__ = "password_history"
    __table_args__ = (Index("ix_password_history_user", "user_id", "replaced_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pool_id: Mapped[str] = mapped_column(String(55))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    password_hash: Mapped[str] = mapped_column(Text)
    replaced_at: Mapped[datetime]
