"""Settings documents kept per pool, or per app client, beside the pool's own config (``pool_settings``)."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from emulator.store.models_settings import PoolSetting


def _row(db: Session, pool_id: str, kind: str, scope: str) -> PoolSetting | None:
    query = select(PoolSetting).where(
        PoolSetting.pool_id == pool_id, PoolSetting.kind == kind, PoolSetting.scope == scope
    )
    return db.scalar(query)


def get(db: Session, pool_id: str, kind: str, scope: str = "") -> dict[str, Any] | None:
    """A copy of the stored document, or None."""
    row = _row(db, pool_id, kind, scope)
    return copy.deepcopy(row.document) if row is not None else None


def put(
    db: Session,
    pool_id: str,
    kind: str,
    document: dict[str, Any],
    now: datetime,
    *,
    scope: str = "",
    client_id: str | None = None,
) -> None:
    """Store (replace) a document; ``client_id`` ties it to a client (scope is then the client id)."""
    if client_id is not None:
        scope = client_id
    row = _row(db, pool_id, kind, scope)
    if row is None:
        row = PoolSetting(
            pool_id=pool_id, kind=kind, scope=scope, client_id=client_id, document={}, modified_at=now
        )
        db.add(row)
    row.document = copy.deepcopy(document)
    row.modified_at = now
    db.flush()


def remove(db: Session, pool_id: str, kind: str, scope: str = "") -> bool:
    row = _row(db, pool_id, kind, scope)
    if row is None:
        return False
    db.delete(row)
    db.flush()
    return True


def all_of_kind(db: Session, pool_id: str, kind: str) -> list[tuple[str, dict[str, Any]]]:
    query = select(PoolSetting).where(PoolSetting.pool_id == pool_id, PoolSetting.kind == kind)
    return [(row.scope, copy.deepcopy(row.document)) for row in db.scalars(query.order_by(PoolSetting.scope))]
