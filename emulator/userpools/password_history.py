"""The password policy's PasswordHistorySize: a user cannot set any of their n most recent passwords.

The n most recent passwords are the current one and the n-1 before it; those before are kept as their
argon2id hashes in ``password_history`` (only while the pool's policy asks for a history, and never more
than it asks for). A pool in the LITE tier cannot have a history, as in Cognito; 0 or no value means no
history and is not shown by DescribeUserPool.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from emulator.protocol.errors import (
    FeatureUnavailableInTierException,
    PasswordHistoryPolicyViolationException,
)
from emulator.store.models import User
from emulator.store.models_password_history import PasswordHistoryEntry

REUSED = "The password you provided has been used recently; choose a password you have not used before."


def history_size(policy: dict[str, Any]) -> int:
    value = policy.get("PasswordHistorySize")
    return value if isinstance(value, int) and value > 0 else 0


def normalise_policy(config: dict[str, Any]) -> None:
    """A pool config's PasswordHistorySize as Cognito keeps it: dropped when 0, refused in the LITE tier."""
    policy = (config.get("Policies") or {}).get("PasswordPolicy")
    if not isinstance(policy, dict) or "PasswordHistorySize" not in policy:
        return
    if not history_size(policy):
        policy.pop("PasswordHistorySize")
    elif config.get("UserPoolTier") == "LITE":
        raise FeatureUnavailableInTierException(
            "Password history is not available in the LITE tier. Upgrade the user pool to ESSENTIALS or PLUS."
        )


def _previous(db: Session, user: User, limit: int) -> list[PasswordHistoryEntry]:
    query = select(PasswordHistoryEntry).where(PasswordHistoryEntry.user_id == user.id)
    return list(
        db.scalars(query.order_by(PasswordHistoryEntry.replaced_at.desc(), PasswordHistoryEntry.id.desc()))
    )[:limit]


def check_not_reused(
    db: Session, policy: dict[str, Any], user: User, password: str, matches: Callable[[str, str], bool]
) -> None:
    """PasswordHistoryPolicyViolationException if ``password`` is one of the user's n most recent ones.
    ``matches(stored_hash, password)`` checks one hash."""
    size = history_size(policy)
    if not size or user.id is None:
        return
    hashes = [user.password_hash] if user.password_hash else []
    hashes += [entry.password_hash for entry in _previous(db, user, size - 1)] if size > 1 else []
    if any(matches(stored, password) for stored in hashes):
        raise PasswordHistoryPolicyViolationException(REUSED)


def remember(
    db: Session, policy: dict[str, Any], user: User, replaced_hash: str | None, now: datetime
) -> None:
    """Keep the hash of the password just replaced, and forget what the policy no longer asks for."""
    size = history_size(policy)
    if user.id is None:
        return
    if replaced_hash and size > 1:
        db.add(
            PasswordHistoryEntry(
                pool_id=user.pool_id, user_id=user.id, password_hash=replaced_hash, replaced_at=now
            )
        )
        db.flush()
    keep = {entry.id for entry in _previous(db, user, max(size - 1, 0))}
    query = delete(PasswordHistoryEntry).where(PasswordHistoryEntry.user_id == user.id)
    if keep:
        query = query.where(PasswordHistoryEntry.id.not_in(keep))
    db.execute(query)
