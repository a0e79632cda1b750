"""Settings documents of a pool or of one of its app clients that Cognito keeps beside UserPoolType:
session configuration, log delivery, threat protection (risk configuration), provisioned limits, ..."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from emulator.store.models import Base


class PoolSetting(Base):
    """One settings document, in the API's own shape. ``scope`` is "" for the pool, else a client id (and
    ``client_id`` then names the client, so that deleting the client deletes its settings)."""

    __tablename__ = "pool_settings"
    __table_args__ = (UniqueConstraint("pool_id", "kind", "scope", name="uq_pool_settings_kind_scope"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(256), default="")
    client_id: Mapped[str | None] = mapped_column(ForeignKey("user_pool_clients.id", ondelete="CASCADE"))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    modified_at: Mapped[datetime]
