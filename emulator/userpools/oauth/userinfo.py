"""``/oauth2/userInfo``: the user's attributes that an access token of the OAuth endpoints may read.

``user_info(ctx, *, pool_id, access_token) -> dict`` checks the token as the self-service APIs do (signature,
expiry on the emulator's clock, revocation, the user still enabled) and wants the ``openid`` scope in it
(tokens of the JSON API carry only ``aws.cognito.signin.user.admin``, and M2M tokens belong to no user);
else ``OAuthError("invalid_token", status=401)``. The claims: ``sub`` and ``username`` always, and the
attributes the client may read (ReadAttributes) that the token's scopes let out
(emulator.userpools.tokens.scope_claims). Values are the stored strings (``"true"``, not true).
"""

from __future__ import annotations

from typing import Any

from emulator.protocol.context import Context
from emulator.protocol.errors import NotAuthorizedException, UserNotFoundException
from emulator.store.models import UserPool
from emulator.userpools import tokens, users
from emulator.userpools.oauth.errors import OAuthError
from emulator.userpools.oauth.scopes import OPENID
from emulator.userpools.tokens import scope_claims

INVALID_TOKEN = "Access token is expired, disabled, or deleted, or the user has globally signed out."


def user_info(ctx: Context, *, pool_id: str, access_token: str) -> dict[str, Any]:
    pool = ctx.db.get(UserPool, pool_id)
    try:
        who = tokens.authenticate(ctx, access_token, pool=pool, scope=OPENID)
    except (NotAuthorizedException, UserNotFoundException):
        raise OAuthError("invalid_token", INVALID_TOKEN, status=401) from None
    scopes = set(str(who.claims.get("scope", "")).split())
    readable = who.client.config.get("ReadAttributes")
    info: dict[str, Any] = {"sub": who.user.sub}
    for name, value in users.attribute_map(who.user).items():
        if name == "sub" or name.startswith("dev:") or (readable and name not in readable):
            continue
        if scope_claims.allows(scopes, name):
            info[name] = value
    info["username"] = who.user.username
    return info
