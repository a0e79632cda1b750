"""The federated user: a verified external identity made into a signed-in Cognito user.

Signature (used by /oauth2/idpresponse and, on branch i19b, /saml2/idpresponse)::

    federated_sign_in(ctx, pool, provider_row, subject, claims, *, client_id=None) -> User

``provider_row`` is the ``IdentityProvider`` row; ``subject`` the provider's stable subject id (Google/Apple/OIDC
``sub``, Facebook ``id``, Amazon ``user_id``, SAML ``NameID``), exact case; ``claims`` the verified claims or SAML
attributes (values str, bool, number or list). It raises a ``CognitoError`` whose message is what the hosted UI
sends back as ``error=invalid_request&error_description=<message>`` (e.g. ``attributes required: [email]``, a
PreSignUp trigger's ``PreSignUp failed with error ...``, ``User is disabled.``).

What it does, as Cognito does (reference hosted-ui-oauth.md §4.2/4.3):
- a link (AdminLinkProviderForUser) for (provider, Cognito_Subject, subject) or for a linked mapped attribute
  signs in as the destination user: its mapped attributes are written, PreAuthentication/PostAuthentication
  (``_Authentication``) run;
- an earlier sign-in (the user ``<providername>_<subject>``) is updated the same way (claims absent now leave
  attributes untouched);
- a first sign-in runs InboundFederation (if configured), checks the required attributes, runs
  PreSignUp_ExternalProvider (a failure refuses; autoVerifyEmail / autoVerifyPhone honoured), creates the user
  with status EXTERNAL_PROVIDER, a new sub, the ``identities`` attribute and the mapped attributes, puts it in
  the group ``<poolId>_<ProviderName>`` (created when missing) and runs PostConfirmation_ConfirmSignUp.

The caller then issues the authorization code with ``userpools.oauth.hosted_grant.grant`` (the same path as a
hosted sign-in; pass ``provider`` to the hosted session so it is the provider's session, not COGNITO's).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote_plus

from sqlalchemy import select

from emulator import ids
from emulator.protocol.context import Context
from emulator.protocol.errors import InvalidParameterException, NotAuthorizedException
from emulator.store.models import Group, GroupMembership, User, UserPool
from emulator.store.models_federation import IdentityProvider, ProviderLink
from emulator.userpools import attributes, users
from emulator.userpools.triggers import events
from emulator.userpools.triggers.invoke import configured, invoke

SUBJECT = "Cognito_Subject"
MAX_VALUE = 2048


def federated_username(provider: IdentityProvider, subject: str) -> str:
    """``<providername>_<subject>``: Cognito lower-cases the provider's name; the subject keeps its case."""
    return f"{provider.name.lower()}_{subject}"


def claim_value(value: Any) -> str:
    """A claim as an attribute value: booleans lower-case, lists URL-form-encoded, objects as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(quote_plus(claim_value(item)) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def mapped_attributes(pool: UserPool, provider: IdentityProvider, claims: dict[str, Any]) -> dict[str, str]:
    """The pool attributes the provider's AttributeMapping gives for these claims (absent claims left out)."""
    schema = attributes.schema(pool)
    result: dict[str, str] = {}
    for attribute, claim in (provider.attribute_mapping or {}).items():
        if attribute == "username" or claim not in claims or claims[claim] is None:
            continue
        spec = schema.get(attribute)
        if spec is None:
            continue
        value = claim_value(claims[claim])
        if len(value) > MAX_VALUE:
            raise InvalidParameterException(f"Attribute {attribute} value exceeds {MAX_VALUE} characters.")
        result[attribute] = value
    for name in ("email", "phone_number"):
        verified = f"{name}_verified"
        if name in result and verified not in result:
            result[verified] = "false"
    return result


def identity_entry(
    provider: IdentityProvider, subject: str, created_ms: int, *, primary: bool
) -> dict[str, Any]:
    issuer = (provider.details or {}).get("entity_id") if provider.provider_type == "SAML" else None
    return {
        "userId": subject,
        "providerName": provider.name,
        "providerType": provider.provider_type,
        "issuer": issuer,
        "primary": primary,
        "dateCreated": created_ms,
    }


def add_identity(user: User, entry: dict[str, Any]) -> None:
    current = users.attribute_map(user).get("identities")
    entries = json.loads(current) if current else []
    entries = [
        e
        for e in entries
        if (e.get("providerName"), e.get("userId")) != (entry["providerName"], entry["userId"])
    ]
    entries.append(entry)
    users.set_attribute(user, "identities", json.dumps(entries, separators=(",", ":")))


def find_link(
    ctx: Context, pool: UserPool, provider: IdentityProvider, subject: str, mapped: dict[str, str]
) -> ProviderLink | None:
    rows = ctx.db.scalars(
        select(ProviderLink).where(
            ProviderLink.pool_id == pool.id, ProviderLink.provider_name == provider.name
        )
    )
    for row in rows:
        if row.attribute_name == SUBJECT and row.attribute_value == subject:
            return row
        if row.attribute_name != SUBJECT and mapped.get(row.attribute_name) == row.attribute_value:
            return row
    return None


def _write_attributes(ctx: Context, pool: UserPool, user: User, mapped: dict[str, str]) -> None:
    for name, value in mapped.items():
        users.set_attribute(user, name, value)
    user.modified_at = ctx.now
    users.sync_aliases(ctx, pool, user)


def _returning(
    ctx: Context, pool: UserPool, user: User, mapped: dict[str, str], client_id: str | None
) -> User:
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    events.pre_authentication(ctx, pool, client_id or "", user)
    _write_attributes(ctx, pool, user, mapped)
    events.post_authentication(ctx, pool, client_id or "", user)
    return user


def _inbound(
    ctx: Context,
    pool: UserPool,
    provider: IdentityProvider,
    username: str,
    claims: dict[str, Any],
    client_id: str | None,
) -> dict[str, Any]:
    if not configured(pool, "InboundFederation"):
        return claims
    event = invoke(
        ctx,
        pool,
        "InboundFederation",
        events.base_event(
            ctx,
            pool,
            "InboundFederation_ExternalProvider",
            username,
            client_id,
            {
                "providerName": provider.name,
                "providerType": provider.provider_type,
                "attributes": {"tokenResponse": {}, "idToken": {}, "userInfo": dict(claims)},
            },
            {"userAttributesToMap": {}},
        ),
    )
    rewritten = (event.get("response") or {}).get("userAttributesToMap")
    return {**claims, **rewritten} if isinstance(rewritten, dict) else claims


def _group(ctx: Context, pool: UserPool, provider: IdentityProvider, user: User) -> None:
    name = f"{pool.id}_{provider.name}"
    if ctx.db.get(Group, (pool.id, name)) is None:
        ctx.db.add(Group(pool_id=pool.id, name=name, created_at=ctx.now, modified_at=ctx.now))
    ctx.db.add(GroupMembership(user_id=user.id, pool_id=pool.id, group_name=name, created_at=ctx.now))


def _create(ctx: Context, pool: UserPool, username: str, attributes_: dict[str, str]) -> User:
    key = users.login_key(pool, username)
    if users.find_user(ctx, pool, username) is not None:
        raise InvalidParameterException(f"Already found an entry for username {username}")
    user = User(
        pool_id=pool.id,
        username=username,
        username_key=key,
        sub=ids.sub(),
        status="EXTERNAL_PROVIDER",
        enabled=True,
        password_temporary=False,
        mfa_sms_enabled=False,
        mfa_totp_enabled=False,
        mfa_email_enabled=False,
        failed_attempts=0,
        created_at=ctx.now,
        modified_at=ctx.now,
    )
    user.attributes = []
    ctx.db.add(user)
    for name, value in attributes_.items():
        users.set_attribute(user, name, value)
    ctx.db.flush()
    users.sync_aliases(ctx, pool, user, creating=True)
    ctx.log["user"] = username
    return user


def federated_sign_in(
    ctx: Context,
    pool: UserPool,
    provider_row: IdentityProvider,
    subject: str,
    claims: dict[str, Any],
    *,
    client_id: str | None = None,
) -> User:
    """Sign the external identity in: the Cognito user it is (created on its first sign-in); see the module."""
    provider = provider_row
    if not subject:
        raise InvalidParameterException("The identity provider did not return a subject.")
    username = federated_username(provider, subject)
    mapped = mapped_attributes(pool, provider, claims)
    link = find_link(ctx, pool, provider, subject, mapped)
    if link is not None:
        user = ctx.db.get(User, link.user_id)
        if user is not None:
            return _returning(ctx, pool, user, mapped, client_id)
    existing = users.find_user(ctx, pool, username)
    if existing is not None:
        return _returning(ctx, pool, existing, mapped, client_id)

    mapped = mapped_attributes(pool, provider, _inbound(ctx, pool, provider, username, claims, client_id))
    missing = [name for name in attributes.required_attributes(pool) if not mapped.get(name)]
    if missing:
        raise InvalidParameterException(f"attributes required: [{', '.join(missing)}]")
    response = events.pre_sign_up(ctx, pool, "PreSignUp_ExternalProvider", username, client_id, mapped, {})
    if response.get("autoVerifyEmail") and "email" in mapped:
        mapped["email_verified"] = "true"
    if response.get("autoVerifyPhone") and "phone_number" in mapped:
        mapped["phone_number_verified"] = "true"
    user = _create(ctx, pool, username, mapped)
    add_identity(user, identity_entry(provider, subject, int(ctx.now.timestamp() * 1000), primary=True))
    ctx.db.add(
        ProviderLink(
            pool_id=pool.id,
            provider_name=provider.name,
            attribute_name=SUBJECT,
            attribute_value=subject,
            user_id=user.id,
            linked=False,
            created_at=ctx.now,
        )
    )
    _group(ctx, pool, provider, user)
    ctx.db.flush()
    events.post_confirmation(ctx, pool, "PostConfirmation_ConfirmSignUp", user, client_id)
    return user
