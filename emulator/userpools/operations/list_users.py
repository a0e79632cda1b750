"""ListUsers: the filter language (``attr = "value"``, ``attr ^= "prefix"``), AttributesToGet, Limit and
PaginationToken.

Every filter runs on an index and reads the users in the order of the filtered value, so a page costs the
same in a pool of ten users or of a million: ``username``/``cognito:user_status``/``status`` use the
``users`` indexes, ``sub`` its unique index, the searchable attributes ``ix_user_attributes_lookup``
(pool, name, lower-cased value, user). As in Cognito, attribute searches ignore case; results come sorted
by the filtered attribute.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from sqlalchemy import Select, and_, or_, select

from emulator.protocol.context import Context
from emulator.protocol.errors import InvalidParameterException
from emulator.store.models import User, UserAttribute, UserPool
from emulator.userpools import pools, users
from emulator.userpools.operations import operation

DEFAULT_LIMIT = 60
SEARCHABLE_ATTRIBUTES = ("email", "phone_number", "name", "given_name", "family_name", "preferred_username")
FILTERABLE = ("username", *SEARCHABLE_ATTRIBUTES, "cognito:user_status", "status", "sub")
_FILTER = re.compile(r'^\s*([A-Za-z_:]+)\s*(\^=|=)\s*"((?:[^"\\]|\\.)*)"\s*$', re.DOTALL)
# Above every character: the exclusive upper end of a prefix range.
_AFTER_ALL = "\U0010ffff"


def parse_filter(text: str) -> tuple[str, str, str] | None:
    """(attribute, operator, value) of a filter string; None for an empty one."""
    if not text.strip():
        return None
    match = _FILTER.match(text)
    if match is None:
        raise InvalidParameterException("Error while parsing filter")
    name, operator, raw = match.groups()
    if name not in FILTERABLE:
        raise InvalidParameterException(f"Invalid search attribute: {name}")
    value = re.sub(r"\\(.)", r"\1", raw, flags=re.DOTALL)
    return name, operator, value


def _matches(column: Any, operator: str, value: str) -> Any:
    if operator == "=":
        return column == value
    return and_(column >= value, column < value + _AFTER_ALL)


def _token(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


def _untoken(token: str, size: int) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError:
        values = None
    if not isinstance(values, list) or len(values) != size:
        raise InvalidParameterException("Invalid pagination token.")
    return values


def _query(pool: UserPool, parsed: tuple[str, str, str] | None) -> tuple[Select[Any], list[Any]]:
    """The users matching the filter with their sort columns, and those columns (the page key)."""
    base = User.pool_id == pool.id
    if parsed is None:
        return select(User, User.username_key).where(base), [User.username_key]
    name, operator, value = parsed
    if name == "username":
        condition = _matches(User.username_key, operator, users.login_key(pool, value))
        return select(User, User.username_key).where(base, condition), [User.username_key]
    if name == "sub":
        return select(User, User.sub).where(base, _matches(User.sub, operator, value)), [User.sub]
    if name == "cognito:user_status":
        condition = _matches(User.status, operator, value.upper())
        return select(User, User.status, User.username_key).where(base, condition), [
            User.status,
            User.username_key,
        ]
    if name == "status":
        states = [
            enabled
            for enabled, label in ((True, "Enabled"), (False, "Disabled"))
            if (label == value if operator == "=" else label.startswith(value))
        ]
        query = select(User, User.enabled, User.username_key).where(base, User.enabled.in_(states))
        return query, [User.enabled, User.username_key]
    lowered = value.lower()
    query = (
        select(User, UserAttribute.value_key, UserAttribute.user_id)
        .join(UserAttribute, UserAttribute.user_id == User.id)
        .where(
            UserAttribute.pool_id == pool.id,
            UserAttribute.name == name,
            _matches(UserAttribute.value_key, operator, lowered),
        )
    )
    return query, [UserAttribute.value_key, UserAttribute.user_id]


def _after(columns: list[Any], values: list[Any]) -> Any:
    """Rows strictly after ``values`` in the order of ``columns`` (keyset pagination)."""
    if len(columns) == 1:
        return columns[0] > values[0]
    if columns[0] is User.enabled:
        # Booleans only compare for equality in SQL; False sorts first.
        later = columns[1] > values[1]
        if values[0]:
            return and_(User.enabled.is_(True), later)
        return or_(and_(User.enabled.is_(False), later), User.enabled.is_(True))
    return or_(columns[0] > values[0], and_(columns[0] == values[0], columns[1] > values[1]))


@operation("ListUsers", writes=False)
def list_users(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    parsed = parse_filter(request.get("Filter") or "")
    limit = request.get("Limit") or DEFAULT_LIMIT
    query, order = _query(pool, parsed)
    if request.get("PaginationToken"):
        values = _untoken(request["PaginationToken"], len(order))
        if order[0] is User.enabled:
            values[0] = bool(values[0])
        query = query.where(_after(order, values))
    rows = ctx.db.execute(query.order_by(*order).limit(limit + 1)).all()
    names = request.get("AttributesToGet") or None
    result: dict[str, Any] = {"Users": [users.user_type(row[0], names) for row in rows[:limit]]}
    if len(rows) > limit:
        result["PaginationToken"] = _token(list(rows[limit - 1][1:]))
    return result
