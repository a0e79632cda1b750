"""Groups and memberships over HTTP with boto3."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/admins"


def make_pool(cognito) -> str:
    return cognito.create_user_pool(PoolName="pool")["UserPool"]["Id"]


def error(excinfo) -> tuple[str, str]:
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def test_group_lifecycle(cognito):
    pool_id = make_pool(cognito)
    group = cognito.create_group(
        UserPoolId=pool_id, GroupName="admins", Description="The admins", RoleArn=ROLE, Precedence=1
    )["Group"]
    assert group["GroupName"] == "admins" and group["UserPoolId"] == pool_id
    assert group["Description"] == "The admins" and group["RoleArn"] == ROLE and group["Precedence"] == 1
    assert "CreationDate" in group and "LastModifiedDate" in group
    bare = cognito.create_group(UserPoolId=pool_id, GroupName="readers")["Group"]
    assert "Precedence" not in bare and "RoleArn" not in bare and "Description" not in bare
    with pytest.raises(ClientError) as excinfo:
        cognito.create_group(UserPoolId=pool_id, GroupName="admins")
    assert error(excinfo) == ("GroupExistsException", "A group with the name admins already exists.")

    assert cognito.get_group(UserPoolId=pool_id, GroupName="admins")["Group"]["Precedence"] == 1
    updated = cognito.update_group(UserPoolId=pool_id, GroupName="admins", Precedence=5)["Group"]
    assert (
        updated["Precedence"] == 5 and updated["Description"] == "The admins" and updated["RoleArn"] == ROLE
    )

    cognito.delete_group(UserPoolId=pool_id, GroupName="admins")
    for call in (cognito.get_group, cognito.delete_group, cognito.update_group):
        with pytest.raises(ClientError) as excinfo:
            call(UserPoolId=pool_id, GroupName="admins")
        assert error(excinfo) == ("ResourceNotFoundException", "Group not found.")
    with pytest.raises(ClientError) as excinfo:
        cognito.create_group(UserPoolId="us-east-1_missing00", GroupName="x")
    assert error(excinfo)[0] == "ResourceNotFoundException"


def test_list_groups_paging(cognito):
    pool_id = make_pool(cognito)
    for index in range(5):
        cognito.create_group(UserPoolId=pool_id, GroupName=f"group{index}")
    first = cognito.list_groups(UserPoolId=pool_id, Limit=2)
    assert [group["GroupName"] for group in first["Groups"]] == ["group0", "group1"]
    second = cognito.list_groups(UserPoolId=pool_id, Limit=2, NextToken=first["NextToken"])
    third = cognito.list_groups(UserPoolId=pool_id, Limit=2, NextToken=second["NextToken"])
    assert [group["GroupName"] for group in second["Groups"] + third["Groups"]] == [
        "group2",
        "group3",
        "group4",
    ]
    assert "NextToken" not in third
    assert len(cognito.list_groups(UserPoolId=pool_id)["Groups"]) == 5


def test_memberships(cognito):
    pool_id = make_pool(cognito)
    for name in ("admins", "editors", "readers"):
        cognito.create_group(UserPoolId=pool_id, GroupName=name, Precedence=len(name))
    for username in ("amy", "ben", "cat"):
        cognito.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="amy", GroupName="admins")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="amy", GroupName="admins")  # idempotent
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="amy", GroupName="readers")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="ben", GroupName="readers")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="cat", GroupName="readers")

    groups = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username="amy")["Groups"]
    assert [group["GroupName"] for group in groups] == ["admins", "readers"]
    assert groups[0]["Precedence"] == 6
    page = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username="amy", Limit=1)
    assert len(page["Groups"]) == 1 and page["NextToken"]
    rest = cognito.admin_list_groups_for_user(
        UserPoolId=pool_id, Username="amy", Limit=1, NextToken=page["NextToken"]
    )
    assert [group["GroupName"] for group in rest["Groups"]] == ["readers"]

    readers = cognito.list_users_in_group(UserPoolId=pool_id, GroupName="readers")["Users"]
    assert [user["Username"] for user in readers] == ["amy", "ben", "cat"]
    assert readers[0]["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    page = cognito.list_users_in_group(UserPoolId=pool_id, GroupName="readers", Limit=2)
    rest = cognito.list_users_in_group(UserPoolId=pool_id, GroupName="readers", NextToken=page["NextToken"])
    assert [user["Username"] for user in page["Users"] + rest["Users"]] == ["amy", "ben", "cat"]

    cognito.admin_remove_user_from_group(UserPoolId=pool_id, Username="amy", GroupName="readers")
    cognito.admin_remove_user_from_group(
        UserPoolId=pool_id, Username="amy", GroupName="readers"
    )  # idempotent
    assert [
        u["Username"] for u in cognito.list_users_in_group(UserPoolId=pool_id, GroupName="readers")["Users"]
    ] == [
        "ben",
        "cat",
    ]
    # Deleting a group or a user ends its memberships.
    cognito.delete_group(UserPoolId=pool_id, GroupName="admins")
    assert cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username="amy")["Groups"] == []
    cognito.admin_delete_user(UserPoolId=pool_id, Username="ben")
    assert [
        u["Username"] for u in cognito.list_users_in_group(UserPoolId=pool_id, GroupName="readers")["Users"]
    ] == ["cat"]

    with pytest.raises(ClientError) as excinfo:
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="nobody", GroupName="readers")
    assert error(excinfo) == ("UserNotFoundException", "User does not exist.")
    with pytest.raises(ClientError) as excinfo:
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="cat", GroupName="nogroup")
    assert error(excinfo) == ("ResourceNotFoundException", "Group not found.")
    with pytest.raises(ClientError) as excinfo:
        cognito.list_users_in_group(UserPoolId=pool_id, GroupName="nogroup")
    assert error(excinfo) == ("ResourceNotFoundException", "Group not found.")
