"""Groups: CreateGroup, GetGroup, UpdateGroup, DeleteGroup, ListGroups and memberships
(AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from emulator.clock import as_utc
from emulator.protocol.context import Context
from emulator.protocol.errors import GroupExistsException, ResourceNotFoundException
from emulator.store.models import Group, GroupMembership, User, UserPool
from emulator.userpools import pools, users
from emulator.userpools.operations import operation

DEFAULT_LIMIT = 60


def group_view(group: Group) -> dict[str, Any]:
    """GroupType."""
    view: dict[str, Any] = {"GroupName": group.name, "UserPoolId": group.pool_id}
    if group.description is not None:
        view["Description"] = group.description
    if group.role_arn is not None:
        view["RoleArn"] = group.role_arn
    if group.precedence is not None:
        view["Precedence"] = group.precedence
    view["LastModifiedDate"] = as_utc(group.modified_at)
    view["CreationDate"] = as_utc(group.created_at)
    return view


def get_group(ctx: Context, pool: UserPool, name: str) -> Group:
    group = ctx.db.get(Group, (pool.id, name))
    if group is None:
        raise ResourceNotFoundException("Group not found.")
    return group


def _limit(request: dict[str, Any]) -> int:
    return request.get("Limit") or DEFAULT_LIMIT


def _page(rows: list[Any], limit: int, key: Any) -> tuple[list[Any], str | None]:
    """The first ``limit`` rows and the token of the next page (rows holds up to limit + 1)."""
    if len(rows) > limit:
        return rows[:limit], pools.encode_token(key(rows[limit - 1]))
    return rows, None


@operation("CreateGroup")
def create_group(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    name = request["GroupName"]
    if ctx.db.get(Group, (pool.id, name)) is not None:
        raise GroupExistsException(f"A group with the name {name} already exists.")
    group = Group(
        pool_id=pool.id,
        name=name,
        description=request.get("Description"),
        role_arn=request.get("RoleArn"),
        precedence=request.get("Precedence"),
        created_at=ctx.now,
        modified_at=ctx.now,
    )
    ctx.db.add(group)
    return {"Group": group_view(group)}


@operation("GetGroup", writes=False)
def get_group_operation(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    return {"Group": group_view(get_group(ctx, pool, request["GroupName"]))}


@operation("UpdateGroup")
def update_group(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    group = get_group(ctx, pool, request["GroupName"])
    # Only what the request names changes.
    if "Description" in request:
        group.description = request["Description"]
    if "RoleArn" in request:
        group.role_arn = request["RoleArn"]
    if "Precedence" in request:
        group.precedence = request["Precedence"]
    group.modified_at = ctx.now
    return {"Group": group_view(group)}


@operation("DeleteGroup")
def delete_group(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    group = get_group(ctx, pool, request["GroupName"])
    ctx.db.execute(
        delete(GroupMembership).where(
            GroupMembership.pool_id == pool.id, GroupMembership.group_name == group.name
        )
    )
    ctx.db.delete(group)
    return {}


@operation("ListGroups", writes=False)
def list_groups(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    limit = _limit(request)
    query = select(Group).where(Group.pool_id == pool.id).order_by(Group.name)
    if request.get("NextToken"):
        query = query.where(Group.name > pools.decode_token(request["NextToken"]))
    rows, token = _page(list(ctx.db.scalars(query.limit(limit + 1))), limit, lambda group: group.name)
    result: dict[str, Any] = {"Groups": [group_view(group) for group in rows]}
    if token:
        result["NextToken"] = token
    return result


# --- memberships -------------------------------------------------------------------------------------
def groups_of(ctx: Context, user: User) -> list[Group]:
    """The user's groups, by name."""
    return list(
        ctx.db.scalars(
            select(Group)
            .join(
                GroupMembership,
                (GroupMembership.pool_id == Group.pool_id) & (GroupMembership.group_name == Group.name),
            )
            .where(GroupMembership.user_id == user.id)
            .order_by(Group.name)
        )
    )


@operation("AdminAddUserToGroup")
def admin_add_user_to_group(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    group = get_group(ctx, pool, request["GroupName"])
    user = users.get_user(ctx, pool, request["Username"])
    if ctx.db.get(GroupMembership, (user.id, pool.id, group.name)) is None:
        ctx.db.add(
            GroupMembership(user_id=user.id, pool_id=pool.id, group_name=group.name, created_at=ctx.now)
        )
    return {}


@operation("AdminRemoveUserFromGroup")
def admin_remove_user_from_group(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    group = get_group(ctx, pool, request["GroupName"])
    user = users.get_user(ctx, pool, request["Username"])
    membership = ctx.db.get(GroupMembership, (user.id, pool.id, group.name))
    if membership is not None:
        ctx.db.delete(membership)
    return {}


@operation("AdminListGroupsForUser", writes=False)
def admin_list_groups_for_user(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    user = users.get_user(ctx, pool, request["Username"])
    limit = _limit(request)
    query = (
        select(Group)
        .join(
            GroupMembership,
            (GroupMembership.pool_id == Group.pool_id) & (GroupMembership.group_name == Group.name),
        )
        .where(GroupMembership.user_id == user.id)
        .order_by(Group.name)
    )
    if request.get("NextToken"):
        query = query.where(Group.name > pools.decode_token(request["NextToken"]))
    rows, token = _page(list(ctx.db.scalars(query.limit(limit + 1))), limit, lambda group: group.name)
    result: dict[str, Any] = {"Groups": [group_view(group) for group in rows]}
    if token:
        result["NextToken"] = token
    return result


@operation("ListUsersInGroup", writes=False)
def list_users_in_group(ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
    pool = pools.get_pool(ctx, request["UserPoolId"])
    group = get_group(ctx, pool, request["GroupName"])
    limit = _limit(request)
    query = (
        select(User)
        .join(GroupMembership, GroupMembership.user_id == User.id)
        .where(GroupMembership.pool_id == pool.id, GroupMembership.group_name == group.name)
        .order_by(User.username_key)
    )
    if request.get("NextToken"):
        query = query.where(User.username_key > pools.decode_token(request["NextToken"]))
    rows, token = _page(list(ctx.db.scalars(query.limit(limit + 1))), limit, lambda user: user.username_key)
    result: dict[str, Any] = {"Users": [users.user_type(user) for user in rows]}
    if token:
        result["NextToken"] = token
    return result
