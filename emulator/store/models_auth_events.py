"""Auth events of users (AdminListUserAuthEvents), recorded while threat protection is on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from emulator.store.models import Base


class AuthEvent(Base):
    __tablename__ = "auth_events"
    __table_args__ = (Index("ix_auth_events_user", "user_id", "created_at"),)
    id: Mapped[str] = mapped_column(String(50), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(32))
    response: Mapped[str] = mapped_column(String(16))
    # The rest of AuthEventType, in the API's shape: EventRisk, ChallengeResponses, EventContextData.
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    feedback: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The sha256 of the FeedbackToken sent in a notification email, if one was sent.
    feedback_token_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
