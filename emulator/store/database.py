"""Engine and session setup, schema creation and the recorded schema version.

SQLite (the default) runs in WAL mode with a busy timeout so that several worker processes can share one
file. A request that writes opens its transaction with ``BEGIN IMMEDIATE``: it takes the write lock up
front, so two writers queue on the busy timeout instead of deadlocking on a lock upgrade.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from emulator.store.models import SCHEMA_VERSION, Base, EmulatorState

SQLITE_BUSY_TIMEOUT_SECONDS = 30


class SchemaTooNewError(RuntimeError):
    pass


class Database:
    """One database: its engine, its sessions, its schema."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.engine = self._create_engine()
        self._write_engine = self.engine.execution_options(emulator_write=True)
        self._sessions = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(bind=self._write_engine, expire_on_commit=False)

    def _create_engine(self) -> Engine:
        if not self.is_sqlite:
            return create_engine(self.url, pool_pre_ping=True)
        database = self.url.database
        in_memory = not database or database == ":memory:"
        if not in_memory:
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            self.url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            poolclass=StaticPool if in_memory else None,
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

    def session(self, write: bool = True) -> Session:
        """A new ORM session; ``write`` sessions take the write lock at their first statement."""
        return (self._write_sessions if write else self._sessions)()

    def create_schema(self) -> None:
        """Create missing tables and record (or check) the schema version."""
        existing = set(inspect(self.engine).get_table_names())
        Base.metadata.create_all(self.engine)
        with self.session() as session, session.begin():
            row = session.get(EmulatorState, "schema_version")
            if row is None:
                session.add(EmulatorState(key="schema_version", value=str(SCHEMA_VERSION)))
            elif int(row.value) > SCHEMA_VERSION:
                raise SchemaTooNewError(
                    f"the database has schema version {row.value}, newer than this emulator's {SCHEMA_VERSION}"
                )
            elif int(row.value) < SCHEMA_VERSION:
                # Migrations from older schema versions are applied here, one version at a time.
                row.value = str(SCHEMA_VERSION)
        self.created_tables = not existing

    def wipe(self) -> None:
        """Delete every row except the emulator's own bookkeeping (schema version)."""
        with self.session() as session, session.begin():
            for table in reversed(Base.metadata.sorted_tables):
                if table.name == EmulatorState.__tablename__:
                    session.execute(table.delete().where(table.c.key != "schema_version"))
                else:
                    session.execute(table.delete())

    def get_state(self, session: Session, key: str) -> str | None:
        return session.scalar(select(EmulatorState.value).where(EmulatorState.key == key))

    def describe(self) -> str:
        """The URL without its password, for banners and logs."""
        return self.url.render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()
