"""AdminLinkProviderForUser and AdminDisableProviderForUser: external identities joined to existing users."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from emulator.protocol.context import Context
from emulator.protocol.errors import (
    InvalidParameterException,
    LimitExceededException,
    UserNotFoundException,
)
from emulator.store.models import User
from emulator.store.models_federation import ProviderLink
from emulator.userpools import pools, users
from emulator.userpools.federation import providers
from emulator.userpools.federation.users import SUBJECT
from emulator.userpools.operations import operation

MAX_LINKS = 5
MERGING = (
    "Merging is not currently supported, provide a SourceUser that has not been signed up in order to link"
)


def _link_of(ctx: Context, pool_id: str, provider: str, name: str, value: str) -> ProviderLink | None:
    return ctx.db.scalar(
        select(ProviderLink).where(
            ProviderLink.pool_id == pool_id,
            ProviderLink.provider_name == provider,
            ProviderLink.attribute_name == name,
            ProviderLink.attribute_value == value,
        )
    )


@operation("AdminLinkProviderForUser")
def admin_link_provider_for_user(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    destination = request["DestinationUser"]
    source = request["SourceUser"]
    if destination.get("ProviderName") != "Cognito":
        raise InvalidParameterException("DestinationUser must be a Cognito user (ProviderName Cognito).")
    user = users.find_user(ctx, pool, destination.get("ProviderAttributeValue") or "")
    if user is None:
        raise UserNotFoundException("User does not exist.")
    provider_name = source.get("ProviderName") or ""
    if provider_name == "Cognito":
        raise InvalidParameterException("SourceUser must be an identity provider's user.")
    providers.get(ctx, pool, provider_name)
    name = source.get("ProviderAttributeName") or SUBJECT
    value = source.get("ProviderAttributeValue") or ""
    if not value:
        raise InvalidParameterException("SourceUser's ProviderAttributeValue is required.")
    existing = _link_of(ctx, pool.id, provider_name, name, value)
    if existing is not None:
        if existing.user_id == user.id:
            raise InvalidParameterException("SourceUser is already linked to DestinationUser")
        raise InvalidParameterException(MERGING)
    count = ctx.db.scalar(
        select(func.count())
        .select_from(ProviderLink)
        .where(ProviderLink.user_id == user.id, ProviderLink.linked)
    )
    if (count or 0) >= MAX_LINKS:
        raise LimitExceededException("Too many identities are linked to the DestinationUser.")
    ctx.db.add(
        ProviderLink(
            pool_id=pool.id,
            provider_name=provider_name,
            attribute_name=name,
            attribute_value=value,
            user_id=user.id,
            linked=True,
            created_at=ctx.now,
        )
    )
    return {}


@operation("AdminDisableProviderForUser")
def admin_disable_provider_for_user(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    given = request["User"]
    provider_name = given.get("ProviderName") or ""
    if provider_name == "Cognito":
        # Not built yet: blocking a local user's password sign-in needs a flag the sign-in engine reads.
        raise InvalidParameterException(
            "The emulator does not support disabling the Cognito provider of a user yet."
        )
    link = _link_of(
        ctx,
        pool.id,
        provider_name,
        given.get("ProviderAttributeName") or SUBJECT,
        given.get("ProviderAttributeValue") or "",
    )
    if link is None:
        raise UserNotFoundException("User does not exist.")
    if not link.linked:
        # The provider's own user: it can no longer sign in.
        own = ctx.db.get(User, link.user_id)
        if own is not None:
            own.enabled = False
            own.modified_at = ctx.now
    ctx.db.delete(link)
    return {}
