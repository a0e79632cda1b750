"""Persistence: SQLAlchemy models and the database they live in."""

from emulator.store import models_client_secrets, models_password_history, models_records, models_settings  # noqa: F401  (registers tables)
from emulator.store.database import Database
from emulator.store.models import Base

__all__ = ["Base", "Database"]
