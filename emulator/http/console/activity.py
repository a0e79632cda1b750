"""What the console shows of activity: a user's recorded sessions and auth events, a pool's user import jobs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from emulator.clock import as_utc
from emulator.engine.core import Emulator
from emulator.store.models import User, UserPool
from emulator.store.models_auth_events import AuthEvent
from emulator.store.models_user_import import UserImportJob
from emulator.userpools import threat_protection, user_import, user_sessions

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


def import_jobs(emulator: Emulator, session: Session, pool_id: str) -> list[dict[str, Any]]:
    """The pool's user import jobs, newest first, with their status as DescribeUserImportJob gives it."""
    now = emulator.now(session)
    query = (
        select(UserImportJob)
        .where(UserImportJob.pool_id == pool_id)
        .order_by(UserImportJob.created_at.desc())
    )
    return [
        {
            "id": job.id,
            "name": job.name,
            "status": user_import.status(job, now),
            "imported": job.imported,
            "skipped": job.skipped,
            "failed": job.failed,
            "created_at": as_utc(job.created_at).isoformat(),
        }
        for job in session.scalars(query.limit(EVENTS_SHOWN))
    ]
