"""The grants of ``POST /oauth2/token`` (``token_request``), below HTTP: client authentication, then
authorization_code, refresh_token or client_credentials, answered as Cognito answers them.

``token_request(ctx, *, pool_id, params, basic)``: ``params`` the form fields (one value each), ``basic`` the
``(client_id, secret)`` of an ``Authorization: Basic`` header or None. Returns ``{"AuthenticationResult":
...}`` (unsigned tokens: ``Emulator.run`` signs them after the commit; ``issue.oauth_fields`` makes the JSON
body), or raises ``OAuthError``:

- ``invalid_request``: no ``grant_type``, no ``client_id``, a grant's required parameter missing;
- ``invalid_client``: unknown client (or one of another pool), a client with a secret that sent none or a
  wrong one, a public client that sent one; status 401 when the client used the Basic header (RFC 6749
  5.2), else 400;
- ``unauthorized_client``: the client has no OAuth (AllowedOAuthFlowsUserPoolClient), the grant is not one of
  its AllowedOAuthFlows (refresh: not ALLOW_REFRESH_TOKEN_AUTH), a ``redirect_uri`` that is none of its
  CallbackURLs (what Cognito answers for, e.g., a missing trailing slash);
- ``invalid_grant``: a code that is unknown, used, expired, for another ``redirect_uri`` or with a wrong PKCE
  verifier; a refresh token that is unknown, revoked or expired;
- ``unsupported_grant_type``: any other grant_type (``password``, ...);
- ``invalid_scope``: client_credentials scopes that are not the client's custom scopes.
"""

from __future__ import annotations

import hmac
from typing import Any

from emulator.protocol.context import Context
from emulator.protocol.errors import NotAuthorizedException, RefreshTokenReuseException
from emulator.store.models import RefreshToken, User, UserPool, UserPoolClient
from emulator.userpools import pools, tokens, users
from emulator.userpools.oauth import codes, issue, m2m, scopes
from emulator.userpools.oauth.errors import OAuthError
from emulator.userpools.tokens.refresh_tokens import oauth_grant
from emulator.userpools.triggers import events

GRANTS = ("authorization_code", "refresh_token", "client_credentials")


def _require(params: dict[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise OAuthError("invalid_request")
    return value


def authenticate_client(
    ctx: Context, pool_id: str, params: dict[str, str], basic: tuple[str, str] | None
) -> UserPoolClient:
    status = 401 if basic is not None else 400
    body_id, body_secret = params.get("client_id"), params.get("client_secret")
    if basic is not None:
        client_id, secret = basic
        if (body_id and body_id != client_id) or (body_secret and body_secret != secret):
            raise OAuthError("invalid_client", status=status)
    else:
        client_id, secret = body_id or "", body_secret
    if not client_id:
        raise OAuthError("invalid_request")
    client = ctx.db.get(UserPoolClient, client_id)
    if client is None or client.pool_id != pool_id:
        raise OAuthError("invalid_client", status=status)
    if client.secret:
        if not secret or not hmac.compare_digest(secret.encode(), client.secret.encode()):
            raise OAuthError("invalid_client", status=status)
    elif secret:
        raise OAuthError("invalid_client", status=status)
    ctx.log.setdefault("pool", pool_id)
    return client


def _flows(client: UserPoolClient) -> list[str]:
    if not client.config.get("AllowedOAuthFlowsUserPoolClient"):
        return []
    return list(client.config.get("AllowedOAuthFlows") or [])


def token_request(
    ctx: Context, *, pool_id: str, params: dict[str, str], basic: tuple[str, str] | None
) -> dict[str, Any]:
    grant_type = params.get("grant_type")
    if not grant_type:
        raise OAuthError("invalid_request")
    client = authenticate_client(ctx, pool_id, params, basic)
    if grant_type not in GRANTS:
        raise OAuthError("unsupported_grant_type")
    pool = ctx.db.get(UserPool, client.pool_id)
    assert pool is not None  # the client's own pool
    if grant_type == "authorization_code":
        return _authorization_code(ctx, client, params)
    if grant_type == "refresh_token":
        return _refresh_token(ctx, pool, client, params)
    return _client_credentials(ctx, pool, client, params)


def _authorization_code(ctx: Context, client: UserPoolClient, params: dict[str, str]) -> dict[str, Any]:
    if "code" not in _flows(client):
        raise OAuthError("unauthorized_client")
    code = _require(params, "code")
    redirect_uri = _require(params, "redirect_uri")
    if redirect_uri not in (client.config.get("CallbackURLs") or []):
        raise OAuthError("unauthorized_client")
    redeemed = codes.redeem_code(
        ctx, client, code=code, redirect_uri=redirect_uri, code_verifier=params.get("code_verifier")
    )
    return issue.code_tokens(ctx, client, redeemed)


def _refresh_token(
    ctx: Context, pool: UserPool, client: UserPoolClient, params: dict[str, str]
) -> dict[str, Any]:
    if not _flows(client) or "ALLOW_REFRESH_TOKEN_AUTH" not in pools.auth_flows(client):
        raise OAuthError("unauthorized_client")
    refresh_token = _require(params, "refresh_token")
    stored = ctx.db.get(RefreshToken, tokens.token_hash(refresh_token))
    owner = (
        ctx.db.get(User, stored.user_id, options=[users.WITH_ATTRIBUTES])
        if stored is not None and stored.client_id == client.id
        else None
    )
    grant = oauth_grant(ctx, stored.origin_jti) if stored is not None else None
    override = None
    if owner is not None:
        override = events.pre_token_generation(
            ctx,
            pool,
            client.id,
            owner,
            "TokenGeneration_RefreshTokens",
            scopes=list(grant.scopes) if grant is not None else None,
        )
    try:
        result = tokens.refresh(ctx, pool, client, refresh_token, claims_override=override)
    except (NotAuthorizedException, RefreshTokenReuseException):
        raise OAuthError("invalid_grant") from None
    if grant is not None and scopes.OPENID not in grant.scopes:
        result.pop("IdToken", None)
    return {"AuthenticationResult": result}


def _client_credentials(
    ctx: Context, pool: UserPool, client: UserPoolClient, params: dict[str, str]
) -> dict[str, Any]:
    if _flows(client) != ["client_credentials"] or not client.secret:
        raise OAuthError("unauthorized_client")
    granted = scopes.m2m_scopes(ctx, client, params.get("scope"))
    return {"AuthenticationResult": m2m.client_token(ctx, pool, client, granted)}
