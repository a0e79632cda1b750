"""Builders shared by the token tests (no tests in here).

Users and groups are written straight into the store (the user and group operations are other areas);
sign-in goes through the real InitiateAuth over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jwt
from botocore.exceptions import ClientError

from emulator.protocol.context import Context
from emulator.protocol.errors import CognitoError
from emulator.store.models import Group, GroupMembership, User, UserPool, UserPoolClient
from emulator.userpools import tokens, users

PASSWORD = "Passw0rd!"
ALL_FLOWS = [
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
]


@contextmanager
def store(server: Any, operation: str = "Test") -> Iterator[Context]:
    """A Context on the test server's database, committed on exit (like one operation)."""
    emulator = server.emulator
    with emulator.database.session() as session, session.begin():
        yield Context(
            db=session,
            emulator=emulator,
            now=emulator.now(session),
            region=emulator.settings.region,
            operation=operation,
            request_id="test",
        )


def make_pool(cognito: Any, **settings: Any) -> str:
    return cognito.create_user_pool(PoolName=settings.pop("PoolName", "pool"), **settings)["UserPool"]["Id"]


def make_client(cognito: Any, pool_id: str, **settings: Any) -> dict[str, Any]:
    settings.setdefault("ExplicitAuthFlows", ALL_FLOWS)
    return cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app", **settings)["UserPoolClient"]


def add_user(
    server: Any,
    pool_id: str,
    username: str,
    attributes: dict[str, str] | None = None,
    groups: list[tuple[str, int | None, str | None]] = (),  # type: ignore[assignment]
) -> dict[str, str]:
    """A confirmed user with PASSWORD, its attributes, and membership of (name, precedence, role) groups."""
    with store(server) as ctx:
        pool = ctx.db.get(UserPool, pool_id)
        user = users.create_user(ctx, pool, username, dict(attributes or {}), status="CONFIRMED")
        users.set_password(ctx, pool, user, PASSWORD, temporary=False)
        ctx.db.flush()
        for name, precedence, role in groups:
            if ctx.db.get(Group, (pool_id, name)) is None:
                ctx.db.add(
                    Group(
                        pool_id=pool_id,
                        name=name,
                        precedence=precedence,
                        role_arn=role,
                        created_at=ctx.now,
                        modified_at=ctx.now,
                    )
                )
            ctx.db.add(GroupMembership(user_id=user.id, pool_id=pool_id, group_name=name, created_at=ctx.now))
        return {"username": user.username, "sub": user.sub}


def update_user(server: Any, pool_id: str, username: str, **columns: Any) -> None:
    with store(server) as ctx:
        user = ctx.db.query(User).filter_by(pool_id=pool_id, username=username).one()
        for name, value in columns.items():
            setattr(user, name, value)


def delete_user(server: Any, pool_id: str, username: str) -> None:
    with store(server) as ctx:
        ctx.db.delete(ctx.db.query(User).filter_by(pool_id=pool_id, username=username).one())


def issue(server: Any, pool_id: str, client_id: str, username: str, **options: Any) -> dict[str, Any]:
    """tokens.issue_tokens as the sign-in engine calls it (for options sign-in can't express)."""
    with store(server, "InitiateAuth") as ctx:
        pool = ctx.db.get(UserPool, pool_id)
        client = ctx.db.get(UserPoolClient, client_id)
        user = ctx.db.query(User).filter_by(pool_id=pool_id, username=username).one()
        result = {"AuthenticationResult": tokens.issue_tokens(ctx, pool, client, user, **options)}
        # Signed as Emulator.call signs them, once the transaction is over.
        return tokens.sign_pending(result)["AuthenticationResult"]


def sign_in(cognito: Any, client_id: str, username: str, **parameters: str) -> dict[str, Any]:
    result = cognito.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD, **parameters},
    )
    return result["AuthenticationResult"]


def claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def header(token: str) -> dict[str, Any]:
    return jwt.get_unverified_header(token)


def check_access_token(server: Any, cognito: Any, token: str) -> tuple[str, str] | None:
    """Use an access token like a user API does: None if accepted, else (error code, message).

    Goes through GetUser over HTTP when that operation exists, else through tokens.authenticate (what
    every AccessToken operation calls) on the server's database.
    """
    if "GetUser" in server.emulator.operations:
        try:
            cognito.get_user(AccessToken=token)
        except ClientError as error:
            return error.response["Error"]["Code"], error.response["Error"]["Message"]
        return None
    try:
        with store(server, "GetUser") as ctx:
            tokens.authenticate(ctx, token)
    except CognitoError as error:
        return error.code, error.message
    return None
