"""A reset: every pool, user, code and message wiped, then the declared worlds loaded again.

Loading a world again is most of a reset's cost (every fixture password hashed with argon2id and given an
SRP verifier, every alias written). So when every after-reset hook says what it loads (``ResetHook`` with a
``fingerprint``, e.g. a digest of its files) and none of that changed since the last reset, the rows the
hooks wrote then are written back instead, every date in them moved on by the time since (so a temporary
password or a code is as fresh as after a real load). The result is the same world: the same ids, subs,
hashes and signing keys, as if the files had been loaded again by this process. A hook without a fingerprint (or a
world of more than ``SNAPSHOT_ROW_LIMIT`` rows) is loaded for real every time, as before.

The snapshot lives in the process: each worker takes its own at its first reset. That is no less consistent
than loading again, which also made new subs and hashes at every reset.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from emulator.clock import utcnow

if TYPE_CHECKING:
    from emulator.engine.core import Emulator

SNAPSHOT_ROW_LIMIT = 100_000


@dataclass(frozen=True)
class ResetHook:
    """What a reset runs again: ``load(emulator)``; ``fingerprint()`` names what it loads (None: unknown)."""

    load: Callable[[Emulator], None]
    fingerprint: Callable[[], str | None] | None = None

    def __call__(self, emulator: Emulator) -> None:
        self.load(emulator)


@dataclass
class _Snapshot:
    fingerprint: tuple[str, ...]
    rows: dict[str, list[dict[str, Any]]]
    # Real time when the rows were loaded (a reset sets the emulator's clock back to real time first).
    taken_at: datetime

    def rows_now(self) -> dict[str, list[dict[str, Any]]]:
        delta = utcnow() - self.taken_at
        return {
            table: [
                {key: value + delta if isinstance(value, datetime) else value for key, value in row.items()}
                for row in rows
            ]
            for table, rows in self.rows.items()
        }


class Resetter:
    """Wipes and reloads an emulator's database; keeps the last reloaded world to write back."""

    def __init__(self) -> None:
        self._snapshot: _Snapshot | None = None

    def reset(self, emulator: Emulator, hooks: list[Callable[[Emulator], None]]) -> None:
        fingerprint = _fingerprint(hooks)
        snapshot = self._snapshot
        if fingerprint is not None and snapshot is not None and snapshot.fingerprint == fingerprint:
            emulator.database.restore(snapshot.rows_now())
            return
        self._snapshot = None
        emulator.retire_keys()
        emulator.database.wipe()
        taken_at = utcnow()
        for hook in hooks:
            hook(emulator)
        if fingerprint is not None and hooks:
            rows = emulator.database.world_rows(SNAPSHOT_ROW_LIMIT)
            if rows is not None:
                self._snapshot = _Snapshot(fingerprint, rows, taken_at)


def _fingerprint(hooks: list[Callable[[Emulator], None]]) -> tuple[str, ...] | None:
    parts = []
    for hook in hooks:
        if not isinstance(hook, ResetHook) or hook.fingerprint is None:
            return None
        part = hook.fingerprint()
        if part is None:
            return None
        parts.append(part)
    return tuple(parts)
