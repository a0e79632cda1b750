"""An app client's OAuth 2.0 settings, checked as Create/UpdateUserPoolClient check them.

Flows (code, implicit, client_credentials), scopes (the standard ones and the custom scopes of the pool's
resource servers), callback and sign-out URLs, the default redirect URI and the identity providers.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from emulator.protocol.context import Context
from emulator.protocol.errors import (
    InvalidOAuthFlowException,
    InvalidParameterException,
    ScopeDoesNotExistException,
)
from emulator.store.models import UserPool
from emulator.userpools import resource_servers

STANDARD_SCOPES = ("phone", "email", "openid", "profile", "aws.cognito.signin.user.admin")
# Plain HTTP is accepted only for the loopback names.
_LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


def check(ctx: Context, pool: UserPool, config: dict[str, Any], *, has_secret: bool) -> None:
    """Raise Cognito's error for the first OAuth setting of a client ``config`` it would refuse."""
    flows = config.get("AllowedOAuthFlows") or []
    scopes = config.get("AllowedOAuthScopes") or []
    if config.get("AllowedOAuthFlowsUserPoolClient") and (not flows or not scopes):
        raise InvalidParameterException(
            "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use "
            "OAuth flows."
        )
    _check_scopes(ctx, pool, scopes)
    if "client_credentials" in flows:
        if not has_secret:
            raise InvalidOAuthFlowException(
                "client_credentials flow can not be selected if client does not have a client secret."
            )
        if len(set(flows)) > 1:
            raise InvalidOAuthFlowException(
                "client_credentials flow can not be selected along with code flow or implicit flow."
            )
        standard = [scope for scope in scopes if scope in STANDARD_SCOPES]
        if standard:
            raise InvalidOAuthFlowException(
                f"{standard[0]} scope can not be selected with client_credentials flow: only custom scopes "
                "can be."
            )
    for key in ("CallbackURLs", "LogoutURLs"):
        for url in config.get(key) or []:
            check_url(url)
    if (flows and "client_credentials" not in flows) and not config.get("CallbackURLs"):
        raise InvalidParameterException("CallbackURLs are required when OAuth flows are allowed.")
    default = config.get("DefaultRedirectURI")
    if default is not None:
        check_url(default)
        if default not in (config.get("CallbackURLs") or []):
            raise InvalidParameterException("DefaultRedirectURI must be one of the CallbackURLs.")
    for provider in config.get("SupportedIdentityProviders") or []:
        # Only the pool's own directory exists until identity providers can be configured.
        if provider != "COGNITO":
            raise InvalidParameterException(f"The provider {provider} does not exist for User Pool {pool.id}")


def _check_scopes(ctx: Context, pool: UserPool, scopes: list[str]) -> None:
    custom = [scope for scope in scopes if scope not in STANDARD_SCOPES]
    if not custom:
        return
    defined = resource_servers.custom_scopes(ctx, pool.id)
    for scope in custom:
        if scope not in defined:
            raise ScopeDoesNotExistException(f"Invalid scope requested: {scope}")


def check_url(url: str) -> None:
    """An absolute URL without a fragment; HTTPS, except plain HTTP to the loopback and app schemes."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise InvalidParameterException(f"{url} is not a valid URL.") from None
    if not parts.scheme:
        raise InvalidParameterException(f"{url} is not a valid URL: it must be absolute.")
    if "#" in url:
        raise InvalidParameterException(f"{url} cannot contain a fragment.")
    if parts.scheme == "http" and host not in _LOOPBACK_HOSTS:
        raise InvalidParameterException(f"{url} cannot use the HTTP protocol.")
    if parts.scheme in ("http", "https") and not host:
        raise InvalidParameterException(f"{url} is not a valid URL.")
