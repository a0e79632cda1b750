"""A ``Logins`` map checked for real, with Cognito Identity's own errors.

- A user pool's ID token, under the provider name ``cognito-idp.<region>.amazonaws.com/<pool id>`` or the
  emulator's issuer without its scheme (what Amplify sends, ``127.0.0.1:9229/<pool id>``): both name the
  same provider. Its signature is checked with the pool's own ID-token key, its ``iss`` must be the pool's
  issuer, its ``aud`` a client id the identity pool lists for that user pool, and it must not have expired
  on the emulator's clock. With ServerSideTokenCheck, the user must still be there, enabled, and not signed
  out everywhere since the token was issued.
- ``cognito-identity.amazonaws.com``: one of this service's own OpenID tokens (the developer-authenticated
  flow: GetOpenIdTokenForDeveloperIdentity, then GetCredentialsForIdentity with it), for this pool.
- Other providers (Facebook, Google, Amazon, Apple, OpenID Connect and SAML providers) cannot be checked
  offline: they are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt
from sqlalchemy import select

from emulator.clock import as_utc
from emulator.identitypools import openid, pools
from emulator.protocol.context import Context
from emulator.protocol.errors import NotAuthorizedException
from emulator.store.models import RefreshToken, SigningKey, User, UserPool
from emulator.store.models_identity import IdentityPool
from emulator.userpools.tokens.keys import issuer_for, loaded_key

NOT_SUPPORTED = "Token is not from a supported provider of this identity pool."
NOT_OIDC = "Invalid login token. Not a valid OpenId Connect identity token."
NOT_VERIFIED = "Invalid login token. Couldn't verify signed token."
WRONG_ISSUER = "Invalid login token. Issuer doesn't match providerName"
MISSING_AUD = "Invalid login token. Missing a required claim: aud"
REVOKED = "Invalid login token. Token has been revoked."


@dataclass(frozen=True)
class Login:
    """A proven login: the provider as Cognito Identity names it, and who the login says the user is."""

    provider: str
    subject: str
    claims: dict[str, Any]
    # "token": a user pool's ID token; "openid": this service's own OpenID token (sub = the identity id).
    kind: str
    # For a user pool login: the app client (aud) the token was issued to.
    client_id: str | None = None


def verify_logins(ctx: Context, pool: IdentityPool, logins: dict[str, str]) -> list[Login]:
    return [verify_login(ctx, pool, name, token) for name, token in logins.items()]


def verify_login(ctx: Context, pool: IdentityPool, name: str, token: str) -> Login:
    if name == pools.DEVELOPER_LOGIN:
        return _own_token(ctx, pool, token)
    user_pool_id = pools.user_pool_of_provider(name)
    if user_pool_id is not None:
        return _user_pool_token(ctx, pool, name, user_pool_id, token)
    config = pool.config
    known = (
        name in config.get("SupportedLoginProviders", {})
        or any(arn.endswith("/" + name) for arn in config.get("OpenIdConnectProviderARNs", []))
        or any(arn.endswith("/" + name) for arn in config.get("SamlProviderARNs", []))
    )
    if not known or name == config.get("DeveloperProviderName"):
        raise NotAuthorizedException(NOT_SUPPORTED)
    # A provider the pool trusts, but one the emulator has no stand-in for: its tokens cannot be checked.
    raise NotAuthorizedException(NOT_VERIFIED)


def _expired_message(now: int, exp: int) -> str:
    return f"Invalid login token. Token expired: {now} >= {exp}"


def _own_token(ctx: Context, pool: IdentityPool, token: str) -> Login:
    claims = openid.verify(ctx, token)
    if claims is None:
        raise NotAuthorizedException(NOT_VERIFIED)
    if claims.get("aud") != pool.id:
        raise NotAuthorizedException(NOT_SUPPORTED)
    if openid.expired(claims, ctx.now):
        raise NotAuthorizedException(_expired_message(int(ctx.now.timestamp()), claims["exp"]))
    if "authenticated" not in claims.get("amr", []):
        raise NotAuthorizedException(NOT_SUPPORTED)
    return Login(pools.DEVELOPER_LOGIN, str(claims["sub"]), claims, "openid")


def _clients_for(pool: IdentityPool, user_pool_id: str) -> list[dict[str, Any]]:
    return [
        item
        for item in pool.config.get("CognitoIdentityProviders", [])
        if pools.user_pool_of_provider(item["ProviderName"]) == user_pool_id
    ]


def _user_pool_token(ctx: Context, pool: IdentityPool, name: str, user_pool_id: str, token: str) -> Login:
    providers = _clients_for(pool, user_pool_id)
    if not providers:
        raise NotAuthorizedException(NOT_SUPPORTED)
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except (jwt.PyJWTError, ValueError, TypeError):
        raise NotAuthorizedException(NOT_OIDC) from None
    user_pool = ctx.db.get(UserPool, user_pool_id)
    expected_issuer = issuer_for(ctx.settings, user_pool_id, user_pool.region if user_pool else None)
    if unverified.get("iss") != expected_issuer or name not in (
        pools.canonical_provider(user_pool_id),
        expected_issuer.split("://", 1)[-1],
    ):
        raise NotAuthorizedException(WRONG_ISSUER)
    if not isinstance(unverified.get("aud"), str):
        # An access token (no aud) is refused by its claims before its key is looked at, as Cognito does.
        raise NotAuthorizedException(MISSING_AUD)
    kid = header.get("kid")
    row = ctx.db.get(SigningKey, kid) if isinstance(kid, str) else None
    if user_pool is None or row is None or row.pool_id != user_pool_id or row.token_use != "id":
        raise NotAuthorizedException(NOT_VERIFIED)
    try:
        claims = jwt.decode(
            token,
            loaded_key(ctx.db, row.kid).public_key,
            algorithms=["RS256"],
            options={"verify_exp": False, "verify_aud": False, "verify_iat": False, "verify_nbf": False},
        )
    except jwt.PyJWTError:
        raise NotAuthorizedException(NOT_VERIFIED) from None
    now = int(ctx.now.timestamp())
    exp = claims.get("exp")
    if not isinstance(exp, int) or now >= exp:
        raise NotAuthorizedException(_expired_message(now, exp if isinstance(exp, int) else 0))
    audience = claims.get("aud")
    if not isinstance(audience, str):
        raise NotAuthorizedException(MISSING_AUD)
    matching = [item for item in providers if item["ClientId"] == audience]
    if not matching:
        raise NotAuthorizedException(NOT_SUPPORTED)
    if claims.get("token_use") != "id" or not isinstance(claims.get("sub"), str):
        raise NotAuthorizedException(NOT_OIDC)
    if any(item.get("ServerSideTokenCheck") for item in matching):
        _server_side_check(ctx, user_pool_id, claims)
    return Login(pools.canonical_provider(user_pool_id), claims["sub"], claims, "token", audience)


def _server_side_check(ctx: Context, user_pool_id: str, claims: dict[str, Any]) -> None:
    """ServerSideTokenCheck: the user pool is asked whether the user is still signed in."""
    user = ctx.db.scalar(select(User).where(User.pool_id == user_pool_id, User.sub == claims["sub"]))
    if user is None or not user.enabled:
        raise NotAuthorizedException(REVOKED)
    origin_jti = claims.get("origin_jti")
    if isinstance(origin_jti, str):
        # The sign-in the token came from: revoked by RevokeToken, GlobalSignOut or AdminUserGlobalSignOut.
        revocations = list(
            ctx.db.scalars(
                select(RefreshToken.revoked_at).where(
                    RefreshToken.origin_jti == origin_jti, RefreshToken.user_id == user.id
                )
            )
        )
        if not revocations or any(revoked is not None for revoked in revocations):
            raise NotAuthorizedException(REVOKED)
        return
    valid_after = user.tokens_valid_after
    if valid_after is not None and claims.get("iat", 0) < as_utc(valid_after).timestamp():
        raise NotAuthorizedException(REVOKED)
