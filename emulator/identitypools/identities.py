"""Identities: ``<region>:<uuid>`` ids, one per (identity pool, login), and the logins linked to them.

An identity with no login is unauthenticated (a guest). A login proven once stays linked to its identity
(in the database, so the same user gets the same identity id after a restart); logins of different
identities presented together merge them into the oldest, as Cognito does.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, select, update

from emulator.identitypools import pools
from emulator.identitypools.logins import Login
from emulator.protocol.context import Context
from emulator.protocol.errors import ResourceNotFoundException
from emulator.store.models_identity import Identity, IdentityLogin, IdentityPool, IssuedCredentials


def new_identity(ctx: Context, pool: IdentityPool) -> Identity:
    identity = Identity(
        id=f"{pool.region}:{uuid.uuid4()}", pool_id=pool.id, created_at=ctx.now, modified_at=ctx.now
    )
    ctx.db.add(identity)
    ctx.db.flush()
    return identity


def get_identity(ctx: Context, identity_id: str) -> Identity:
    identity = ctx.db.get(Identity, identity_id)
    if identity is None:
        raise ResourceNotFoundException(f"Identity '{identity_id}' not found.")
    ctx.log.setdefault("identity", identity.id)
    return identity


def logins_of(ctx: Context, identity: Identity) -> list[IdentityLogin]:
    return list(
        ctx.db.scalars(
            select(IdentityLogin)
            .where(IdentityLogin.identity_id == identity.id)
            .order_by(IdentityLogin.created_at, IdentityLogin.id)
        )
    )


def find_login(ctx: Context, pool_id: str, provider: str, subject: str) -> IdentityLogin | None:
    return ctx.db.scalar(
        select(IdentityLogin).where(
            IdentityLogin.pool_id == pool_id,
            IdentityLogin.provider == provider,
            IdentityLogin.subject == subject,
        )
    )


def link(ctx: Context, identity: Identity, provider: str, subject: str, kind: str) -> None:
    ctx.db.add(
        IdentityLogin(
            pool_id=identity.pool_id,
            identity_id=identity.id,
            provider=provider,
            subject=subject,
            kind=kind,
            created_at=ctx.now,
        )
    )
    identity.modified_at = ctx.now
    ctx.db.flush()


def merge(ctx: Context, into: Identity, other: Identity) -> None:
    """Every login of ``other`` moves to ``into``; ``other`` is gone."""
    if other.id == into.id:
        return
    ctx.db.execute(
        update(IdentityLogin).where(IdentityLogin.identity_id == other.id).values(identity_id=into.id)
    )
    ctx.db.execute(delete(IssuedCredentials).where(IssuedCredentials.identity_id == other.id))
    ctx.db.delete(other)
    into.modified_at = ctx.now
    ctx.db.flush()


def user_pool_logins(logins: list[Login]) -> list[Login]:
    """The logins that name a user (the identity service's own OpenID tokens name an identity instead)."""
    return [login for login in logins if login.kind == "token"]


def resolve(ctx: Context, pool: IdentityPool, logins: list[Login]) -> Identity:
    """The identity of these (proven) logins: the one they are linked to (identities of different logins
    merged into the oldest), else a new one with all of them linked."""
    found: list[Identity] = []
    for login in logins:
        if login.kind == "openid":
            identity = get_identity(ctx, login.subject)
        else:
            row = find_login(ctx, pool.id, login.provider, login.subject)
            identity = ctx.db.get(Identity, row.identity_id) if row is not None else None
        if identity is not None and identity not in found:
            found.append(identity)
    if found:
        found.sort(key=lambda item: (item.created_at, item.id))
        target = found[0]
        for other in found[1:]:
            merge(ctx, target, other)
    else:
        target = new_identity(ctx, pool)
    for login in user_pool_logins(logins):
        if find_login(ctx, pool.id, login.provider, login.subject) is None:
            link(ctx, target, login.provider, login.subject, login.kind)
    return target


def describe(ctx: Context, identity: Identity) -> dict[str, Any]:
    """The IdentityDescription shape."""
    names: list[str] = []
    for row in logins_of(ctx, identity):
        if row.provider not in names:
            names.append(row.provider)
    return {
        "IdentityId": identity.id,
        "Logins": names,
        "CreationDate": identity.created_at,
        "LastModifiedDate": identity.modified_at,
    }


def pool_of(ctx: Context, identity: Identity) -> IdentityPool:
    return pools.get_pool(ctx, identity.pool_id)
