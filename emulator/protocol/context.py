"""What an operation gets besides its request: the database session, the time, the settings, the caller."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from emulator.config import Settings

if TYPE_CHECKING:
    from emulator.engine.core import Emulator
    from emulator.userpools.password_work import PasswordWork


@dataclass
class Context:
    db: Session
    emulator: Emulator
    # The time of this request, from the emulator's clock (time travel included); fixed for the request.
    now: datetime
    region: str
    operation: str
    request_id: str
    # Facts about the HTTP caller, for triggers' callerContext and logs.
    caller: dict[str, Any] = field(default_factory=dict)
    # What the request log line should say about the request (pool, user), filled in by operations.
    log: dict[str, Any] = field(default_factory=dict)
    # argon2id and SRP answers computed before the write lock was taken (emulator.userpools.password_work).
    password_work: PasswordWork | None = None

    @property
    def settings(self) -> Settings:
        return self.emulator.settings

    @property
    def account_id(self) -> str:
        return self.emulator.settings.account_id
