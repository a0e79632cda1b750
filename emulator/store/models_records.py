"""Small named resources of a pool that Cognito stores and returns: terms documents, replicas, CIMD
policies, point-in-time recoveries. Each is one row with its API document as JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from emulator.store.models import Base


class PoolRecord(Base):
    """``kind`` says what it is ("terms", "replica", "cimd-policy", "restoration"); ``id`` is its API id,
    unique within the kind; ``client_id``, when set, ties it to an app client (deleted with it); ``name`` is
    what must be unique per client or pool (a terms name, a region)."""

    __tablename__ = "pool_records"
    __table_args__ = (Index("ix_pool_records_pool_kind", "pool_id", "kind", "created_at"),)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"))
    client_id: Mapped[str | None] = mapped_column(ForeignKey("user_pool_clients.id", ondelete="CASCADE"))
    name: Mapped[str | None] = mapped_column(String(256))
    status: Mapped[str | None] = mapped_column(String(64))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    modified_at: Mapped[datetime]
