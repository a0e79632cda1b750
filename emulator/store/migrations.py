"""Schema upgrades: a database written by an older emulator opens with this one.

``SCHEMA_VERSION`` (store.models) is the version this code writes; ``emulator_state.schema_version`` is the
version a database holds. At start ``upgrade`` brings a database up to date in one transaction:

1. each registered step from the database's version N to N+1, in order (``@migration(N)``), for changes
   that need more than new tables or columns: renames, data rewrites, dropped columns;
2. the tables of the models that are missing (``metadata.create_all``);
3. the columns of the models that are missing, when adding them needs no decision: a nullable column, or
   one whose default is a plain value (written as the column's server default, so existing rows get it);
   then the models' indexes that are missing.

Steps 2 and 3 keep a database of the same version usable while columns and tables are being added under
one version number; anything they cannot do stops the start with ``MigrationError`` rather than leaving a
half-upgraded database: the transaction rolls back and the recorded version is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Column, Connection, MetaData, inspect, text
from sqlalchemy.sql.elements import TextClause

from emulator.store.models import KEY_LENGTH, SCHEMA_VERSION, Base, EmulatorState

VERSION_KEY = "schema_version"

Step = Callable[[Connection], None]
# from_version -> the function that takes a database from that version to the next.
MIGRATIONS: dict[int, Step] = {}


class MigrationError(RuntimeError):
    pass


class SchemaTooNewError(MigrationError):
    """The database was written by a newer emulator: opening it could lose what that version stores."""


def migration(from_version: int) -> Callable[[Step], Step]:
    """Register ``function(connection)`` as the step from ``from_version`` to ``from_version + 1``."""

    def register(function: Step) -> Step:
        if from_version in MIGRATIONS:
            raise ValueError(f"two migrations from schema version {from_version}")
        MIGRATIONS[from_version] = function
        return function

    return register


def recorded_version(connection: Connection) -> int | None:
    """The version the database says it holds; None for a database without the emulator's tables."""
    if not inspect(connection).has_table(EmulatorState.__tablename__):
        return None
    table = EmulatorState.__table__
    value = connection.execute(table.select().where(table.c.key == VERSION_KEY)).first()
    return int(value.value) if value is not None else None


def _record_version(connection: Connection, version: int) -> None:
    table = EmulatorState.__table__
    updated = connection.execute(
        table.update().where(table.c.key == VERSION_KEY).values(value=str(version))
    ).rowcount
    if not updated:
        connection.execute(table.insert().values(key=VERSION_KEY, value=str(version)))


def upgrade(
    connection: Connection,
    *,
    target: int = SCHEMA_VERSION,
    metadata: MetaData = Base.metadata,
    migrations: dict[int, Step] | None = None,
) -> list[str]:
    """Bring the database behind ``connection`` (inside the caller's transaction) to ``target``.

    Returns what was done, one line per change, for the start-up log. A new, empty database just gets
    every table and the version."""
    steps = MIGRATIONS if migrations is None else migrations
    done: list[str] = []
    current = recorded_version(connection)
    if current is not None and current > target:
        raise SchemaTooNewError(
            f"the database has schema version {current}, newer than this emulator's {target}"
        )
    if current is not None:
        for version in range(current, target):
            step = steps.get(version)
            if step is None:
                raise MigrationError(f"no migration from schema version {version} to {version + 1}")
            step(connection)
            done.append(f"migrated schema version {version} to {version + 1}")
    existing = set(inspect(connection).get_table_names())
    metadata.create_all(connection)
    if current is not None:
        done.extend(f"created table {name}" for name in metadata.tables if name not in existing)
        done.extend(add_missing_columns(connection, metadata))
        done.extend(add_missing_indexes(connection, metadata))
    if current != target:
        _record_version(connection, target)
    return done


def add_missing_columns(connection: Connection, metadata: MetaData = Base.metadata) -> list[str]:
    """ALTER TABLE ... ADD COLUMN for each model column the database lacks (see the module's step 3)."""
    inspector = inspect(connection)
    done: list[str] = []
    for table in metadata.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            connection.execute(_add_column(connection, table.name, column))
            done.append(f"added column {table.name}.{column.name}")
    return done


def add_missing_indexes(connection: Connection, metadata: MetaData = Base.metadata) -> list[str]:
    """CREATE INDEX for each named model index the database lacks (e.g. on a column just added)."""
    inspector = inspect(connection)
    done: list[str] = []
    for table in metadata.sorted_tables:
        present = {index["name"] for index in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name and index.name not in present:
                index.create(connection)
                done.append(f"created index {index.name}")
    return done


def _add_column(connection: Connection, table: str, column: Column) -> TextClause:
    dialect = connection.dialect
    preparer = dialect.identifier_preparer
    kind = column.type.compile(dialect=dialect)
    clause = f"ALTER TABLE {preparer.quote(table)} ADD COLUMN {preparer.quote(column.name)} {kind}"
    default = _plain_default(column)
    if default is not None:
        clause += f" DEFAULT {_literal(default)}"
    if not column.nullable:
        if default is None:
            raise MigrationError(
                f"column {table}.{column.name} is NOT NULL without a plain default: "
                f"it needs a migration step (emulator.store.migrations) and a new SCHEMA_VERSION"
            )
        clause += " NOT NULL"
    return text(clause)


def _plain_default(column: Column) -> object | None:
    if column.server_default is not None and hasattr(column.server_default, "arg"):
        arg = column.server_default.arg
        return arg if isinstance(arg, (str, int, float, bool)) else None
    default = column.default
    if default is not None and default.is_scalar and isinstance(default.arg, (str, int, float, bool)):
        return default.arg
    return None


def _literal(value: object) -> str:
    if isinstance(value, bool):
        # Both SQLite and PostgreSQL read these as booleans (SQLite stores them as 1/0).
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


# --- the steps ---------------------------------------------------------------------------------------------
@migration(1)
def _v1_to_v2(connection: Connection) -> None:
    """emulator_state keys grow from 64 to 512 characters (a trigger mapping's key holds a Lambda ARN).
    SQLite never enforced the length; PostgreSQL's column is widened in place."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"ALTER TABLE emulator_state ALTER COLUMN key TYPE VARCHAR({KEY_LENGTH})"))


# Each step bumps SCHEMA_VERSION in store.models and keeps a small database written by the version before
# in tests/reliability/data (schema-v1.db for version 1).
