"""Authorization codes of ``/oauth2/authorize`` (``response_type=code``): issued for a signed-in user, redeemed
once at ``/oauth2/token``. Only a code's SHA-256 is stored (``AuthorizationCode``); a code is single use and
expires 5 minutes after it was issued, by the emulator's clock (``ctx.now``).

For the authorize side (call these inside ``Emulator.run(handler, name=...)``, which gives the ``ctx``):

``issue_code(ctx, *, client_id, username, redirect_uri, scopes, nonce=None, code_challenge=None,
code_challenge_method=None, auth_time=None, extra=None) -> str``
    A new code for ``username`` (the user's username in the client's pool) signed in to ``client_id``.
    ``redirect_uri`` is the authorize request's (already checked against CallbackURLs; the token request must
    repeat it exactly); ``scopes`` the granted ones (``scopes.granted_scopes``); ``nonce`` goes into the ID
    token; ``code_challenge`` with ``code_challenge_method="S256"`` (PKCE; ``plain``, or a challenge without
    a method, is refused with ``OAuthError("invalid_request")``); ``auth_time`` when the user signed in
    (default ``ctx.now``); ``extra``: a JSON dict kept for the token side (unused today). An unknown client,
    or a user not in the client's pool, is a ``ValueError`` (a caller's mistake, not the user's). The code
    is a UUID, as Cognito's are.

The implicit flow (``response_type=token``) issues no code: ``emulator.userpools.oauth.issue.implicit_tokens``.

For the token side: ``redeem_code(ctx, client, *, code, redirect_uri, code_verifier) -> RedeemedCode``:
the code's facts, the code now used; ``OAuthError("invalid_grant")`` for a code that is unknown, of another
client, used, expired, a different ``redirect_uri``, a missing or wrong PKCE ``code_verifier``, or a user
that is gone or disabled.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update

from emulator.clock import as_utc
from emulator.protocol.context import Context
from emulator.store.models import User, UserPool, UserPoolClient
from emulator.store.models_oauth import AuthorizationCode
from emulator.userpools import users
from emulator.userpools.oauth.errors import OAuthError

CODE_LIFETIME = timedelta(minutes=5)
S256 = "S256"
# RFC 7636 4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()


def issue_code(
    ctx: Context,
    *,
    client_id: str,
    username: str,
    redirect_uri: str,
    scopes: list[str],
    nonce: str | None = None,
    code_challenge: str | None = None,
    code_challenge_method: str | None = None,
    auth_time: datetime | None = None,
    extra: dict[str, Any] | None = None,
) -> str:
    if code_challenge_method is not None and code_challenge_method != S256:
        raise OAuthError("invalid_request")
    if code_challenge_method is not None and not code_challenge:
        raise OAuthError("invalid_request")
    if code_challenge and code_challenge_method is None:
        raise OAuthError("invalid_request")
    client = ctx.db.get(UserPoolClient, client_id)
    if client is None:
        raise ValueError(f"no app client {client_id}")
    pool = ctx.db.get(UserPool, client.pool_id)
    user = users.find_user(ctx, pool, username) if pool is not None else None
    if user is None:
        raise ValueError(f"no user {username} in the pool of client {client_id}")
    code = str(uuid.uuid4())
    ctx.db.add(
        AuthorizationCode(
            code_hash=code_hash(code),
            pool_id=client.pool_id,
            client_id=client.id,
            user_id=user.id,
            redirect_uri=redirect_uri,
            scopes=list(scopes),
            nonce=nonce,
            code_challenge=code_challenge,
            code_challenge_method=code_challenge_method,
            auth_time=auth_time or ctx.now,
            extra=extra,
            created_at=ctx.now,
            expires_at=ctx.now + CODE_LIFETIME,
            used_at=None,
        )
    )
    ctx.db.flush()
    return code


@dataclass(frozen=True)
class RedeemedCode:
    user: User
    scopes: list[str]
    nonce: str | None
    auth_time: datetime
    extra: dict[str, Any] | None


def pkce_challenge(verifier: str) -> str:
    """The S256 code challenge of a verifier: base64url(SHA-256(verifier)), unpadded."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def redeem_code(
    ctx: Context, client: UserPoolClient, *, code: str, redirect_uri: str, code_verifier: str | None
) -> RedeemedCode:
    row = ctx.db.get(AuthorizationCode, code_hash(code), with_for_update=True, populate_existing=True)
    if row is None or row.client_id != client.id or row.pool_id != client.pool_id:
        raise OAuthError("invalid_grant")
    if row.used_at is not None or ctx.now >= as_utc(row.expires_at):
        raise OAuthError("invalid_grant")
    if redirect_uri != row.redirect_uri:
        raise OAuthError("invalid_grant")
    if row.code_challenge is not None:
        if not code_verifier or not _VERIFIER.match(code_verifier):
            raise OAuthError("invalid_grant")
        if not hmac.compare_digest(pkce_challenge(code_verifier), row.code_challenge):
            raise OAuthError("invalid_grant")
    # Single use even when two redeem at once: only the update that finds it unused wins.
    won = ctx.db.execute(
        update(AuthorizationCode)
        .where(AuthorizationCode.code_hash == row.code_hash, AuthorizationCode.used_at.is_(None))
        .values(used_at=ctx.now)
        .execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:
        raise OAuthError("invalid_grant")
    user = ctx.db.get(User, row.user_id, options=[users.WITH_ATTRIBUTES])
    if user is None or not user.enabled:
        raise OAuthError("invalid_grant")
    return RedeemedCode(
        user=user,
        scopes=list(row.scopes or []),
        nonce=row.nonce,
        auth_time=as_utc(row.auth_time),
        extra=dict(row.extra) if row.extra else None,
    )
