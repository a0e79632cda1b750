"""What the console shows of the identity pools: the pools, and a pool with its settings, roles and identities
(each with its logins). Read-only, plain dicts from the store."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from emulator.http.console.views import NotFound, iso
from emulator.identitypools import pools
from emulator.store.models_identity import Identity, IdentityLogin, IdentityPool

# The console lists at most this many identities of a pool (the newest first).
IDENTITIES_PAGE = 200


def pool_summaries(session: Session) -> list[dict[str, Any]]:
    counts: dict[str, int] = {
        pool_id: count
        for pool_id, count in session.execute(
            select(Identity.pool_id, func.count()).group_by(Identity.pool_id)
        )
    }
    return [
        {
            "id": pool.id,
            "name": pool.name,
            "guests": bool(pool.config.get("AllowUnauthenticatedIdentities")),
            "providers": [item["ProviderName"] for item in pool.config.get("CognitoIdentityProviders", [])],
            "developer": pool.config.get("DeveloperProviderName"),
            "identities": counts.get(pool.id, 0),
            "created_at": iso(pool.created_at),
        }
        for pool in session.scalars(select(IdentityPool).order_by(IdentityPool.created_at, IdentityPool.id))
    ]


def pool_detail(session: Session, pool_id: str) -> dict[str, Any]:
    pool = session.get(IdentityPool, pool_id)
    if pool is None:
        raise NotFound(f"No identity pool {pool_id}.")
    rows = list(
        session.scalars(
            select(Identity)
            .where(Identity.pool_id == pool.id)
            .order_by(Identity.created_at.desc(), Identity.id)
            .limit(IDENTITIES_PAGE)
        )
    )
    logins: dict[str, list[dict[str, str]]] = defaultdict(list)
    if rows:
        for login in session.scalars(
            select(IdentityLogin)
            .where(IdentityLogin.identity_id.in_([row.id for row in rows]))
            .order_by(IdentityLogin.created_at, IdentityLogin.id)
        ):
            logins[login.identity_id].append({"provider": login.provider, "subject": login.subject})
    total = session.scalar(select(func.count()).select_from(Identity).where(Identity.pool_id == pool.id))
    return {
        "id": pool.id,
        "name": pool.name,
        "region": pool.region,
        "created_at": iso(pool.created_at),
        "settings": pools.view(pool),
        "roles": dict(pool.roles or {}),
        "role_mappings": dict(pool.role_mappings or {}),
        "identities": [
            {
                "id": row.id,
                "logins": logins.get(row.id, []),
                "created_at": iso(row.created_at),
                "modified_at": iso(row.modified_at),
            }
            for row in rows
        ],
        "identity_count": total or 0,
        "identities_page": IDENTITIES_PAGE,
    }
