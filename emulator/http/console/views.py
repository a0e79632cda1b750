"""What the console, the inspection API (``/_emulator/users``, ``/_emulator/totp``), the CLI and the test
helpers show: plain dicts read from the store through the domain modules (emulator.userpools.pools, emulator.userpools.users).

Nothing here changes state: actions go through ``Emulator.call`` so that they do exactly what the API does.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from emulator import ids
from emulator.clock import as_utc
from emulator.crypto import totp
from emulator.engine.core import Emulator
from emulator.http.console import activity, device_views
from emulator.protocol.context import Context
from emulator.store.models import (
    Group,
    GroupMembership,
    User,
    UserAttribute,
    UserPool,
    UserPoolClient,
    UserPoolDomain,
)
from emulator.userpools import pools, users

# The console lists at most this many users of a pool per page (pools can hold many thousands).
USERS_PAGE = 200

MFA_LABELS = {"SMS_MFA": "SMS", "SOFTWARE_TOKEN_MFA": "TOTP", "EMAIL_OTP": "Email"}
MFA_CONFIG_KEYS = (
    ("SmsMfaConfiguration", "SMS"),
    ("SoftwareTokenMfaConfiguration", "TOTP"),
    ("EmailMfaConfiguration", "Email"),
)


class NotFound(LookupError):
    """A pool or user the caller named does not exist (HTTP 404)."""


class Ambiguous(LookupError):
    """A login names users in several pools: the caller must say which pool (HTTP 400)."""


def read_context(emulator: Emulator, session: Session, operation: str = "Console") -> Context:
    """A Context for the domain lookups (they take one); the time is the emulator's clock."""
    return Context(
        db=session,
        emulator=emulator,
        now=emulator.now(session),
        region=emulator.settings.region,
        operation=operation,
        request_id=ids.request_id(),
    )


def iso(value: datetime | None) -> str | None:
    return as_utc(value).isoformat() if value is not None else None


# --- pools and clients -------------------------------------------------------------------------------
def pool_mfa(pool: UserPool) -> dict[str, Any]:
    config = pool.config
    return {
        "mode": config.get("MfaConfiguration", "OFF"),
        "factors": [label for key, label in MFA_CONFIG_KEYS if key in config],
    }


def pool_summaries(session: Session) -> list[dict[str, Any]]:
    user_counts = dict(session.execute(select(User.pool_id, func.count()).group_by(User.pool_id)).all())
    client_counts = dict(
        session.execute(select(UserPoolClient.pool_id, func.count()).group_by(UserPoolClient.pool_id)).all()
    )
    result = []
    for pool in session.scalars(select(UserPool).order_by(UserPool.created_at, UserPool.id)):
        result.append(
            {
                "id": pool.id,
                "name": pool.name,
                "region": pool.region,
                "mfa": pool_mfa(pool),
                "sign_in": sign_in_names(pool),
                "users": user_counts.get(pool.id, 0),
                "clients": client_counts.get(pool.id, 0),
                "created_at": iso(pool.created_at),
            }
        )
    return result


def sign_in_names(pool: UserPool) -> list[str]:
    """What a user of this pool signs in with."""
    names = users.username_attributes(pool)
    if names:
        return names
    return ["username", *users.alias_attributes(pool)]


def pool_settings(pool: UserPool) -> list[tuple[str, Any]]:
    """The settings a person wants to see first, as (label, value) rows."""
    config = pool.config
    policy = config.get("Policies", {}).get("PasswordPolicy", {})
    rules = [f"at least {policy.get('MinimumLength', 8)} characters"]
    for key, label in (
        ("RequireUppercase", "uppercase"),
        ("RequireLowercase", "lowercase"),
        ("RequireNumbers", "number"),
        ("RequireSymbols", "symbol"),
    ):
        if policy.get(key):
            rules.append(label)
    required = [
        attribute["Name"]
        for attribute in config.get("SchemaAttributes", [])
        if attribute.get("Required") and attribute["Name"] != "sub"
    ]
    mfa = pool_mfa(pool)
    recovery = [
        item["Name"] for item in (config.get("AccountRecoverySetting") or {}).get("RecoveryMechanisms", [])
    ]
    triggers = {key: value for key, value in (config.get("LambdaConfig") or {}).items() if value}
    return [
        ("Sign-in with", ", ".join(sign_in_names(pool))),
        ("Case-sensitive usernames", "yes" if users.case_sensitive(pool) else "no"),
        ("MFA", mfa["mode"] + (f" ({', '.join(mfa['factors'])})" if mfa["factors"] else "")),
        ("Password policy", ", ".join(rules)),
        ("Temporary passwords valid", f"{policy.get('TemporaryPasswordValidityDays', 7)} days"),
        (
            "First factors (USER_AUTH)",
            ", ".join(config.get("Policies", {}).get("SignInPolicy", {}).get("AllowedFirstAuthFactors", [])),
        ),
        ("Required attributes", ", ".join(required) or "none"),
        ("Auto-verified", ", ".join(config.get("AutoVerifiedAttributes") or []) or "none"),
        ("Account recovery", ", ".join(recovery) or "default"),
        (
            "Self sign-up",
            "administrators only"
            if (config.get("AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly")
            else "allowed",
        ),
        ("Deletion protection", config.get("DeletionProtection", "INACTIVE")),
        (
            "Lambda triggers",
            [f"{key}: {_function_name(value)}" for key, value in sorted(triggers.items())] or "none",
        ),
    ]


def _function_name(value: Any) -> str:
    """``arn:aws:lambda:<region>:<account>:function:<name>`` -> ``<name>`` (other values as they are)."""
    if isinstance(value, dict):  # e.g. CustomSMSSender: {"LambdaArn": ..., "LambdaVersion": ...}
        value = value.get("LambdaArn", "")
    text = str(value)
    return text.split(":function:", 1)[1] if ":function:" in text else text


def client_view(client: UserPoolClient) -> dict[str, Any]:
    config = client.config
    units = config.get("TokenValidityUnits") or {}
    return {
        "id": client.id,
        "name": client.name,
        "has_secret": bool(client.secret),
        "secret": client.secret,
        # Without ExplicitAuthFlows Cognito applies its defaults: show those, marked as defaults.
        "auth_flows": list(config.get("ExplicitAuthFlows") or pools.DEFAULT_AUTH_FLOWS),
        "auth_flows_default": not config.get("ExplicitAuthFlows"),
        "prevent_user_existence_errors": config.get("PreventUserExistenceErrors", "LEGACY"),
        "token_revocation": bool(config.get("EnableTokenRevocation", True)),
        "access_token": f"{config.get('AccessTokenValidity', 60)} {units.get('AccessToken', 'minutes')}",
        "id_token": f"{config.get('IdTokenValidity', 60)} {units.get('IdToken', 'minutes')}",
        "refresh_token": f"{config.get('RefreshTokenValidity', 30)} {units.get('RefreshToken', 'days')}",
        "auth_session": f"{config.get('AuthSessionValidity', 3)} minutes",
        "refresh_rotation": (config.get("RefreshTokenRotation") or {}).get("Feature", "DISABLED"),
        "created_at": iso(client.created_at),
    }


def group_views(session: Session, pool_id: str) -> list[dict[str, Any]]:
    members = dict(
        session.execute(
            select(GroupMembership.group_name, func.count())
            .where(GroupMembership.pool_id == pool_id)
            .group_by(GroupMembership.group_name)
        ).all()
    )
    return [
        {
            "name": group.name,
            "description": group.description,
            "precedence": group.precedence,
            "role_arn": group.role_arn,
            "members": members.get(group.name, 0),
        }
        for group in session.scalars(select(Group).where(Group.pool_id == pool_id).order_by(Group.name))
    ]


def get_pool(session: Session, pool_id: str) -> UserPool:
    pool = session.get(UserPool, pool_id)
    if pool is None:
        raise NotFound(f"User pool {pool_id} does not exist.")
    return pool


def login_url(domain_url: str, client: UserPoolClient) -> str | None:
    """The hosted UI's login page for an app client (as Cognito's console links it), or None when the client
    has no browser flow (code or implicit) with a callback URL."""
    config = client.config
    flows = config.get("AllowedOAuthFlows") or []
    callbacks = config.get("CallbackURLs") or []
    if not config.get("AllowedOAuthFlowsUserPoolClient") or not callbacks:
        return None
    if "code" not in flows and "implicit" not in flows:
        return None
    query = {
        "client_id": client.id,
        "response_type": "code" if "code" in flows else "token",
        "scope": " ".join(config.get("AllowedOAuthScopes") or []),
        "redirect_uri": config.get("DefaultRedirectURI") or callbacks[0],
    }
    return f"{domain_url}/login?{urlencode(query)}"


def pool_detail(
    session: Session, pool_id: str, *, search: str | None = None, domain_base: str | None = None
) -> dict[str, Any]:
    """``domain_base``: where the pool's domain is served by path (``https://localhost:9230``), for its URLs."""
    pool = get_pool(session, pool_id)
    clients = list(
        session.scalars(
            select(UserPoolClient)
            .where(UserPoolClient.pool_id == pool.id)
            .order_by(UserPoolClient.created_at)
        )
    )
    found, total = list_users(session, pool.id, search=search, limit=USERS_PAGE)
    domain = session.scalar(select(UserPoolDomain).where(UserPoolDomain.pool_id == pool.id))
    domain_url = f"{domain_base}/{domain.domain}" if domain is not None and domain_base else None
    client_views = []
    for client in clients:
        view = client_view(client)
        view["login_url"] = login_url(domain_url, client) if domain_url else None
        client_views.append(view)
    return {
        "id": pool.id,
        "name": pool.name,
        "region": pool.region,
        "created_at": iso(pool.created_at),
        "sign_in": sign_in_names(pool),
        "settings": pool_settings(pool),
        "domain": None
        if domain is None
        else {"name": domain.domain, "custom": domain.custom, "url": domain_url},
        "clients": client_views,
        "groups": group_views(session, pool.id),
        "users": found,
        "user_total": total,
        "search": search or "",
    }


# --- users -------------------------------------------------------------------------------------------
def _groups_of(session: Session, user_ids: list[int]) -> dict[int, list[str]]:
    result: dict[int, list[str]] = defaultdict(list)
    if user_ids:
        rows = session.execute(
            select(GroupMembership.user_id, GroupMembership.group_name)
            .where(GroupMembership.user_id.in_(user_ids))
            .order_by(GroupMembership.group_name)
        )
        for user_id, name in rows:
            result[user_id].append(name)
    return result


def user_view(user: User, groups: list[str]) -> dict[str, Any]:
    attributes = users.attribute_map(user)
    enabled = users.mfa_setting_list(user)
    return {
        "pool_id": user.pool_id,
        "username": user.username,
        "sub": user.sub,
        "status": user.status,
        "enabled": bool(user.enabled),
        "email": attributes.get("email"),
        "email_verified": attributes.get("email_verified") == "true",
        "phone_number": attributes.get("phone_number"),
        "phone_number_verified": attributes.get("phone_number_verified") == "true",
        "attributes": attributes,
        "groups": groups,
        "mfa": {
            "enabled": [MFA_LABELS[item] for item in enabled],
            "preferred": MFA_LABELS.get(user.mfa_preferred or ""),
            "totp_secret": bool(user.totp_secret),
            "totp_pending": bool(user.totp_pending_secret),
        },
        "locked_until": iso(user.locked_until),
        "failed_attempts": user.failed_attempts,
        "password_set_at": iso(user.password_set_at),
        "created_at": iso(user.created_at),
        "modified_at": iso(user.modified_at),
    }


def list_users(
    session: Session, pool_id: str | None = None, *, search: str | None = None, limit: int | None = None
) -> tuple[list[dict[str, Any]], int]:
    """(users in username order, how many match) of one pool or of all; ``search`` is a case-insensitive
    prefix of the username (or of its email/phone number in pools that sign in with those)."""
    query = select(User)
    count = select(func.count()).select_from(User)
    if pool_id:
        query = query.where(User.pool_id == pool_id)
        count = count.where(User.pool_id == pool_id)
    if search:
        prefix = search.strip().lower()
        by_attribute = select(UserAttribute.user_id).where(
            UserAttribute.name.in_(("email", "phone_number")),
            UserAttribute.value_key.startswith(prefix, autoescape=True),
        )
        condition = func.lower(User.username).startswith(prefix, autoescape=True) | User.id.in_(by_attribute)
        query = query.where(condition)
        count = count.where(condition)
    query = query.order_by(User.pool_id, User.username_key)
    if limit:
        query = query.limit(limit)
    rows = list(session.scalars(query))
    groups = _groups_of(session, [row.id for row in rows])
    return [user_view(row, groups.get(row.id, [])) for row in rows], session.scalar(count) or 0


def find_users(emulator: Emulator, session: Session, login: str, pool_id: str | None = None) -> list[User]:
    """The users ``login`` names (username, sign-in alias or sub), in one pool or in every pool."""
    ctx = read_context(emulator, session)
    if pool_id:
        candidates = [get_pool(session, pool_id)]
    else:
        candidates = list(session.scalars(select(UserPool).order_by(UserPool.id)))
    found = []
    for pool in candidates:
        user = users.find_user(ctx, pool, login)
        if user is not None:
            found.append(user)
    return found


def find_user(emulator: Emulator, session: Session, login: str, pool_id: str | None = None) -> User:
    """The one user ``login`` names; NotFound or Ambiguous otherwise."""
    found = find_users(emulator, session, login, pool_id)
    if not found:
        where = f" in {pool_id}" if pool_id else ""
        raise NotFound(f"no user {login!r}{where}")
    if len(found) > 1:
        pools_named = ", ".join(user.pool_id for user in found)
        raise Ambiguous(f"{login!r} is a user of several pools ({pools_named}): name the pool")
    return found[0]


def user_by_sub(session: Session, pool_id: str, sub: str) -> User:
    user = session.scalar(select(User).where(User.pool_id == pool_id, User.sub == sub))
    if user is None:
        raise NotFound(f"no user {sub} in {pool_id}")
    return user


def user_detail(emulator: Emulator, session: Session, pool_id: str, sub: str) -> dict[str, Any]:
    pool = get_pool(session, pool_id)
    user = user_by_sub(session, pool.id, sub)
    view = user_view(user, _groups_of(session, [user.id]).get(user.id, []))
    view["pool_name"] = pool.name
    view["sign_in"] = sign_in_names(pool)
    view["totp"] = totp_view(emulator, session, user, pool)
    view["devices"] = device_views.user_devices(session, pool, user)
    view["activity"] = activity.user_activity(emulator, session, user, read_context(emulator, session))
    return view


# --- TOTP --------------------------------------------------------------------------------------------
def totp_view(
    emulator: Emulator, session: Session, user: User, pool: UserPool | None = None
) -> dict[str, Any]:
    """The user's TOTP secrets and the codes an authenticator app shows now (the emulator's now)."""
    pool = pool or get_pool(session, user.pool_id)
    now = emulator.now(session)
    left = totp.STEP_SECONDS - int(now.timestamp()) % totp.STEP_SECONDS
    account = users.attribute_map(user).get("email") or user.username
    view: dict[str, Any] = {"now": now.isoformat(), "seconds_left": left}
    for key, secret in (("verified", user.totp_secret), ("pending", user.totp_pending_secret)):
        if secret:
            view[key] = {
                "secret": secret,
                "code": totp.code_at(secret, now),
                "uri": totp.otpauth_uri(secret, account=account, issuer=pool.name),
            }
    return view


def totp_code_for_secret(emulator: Emulator, session: Session, secret: str) -> str:
    return totp.code_at(secret, emulator.now(session))


def pool_exists(session: Session, pool_id: str) -> bool:
    return session.get(UserPool, pool_id) is not None
