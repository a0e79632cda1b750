"""Users of a pool: lookup by any sign-in name, attributes, aliases, passwords and the API's views of a user.

Sign-in names. Every user has a username (``username_key`` is what lookups compare: lower-cased in pools
whose UsernameConfiguration.CaseSensitive is false). Besides it:
  * pools with UsernameAttributes (email and/or phone_number as the user name) give each user a UUID
    username equal to its ``sub``; the email/phone number is the sign-in name and is unique in the pool;
  * pools with AliasAttributes let a user sign in with a *verified* email/phone number and with
    preferred_username; each alias belongs to at most one user;
  * Admin* calls also accept the ``sub`` in place of the username.
Those identifiers live in ``user_aliases`` (primary key pool + kind + key), so one login value resolves to
exactly one user everywhere, in one indexed lookup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from emulator import ids
from emulator.clock import as_utc
from emulator.crypto import passwords, srp
from emulator.crypto.codes import COGNITO_SYMBOLS
from emulator.protocol.context import Context
from emulator.protocol.errors import (
    AliasExistsException,
    InvalidParameterException,
    InvalidPasswordException,
    UsernameExistsException,
    UserNotFoundException,
)
from emulator.store.models import User, UserAlias, UserAttribute, UserPool
from emulator.userpools import observers, password_history
from emulator.userpools.pools import DEFAULT_PASSWORD_POLICY

ALIAS_KINDS = ("email", "phone_number", "preferred_username")
VERIFIED_FLAG = {"email": "email_verified", "phone_number": "phone_number_verified"}

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+$")
PHONE_PATTERN = re.compile(r"^\+[0-9]{4,15}$")
_SYMBOLS = frozenset(COGNITO_SYMBOLS + " ")


# --- pool settings -----------------------------------------------------------------------------------
def username_attributes(pool: UserPool) -> list[str]:
    return list(pool.config.get("UsernameAttributes") or [])


def alias_attributes(pool: UserPool) -> list[str]:
    return list(pool.config.get("AliasAttributes") or [])


def case_sensitive(pool: UserPool) -> bool:
    """Pools created through the API without UsernameConfiguration are case-sensitive (AWS's default)."""
    return bool((pool.config.get("UsernameConfiguration") or {}).get("CaseSensitive", True))


def login_key(pool: UserPool, value: str) -> str:
    """A username or alias as compared: lower-cased in case-insensitive pools."""
    return value if case_sensitive(pool) else value.lower()


def is_email(value: str) -> bool:
    return bool(EMAIL_PATTERN.match(value))


def is_phone_number(value: str) -> bool:
    return bool(PHONE_PATTERN.match(value))


# --- lookups -----------------------------------------------------------------------------------------
# One user with their attributes in one statement. The relationship's default (selectin) suits lists of
# users; for one, a joined load is one statement instead of two and took a third less CPU.
WITH_ATTRIBUTES = joinedload(User.attributes)
# The lookups of every request, built once: building an ORM statement took about as long as running it.
_BY_USERNAME = (
    select(User)
    .options(WITH_ATTRIBUTES)
    .where(User.pool_id == bindparam("pool_id"), User.username_key == bindparam("key"))
)
_ID_BY_USERNAME = select(User.id).where(
    User.pool_id == bindparam("pool_id"), User.username_key == bindparam("key")
)
_BY_ALIAS = select(UserAlias.kind, UserAlias.user_id).where(
    UserAlias.pool_id == bindparam("pool_id"), UserAlias.key == bindparam("key")
)
BY_SUB = (
    select(User)
    .options(WITH_ATTRIBUTES)
    .where(User.pool_id == bindparam("pool_id"), User.sub == bindparam("sub"))
)


def find_user(ctx: Context, pool: UserPool, login: str) -> User | None:
    """The one user that ``login`` names: its username, a sign-in alias, or its sub."""
    if not login:
        return None
    key = login_key(pool, login)
    user = ctx.db.scalar(_BY_USERNAME, {"pool_id": pool.id, "key": key})
    if user is not None:
        return user
    rows = ctx.db.execute(_BY_ALIAS, {"pool_id": pool.id, "key": key}).all()
    if rows:
        # Different kinds cannot normally share a value; if they do, email wins, then phone, then preferred_username.
        rows.sort(
            key=lambda row: ALIAS_KINDS.index(row.kind) if row.kind in ALIAS_KINDS else len(ALIAS_KINDS)
        )
        return ctx.db.get(User, rows[0].user_id, options=[WITH_ATTRIBUTES])
    return ctx.db.scalar(BY_SUB, {"pool_id": pool.id, "sub": login})


def get_user(ctx: Context, pool: UserPool, login: str) -> User:
    user = find_user(ctx, pool, login)
    if user is None:
        raise UserNotFoundException("User does not exist.")
    ctx.log.setdefault("user", user.username)
    return user


# --- attributes --------------------------------------------------------------------------------------
def attribute_map(user: User) -> dict[str, str]:
    """The user's attributes, name -> value, ``sub`` included."""
    values = {"sub": user.sub}
    for row in sorted(user.attributes, key=lambda row: row.id or 0):
        values[row.name] = row.value
    return values


def attribute_list(user: User, names: Iterable[str] | None = None) -> list[dict[str, str]]:
    """[{"Name", "Value"}] as the API lists them (sub first); only ``names`` when given."""
    wanted = set(names) if names is not None else None
    return [
        {"Name": name, "Value": value}
        for name, value in attribute_map(user).items()
        if wanted is None or name in wanted
    ]


def set_attribute(user: User, name: str, value: str) -> None:
    for row in user.attributes:
        if row.name == name:
            row.value = value
            row.value_key = value.lower()
            return
    user.attributes.append(
        UserAttribute(pool_id=user.pool_id, name=name, value=value, value_key=value.lower())
    )


def delete_attribute(user: User, name: str) -> None:
    for row in list(user.attributes):
        if row.name == name:
            user.attributes.remove(row)


def is_verified(user: User, name: str) -> bool:
    flag = VERIFIED_FLAG.get(name)
    return bool(flag) and attribute_map(user).get(flag) == "true"


# --- aliases -----------------------------------------------------------------------------------------
def wanted_aliases(pool: UserPool, user: User) -> dict[str, str]:
    """kind -> key of the sign-in names besides the username that this user should hold now."""
    values = attribute_map(user)
    result: dict[str, str] = {}
    for kind in username_attributes(pool):
        if values.get(kind):
            result[kind] = login_key(pool, values[kind])
    for kind in alias_attributes(pool):
        value = values.get(kind)
        if not value:
            continue
        if kind in VERIFIED_FLAG and values.get(VERIFIED_FLAG[kind]) != "true":
            continue  # an email/phone alias works only once verified
        result[kind] = login_key(pool, value)
    return result


def alias_owner(ctx: Context, pool: UserPool, kind: str, key: str) -> int | None:
    return ctx.db.scalar(
        select(UserAlias.user_id).where(
            UserAlias.pool_id == pool.id, UserAlias.kind == kind, UserAlias.key == key
        )
    )


def alias_exists_message(kind: str) -> str:
    return f"An account with the given {kind} already exists."


def sync_aliases(
    ctx: Context, pool: UserPool, user: User, *, force: bool = False, creating: bool = False
) -> None:
    """Make the ``user_aliases`` rows match the user's attributes.

    A sign-in name held by another user is an error (UsernameExistsException when a new user would get the
    email/phone that is another's user name, AliasExistsException otherwise) unless ``force`` moves an alias
    over: the previous owner's value then stops being verified (ForceAliasCreation).
    """
    ctx.db.flush()  # the user needs its id
    wanted = wanted_aliases(pool, user)
    current = {
        row.kind: row
        for row in ctx.db.scalars(
            select(UserAlias).where(UserAlias.pool_id == pool.id, UserAlias.user_id == user.id)
        )
    }
    for kind, row in current.items():
        if wanted.get(kind) != row.key:
            ctx.db.delete(row)
    ctx.db.flush()
    for kind, key in wanted.items():
        if kind in current and current[kind].key == key:
            continue
        owner_id = alias_owner(ctx, pool, kind, key)
        if owner_id is not None and owner_id != user.id:
            if kind in username_attributes(pool):
                if creating:
                    raise UsernameExistsException(alias_exists_message(kind))
                raise AliasExistsException(alias_exists_message(kind))
            if not force:
                raise AliasExistsException(alias_exists_message(kind))
            _take_alias(ctx, pool, kind, key, owner_id)
        ctx.db.add(UserAlias(pool_id=pool.id, kind=kind, key=key, user_id=user.id))
    ctx.db.flush()


def _take_alias(ctx: Context, pool: UserPool, kind: str, key: str, owner_id: int) -> None:
    previous = ctx.db.get(User, owner_id)
    row = ctx.db.get(UserAlias, (pool.id, kind, key))
    if row is not None:
        ctx.db.delete(row)
    if previous is not None and kind in VERIFIED_FLAG:
        set_attribute(previous, VERIFIED_FLAG[kind], "false")
        previous.modified_at = ctx.now
    ctx.db.flush()


def check_alias_free(ctx: Context, pool: UserPool, user: User | None, kind: str, value: str) -> None:
    """Raise AliasExistsException if ``value`` already is another user's ``kind`` sign-in name."""
    owner_id = alias_owner(ctx, pool, kind, login_key(pool, value))
    if owner_id is not None and (user is None or owner_id != user.id):
        raise AliasExistsException(alias_exists_message(kind))


# --- creating users ----------------------------------------------------------------------------------
def check_new_username(pool: UserPool, username: str) -> None:
    """The rules Cognito applies to a new user's Username in pools with sign-in attributes."""
    names = username_attributes(pool)
    if names:
        if ("email" in names and is_email(username)) or (
            "phone_number" in names and is_phone_number(username)
        ):
            return
        if names == ["email"]:
            raise InvalidParameterException("Username should be an email.")
        if names == ["phone_number"]:
            raise InvalidParameterException("Username should be a phone number.")
        raise InvalidParameterException("Username should be either an email or a phone number.")
    aliases = alias_attributes(pool)
    if "email" in aliases and is_email(username):
        raise InvalidParameterException(
            "Username cannot be of email format, since user pool is configured for email alias."
        )
    if "phone_number" in aliases and is_phone_number(username):
        raise InvalidParameterException(
            "Username cannot be of phone number format, since user pool is configured for phone number alias."
        )


def create_user(
    ctx: Context,
    pool: UserPool,
    username: str,
    attributes: dict[str, str],
    *,
    status: str,
    force_alias: bool = False,
) -> User:
    """A new user with these (already validated) attributes.

    In a pool with UsernameAttributes, ``username`` is the email or phone number: it becomes that attribute
    and the stored username is the new user's sub.
    """
    check_new_username(pool, username)
    sub = ids.sub()
    attributes = dict(attributes)
    if username_attributes(pool):
        kind = "email" if is_email(username) else "phone_number"
        attributes[kind] = username
        stored_username = sub
    else:
        stored_username = username
    key = login_key(pool, stored_username)
    exists = ctx.db.scalar(_ID_BY_USERNAME, {"pool_id": pool.id, "key": key})
    if exists is not None:
        raise UsernameExistsException("User already exists")
    user = User(
        pool_id=pool.id,
        username=stored_username,
        username_key=key,
        sub=sub,
        status=status,
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
    for name, value in attributes.items():
        set_attribute(user, name, value)
    sync_aliases(ctx, pool, user, force=force_alias, creating=True)
    ctx.log["user"] = stored_username
    return user


def delete_user(ctx: Context, user: User) -> None:
    ctx.db.delete(user)
    ctx.db.flush()


# --- passwords ---------------------------------------------------------------------------------------
@cache
def hasher_for(profile: str) -> PasswordHasher:
    return passwords.make_hasher(profile)


def password_hasher(ctx: Context) -> PasswordHasher:
    """The argon2id hasher of this emulator's settings (``--password-hashing``), made once per profile."""
    return hasher_for(ctx.settings.password_hashing)


def password_policy(pool: UserPool) -> dict[str, Any]:
    return {**DEFAULT_PASSWORD_POLICY, **((pool.config.get("Policies") or {}).get("PasswordPolicy") or {})}


def check_password_policy(pool: UserPool, password: str) -> None:
    """InvalidPasswordException with Cognito's message for the first rule the password breaks."""
    policy = password_policy(pool)
    problem = None
    if len(password) < int(policy.get("MinimumLength") or 0):
        problem = "Password not long enough"
    elif policy.get("RequireLowercase") and not any("a" <= c <= "z" for c in password):
        problem = "Password must have lowercase characters"
    elif policy.get("RequireUppercase") and not any("A" <= c <= "Z" for c in password):
        problem = "Password must have uppercase characters"
    elif policy.get("RequireNumbers") and not any("0" <= c <= "9" for c in password):
        problem = "Password must have numeric characters"
    elif policy.get("RequireSymbols") and not any(c in _SYMBOLS for c in password.strip(" ")):
        # A space counts as a symbol, but not at either end (those are not allowed at all).
        problem = "Password must have symbol characters"
    if problem:
        raise InvalidPasswordException(f"Password did not conform with policy: {problem}")


def set_password(ctx: Context, pool: UserPool, user: User, password: str, *, temporary: bool) -> None:
    """Check the policy, then store the argon2id hash and the SRP salt/verifier; never the password."""
    check_password_policy(pool, password)
    policy = password_policy(pool)
    hasher = password_hasher(ctx)
    password_history.check_not_reused(
        ctx.db, policy, user, password, lambda stored, given: passwords.verify_password(hasher, stored, given)
    )
    replaced = user.password_hash
    try:
        prepared = ctx.password_work.take_hash(password) if ctx.password_work else None
        user.password_hash = prepared or passwords.hash_password(password_hasher(ctx), password)
        user.srp_salt, user.srp_verifier = srp.compute_verifier(
            ids.pool_name_for_srp(pool.id), user.username, password
        )
    except ValueError:
        raise InvalidPasswordException(
            "Password did not conform with policy: Password contains invalid characters"
        ) from None
    user.password_set_at = ctx.now
    user.password_temporary = temporary
    user.modified_at = ctx.now
    password_history.remember(ctx.db, policy, user, replaced, ctx.now)
    observers.notify(ctx, "password_set", user)


def check_password(ctx: Context, user: User, password: str) -> bool:
    """True if ``password`` is the user's; re-hashes a hash made under another profile."""
    if not user.password_hash or not isinstance(password, str):
        return False
    hasher = password_hasher(ctx)
    matches = ctx.password_work.check(user.password_hash, password) if ctx.password_work else None
    if matches is None:
        matches = passwords.verify_password(hasher, user.password_hash, password)
    if not matches:
        return False
    if passwords.needs_rehash(hasher, user.password_hash):
        user.password_hash = passwords.hash_password(hasher, password)
    return True


# --- views -------------------------------------------------------------------------------------------
def mfa_setting_list(user: User) -> list[str]:
    result = []
    if user.mfa_sms_enabled:
        result.append("SMS_MFA")
    if user.mfa_totp_enabled:
        result.append("SOFTWARE_TOKEN_MFA")
    if user.mfa_email_enabled:
        result.append("EMAIL_OTP")
    return result


def mfa_view(user: User) -> dict[str, Any]:
    """MFAOptions / UserMFASettingList / PreferredMfaSetting of AdminGetUser and GetUser."""
    view: dict[str, Any] = {}
    if user.mfa_sms_enabled:
        # The legacy MFAOptions only ever describe SMS.
        view["MFAOptions"] = [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    settings = mfa_setting_list(user)
    if settings:
        view["UserMFASettingList"] = settings
    if user.mfa_preferred:
        view["PreferredMfaSetting"] = user.mfa_preferred
    return view


def user_type(user: User, attribute_names: Iterable[str] | None = None) -> dict[str, Any]:
    """UserType: how AdminCreateUser, ListUsers and ListUsersInGroup show a user."""
    view: dict[str, Any] = {
        "Username": user.username,
        "Attributes": attribute_list(user, attribute_names),
        "UserCreateDate": _timestamp(user.created_at),
        "UserLastModifiedDate": _timestamp(user.modified_at),
        "Enabled": bool(user.enabled),
        "UserStatus": user.status,
    }
    if user.mfa_sms_enabled:
        view["MFAOptions"] = [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    return view


def _timestamp(value: datetime) -> datetime:
    return as_utc(value)
