"""App client secrets beyond the one a client is created with (AddUserPoolClientSecret, 2026)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from emulator.store.models import Base


class ClientSecret(Base):
    """One active secret of an app client. A client gets rows here from its first secret operation on
    (its original secret, ``user_pool_clients.secret``, becomes the first row); until then its original
    secret is its only one. The value is kept because SECRET_HASH is an HMAC keyed with it."""

    __tablename__ = "client_secrets"
    __table_args__ = (Index("ix_client_secrets_client", "client_id", "created_at"),)
    id: Mapped[str] = mapped_column(String(160), primary_key=True)  # <client-id>--<epoch milliseconds>
    pool_id: Mapped[str] = mapped_column(ForeignKey("user_pools.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("user_pool_clients.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]
