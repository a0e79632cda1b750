"""The one source of time.

Everything that expires (codes, sessions, tokens, lockouts, TOTP windows) asks a Clock, never
``time.time()``. The offset used for time travel lives in the database (see ``store.state``) so that
every worker process agrees; a Clock only adds it to the real time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def utcnow() -> datetime:
    """Real wall-clock time, timezone-aware UTC."""
    return datetime.now(UTC)


class Clock:
    """Real time shifted by ``offset`` seconds (positive = the future)."""

    def __init__(self, offset_seconds: float = 0.0) -> None:
        self.offset_seconds = offset_seconds

    def now(self) -> datetime:
        return utcnow() + timedelta(seconds=self.offset_seconds)

    def timestamp(self) -> float:
        return self.now().timestamp()


def as_utc(value: datetime) -> datetime:
    """SQLite gives naive datetimes back: they are stored as UTC, so say so."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
