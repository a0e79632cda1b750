"""Tokens of a pool domain's OAuth endpoints for a signed-in user (code and implicit flows).

``implicit_tokens(ctx, *, client_id, username, scopes, nonce=None, auth_time=None) -> dict``
    For ``/oauth2/authorize`` with ``response_type=token``: the tokens of the user's sign-in to the client
    with the granted ``scopes`` (``scopes.granted_scopes``): an access token, an ID token only with
    ``openid`` (with ``nonce``), never a refresh token. Fires PreTokenGeneration as
    ``TokenGeneration_HostedAuth``. Return the result from the handler given to ``Emulator.run`` (which
    signs the tokens after the commit), then ``oauth_fields(result)`` gives the fields of the redirect's
    fragment: ``access_token``, ``id_token`` (with openid), ``token_type`` ("Bearer"), ``expires_in``.
    An unknown client or user is a ``ValueError`` (the caller's mistake).

``code_tokens(ctx, client, redeemed) -> dict``: the same for a redeemed authorization code (codes.py), with
a refresh token. ``oauth_fields`` of a signed result is the token endpoint's JSON body.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from emulator.protocol.context import Context
from emulator.store.models import User, UserPool, UserPoolClient
from emulator.userpools import tokens, users
from emulator.userpools.oauth.codes import RedeemedCode
from emulator.userpools.oauth.scopes import OPENID
from emulator.userpools.tokens.minting import OAuthClaims
from emulator.userpools.triggers import events

HOSTED_AUTH_SOURCE = "TokenGeneration_HostedAuth"


def hosted_tokens(
    ctx: Context,
    pool: UserPool,
    client: UserPoolClient,
    user: User,
    *,
    scopes: list[str],
    nonce: str | None,
    auth_time: datetime | None,
    with_refresh: bool,
) -> dict[str, Any]:
    """``{"AuthenticationResult": ...}`` of a hosted-UI sign-in (tokens still unsigned)."""
    override = events.pre_token_generation(
        ctx, pool, client.id, user, HOSTED_AUTH_SOURCE, scopes=list(scopes)
    )
    result = tokens.issue_tokens(
        ctx,
        pool,
        client,
        user,
        auth_time=auth_time or ctx.now,
        with_refresh=with_refresh,
        claims_override=override,
        oauth=OAuthClaims(tuple(scopes), nonce),
    )
    if OPENID not in scopes:
        result.pop("IdToken", None)
    return {"AuthenticationResult": result}


def implicit_tokens(
    ctx: Context,
    *,
    client_id: str,
    username: str,
    scopes: list[str],
    nonce: str | None = None,
    auth_time: datetime | None = None,
) -> dict[str, Any]:
    client = ctx.db.get(UserPoolClient, client_id)
    pool = ctx.db.get(UserPool, client.pool_id) if client is not None else None
    if client is None or pool is None:
        raise ValueError(f"no app client {client_id}")
    user = users.find_user(ctx, pool, username)
    if user is None:
        raise ValueError(f"no user {username} in the pool of client {client_id}")
    return hosted_tokens(
        ctx, pool, client, user, scopes=scopes, nonce=nonce, auth_time=auth_time, with_refresh=False
    )


def code_tokens(ctx: Context, client: UserPoolClient, redeemed: RedeemedCode) -> dict[str, Any]:
    pool = ctx.db.get(UserPool, client.pool_id)
    assert pool is not None  # the client's pool: deleting a pool deletes its clients and codes
    return hosted_tokens(
        ctx,
        pool,
        client,
        redeemed.user,
        scopes=redeemed.scopes,
        nonce=redeemed.nonce,
        auth_time=redeemed.auth_time,
        with_refresh=True,
    )


def oauth_fields(result: dict[str, Any]) -> dict[str, Any]:
    """The OAuth 2.0 fields of a signed ``{"AuthenticationResult": ...}``, in Cognito's order."""
    tokens_ = result["AuthenticationResult"]
    fields: dict[str, Any] = {}
    if "IdToken" in tokens_:
        fields["id_token"] = tokens_["IdToken"]
    fields["access_token"] = tokens_["AccessToken"]
    if "RefreshToken" in tokens_:
        fields["refresh_token"] = tokens_["RefreshToken"]
    fields["expires_in"] = tokens_["ExpiresIn"]
    fields["token_type"] = "Bearer"
    return fields
