"""Lookups and listing of a pool's small stored resources (``pool_records``), with Cognito-style pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from emulator.protocol.errors import InvalidParameterException
from emulator.store.models_records import PoolRecord
from emulator.userpools.pools import decode_token, encode_token


def add(
    db: Session,
    kind: str,
    record_id: str,
    pool_id: str,
    document: dict[str, Any],
    now: datetime,
    *,
    client_id: str | None = None,
    name: str | None = None,
    status: str | None = None,
) -> PoolRecord:
    row = PoolRecord(
        kind=kind,
        id=record_id,
        pool_id=pool_id,
        client_id=client_id,
        name=name,
        status=status,
        document=document,
        created_at=now,
        modified_at=now,
    )
    db.add(row)
    db.flush()
    return row


def get(db: Session, kind: str, record_id: str, pool_id: str) -> PoolRecord | None:
    row = db.get(PoolRecord, (kind, record_id))
    return row if row is not None and row.pool_id == pool_id else None


def find(
    db: Session, kind: str, pool_id: str, *, client_id: str | None = None, name: str | None = None
) -> PoolRecord | None:
    query = select(PoolRecord).where(PoolRecord.kind == kind, PoolRecord.pool_id == pool_id)
    if client_id is not None:
        query = query.where(PoolRecord.client_id == client_id)
    if name is not None:
        query = query.where(PoolRecord.name == name)
    return db.scalars(query.limit(1)).first()


def all_of(db: Session, kind: str, pool_id: str) -> list[PoolRecord]:
    query = select(PoolRecord).where(PoolRecord.kind == kind, PoolRecord.pool_id == pool_id)
    return list(db.scalars(query.order_by(PoolRecord.created_at, PoolRecord.id)))


def page(rows: list[PoolRecord], next_token: str | None, limit: int) -> tuple[list[PoolRecord], str | None]:
    """One page of ``rows`` after ``next_token`` (a record id), and the token of the next page."""
    start = 0
    if next_token:
        wanted = decode_token(next_token)
        start = next((index for index, row in enumerate(rows) if row.id == wanted), -1)
        if start < 0:
            raise InvalidParameterException("Invalid pagination token.")
    chosen = rows[start : start + limit]
    following = encode_token(rows[start + limit].id) if len(rows) > start + limit else None
    return chosen, following
