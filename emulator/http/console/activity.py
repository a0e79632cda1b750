"""What the console's user page shows of a user's activity: their recorded sessions and auth events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from emulator.clock import as_utc
from emulator.engine.core import Emulator
from emulator.store.models import User, UserPool
from emulator.store.models_auth_events import AuthEvent
from emulator.userpools import threat_protection, user_sessions

EVENTS_SHOWN = 20


def user_activity(emulator: Emulator, session: Session, user: User, ctx: Any) -> dict[str, Any]:
    """Sessions (while tracking is on) and the latest auth events (while threat protection is on)."""
    pool = session.get(UserPool, user.pool_id)
    tracking = pool is not None and user_sessions.tracking_enabled(ctx, pool)
    sessions = [
        {
            "id": row.id,
            "client_id": row.client_id,
            "created_at": as_utc(row.created_at).isoformat(),
            "last_active_at": as_utc(row.last_active_at).isoformat(),
            "ip": row.ip_address,
        }
        for row in (user_sessions.active_sessions(ctx, user) if tracking else [])
    ]
    protected = pool is not None and threat_protection.enabled(pool)
    query = select(AuthEvent).where(AuthEvent.user_id == user.id).order_by(AuthEvent.created_at.desc())
    events = [
        {
            "type": event.event_type,
            "response": event.response,
            "created_at": as_utc(event.created_at).isoformat(),
            "feedback": (event.feedback or {}).get("FeedbackValue"),
        }
        for event in (session.scalars(query.limit(EVENTS_SHOWN)) if protected else [])
    ]
    return {"tracking": tracking, "sessions": sessions, "protected": protected, "events": events}
