"""User attributes against a pool's schema and an app client's read/write permissions.

Every write of attributes (SignUp, AdminCreateUser, (Admin)UpdateUserAttributes, NEW_PASSWORD_REQUIRED
answers) goes through ``check_writes``; reads through an app client (GetUser, tokens) through ``readable``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from emulator.protocol.context import Context
from emulator.protocol.errors import CodeMismatchException, InvalidParameterException, NotAuthorizedException
from emulator.store.models import User, UserPool, UserPoolClient
from emulator.userpools import outbox, users
from emulator.userpools.users import is_email, is_phone_number

VERIFIED_FLAGS = ("email_verified", "phone_number_verified")
UNAUTHORIZED_WRITE = "A client attempted to write unauthorized attribute"
_SCHEMA_ERROR = "Attributes did not conform to the schema: "


def schema(pool: UserPool) -> dict[str, dict[str, Any]]:
    return {item["Name"]: item for item in pool.config.get("SchemaAttributes") or []}


def required_attributes(pool: UserPool) -> list[str]:
    return [name for name, spec in schema(pool).items() if spec.get("Required") and name != "sub"]


def from_request(items: Iterable[dict[str, Any]] | None) -> dict[str, str]:
    """[{"Name", "Value"}] -> {name: value}; a later duplicate wins, a missing Value is ""."""
    result: dict[str, str] = {}
    for item in items or []:
        result[item["Name"]] = item.get("Value") or ""
    return result


def writable(pool: UserPool, client: UserPoolClient) -> set[str]:
    """What an app client may write: its WriteAttributes, or by default every standard attribute except the
    verified flags and every custom one that is not developer-only. Required attributes always."""
    attributes = schema(pool)
    configured = client.config.get("WriteAttributes")
    if configured:
        allowed = set(configured)
    else:
        allowed = {
            name
            for name, spec in attributes.items()
            if name not in VERIFIED_FLAGS and name != "sub" and not name.startswith("dev:")
        }
    allowed |= set(required_attributes(pool))
    allowed.discard("sub")
    return allowed


def readable(pool: UserPool, client: UserPoolClient | None) -> set[str] | None:
    """What an app client may read (None = everything); ``sub`` always."""
    if client is None:
        return None
    configured = client.config.get("ReadAttributes")
    if not configured:
        return {name for name in schema(pool) if not name.startswith("dev:")} | {"sub"}
    return set(configured) | {"sub"}


def check_writes(
    pool: UserPool,
    values: dict[str, str],
    *,
    client: UserPoolClient | None,
    creating: bool,
) -> dict[str, str]:
    """Validate attributes a request wants to write; return them normalised (booleans as "true"/"false").

    ``client`` is the app client of a user (unsigned) call, None for Admin* calls. ``creating`` allows
    immutable attributes to be given a value.
    """
    attributes = schema(pool)
    allowed = writable(pool, client) if client is not None else None
    result: dict[str, str] = {}
    for name, value in values.items():
        spec = attributes.get(name)
        if spec is None:
            if client is not None:
                raise InvalidParameterException(
                    f"{_SCHEMA_ERROR}{name}: Attribute does not exist in the schema."
                )
            raise InvalidParameterException(
                f"{_SCHEMA_ERROR}Type for attribute {{{name}}} could not be determined"
            )
        if allowed is not None and name not in allowed:
            raise NotAuthorizedException(UNAUTHORIZED_WRITE)
        if name == "sub" or (not creating and spec.get("Mutable") is False):
            raise InvalidParameterException(
                f"{_SCHEMA_ERROR}{name}: Attribute cannot be updated. (changing an immutable attribute)"
            )
        result[name] = _check_value(name, spec, value)
    return result


def _check_value(name: str, spec: dict[str, Any], value: str) -> str:
    data_type = spec.get("AttributeDataType", "String")
    if value == "":
        return value  # an empty value removes the attribute
    if name == "email" and not is_email(value):
        raise InvalidParameterException("Invalid email address format.")
    if name == "phone_number" and not is_phone_number(value):
        raise InvalidParameterException("Invalid phone number format.")
    if data_type == "Boolean":
        lowered = value.lower()
        if lowered not in ("true", "false"):
            raise InvalidParameterException(f"{_SCHEMA_ERROR}{name}: Value must be either true or false")
        return lowered
    if data_type == "Number":
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise InvalidParameterException(f"{_SCHEMA_ERROR}{name}: Number must be a valid number") from None
        constraints = spec.get("NumberAttributeConstraints") or {}
        if constraints.get("MinValue") not in (None, "") and number < Decimal(str(constraints["MinValue"])):
            raise InvalidParameterException(
                f"{_SCHEMA_ERROR}{name}: Number must be greater than or equal to {constraints['MinValue']}"
            )
        if constraints.get("MaxValue") not in (None, "") and number > Decimal(str(constraints["MaxValue"])):
            raise InvalidParameterException(
                f"{_SCHEMA_ERROR}{name}: Number must be less than or equal to {constraints['MaxValue']}"
            )
        return value
    if data_type == "String":
        constraints = spec.get("StringAttributeConstraints") or {}
        if constraints.get("MaxLength") not in (None, "") and len(value) > int(constraints["MaxLength"]):
            raise InvalidParameterException(
                f"{_SCHEMA_ERROR}{name}: String must be no longer than {constraints['MaxLength']} characters"
            )
        if constraints.get("MinLength") not in (None, "") and len(value) < int(constraints["MinLength"]):
            raise InvalidParameterException(
                f"{_SCHEMA_ERROR}{name}: String must be no shorter than {constraints['MinLength']} characters"
            )
    return value


def check_required(pool: UserPool, values: dict[str, str]) -> None:
    """Every attribute the schema marks Required must have a value (SignUp, NEW_PASSWORD_REQUIRED)."""
    missing = [name for name in required_attributes(pool) if not values.get(name)]
    if missing:
        raise InvalidParameterException(
            _SCHEMA_ERROR + " ".join(f"{name}: The attribute is required" for name in missing)
        )


# --- updates, deletions and verification --------------------------------------------------------------
CONTACT_ATTRIBUTES = {"email": ("EMAIL", "email_verified"), "phone_number": ("SMS", "phone_number_verified")}
VERIFICATION_VALIDITY = timedelta(hours=24)


def verify_purpose(name: str) -> str:
    return f"VERIFY_ATTRIBUTE:{name}"


def auto_verified(pool: UserPool) -> list[str]:
    return list(pool.config.get("AutoVerifiedAttributes") or [])


def require_verification_before_update(pool: UserPool) -> set[str]:
    settings = pool.config.get("UserAttributeUpdateSettings") or {}
    return set(settings.get("AttributesRequireVerificationBeforeUpdate") or [])


def send_verification_code(
    ctx: Context, pool: UserPool, user: User, name: str, value: str, *, pending: bool = False
) -> dict[str, str]:
    """Send a code that verifies ``value`` of contact attribute ``name``; with ``pending`` the value only
    replaces the current one once verified. Returns the CodeDeliveryDetails."""
    channel, _flag = CONTACT_ATTRIBUTES[name]
    outbox.issue_code(
        ctx,
        pool,
        user,
        purpose=verify_purpose(name),
        channel=channel,
        destination=value,
        ttl=VERIFICATION_VALIDITY,
        data={"attribute": name, "value": value, "pending": pending},
    )
    return outbox.delivery_details(channel, value)


def apply_update(
    ctx: Context, pool: UserPool, user: User, values: dict[str, str], *, admin: bool
) -> list[dict[str, str]]:
    """Write checked attribute values to ``user`` the way (Admin)UpdateUserAttributes does.

    A new email/phone number is unverified (unless an admin sets its verified flag in the same call) and,
    when the pool auto-verifies it, gets a verification code. When the pool requires verification before
    update, a verified value stays in place until the new one is verified. An empty value removes the
    attribute. Returns the CodeDeliveryDetailsList.
    """
    current = users.attribute_map(user)
    required = set(required_attributes(pool))
    keep_until_verified = require_verification_before_update(pool)
    send: list[tuple[str, str, bool]] = []
    for name, value in values.items():
        if name in VERIFIED_FLAGS:
            continue
        if value == "":
            if name in required:
                raise InvalidParameterException(f"{_SCHEMA_ERROR}{name}: The attribute is required")
            users.delete_attribute(user, name)
            if name in CONTACT_ATTRIBUTES:
                users.delete_attribute(user, CONTACT_ATTRIBUTES[name][1])
            continue
        if name not in CONTACT_ATTRIBUTES:
            users.set_attribute(user, name, value)
            continue
        flag = CONTACT_ATTRIBUTES[name][1]
        if admin and values.get(flag) == "true":
            users.set_attribute(user, name, value)
            users.set_attribute(user, flag, "true")
            continue
        if value == current.get(name):
            continue
        if name in keep_until_verified and current.get(name) and current.get(flag) == "true":
            send.append((name, value, True))
            continue
        users.set_attribute(user, name, value)
        users.set_attribute(user, flag, "false")
        if name in auto_verified(pool):
            send.append((name, value, False))
    if admin:
        for flag in VERIFIED_FLAGS:
            if flag in values and values[flag] != "":
                attribute = flag.removesuffix("_verified")
                if (
                    attribute in values
                    and values[attribute] != current.get(attribute)
                    and values[flag] != "true"
                ):
                    continue  # a changed value is unverified whatever the request says
                users.set_attribute(user, flag, values[flag])
            elif flag in values:
                users.delete_attribute(user, flag)
    user.modified_at = ctx.now
    users.sync_aliases(ctx, pool, user)
    return [
        send_verification_code(ctx, pool, user, name, value, pending=pending) for name, value, pending in send
    ]


def delete_attributes(
    ctx: Context, pool: UserPool, user: User, names: list[str], *, client: UserPoolClient | None
) -> None:
    """(Admin)DeleteUserAttributes: required and immutable attributes cannot go; deleting a contact
    attribute also deletes its verified flag."""
    attributes = schema(pool)
    required = set(required_attributes(pool))
    allowed = writable(pool, client) if client is not None else None
    for name in names:
        spec = attributes.get(name)
        if spec is None:
            raise InvalidParameterException(
                f"{_SCHEMA_ERROR}Type for attribute {{{name}}} could not be determined"
            )
        if allowed is not None and name not in allowed:
            raise NotAuthorizedException(UNAUTHORIZED_WRITE)
        if name == "sub" or spec.get("Mutable") is False:
            raise InvalidParameterException(
                f"{_SCHEMA_ERROR}{name}: Attribute cannot be updated. (changing an immutable attribute)"
            )
        if name in required:
            raise InvalidParameterException(f"{_SCHEMA_ERROR}{name}: The attribute is required")
        users.delete_attribute(user, name)
        if name in CONTACT_ATTRIBUTES:
            users.delete_attribute(user, CONTACT_ATTRIBUTES[name][1])
    user.modified_at = ctx.now
    users.sync_aliases(ctx, pool, user)


def verify_attribute(ctx: Context, pool: UserPool, user: User, name: str, code: str) -> None:
    """VerifyUserAttribute: the code sent for ``name`` marks it verified (applying a pending new value)."""
    if name not in CONTACT_ATTRIBUTES:
        raise InvalidParameterException(f"Invalid attribute name: {name}")
    row = outbox.consume_code(ctx, user, purpose=verify_purpose(name), code=code)
    data = row.data or {}
    value = data.get("value")
    current = users.attribute_map(user).get(name)
    if value and data.get("pending"):
        users.set_attribute(user, name, value)
    elif value and value != current:
        # The attribute changed since the code went out: the code verified something else.
        raise CodeMismatchException()
    users.set_attribute(user, CONTACT_ATTRIBUTES[name][1], "true")
    user.modified_at = ctx.now
    users.sync_aliases(ctx, pool, user)
