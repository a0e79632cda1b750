"""The console's view of a user's passkeys (WebAuthn credentials), and removing one.

Cognito has no administrator operation for a user's passkeys (DeleteWebAuthnCredential takes the user's own
access token), so the console's delete runs the same domain function as that operation, in one write
transaction of its own, on the emulator's clock.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from emulator.engine.core import Emulator
from emulator.http.console import views
from emulator.userpools import passkeys


def passkey_views(emulator: Emulator, session: Session, pool_id: str, sub: str) -> list[dict[str, Any]]:
    ctx = views.read_context(emulator, session)
    user = views.user_by_sub(session, pool_id, sub)
    return [
        {
            "credential_id": row.credential_id,
            "name": row.friendly_name,
            "relying_party_id": row.relying_party_id,
            "attachment": row.attachment,
            "transports": list(row.transports or []),
            "sign_count": row.sign_count,
            "created_at": views.iso(row.created_at),
            "last_used_at": views.iso(row.last_used_at),
        }
        for row in passkeys.credentials_of(ctx, user)
    ]


def delete(emulator: Emulator, pool_id: str, sub: str, credential_id: str) -> None:
    """Remove the passkey; views.NotFound for an unknown pool or user, a CognitoError for an unknown passkey."""
    with emulator.database.session() as session, session.begin():
        pool = views.get_pool(session, pool_id)
        user = views.user_by_sub(session, pool.id, sub)
        passkeys.delete_credential(
            views.read_context(emulator, session, "ConsoleDeletePasskey"), user, credential_id
        )
