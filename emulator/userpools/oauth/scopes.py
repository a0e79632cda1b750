"""OAuth 2.0 scopes of an app client: what /oauth2/authorize grants and what client_credentials grants.

- ``granted_scopes(ctx, client, requested) -> list[str]``, for ``/oauth2/authorize`` (and ``/logout`` with
  ``redirect_uri``): ``requested`` is the raw ``scope`` parameter (space-separated; ``None`` or blank when
  absent). Absent ⇒ every scope of the client's AllowedOAuthScopes. A requested scope that is malformed or
  not one of the client's AllowedOAuthScopes ⇒ ``OAuthError("invalid_scope")`` ("If you request a scope that
  you haven't associated with your app client ... authentication fails", developer guide, Scopes, M2M and
  resource servers). A custom scope of the client whose resource server no longer defines it is inactive:
  left out of the grant without an error, as Cognito does. Order: as requested, without repeats.
- ``m2m_scopes(ctx, client, requested) -> list[str]``, for the client_credentials grant and GetClientToken:
  custom scopes only; absent ⇒ every (active) custom scope of the client; a requested scope that is not a
  custom scope of the client ⇒ ``invalid_scope``; nothing to grant ⇒ ``invalid_scope``.
- ``client_scopes(client) -> list[str]``: AllowedOAuthScopes.

``OAuthError`` is ``emulator.userpools.oauth.errors.OAuthError`` (``.error`` is the OAuth error code).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from emulator.protocol.context import Context
from emulator.store.models import UserPoolClient
from emulator.userpools import resource_servers
from emulator.userpools.client_oauth import STANDARD_SCOPES
from emulator.userpools.oauth.errors import OAuthError

OPENID = "openid"
ADMIN_SCOPE = "aws.cognito.signin.user.admin"
# RFC 6749 scope-token characters: printable ASCII without space, '"' and '\'.
_SCOPE_TOKEN = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]+$")


def client_scopes(client: UserPoolClient) -> list[str]:
    return list(client.config.get("AllowedOAuthScopes") or [])


def split(requested: str | None) -> list[str] | None:
    """The scopes of a ``scope`` parameter, or None when it is absent or blank. Repeats are dropped."""
    if requested is None or not requested.strip():
        return None
    return list(dict.fromkeys(requested.split()))


def _active(ctx: Context, client: UserPoolClient, wanted: Iterable[str]) -> list[str]:
    """``wanted`` without the custom scopes that no resource server of the pool defines any more."""
    wanted = list(wanted)
    if all(scope in STANDARD_SCOPES for scope in wanted):
        return wanted
    defined = resource_servers.custom_scopes(ctx, client.pool_id)
    return [scope for scope in wanted if scope in STANDARD_SCOPES or scope in defined]


def granted_scopes(ctx: Context, client: UserPoolClient, requested: str | None) -> list[str]:
    allowed = client_scopes(client)
    wanted = split(requested)
    if wanted is None:
        return _active(ctx, client, allowed)
    for scope in wanted:
        if not _SCOPE_TOKEN.match(scope) or scope not in allowed:
            raise OAuthError("invalid_scope")
    return _active(ctx, client, wanted)


def custom_client_scopes(ctx: Context, client: UserPoolClient) -> list[str]:
    """The client's custom scopes whose resource server still defines them."""
    existing = resource_servers.custom_scopes(ctx, client.pool_id)
    return [scope for scope in client_scopes(client) if scope not in STANDARD_SCOPES and scope in existing]


def m2m_scopes(ctx: Context, client: UserPoolClient, requested: str | None) -> list[str]:
    custom_allowed = custom_client_scopes(ctx, client)
    wanted = split(requested)
    if wanted is None:
        if not custom_allowed:
            raise OAuthError("invalid_scope")
        return custom_allowed
    for scope in wanted:
        if scope not in custom_allowed:
            raise OAuthError("invalid_scope")
    return wanted
