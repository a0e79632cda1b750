"""OAuth 2.0 scopes of an app client: what /oauth2/authorize grants and what client_credentials grants.

- ``granted_scopes(ctx, client, requested) -> list[str]``, for ``/oauth2/authorize`` (and ``/logout`` with
  ``redirect_uri``): ``requested`` is the raw ``scope`` parameter (space-separated; ``None`` or blank when
  absent). Absent ⇒ every scope of the client's AllowedOAuthScopes. Otherwise each requested scope must be a
  well-formed scope that exists (a standard one, ``openid email phone profile aws.cognito.signin.user.admin``,
  or a ``<resource server identifier>/<scope name>`` of the pool), else ``OAuthError("invalid_scope")``; ones
  that exist but are not enabled on the client are left out, and when nothing is left the answer is
  ``invalid_scope`` too. Order: as requested, without repeats.
- ``m2m_scopes(ctx, client, requested) -> list[str]``, for the client_credentials grant and GetClientToken:
  custom scopes only; absent ⇒ every custom scope of the client; a requested scope that is not a custom
  scope of the client ⇒ ``invalid_scope``.
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


def _check_exist(ctx: Context, client: UserPoolClient, scopes: Iterable[str]) -> None:
    custom: set[str] | None = None
    for scope in scopes:
        if not _SCOPE_TOKEN.match(scope):
            raise OAuthError("invalid_scope")
        if scope in STANDARD_SCOPES:
            continue
        if custom is None:
            custom = resource_servers.custom_scopes(ctx, client.pool_id)
        if scope not in custom:
            raise OAuthError("invalid_scope")


def granted_scopes(ctx: Context, client: UserPoolClient, requested: str | None) -> list[str]:
    allowed = client_scopes(client)
    wanted = split(requested)
    if wanted is None:
        if not allowed:
            raise OAuthError("invalid_scope")
        return allowed
    _check_exist(ctx, client, wanted)
    granted = [scope for scope in wanted if scope in allowed]
    if not granted:
        raise OAuthError("invalid_scope")
    return granted


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
