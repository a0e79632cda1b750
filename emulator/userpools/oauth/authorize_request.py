"""The parameters of /oauth2/authorize (and of the hosted pages, which carry them), checked as Cognito checks them.

Two kinds of refusal, exactly where Cognito puts each: ``ErrorPage`` when the request cannot be trusted to go
back to the app (no or unknown client, a redirect_uri that is not one of the client's CallbackURLs), and
``ErrorRedirect`` for everything else, sent to the (registered) redirect_uri with ``error`` and ``state``.
No HTTP here: the caller turns both into responses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from emulator.protocol.context import Context
from emulator.store.models import UserPool, UserPoolClient
from emulator.userpools.oauth import scopes as scope_rules
from emulator.userpools.oauth.errors import OAuthError

# Every parameter the authorize endpoint and the login pages carry, in the order they are passed on.
PARAMETERS = (
    "client_id",
    "response_type",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "nonce",
    "identity_provider",
    "idp_identifier",
    "login_hint",
    "lang",
    "prompt",
)
RESPONSE_FLOWS = {"code": "code", "token": "implicit"}
PROMPTS = ("none", "login", "consent", "select_account")
COGNITO = "COGNITO"
MISSING = "Required parameters missing"
NOT_AVAILABLE = "Login option is not available. Please try another one"


class ErrorPage(Exception):  # noqa: N818 - an answer, not a failure of the emulator
    """Show /error: ``error`` (and ``client_id``) in its query, never a redirect to the app."""

    def __init__(self, error: str, client_id: str | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.client_id = client_id


class ErrorRedirect(Exception):  # noqa: N818
    """302 to the client's registered redirect_uri with ``error`` (+ ``error_description``) and ``state``."""

    def __init__(
        self, redirect_uri: str, error: str, state: str | None, description: str | None = None
    ) -> None:
        super().__init__(error)
        self.redirect_uri = redirect_uri
        self.error = error
        self.state = state
        self.description = description


@dataclass
class AuthorizeRequest:
    pool: UserPool
    client: UserPoolClient
    response_type: str
    redirect_uri: str
    scopes: list[str]
    state: str | None
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    login_hint: str | None
    prompt: str | None
    lang: str | None
    provider: str = COGNITO
    # The parameters as given (what the hosted pages pass on from page to page).
    given: dict[str, str] = field(default_factory=dict)

    @property
    def implicit(self) -> bool:
        return self.response_type == "token"

    @property
    def always_login(self) -> bool:
        """prompt=login (and consent, select_account): the login page even with a live session."""
        return self.prompt in ("login", "consent", "select_account")


def given_parameters(query: Mapping[str, str]) -> dict[str, str]:
    """The authorize parameters of a query (the first value of each), in PARAMETERS order."""
    return {name: query[name] for name in PARAMETERS if query.get(name) is not None}


def check(ctx: Context, pool: UserPool, query: Mapping[str, str]) -> AuthorizeRequest:
    """An authorize request of the domain's ``pool``, or ErrorPage / ErrorRedirect."""
    given = given_parameters(query)
    client_id = given.get("client_id") or ""
    redirect_uri = given.get("redirect_uri") or ""
    if not client_id or not redirect_uri:
        raise ErrorPage(MISSING, client_id or None)
    client = ctx.db.get(UserPoolClient, client_id)
    if client is None or client.pool_id != pool.id:
        raise ErrorPage("redirect_mismatch", client_id)
    config = client.config
    if redirect_uri not in (config.get("CallbackURLs") or []):
        raise ErrorPage("redirect_mismatch", client_id)
    state = given.get("state")

    def redirect(error: str, description: str | None = None) -> ErrorRedirect:
        return ErrorRedirect(redirect_uri, error, state, description)

    response_type = given.get("response_type")
    if response_type not in RESPONSE_FLOWS:
        raise redirect("invalid_request")
    if not config.get("AllowedOAuthFlowsUserPoolClient") or RESPONSE_FLOWS[response_type] not in (
        config.get("AllowedOAuthFlows") or []
    ):
        raise redirect("unauthorized_client")
    challenge = given.get("code_challenge")
    method = given.get("code_challenge_method")
    if (challenge or method) and (method != "S256" or not challenge):
        # PKCE: S256 only; a challenge without its method (plain by default) or a method without a challenge.
        raise redirect("invalid_request")
    prompt = given.get("prompt")
    if prompt is not None and prompt not in PROMPTS:
        raise redirect("invalid_request")
    try:
        granted = scope_rules.granted_scopes(ctx, client, given.get("scope"))
    except OAuthError as error:
        raise redirect(error.error) from None
    provider = _provider(client, given)
    return AuthorizeRequest(
        pool=pool,
        client=client,
        response_type=response_type,
        redirect_uri=redirect_uri,
        scopes=granted,
        state=state,
        nonce=given.get("nonce"),
        code_challenge=challenge,
        code_challenge_method=method,
        login_hint=given.get("login_hint"),
        prompt=prompt,
        lang=given.get("lang"),
        provider=provider,
        given=given,
    )


def _provider(client: UserPoolClient, given: Mapping[str, str]) -> str:
    """The identity provider the request names (COGNITO when none): only the pool's own users for now, and
    only for a client that supports them. Identity providers (federation) are not configurable yet, so any
    other name or an idp_identifier is a login option that is not available, as Cognito answers for an
    unknown provider."""
    supported = client.config.get("SupportedIdentityProviders") or []
    provider = given.get("identity_provider")
    if given.get("idp_identifier") and not provider:
        raise ErrorPage(NOT_AVAILABLE, client.id)
    provider = provider or COGNITO
    if provider != COGNITO or COGNITO not in supported:
        raise ErrorPage(NOT_AVAILABLE, client.id)
    return provider
