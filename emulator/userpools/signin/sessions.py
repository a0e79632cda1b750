"""Sign-in sessions: the opaque ``Session`` values of challenges.

A session value is random; only its SHA-256 is stored, with the user, client, flow, the challenge it
expects next and the flow's state. It expires after the client's AuthSessionValidity and is consumed by
the step that succeeds with it (a wrong answer may be retried a few times, as in Cognito).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from emulator.clock import as_utc
from emulator.protocol.context import Context
from emulator.protocol.errors import NotAuthorizedException
from emulator.store.models import AuthSession, User, UserPool, UserPoolClient

EXPIRED_MESSAGE = "Invalid session for the user, session is expired."
# Wrong answers allowed on one session before it is thrown away.
MAX_FAILED_ANSWERS = 3


def session_id(value: str) -> str:
    """The stored id of a Session value: its SHA-256 (the value itself is never kept)."""
    return hashlib.sha256(value.encode()).hexdigest()


def session_validity(client: UserPoolClient) -> timedelta:
    return timedelta(minutes=client.config.get("AuthSessionValidity") or 3)


def create(
    ctx: Context,
    pool: UserPool,
    client: UserPoolClient,
    user: User | None,
    *,
    flow: str,
    challenge: str | None,
    state: dict[str, Any] | None = None,
    validity: timedelta | None = None,
) -> str:
    """Store a new session and return its value (what the client sends back as ``Session``)."""
    value = secrets.token_urlsafe(96)
    ctx.db.add(
        AuthSession(
            id=session_id(value),
            pool_id=pool.id,
            client_id=client.id,
            user_id=user.id if user is not None else None,
            flow=flow,
            challenge=challenge,
            state=dict(state or {}),
            created_at=ctx.now,
            expires_at=ctx.now + (validity or session_validity(client)),
            used_at=None,
        )
    )
    return value


def find(ctx: Context, value: str | None) -> AuthSession | None:
    """The stored session behind ``value``, live or not."""
    return ctx.db.get(AuthSession, session_id(value)) if value else None


def load(ctx: Context, value: str | None, client: UserPoolClient) -> AuthSession:
    """The live session behind ``value`` for this client, or NotAuthorizedException."""
    if not value:
        raise NotAuthorizedException(EXPIRED_MESSAGE)
    # Locked until the operation commits, and read afresh: a session is consumed once even when two
    # requests race with it on PostgreSQL (where nothing else serialises them).
    session = ctx.db.get(AuthSession, session_id(value), with_for_update=True, populate_existing=True)
    if (
        session is None
        or session.client_id != client.id
        or session.used_at is not None
        or as_utc(session.expires_at) <= ctx.now
    ):
        raise NotAuthorizedException(EXPIRED_MESSAGE)
    return session


def consume(ctx: Context, session: AuthSession) -> None:
    session.used_at = ctx.now


def record_failed_answer(ctx: Context, session: AuthSession) -> None:
    """Count a wrong answer; the session dies after MAX_FAILED_ANSWERS. Committed even though the
    request fails, so the count survives the error response."""
    failures = int(session.state.get("failed_answers", 0)) + 1
    session.state = {**session.state, "failed_answers": failures}
    if failures >= MAX_FAILED_ANSWERS:
        session.used_at = ctx.now
    ctx.db.commit()


def purge_expired(ctx: Context) -> None:
    """Drop sessions that can no longer be used (called now and then, not on every request)."""
    ctx.db.query(AuthSession).filter(AuthSession.expires_at < ctx.now - timedelta(hours=1)).delete()


# --- SRP secret blocks -----------------------------------------------------------------------------------
# SECRET_BLOCK is opaque to clients and comes back in PASSWORD_CLAIM_SECRET_BLOCK (and is signed into the
# password claim). Making it an encoding of the session value lets a client that answers PASSWORD_VERIFIER
# without the Session (pycognito, older SDKs) still reach its session.
_SECRET_BLOCK_PREFIX = b"cognito-emulator-srp:"


def secret_block_for(value: str) -> str:
    import base64

    return base64.b64encode(_SECRET_BLOCK_PREFIX + value.encode()).decode()


def answered_value(request: dict[str, Any]) -> str | None:
    """The Session value a RespondToAuthChallenge request answers: its Session, or for a PASSWORD_VERIFIER
    answer without one, the value inside its PASSWORD_CLAIM_SECRET_BLOCK."""
    value = request.get("Session")
    if not value and request.get("ChallengeName") in ("PASSWORD_VERIFIER", "DEVICE_PASSWORD_VERIFIER"):
        responses = request.get("ChallengeResponses") or {}
        value = value_from_secret_block(responses.get("PASSWORD_CLAIM_SECRET_BLOCK"))
    return value


def value_from_secret_block(secret_block: str | None) -> str | None:
    import base64
    import binascii

    if not secret_block:
        return None
    try:
        raw = base64.b64decode(secret_block, validate=True)
    except (binascii.Error, ValueError):
        return None
    if not raw.startswith(_SECRET_BLOCK_PREFIX):
        return None
    return raw[len(_SECRET_BLOCK_PREFIX) :].decode(errors="replace")
