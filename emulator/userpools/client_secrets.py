"""An app client's secrets: the one it was created with plus those AddUserPoolClientSecret gives it.

At most two are active at once, so that a secret can be rotated without downtime: SECRET_HASH, the
ClientSecret of GetTokensFromRefreshToken and RevokeToken, and client authentication at the token endpoint
accept any active secret (``secret_belongs_to_client``, ``secret_hash_matches``).

A client's original secret lives in ``user_pool_clients.secret``; from its first secret operation on every
active secret (the original included) is a ``client_secrets`` row, and ``user_pool_clients.secret`` holds the
newest one, which DescribeUserPoolClient shows.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from emulator import ids
from emulator.clock import as_utc
from emulator.crypto.secret_hash import verify_secret_hash
from emulator.store.models import UserPoolClient
from emulator.store.models_client_secrets import ClientSecret

MAX_ACTIVE_SECRETS = 2


def _stored(db: Session, client: UserPoolClient) -> list[ClientSecret]:
    query = select(ClientSecret).where(ClientSecret.client_id == client.id)
    return list(db.scalars(query.order_by(ClientSecret.created_at, ClientSecret.id)))


def secret_id(client_id: str, created_at: datetime) -> str:
    """``<client-id>--<epoch-create-time>`` (milliseconds), Cognito's format."""
    return f"{client_id}--{int(as_utc(created_at).timestamp() * 1000)}"


def listed(db: Session, client: UserPoolClient) -> list[ClientSecret]:
    """The client's active secrets, oldest first (the original one as an unsaved row if nothing is stored)."""
    rows = _stored(db, client)
    if rows or not client.secret:
        return rows
    created = as_utc(client.created_at)
    return [
        ClientSecret(
            id=secret_id(client.id, created),
            pool_id=client.pool_id,
            client_id=client.id,
            value=client.secret,
            created_at=created,
        )
    ]


def materialize(db: Session, client: UserPoolClient) -> list[ClientSecret]:
    """As ``listed``, with the original secret stored as a row when it was not yet."""
    rows = listed(db, client)
    for row in rows:
        if row not in db:
            db.add(row)
    db.flush()
    return rows


def add(db: Session, client: UserPoolClient, value: str | None, now: datetime) -> ClientSecret:
    """Store a new active secret (``value``, or a generated one) and make it the one Describe shows.
    The caller checks the limit."""
    millis = int(as_utc(now).timestamp() * 1000)
    while db.get(ClientSecret, f"{client.id}--{millis}") is not None:
        millis += 1
    new_id = f"{client.id}--{millis}"
    row = ClientSecret(
        id=new_id,
        pool_id=client.pool_id,
        client_id=client.id,
        value=value or ids.client_secret(),
        created_at=now,
    )
    db.add(row)
    client.secret = row.value
    db.flush()
    return row


def remove(db: Session, client: UserPoolClient, row: ClientSecret) -> None:
    """Delete one active secret; the newest remaining becomes the one Describe shows."""
    db.delete(row)
    db.flush()
    remaining = _stored(db, client)
    client.secret = remaining[-1].value if remaining else None


def active_values(client: UserPoolClient) -> list[str]:
    """Every secret the client accepts now."""
    values = [client.secret] if client.secret else []
    db = object_session(client)
    if db is not None and client.secret:
        values += [row.value for row in _stored(db, client) if row.value != client.secret]
    return values


def secret_belongs_to_client(client: UserPoolClient, secret: object) -> bool:
    """Does ``secret`` (as a client sends it: ClientSecret, client_secret, HTTP Basic) belong to the client?
    Constant-time for each active secret; False for a client without secrets and for anything not a str."""
    if not isinstance(secret, str):
        return False
    given = secret.encode("utf-8", "surrogatepass")
    found = False
    for value in active_values(client):
        found = hmac.compare_digest(given, value.encode()) or found
    return found


def secret_hash_matches(client: UserPoolClient, usernames: str | Iterable[str], given: object) -> bool:
    """Is ``given`` the SECRET_HASH of one of ``usernames`` under one of the client's active secrets?"""
    names = [usernames] if isinstance(usernames, str) else list(usernames)
    if not isinstance(given, str):
        return False
    return any(
        verify_secret_hash(client.id, value, name, given) for value in active_values(client) for name in names
    )
