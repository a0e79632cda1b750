"""The emulator as an object: settings, database and the operation registry, callable without HTTP.

The wire (HTTP), the pytest plugin and the CLI all go through ``Emulator.call``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from emulator import ids
from emulator.clock import utcnow
from emulator.config import Settings
from emulator.protocol import service_model
from emulator.protocol.context import Context
from emulator.protocol.errors import (
    CognitoError,
    InternalErrorException,
    NotImplementedException,
    UnknownOperationException,
)
from emulator.store import Database, write_lock
from emulator.store.models import EmulatorState
from emulator.store.write_lock import WriteNeeded
from emulator.userpools import password_work, tokens
from emulator.userpools.operations import Operation, load_all
from emulator.userpools.password_work import PasswordWork
from emulator.userpools.tokens import spare_keys
from emulator.userpools.triggers import targets

log = logging.getLogger("emulator")

T = TypeVar("T")

CLOCK_OFFSET_KEY = "clock_offset_seconds"
_STATE = EmulatorState.__table__
_CLOCK_OFFSET_QUERY = select(_STATE.c.value).where(_STATE.c.key == CLOCK_OFFSET_KEY)


class Emulator:
    def __init__(self, settings: Settings, *, create_schema: bool = True) -> None:
        self.settings = settings
        self.database = Database(settings.database)
        if self.database.is_sqlite:
            # Writers queue on a blocking lock, not on SQLite's sleeping busy handler (store.write_lock).
            name = self.database.url.database
            self._write_lock = write_lock.install(
                self.database.engine, Path(name) if name and name != ":memory:" else None
            )
        if create_schema:
            self.database.create_schema()
        self.operations = load_all()
        # Pools take their RSA keys from a stock made ahead in the background (userpools.tokens.spare_keys).
        self.spare_keys = spare_keys.SpareKeys(self.database)
        # Called after a reset, e.g. to load the start-up fixtures again (emulator.worlds plugs them in).
        self.after_reset: list[Callable[[Emulator], None]] = []
        self.apply_trigger_settings()

    # --- the clock -------------------------------------------------------------------------------------
    def clock_offset(self, session: Session) -> float:
        """Seconds the emulator's clock is ahead of real time (time travel); kept in the database."""
        # Read for every request, so on the session's connection with a prebuilt Core statement: through the
        # ORM this one-row read was 19% of an AdminGetUser's CPU in a profile.
        value = session.connection().scalar(_CLOCK_OFFSET_QUERY)
        return float(value) if value else 0.0

    def now(self, session: Session) -> datetime:
        # The query first: in a writing session it waits for the write lock, and the request's time must be
        # read after that wait (else a request that queued behind another looks earlier than its writes).
        offset = self.clock_offset(session)
        return utcnow() + timedelta(seconds=offset)

    def set_clock_offset(self, seconds: float) -> None:
        with self.database.session() as session, session.begin():
            row = session.get(EmulatorState, CLOCK_OFFSET_KEY)
            if row is None:
                session.add(EmulatorState(key=CLOCK_OFFSET_KEY, value=repr(float(seconds))))
            else:
                row.value = repr(float(seconds))

    # --- operations ------------------------------------------------------------------------------------
    def call(
        self,
        name: str,
        body: dict[str, Any],
        *,
        region: str | None = None,
        request_id: str | None = None,
        caller: dict[str, Any] | None = None,
        log_fields: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Run one API operation in one database transaction and return its response."""
        if name not in service_model.model()["operations"]:
            raise UnknownOperationException(f"Unknown operation {name}")
        operation = self.operations.get(name)
        if operation is None:
            raise NotImplementedException(f"{name} is not implemented by this emulator yet")
        service_model.validate_request(name, body)
        if operation.writes and operation.read_first is not None and operation.read_first(body):
            try:
                return self._run(operation, body, region, request_id, caller, log_fields, read_attempt=True)
            except WriteNeeded:
                # It had to write after all: once more, as a writer (the attempt wrote nothing).
                if log_fields is not None:
                    log_fields.clear()
        # argon2id and SRP work the writer will need, done before it takes the write lock.
        work = password_work.prepare(self, name, body) if password_work.applies(name) else None
        return self._run(
            operation, body, region, request_id, caller, log_fields, read_attempt=False, password_work=work
        )

    def _run(
        self,
        operation: Operation,
        body: dict[str, Any],
        region: str | None,
        request_id: str | None,
        caller: dict[str, Any] | None,
        log_fields: dict[str, Any] | None,
        *,
        read_attempt: bool,
        password_work: PasswordWork | None = None,
    ) -> dict[str, Any]:
        name = operation.name
        session = self.database.session(write=operation.writes and not read_attempt)
        if read_attempt:
            write_lock.guard_read_attempt(session)
        try:
            ctx = Context(
                db=session,
                emulator=self,
                now=self.now(session),
                region=region or self.settings.region,
                operation=name,
                request_id=request_id or ids.request_id(),
                caller=caller or {},
                log=log_fields if log_fields is not None else {},
                password_work=password_work,
            )
            result = operation.handler(ctx, body)
            session.commit()
        except WriteNeeded:
            session.rollback()
            raise
        except CognitoError:
            # What the operation committed on purpose before raising (e.g. a failed-attempt counter) stays.
            session.rollback()
            raise
        except Exception as exc:
            session.rollback()
            log.exception("internal error in %s", name)
            raise InternalErrorException(f"Internal error in {name}: {type(exc).__name__}") from exc
        finally:
            session.close()
        # Tokens are signed now that the transaction (and the write lock) is over (tokens.UnsignedToken).
        return tokens.sign_pending(result)

    def run(
        self,
        handler: Callable[[Context], T],
        *,
        name: str,
        writes: bool = True,
        region: str | None = None,
        request_id: str | None = None,
        caller: dict[str, Any] | None = None,
    ) -> T:
        """Run ``handler(ctx)`` in one database transaction at the request's time, as ``call`` runs an
        operation: for what is not an API operation (the OAuth 2.0 endpoints and hosted pages of a pool
        domain). ``name`` stands in for the operation name (``ctx.operation``, logs). A CognitoError (the
        OAuth errors are ones) rolls back and is raised; anything else is an InternalErrorException.
        UnsignedTokens in a dict result's ``AuthenticationResult`` are signed after the commit."""
        session = self.database.session(write=writes)
        try:
            ctx = Context(
                db=session,
                emulator=self,
                now=self.now(session),
                region=region or self.settings.region,
                operation=name,
                request_id=request_id or ids.request_id(),
                caller=caller or {},
            )
            result = handler(ctx)
            session.commit()
        except CognitoError:
            session.rollback()
            raise
        except Exception as exc:
            session.rollback()
            log.exception("internal error in %s", name)
            raise InternalErrorException(f"Internal error in {name}: {type(exc).__name__}") from exc
        finally:
            session.close()
        if isinstance(result, dict):
            tokens.sign_pending(result)
        return result

    def apply_trigger_settings(self) -> None:
        """Record where Lambda triggers run (from settings) in the database, where every worker reads it."""
        mappings = [targets.parse_mapping(item) for item in self.settings.triggers]
        if self.settings.lambda_endpoint:
            mappings.append(("*", self.settings.lambda_endpoint))
        if mappings:
            with self.database.session() as session, session.begin():
                for name, target in mappings:
                    targets.set_target(session, name, target)

    def reset(self) -> None:
        """Wipe every pool, user, code and message; then run the after-reset hooks (fixtures)."""
        with self.database.session(write=False) as session:
            # A pool that the fixtures recreate with the same id gets its keys back: RSA key generation is
            # most of the cost of a reset otherwise.
            tokens.retire_keys(session)
        self.database.wipe()
        for hook in self.after_reset:
            hook(self)
        self.apply_trigger_settings()

    def close(self) -> None:
        self.spare_keys.close()
        self.database.dispose()
        if getattr(self, "_write_lock", None) is not None:
            self._write_lock.close()
