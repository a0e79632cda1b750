"""Who may act as an identity: the Logins a request presents, checked (logins), against the logins the
identity already has. Shared by GetCredentialsForIdentity, GetOpenIdToken and UnlinkIdentity."""

from __future__ import annotations

from dataclasses import dataclass

from emulator.identitypools import identities, logins
from emulator.identitypools.logins import Login
from emulator.protocol.context import Context
from emulator.protocol.errors import NotAuthorizedException
from emulator.store.models_identity import Identity, IdentityPool

LOGINS_DO_NOT_MATCH = (
    "Logins don't match. Please include at least one valid login for this identity or identity pool."
)
UNAUTHENTICATED_NOT_SUPPORTED = "Unauthenticated access is not supported for this identity pool."


@dataclass
class Access:
    pool: IdentityPool
    identity: Identity
    logins: list[Login]

    @property
    def authenticated(self) -> bool:
        return bool(self.logins)


def check_guest_allowed(pool: IdentityPool) -> None:
    if not pool.config.get("AllowUnauthenticatedIdentities"):
        raise NotAuthorizedException(UNAUTHENTICATED_NOT_SUPPORTED)


def _identity_of(ctx: Context, pool: IdentityPool, login: Login) -> Identity | None:
    if login.kind == "openid":
        return ctx.db.get(Identity, login.subject)
    row = identities.find_login(ctx, pool.id, login.provider, login.subject)
    return ctx.db.get(Identity, row.identity_id) if row is not None else None


def authorize(ctx: Context, identity_id: str, login_map: dict[str, str]) -> Access:
    """The identity the request may act as, with its proven logins; a guest identity presented with the
    logins of another identity is merged into that one (its id is the one to use from now on)."""
    identity = identities.get_identity(ctx, identity_id)
    pool = identities.pool_of(ctx, identity)
    proven = logins.verify_logins(ctx, pool, login_map)
    linked = identities.logins_of(ctx, identity)
    if not proven:
        if linked:
            raise NotAuthorizedException(LOGINS_DO_NOT_MATCH)
        check_guest_allowed(pool)
        return Access(pool, identity, [])
    found: list[Identity] = []
    for login in proven:
        other = _identity_of(ctx, pool, login)
        if other is not None and other not in found:
            found.append(other)
    if linked:
        # An authenticated identity: at least one of the logins must be its own.
        if identity not in found:
            raise NotAuthorizedException(LOGINS_DO_NOT_MATCH)
        target = identity
    elif found:
        found.sort(key=lambda item: (item.created_at, item.id))
        target = found[0]
        if identity not in found:
            identities.merge(ctx, target, identity)
    else:
        target = identity
    for other in found:
        if other is not target:
            identities.merge(ctx, target, other)
    for login in identities.user_pool_logins(proven):
        if identities.find_login(ctx, pool.id, login.provider, login.subject) is None:
            identities.link(ctx, target, login.provider, login.subject, login.kind)
    return Access(pool, target, proven)
