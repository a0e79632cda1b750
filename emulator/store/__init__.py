"""Persistence: SQLAlchemy models and the database they live in."""

from emulator.store import (
    models_auth_events,  # noqa: F401  (registers its tables)
    models_client_secrets,  # noqa: F401  (registers its tables)
    models_federation,  # noqa: F401  (registers the identity provider tables)
    models_hosted_ui,  # noqa: F401  (registers the hosted UI's tables)
    models_identity,  # noqa: F401  (registers the identity pool tables)
    models_oauth,  # noqa: F401  (registers the OAuth tables)
    models_password_history,  # noqa: F401  (registers its tables)
    models_records,  # noqa: F401  (registers its tables)
    models_sessions,  # noqa: F401  (registers its tables)
    models_settings,  # noqa: F401  (registers its tables)
    models_user_import,  # noqa: F401  (registers its tables)
    models_webauthn,  # noqa: F401  (registers the passkey tables)
)
from emulator.store.database import Database
from emulator.store.models import Base

__all__ = ["Base", "Database"]
