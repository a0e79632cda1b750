"""Writers of one SQLite database queue on a blocking lock instead of SQLite's busy timeout.

A writing transaction starts with ``BEGIN IMMEDIATE`` (see ``store.database``). When another writer holds
SQLite's write lock, SQLite's busy handler retries with sleeps that grow to 100 ms, so under load the lock
sat idle between writers: a profile of 16 concurrent USER_PASSWORD_AUTH sign-ins on one worker showed 38% of
the samples waiting in ``BEGIN IMMEDIATE`` and a p99 latency near 6 s. Here a writer first takes a
``WriteLock`` — a thread lock within the process, then ``flock`` on a file beside the database across
processes (uvicorn workers, the CLI) — whose waiters wake the moment it is released, right after the
previous writer's COMMIT or ROLLBACK has run. SQLite's own locking still decides what is correct; the busy
timeout stays for writers that do not use this lock (other tools on the same file).

Some operations usually only read although they may write: InitiateAuth with a refresh token writes only
when the client rotates refresh tokens (or a trigger runs). Those first run as readers, without the lock,
so that they run side by side in every worker; the first write ends such an attempt (``WriteNeeded``) and
the operation runs again as a writer. A reader sees one consistent snapshot of the database, so an attempt
that finishes without writing answers exactly what a writer would have answered at that moment.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import ORMExecuteState, Session

_HELD = "emulator_write_lock"


class WriteLock:
    """One writer at a time: a thread lock in this process, plus ``flock`` on ``path`` across processes."""

    def __init__(self, path: Path | None) -> None:
        self._thread_lock = threading.Lock()
        self._path = path
        self._fd: int | None = None

    def acquire(self) -> None:
        self._thread_lock.acquire()
        if self._path is None:
            return
        try:
            import fcntl

            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._thread_lock.release()
            raise

    def release(self) -> None:
        try:
            if self._fd is not None:
                import fcntl

                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def install(engine: Engine, database_file: Path | None) -> WriteLock:
    """Make ``engine``'s writing transactions (execution option ``emulator_write``) take a WriteLock first.

    ``database_file`` is the SQLite file (the lock file is ``<file>-writelock``), or None for an in-memory
    database, whose writers only need the thread lock. flock is POSIX; elsewhere only the thread lock is used.
    """
    lock_file = None
    if database_file is not None and os.name == "posix":
        lock_file = Path(f"{database_file}-writelock")
    lock = WriteLock(lock_file)

    def release(dbapi_connection: Any) -> None:
        try:
            info = dbapi_connection.info  # the pool's proxy of a connection
        except (AttributeError, NotImplementedError):
            # Not a pooled connection: a bare DBAPI connection has no .info, and SQLAlchemy's ad-hoc proxy
            # (_AdhocProxiedConnection) inherits ManagesConnection.info, which raises NotImplementedError.
            # Neither is one of ours that could hold the lock.
            return
        if info.pop(_HELD, False):
            lock.release()

    # Taken right before the statement that asks SQLite for its write lock (store.database's "begin" listener
    # sends it), whatever the order of the engine's listeners.
    @event.listens_for(engine, "before_cursor_execute")
    def _take(connection, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if statement != "BEGIN IMMEDIATE":
            return
        info = connection.connection.info
        if not info.get(_HELD):
            lock.acquire()
            info[_HELD] = True

    # Released once COMMIT or ROLLBACK has really run: SQLAlchemy's commit/rollback events fire before it.
    dialect = engine.dialect
    do_commit, do_rollback = dialect.do_commit, dialect.do_rollback

    def _do_commit(dbapi_connection: Any) -> None:
        try:
            do_commit(dbapi_connection)
        finally:
            release(dbapi_connection)

    def _do_rollback(dbapi_connection: Any) -> None:
        try:
            do_rollback(dbapi_connection)
        finally:
            release(dbapi_connection)

    dialect.do_commit = _do_commit  # type: ignore[method-assign]
    dialect.do_rollback = _do_rollback  # type: ignore[method-assign]

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
        # Never back in the pool with the lock (commit/rollback released it already; this is a safety net).
        if record.info.pop(_HELD, False):
            lock.release()

    return lock


# --- read-first attempts ---------------------------------------------------------------------------------
class WriteNeeded(Exception):
    """A read-only attempt at an operation (see ``Emulator.call``) reached a write or a side effect: the
    attempt is rolled back and the operation runs again as a writer."""


_READ_ATTEMPT = "emulator_read_attempt"


def guard_read_attempt(session: Session) -> None:
    """Make ``session`` raise WriteNeeded before its first write: a flush with changes, or an INSERT,
    UPDATE or DELETE statement. Nothing is written, so a rolled-back attempt leaves no trace."""
    session.info[_READ_ATTEMPT] = True

    @event.listens_for(session, "before_flush")
    def _flush(session: Session, flush_context: Any, instances: Any) -> None:
        if session.new or session.dirty or session.deleted:
            raise WriteNeeded()

    @event.listens_for(session, "do_orm_execute")
    def _execute(state: ORMExecuteState) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            raise WriteNeeded()


def in_read_attempt(session: Session) -> bool:
    """True while ``session`` is a read-only attempt: code about to cause an effect outside the database
    (a Lambda trigger) raises WriteNeeded first, so that the effect happens once, in the writing run."""
    return bool(session.info.get(_READ_ATTEMPT))
