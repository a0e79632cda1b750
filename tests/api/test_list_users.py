"""ListUsers over HTTP with boto3: the filter language, AttributesToGet, paging, and a pool of 10,000 users
inserted straight into the store (timings are printed, never asserted)."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import pytest
from botocore.exceptions import ClientError
from sqlalchemy import func, insert, select

from emulator.store.models import User, UserAttribute

BULK_USERS = 10_000


def make_pool(cognito, **settings) -> str:
    return cognito.create_user_pool(PoolName="pool", **settings)["UserPool"]["Id"]


def error(excinfo) -> tuple[str, str]:
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def attrs(items) -> dict[str, str]:
    return {item["Name"]: item["Value"] for item in items}


def names(result) -> list[str]:
    return [user["Username"] for user in result["Users"]]


@pytest.fixture
def small_pool(cognito):
    pool_id = make_pool(cognito)
    people = [
        ("amy", "Amy", "Reddy", "amy@example.com", "+13125550001"),
        ("ben", "Ben", "reddy", "Ben@Example.com", "+13125550002"),
        ("cat", "Cat", "Jones", "cat@other.org", "+14155550003"),
        ("dan", "Dan", "Jones", "dan@example.com", "+14155550004"),
    ]
    for username, given, family, email, phone in people:
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "given_name", "Value": given},
                {"Name": "family_name", "Value": family},
                {"Name": "email", "Value": email},
                {"Name": "phone_number", "Value": phone},
            ],
        )
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="amy", Password="Passw0rd!", Permanent=True)
    cognito.admin_disable_user(UserPoolId=pool_id, Username="dan")
    return pool_id


def test_filters(cognito, small_pool):
    def listed(expression: str, **kwargs) -> list[str]:
        return names(cognito.list_users(UserPoolId=small_pool, Filter=expression, **kwargs))

    assert listed("") == ["amy", "ben", "cat", "dan"]
    assert listed('family_name = "Reddy"') == ["amy", "ben"]  # searches ignore case
    assert listed('family_name="jones"') == ["cat", "dan"]
    assert listed('email ^= "ben@ex"') == ["ben"]
    assert listed('email ^= ""') == ["amy", "ben", "cat", "dan"]
    assert listed('phone_number ^= "+1312"') == ["amy", "ben"]
    assert listed('given_name = "Ca"') == []
    assert listed('username = "cat"') == ["cat"]
    assert listed('username ^= "b"') == ["ben"]
    assert listed('cognito:user_status = "CONFIRMED"') == ["amy"]
    assert listed('cognito:user_status = "force_change_password"') == ["ben", "cat", "dan"]
    assert listed('status = "Disabled"') == ["dan"]
    assert listed('status = "Enabled"') == ["amy", "ben", "cat"]
    sub = attrs(cognito.admin_get_user(UserPoolId=small_pool, Username="cat")["UserAttributes"])["sub"]
    assert listed(f'sub = "{sub}"') == ["cat"]
    assert listed(f'sub ^= "{sub[:8]}"') == ["cat"]
    # Sorted by the filtered attribute.
    assert listed('email ^= ""') == ["amy", "ben", "cat", "dan"]
    assert listed('given_name ^= ""') == ["amy", "ben", "cat", "dan"]


def test_filter_errors(cognito, small_pool):
    for expression in ("username = foo", "username=", 'email == "x"', 'email = "x" extra'):
        with pytest.raises(ClientError) as excinfo:
            cognito.list_users(UserPoolId=small_pool, Filter=expression)
        assert error(excinfo) == ("InvalidParameterException", "Error while parsing filter")
    with pytest.raises(ClientError) as excinfo:
        cognito.list_users(UserPoolId=small_pool, Filter='custom:foo = "bar"')
    assert error(excinfo) == ("InvalidParameterException", "Invalid search attribute: custom:foo")
    with pytest.raises(ClientError) as excinfo:
        cognito.list_users(UserPoolId=small_pool, PaginationToken="garbage")
    assert error(excinfo)[0] == "InvalidParameterException"


def test_quotes_in_values(cognito):
    pool_id = make_pool(cognito)
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username="q",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "name", "Value": 'The "Q"'}],
    )
    assert names(cognito.list_users(UserPoolId=pool_id, Filter='name = "The \\"Q\\""')) == ["q"]


def test_attributes_to_get_and_user_type(cognito, small_pool):
    result = cognito.list_users(
        UserPoolId=small_pool, Filter='username = "amy"', AttributesToGet=["email", "given_name"]
    )
    [user] = result["Users"]
    assert attrs(user["Attributes"]) == {"email": "amy@example.com", "given_name": "Amy"}
    assert user["UserStatus"] == "CONFIRMED" and user["Enabled"] is True
    assert "UserCreateDate" in user and "UserLastModifiedDate" in user
    everything = cognito.list_users(UserPoolId=small_pool, Filter='username = "amy"')["Users"][0]
    assert set(attrs(everything["Attributes"])) == {
        "sub",
        "given_name",
        "family_name",
        "email",
        "phone_number",
    }


def test_paging(cognito, small_pool):
    seen = []
    token = None
    while True:
        kwargs = {"PaginationToken": token} if token else {}
        result = cognito.list_users(UserPoolId=small_pool, Filter='email ^= ""', Limit=3, **kwargs)
        seen += names(result)
        token = result.get("PaginationToken")
        if not token:
            break
    assert seen == ["amy", "ben", "cat", "dan"]
    first = cognito.list_users(UserPoolId=small_pool, Limit=2)
    second = cognito.list_users(UserPoolId=small_pool, Limit=2, PaginationToken=first["PaginationToken"])
    assert names(first) + names(second) == ["amy", "ben", "cat", "dan"]
    assert "PaginationToken" not in second
    page = cognito.list_users(UserPoolId=small_pool, Filter='status = "Enabled"', Limit=2)
    rest = cognito.list_users(
        UserPoolId=small_pool, Filter='status = "Enabled"', Limit=2, PaginationToken=page["PaginationToken"]
    )
    assert names(page) + names(rest) == ["amy", "ben", "cat"]


def test_case_insensitive_username_filter(cognito):
    pool_id = make_pool(cognito, UsernameConfiguration={"CaseSensitive": False})
    cognito.admin_create_user(UserPoolId=pool_id, Username="MixedCase", MessageAction="SUPPRESS")
    assert names(cognito.list_users(UserPoolId=pool_id, Filter='username = "mixedcase"')) == ["MixedCase"]
    sensitive = make_pool(cognito)
    cognito.admin_create_user(UserPoolId=sensitive, Username="MixedCase", MessageAction="SUPPRESS")
    assert names(cognito.list_users(UserPoolId=sensitive, Filter='username = "mixedcase"')) == []


def _bulk_insert(server, pool_id: str, count: int) -> None:
    """Users straight into the store: the API would take minutes (argon2 per password) for this many."""
    now = datetime.now(UTC)
    statuses = ("CONFIRMED", "UNCONFIRMED", "FORCE_CHANGE_PASSWORD")
    families = ("Smith", "Jones", "Reddy", "Garcia", "Chen")
    with server.emulator.database.session() as session, session.begin():
        start = (session.scalar(select(func.max(User.id))) or 0) + 1
        user_rows, attribute_rows = [], []
        for i in range(count):
            user_id = start + i
            username = f"user{i:06d}"
            user_rows.append(
                {
                    "id": user_id,
                    "pool_id": pool_id,
                    "username": username,
                    "username_key": username,
                    "sub": str(uuid.uuid4()),
                    "status": statuses[i % 3],
                    "enabled": i % 10 != 0,
                    "created_at": now,
                    "modified_at": now,
                }
            )
            for name, value in (
                ("email", f"{username}@example.com"),
                ("given_name", f"Given{i % 100}"),
                ("family_name", families[i % 5]),
                ("phone_number", f"+1555{i:07d}"),
            ):
                attribute_rows.append(
                    {
                        "user_id": user_id,
                        "pool_id": pool_id,
                        "name": name,
                        "value": value,
                        "value_key": value.lower(),
                    }
                )
        session.execute(insert(User), user_rows)
        session.execute(insert(UserAttribute), attribute_rows)


def test_filters_on_ten_thousand_users(cognito, server):
    pool_id = make_pool(cognito)
    started = time.perf_counter()
    _bulk_insert(server, pool_id, BULK_USERS)
    print(f"\ninserted {BULK_USERS} users in {time.perf_counter() - started:.2f}s")

    def timed(label: str, **kwargs) -> dict:
        started = time.perf_counter()
        result = cognito.list_users(UserPoolId=pool_id, **kwargs)
        print(
            f"  {label:<45} {len(result['Users']):>3} users  {(time.perf_counter() - started) * 1000:7.1f} ms"
        )
        return result

    result = timed("email = (last user)", Filter='email = "user009999@example.com"')
    assert names(result) == ["user009999"]
    result = timed("email ^= user00123", Filter='email ^= "user00123"')
    assert names(result) == [f"user00123{d}" for d in range(10)]
    result = timed("family_name = reddy (2,000 matches)", Filter='family_name = "reddy"', Limit=60)
    assert len(result["Users"]) == 60 and "PaginationToken" in result
    assert all(attrs(user["Attributes"])["family_name"] == "Reddy" for user in result["Users"])
    result = timed("phone_number = ", Filter='phone_number = "+15550004321"')
    assert names(result) == ["user004321"]
    result = timed("username = ", Filter='username = "user005000"')
    assert names(result) == ["user005000"]
    result = timed("cognito:user_status = UNCONFIRMED", Filter='cognito:user_status = "UNCONFIRMED"')
    assert len(result["Users"]) == 60 and all(user["UserStatus"] == "UNCONFIRMED" for user in result["Users"])
    result = timed("status = Disabled", Filter='status = "Disabled"')
    assert names(result)[:2] == ["user000000", "user000010"]
    result = timed("no filter", Limit=60)
    assert names(result)[0] == "user000000"

    # Walk a whole filtered result set page by page.
    started = time.perf_counter()
    found, token = [], None
    while True:
        kwargs = {"PaginationToken": token} if token else {}
        page = cognito.list_users(UserPoolId=pool_id, Filter='given_name = "given7"', Limit=60, **kwargs)
        found += names(page)
        token = page.get("PaginationToken")
        if not token:
            break
    print(
        f"  paged through given_name = given7: {len(found)} users in {(time.perf_counter() - started) * 1000:.1f} ms"
    )
    assert len(found) == BULK_USERS // 100 and len(set(found)) == len(found)
