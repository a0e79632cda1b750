"""The devices of a user as the console's user page shows them (read from the store; forgetting one is the
AdminForgetDevice action of the page)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from emulator.clock import as_utc
from emulator.store.models import Device, User, UserPool
from emulator.userpools import devices


def user_devices(session: Session, pool: UserPool, user: User) -> dict[str, Any]:
    """Whether the pool tracks devices, and the user's confirmed devices (newest first)."""
    rows = session.scalars(
        select(Device)
        .where(Device.user_id == user.id, Device.confirmed_at.is_not(None))
        .order_by(Device.created_at.desc(), Device.key)
    )
    listed = [
        {
            "key": row.key,
            "name": row.name,
            "status": devices.REMEMBERED if row.remembered else devices.NOT_REMEMBERED,
            "last_ip": row.attributes.get("last_ip_used"),
            "created_at": as_utc(row.created_at).isoformat(),
            "last_authenticated_at": (
                as_utc(row.last_authenticated_at).isoformat() if row.last_authenticated_at else None
            ),
        }
        for row in rows
    ]
    return {"tracking": devices.tracking(pool), "items": listed}
