"""Engine and session setup, schema creation and upgrades (store.migrations), the recorded schema version.

SQLite (the default) runs in WAL mode with a busy timeout so that several worker processes can share one
file. A request that writes opens its transaction with ``BEGIN IMMEDIATE``: it takes the write lock up
front, so two writers queue on the busy timeout instead of deadlocking on a lock upgrade.

PostgreSQL gets the same discipline, so several processes or hosts on one database behave exactly like
one: a writing transaction starts by taking one transaction-scoped advisory lock. Operations were written
for serialised writers (look a username up, then insert it); without the lock two racing sign-ups of one
name would meet a unique constraint, not UsernameExistsException. Readers never wait for it.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select, update
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from emulator.store import migrations
from emulator.store.migrations import SchemaTooNewError
from emulator.store.models import Base, EmulatorState, SpareSigningKey

__all__ = ["Database", "SchemaTooNewError"]

log = logging.getLogger("emulator")

SQLITE_BUSY_TIMEOUT_SECONDS = 30
# pg_advisory_xact_lock key of the writers' lock (any constant; "cognito" in ASCII).
POSTGRES_WRITE_LOCK = 0x636F676E69746F
# Connections per process: Starlette runs each request in a thread pool of 40; a request that waits for
# a connection longer than pool_timeout would fail, so the pool never is the narrowest point. The pool keeps
# enough for the Cognito operations running at once (wire.READ_CALLS, wire.WRITE_CALLS) and a few other requests, so a
# steady load does not open and close overflow connections (each new SQLite connection runs its PRAGMAs).
POOL_SIZE = 10
# EmulatorState rows a reset keeps: the schema version, and the console's CSRF token (emulator.http.guard.csrf:
# an open console page works on).
KEPT_STATE = ("schema_version", "console_csrf_token")
MAX_OVERFLOW = 40


def normalise_url(url: str | URL) -> URL:
    """A SQLAlchemy URL, or a plain file path (no ``://``), which names a SQLite file: the most common first
    guess at ``--database``. ``postgresql://`` means psycopg (v3) when psycopg2, SQLAlchemy's default driver,
    is not installed."""
    if isinstance(url, str) and "://" not in url:
        url = "sqlite://" if url in ("", ":memory:") else f"sqlite:///{url}"
    parsed = make_url(url)
    if (
        parsed.drivername == "postgresql"
        and importlib.util.find_spec("psycopg2") is None
        and importlib.util.find_spec("psycopg") is not None
    ):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot name an emulator database (an unknown kind, a driver that is not installed), in
    one sentence; None when it can. Nothing is opened."""
    try:
        parsed = normalise_url(url)
        dialect = parsed.get_dialect()
    except NoSuchModuleError:  # a subclass of ArgumentError
        parsed = make_url(url)
        return (
            f"{parsed.render_as_string(hide_password=True)}: unknown kind of database {parsed.drivername!r} "
            "(use a file path, sqlite:///FILE or postgresql://USER:PASSWORD@HOST/DATABASE)"
        )
    except ArgumentError:
        return f"{url!r} is neither a database URL nor a file path (try sqlite:///path/to/file.db)"
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        if parsed.get_backend_name() == "postgresql":
            return "PostgreSQL needs its driver: pip install 'cognito-emulator[postgres]'"
        return (
            f"{parsed.get_backend_name()} needs its Python driver ({exc.name or exc}), which is not installed"
        )
    return None


class Database:
    """One database: its engine, its sessions, its schema."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        # An in-memory SQLite database is one connection that every thread shares.
        self.is_memory = self.is_sqlite and self.url.database in (None, "", ":memory:")
        self.engine = self._create_engine()
        self._write_engine = self.engine.execution_options(emulator_write=True)
        self._sessions = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(bind=self._write_engine, expire_on_commit=False)

    def _create_engine(self) -> Engine:
        if not self.is_sqlite:
            return self._create_server_engine()
        database = self.url.database
        in_memory = not database or database == ":memory:"
        if not in_memory:
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            self.url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            **(
                {"poolclass": StaticPool}
                if in_memory
                else {"pool_size": POOL_SIZE, "max_overflow": MAX_OVERFLOW}
            ),
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            # Let SQLAlchemy's "begin" event below emit BEGIN itself.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
            write = connection.get_execution_options().get("emulator_write", False)
            connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine

    def _create_server_engine(self) -> Engine:
        engine = create_engine(self.url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=MAX_OVERFLOW)
        if self.url.get_backend_name() == "postgresql":

            @event.listens_for(engine, "begin")
            def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
                # Writers one at a time, across every process on this database (see the module's doc).
                if connection.get_execution_options().get("emulator_write", False):
                    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({POSTGRES_WRITE_LOCK})")

        return engine

    def session(self, write: bool = True) -> Session:
        """A new ORM session; ``write`` sessions take the write lock at their first statement."""
        return (self._write_sessions if write else self._sessions)()

    def create_schema(self) -> None:
        """Create the tables of a new database, or bring an older one up to date (store.migrations), in
        one writing transaction: two processes starting on one database take turns."""
        with self._write_engine.begin() as connection:
            self.created_tables = migrations.recorded_version(connection) is None
            self.migrated = migrations.upgrade(connection)
            # A read-only database (a read-only SQLite file, a read-only role) fails here, at start, rather
            # than at the first request that writes: an up-to-date schema alone writes nothing.
            state = EmulatorState.__table__
            connection.execute(
                update(state).where(state.c.key == migrations.VERSION_KEY).values(value=state.c.value)
            )
        for line in self.migrated:
            log.info("database %s: %s", self.describe(), line)

    def wipe(self) -> None:
        """Delete every row except the emulator's own bookkeeping (KEPT_STATE) and the spare signing keys,
        which belong to no pool and are the reason the next pool is quick to create."""
        with self.session() as session, session.begin():
            self._wipe(session)

    def _wipe(self, session: Session) -> None:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name == SpareSigningKey.__tablename__:
                continue
            if table.name == EmulatorState.__tablename__:
                session.execute(table.delete().where(table.c.key.not_in(KEPT_STATE)))
            else:
                session.execute(table.delete())

    def world_rows(self, limit: int) -> dict[str, list[dict[str, Any]]] | None:
        """Every row a wipe would delete, by table (None when there are more than ``limit``): the world as it
        is, to be written back by ``restore``."""
        rows: dict[str, list[dict[str, Any]]] = {}
        count = 0
        with self.session(write=False) as session:
            for table in Base.metadata.sorted_tables:
                if table.name in (SpareSigningKey.__tablename__, EmulatorState.__tablename__):
                    continue
                found = [dict(row._mapping) for row in session.execute(table.select().limit(limit + 1))]
                count += len(found)
                if count > limit:
                    return None
                if found:
                    rows[table.name] = found
        return rows

    def restore(self, rows: dict[str, list[dict[str, Any]]]) -> None:
        """Wipe, then write back rows from ``world_rows``, in one transaction. Their integer ids came from
        the same sequences (PostgreSQL) or are taken again (SQLite), so later inserts never collide."""
        with self.session() as session, session.begin():
            self._wipe(session)
            for table in Base.metadata.sorted_tables:
                if rows.get(table.name):
                    session.execute(table.insert(), rows[table.name])

    def get_state(self, session: Session, key: str) -> str | None:
        return session.scalar(select(EmulatorState.value).where(EmulatorState.key == key))

    def describe(self) -> str:
        """The URL without its password, for banners and logs."""
        return self.url.render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()
