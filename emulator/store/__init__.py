"""Persistence: SQLAlchemy models and the database they live in."""

from emulator.store import (
    models_federation,  # noqa: F401  (registers the identity provider tables)
    models_hosted_ui,  # noqa: F401  (registers the hosted UI's tables)
    models_identity,  # noqa: F401  (registers the identity pool tables)
    models_oauth,  # noqa: F401  (registers the OAuth tables)
    models_webauthn,  # noqa: F401  (registers the passkey tables)
)
from emulator.store.database import Database
from emulator.store.models import Base

__all__ = ["Base", "Database"]
