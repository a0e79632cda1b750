"""ID and access tokens: Cognito's exact claims, signed with the pool's keys once the transaction has
committed (``UnsignedToken``, ``sign_pending``)."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt
from sqlalchemy import bindparam, select

from emulator.clock import as_utc
from emulator.protocol.context import Context
from emulator.store.models import (
    Group,
    GroupMembership,
    User,
    UserPool,
    UserPoolClient,
)
from emulator.userpools import pools, users
from emulator.userpools.tokens.keys import LoadedKey, issuer, pool_keys
from emulator.userpools.tokens.scope_claims import allows as scope_allows

ACCESS_TOKEN_SCOPE = "aws.cognito.signin.user.admin"

# Attributes whose values are JSON booleans in the ID token (stored as "true"/"false" strings).
_BOOLEAN_CLAIMS = {"email_verified", "phone_number_verified"}


def _user_attributes(user: User) -> dict[str, str]:
    return users.attribute_map(user)


# Statements of every sign-in, refresh and access-token call, built once (building one took about as long
# as running it).
_GROUPS_OF_USER = (
    select(Group)
    .join(
        GroupMembership,
        (GroupMembership.pool_id == Group.pool_id) & (GroupMembership.group_name == Group.name),
    )
    .where(GroupMembership.user_id == bindparam("user_id"))
)


def _groups(ctx: Context, user: User) -> list[Group]:
    """The user's groups, most important (lowest Precedence) first; groups without one come last."""
    rows = ctx.db.scalars(_GROUPS_OF_USER, {"user_id": user.id})
    return sorted(rows, key=lambda g: (g.precedence is None, g.precedence or 0, g.name))


def _role_claims(groups: list[Group]) -> dict[str, Any]:
    """cognito:roles (every group's role) and cognito:preferred_role (the role of the group with the lowest
    Precedence; when groups tie on it with different roles, Cognito sets no preferred role)."""
    with_roles = [group for group in groups if group.role_arn]
    if not with_roles:
        return {}
    roles = list(dict.fromkeys(group.role_arn for group in with_roles))
    claims: dict[str, Any] = {"cognito:roles": roles}
    ranked = [group for group in with_roles if group.precedence is not None]
    if ranked:
        best = min(group.precedence for group in ranked)
        candidates = {group.role_arn for group in ranked if group.precedence == best}
    else:
        candidates = {group.role_arn for group in with_roles}
    if len(candidates) == 1:
        claims["cognito:preferred_role"] = candidates.pop()
    return claims


def _attribute_claims(client: UserPoolClient, attributes: Mapping[str, str]) -> dict[str, Any]:
    """The user's attributes the client may read (ReadAttributes; all when unset), as ID token claims."""
    readable = client.config.get("ReadAttributes")
    claims: dict[str, Any] = {}
    for name, value in attributes.items():
        if name == "sub" or name.startswith("dev:"):
            continue
        if readable and name not in readable:
            continue
        if name in _BOOLEAN_CLAIMS:
            claims[name] = str(value).lower() == "true"
        elif name == "identities":
            claims[name] = _identities_claim(value)
        else:
            claims[name] = value
    return claims


def _identities_claim(value: str) -> Any:
    """The ``identities`` attribute as the ID token carries it: its entries' values as strings (issuer null)."""
    try:
        entries = json.loads(value)
    except ValueError:
        return value
    if not isinstance(entries, list):
        return entries
    return [
        {
            key: item if item is None or isinstance(item, str) else json.dumps(item)
            for key, item in entry.items()
        }
        if isinstance(entry, dict)
        else entry
        for entry in entries
    ]


def revocation_enabled(client: UserPoolClient) -> bool:
    return bool(client.config.get("EnableTokenRevocation", True))


def _apply_override(claims: dict[str, Any], override: Mapping[str, Any] | None) -> None:
    for name, value in (override or {}).items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value


def _sign(payload: dict[str, Any], key: LoadedKey) -> str:
    # Cognito's header is exactly {"kid", "alg"}: no "typ".
    return jwt.encode(payload, key.private_key, algorithm="RS256", headers={"kid": key.kid, "typ": None})


@dataclass(frozen=True)
class UnsignedToken:
    """An ID or access token whose claims are final, signed once its operation's transaction has committed
    (``sign_pending``, called by Emulator._run after the commit): an RS256 signature is 0.74 ms, and a sign-in or refresh
    needs two, time that writers would otherwise spend holding the write lock.

    ``at_hash_of``: an ID token of the OAuth endpoints carries ``at_hash``, the left half of the SHA-256 of its
    access token, base64url (OpenID Connect Core 3.1.3.6); RS256 signatures are deterministic, so signing that
    access token here gives the very string handed out beside it."""

    claims: dict[str, Any]
    key: LoadedKey
    at_hash_of: UnsignedToken | None = None

    def sign(self) -> str:
        if self.at_hash_of is None:
            return _sign(self.claims, self.key)
        digest = hashlib.sha256(self.at_hash_of.sign().encode("ascii")).digest()
        at_hash = base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode("ascii")
        return _sign({"at_hash": at_hash, **self.claims}, self.key)


@dataclass(frozen=True)
class OAuthClaims:
    """What tokens of the OAuth endpoints (a pool domain's authorize and token endpoints) carry unlike the
    API's: ``scope`` with the granted scopes, no ``event_id``, ``nonce`` (first ID token only) and ``at_hash``."""

    scopes: tuple[str, ...]
    nonce: str | None = None


def sign_pending(result: dict[str, Any]) -> dict[str, Any]:
    """Sign the UnsignedTokens of an operation's AuthenticationResult (or GetClientToken's
    ClientAuthenticationResult) in place; returns ``result``."""
    for key in ("AuthenticationResult", "ClientAuthenticationResult"):
        tokens = result.get(key)
        if isinstance(tokens, dict):
            for name, value in tokens.items():
                if isinstance(value, UnsignedToken):
                    tokens[name] = value.sign()
    return result


def mint(
    ctx: Context,
    pool: UserPool,
    client: UserPoolClient,
    user: User,
    *,
    origin_jti: str,
    auth_time: datetime,
    device_key: str | None,
    claims_override: Mapping[str, Mapping[str, Any]] | None,
    oauth: OAuthClaims | None = None,
) -> dict[str, Any]:
    """A fresh ID and access token (new jti, event_id, iat, exp) for an existing sign-in; with ``oauth``, the
    tokens of the OAuth endpoints (see OAuthClaims; the caller drops the ID token without ``openid``)."""
    keys = pool_keys(ctx, pool)
    iat = int(ctx.now.timestamp())
    auth_seconds = int(as_utc(auth_time).timestamp())
    iss = issuer(ctx, pool)
    event_id = str(uuid.uuid4())
    revocable = revocation_enabled(client)
    groups = _groups(ctx, user)
    group_names = [group.name for group in groups]
    access_lifetime = pools.token_validity_seconds(client, "AccessToken")
    id_lifetime = pools.token_validity_seconds(client, "IdToken")

    id_claims: dict[str, Any] = {"sub": user.sub}
    if group_names:
        id_claims["cognito:groups"] = group_names
    id_claims.update(_role_claims(groups))
    attribute_claims = _attribute_claims(client, _user_attributes(user))
    if oauth is not None:  # the ID token of the OAuth endpoints: the attributes its scopes let out
        attribute_claims = {
            name: value
            for name, value in attribute_claims.items()
            if name == "identities" or scope_allows(oauth.scopes, name)
        }
    id_claims.update(attribute_claims)
    id_claims["iss"] = iss
    id_claims["cognito:username"] = user.username
    if revocable:
        id_claims["origin_jti"] = origin_jti
    id_claims["aud"] = client.id
    if oauth is None:
        id_claims["event_id"] = event_id
    id_claims.update({"token_use": "id", "auth_time": auth_seconds})
    id_claims["exp"] = iat + id_lifetime
    id_claims["iat"] = iat
    if revocable:
        id_claims["jti"] = str(uuid.uuid4())
    if oauth is not None and oauth.nonce is not None:
        id_claims["nonce"] = oauth.nonce

    access_claims: dict[str, Any] = {"sub": user.sub}
    if device_key:
        access_claims["device_key"] = device_key
    if group_names:
        access_claims["cognito:groups"] = group_names
    access_claims["iss"] = iss
    if oauth is not None:
        access_claims["version"] = 2
    access_claims["client_id"] = client.id
    if revocable:
        access_claims["origin_jti"] = origin_jti
    if oauth is None:
        access_claims["event_id"] = event_id
    access_claims.update(
        {
            "token_use": "access",
            "scope": ACCESS_TOKEN_SCOPE if oauth is None else " ".join(oauth.scopes),
            "auth_time": auth_seconds,
            "exp": iat + access_lifetime,
            "iat": iat,
        }
    )
    if revocable:
        access_claims["jti"] = str(uuid.uuid4())
    access_claims["username"] = user.username

    if claims_override:
        _apply_override(id_claims, claims_override.get("id"))
        _apply_override(access_claims, claims_override.get("access"))
    access = UnsignedToken(access_claims, keys["access"])
    return {
        "AccessToken": access,
        "ExpiresIn": access_lifetime,
        "TokenType": "Bearer",
        "IdToken": UnsignedToken(id_claims, keys["id"], at_hash_of=access if oauth is not None else None),
    }
