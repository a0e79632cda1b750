"""Sign-in on the hosted login pages, driven by the same engine as InitiateAuth / RespondToAuthChallenge.

The login form starts the password flow of ``emulator.userpools.signin.flows`` (the PreAuthentication and
UserMigration_Authentication triggers, the lockout, the user's status, NEW_PASSWORD_REQUIRED, the MFA rules);
each following page answers the challenge with the handler that RespondToAuthChallenge would use. The sessions
are the engine's own (single use, expiring, stored as hashes), marked with the hosted-UI flow: the API refuses
them, and a completed sign-in ends with the user (for an authorization code) instead of tokens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from emulator.crypto.secret_hash import compute_secret_hash
from emulator.protocol.context import Context
from emulator.protocol.errors import InvalidParameterException, NotAuthorizedException
from emulator.store.models import User, UserPool, UserPoolClient
from emulator.userpools.signin import challenges, flows, sessions
from emulator.userpools.signin.factors import HOSTED_UI_FLOW
from emulator.userpools.signin.outcomes import Authenticated, Outcome

# The challenges the pages can answer (CUSTOM_AUTH and passwordless first factors are not offered there).
PAGE_CHALLENGES = frozenset(
    {"SMS_MFA", "EMAIL_OTP", "SOFTWARE_TOKEN_MFA", "SELECT_MFA_TYPE", "MFA_SETUP", "NEW_PASSWORD_REQUIRED"}
)


@dataclass
class Next:
    """What the page shows next: a challenge to answer (with its Session value), or a signed-in user."""

    user: User | None = None
    challenge: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    session: str | None = None
    username: str | None = None


def secret_hash(client: UserPoolClient, username: str) -> str | None:
    """The SECRET_HASH the pages send for a client with a secret (they act as the client)."""
    return compute_secret_hash(client.id, client.secret, username) if client.secret else None


def start(ctx: Context, pool: UserPool, client: UserPoolClient, username: str, password: str) -> Next:
    """The login form: USERNAME and PASSWORD through the engine's password flow."""
    if not username or not password:
        raise InvalidParameterException("Username and password are required.")
    parameters: dict[str, Any] = {"USERNAME": username, "PASSWORD": password}
    hashed = secret_hash(client, username)
    if hashed:
        parameters["SECRET_HASH"] = hashed
    request = {"ClientId": client.id, "AuthFlow": HOSTED_UI_FLOW, "AuthParameters": parameters}
    state = {"flow": HOSTED_UI_FLOW, "client_metadata": {}}
    outcome = flows.password_flow(ctx, pool, client, parameters, state, request)
    return _next(ctx, pool, client, outcome)


def answer(
    ctx: Context,
    pool: UserPool,
    client: UserPoolClient,
    session_value: str,
    challenge: str,
    responses: dict[str, Any],
) -> Next:
    """A challenge page's form: the engine's handler for the challenge its session expects."""
    session = sessions.load(ctx, session_value, client)
    if session.pool_id != pool.id or session.flow != HOSTED_UI_FLOW or session.challenge != challenge:
        raise NotAuthorizedException(sessions.EXPIRED_MESSAGE)
    if challenge not in PAGE_CHALLENGES:
        raise InvalidParameterException(f"The challenge {challenge} is not supported by the hosted pages.")
    user = ctx.db.get(User, session.user_id) if session.user_id is not None else None
    if user is None:
        raise NotAuthorizedException(sessions.EXPIRED_MESSAGE)
    step = challenges.Step(
        pool, client, session, session_value, user, {"USERNAME": user.username, **responses}
    )
    outcome = challenges.HANDLERS[challenge](ctx, step)
    sessions.consume(ctx, session)
    return _next(ctx, pool, client, outcome)


def pending_user(ctx: Context, session_value: str, client: UserPoolClient) -> User | None:
    """The user of a live hosted-UI challenge session (for a page that shows their name)."""
    session = sessions.find(ctx, session_value)
    if session is None or session.client_id != client.id or session.flow != HOSTED_UI_FLOW:
        return None
    return ctx.db.get(User, session.user_id) if session.user_id is not None else None


def _next(ctx: Context, pool: UserPool, client: UserPoolClient, outcome: Outcome) -> Next:
    if isinstance(outcome, Authenticated):
        return Next(user=outcome.user, username=outcome.user.username if outcome.user else None)
    state = {"flow": HOSTED_UI_FLOW, **outcome.state}
    value = sessions.create(
        ctx, pool, client, outcome.user, flow=HOSTED_UI_FLOW, challenge=outcome.name, state=state
    )
    return Next(
        challenge=outcome.name,
        parameters=dict(outcome.parameters),
        session=value,
        username=outcome.user.username if outcome.user else None,
    )


def after_confirmation(
    ctx: Context, pool: UserPool, client: UserPoolClient, username: str, session_value: str | None
) -> Next | None:
    """Sign a user in who just confirmed their sign-up on the pages, with the Session ConfirmSignUp returned
    (the engine's sign-up auto sign-in); None when there is none to use."""
    if not session_value:
        return None
    parameters: dict[str, Any] = {"USERNAME": username}
    hashed = secret_hash(client, username)
    if hashed:
        parameters["SECRET_HASH"] = hashed
    state = {"flow": HOSTED_UI_FLOW, "client_metadata": {}}
    request = {"ClientId": client.id, "AuthFlow": "USER_AUTH", "Session": session_value}
    outcome = flows.user_auth_flow(ctx, pool, client, parameters, state, request)
    return _next(ctx, pool, client, outcome)


def live_session(ctx: Context, session_value: str | None, client: UserPoolClient) -> bool:
    """Whether a hosted-UI challenge session can still be answered."""
    from emulator.clock import as_utc

    session = sessions.find(ctx, session_value)
    return (
        session is not None
        and session.client_id == client.id
        and session.flow == HOSTED_UI_FLOW
        and session.used_at is None
        and as_utc(session.expires_at) > ctx.now
    )
