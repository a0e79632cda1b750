"""GET /oauth2/authorize: every refusal where Cognito puts it (the error page for a client or redirect_uri
that cannot be trusted, an error redirect with the state for the rest), PKCE, scopes, providers, implicit."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from emulator.testing.oauth import pkce_pair
from tests.api import hosted_ui_world
from tests.api.hosted_ui_browser import Browser, fragment_of, query_of
from tests.api.hosted_ui_world import REDIRECT, World, browser_for, make_world, sign_in
from tests.helpers import PASSWORD, make_user

# This module's own server, with the HTTPS listener (hosted_ui_world.tls_server).
tls_server = hosted_ui_world.tls_server
tls_endpoint = hosted_ui_world.tls_endpoint


@pytest.fixture
def world(cognito, tls_endpoint) -> World:  # type: ignore[no-untyped-def]
    made = make_world(cognito, tls_endpoint)
    make_user(cognito, made.pool_id, "alice", attributes={"email": "alice@example.com"})
    return made


@pytest.fixture
def browser(server, world) -> Iterator[Browser]:  # type: ignore[no-untyped-def]
    opened = browser_for(server, world)
    yield opened
    opened.close()


def _error_page(browser: Browser, world: World, response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert urlsplit(location).path == f"/{world.domain}/error", location
    assert not location.startswith("http://localhost:3000")
    page = browser.follow(response)
    assert page.status_code == 400
    assert "An error was encountered with the requested page." in page.text
    return query_of(location)


@pytest.mark.parametrize(
    "change",
    [
        {"redirect_uri": "https://evil.example.com/callback"},
        {"redirect_uri": REDIRECT + "/"},
        {"redirect_uri": REDIRECT + "?x=1"},
        {"redirect_uri": "//evil.example.com"},
        {"client_id": "nosuchclient000000000000000"},
    ],
)
def test_an_untrusted_client_or_redirect_uri_gets_the_error_page_never_a_redirect(browser, world, change):
    response = browser.get("oauth2/authorize", **world.authorize_params(**change))
    query = _error_page(browser, world, response)
    assert query["error"] == "redirect_mismatch"
    assert query["client_id"] == change.get("client_id", world.client_id)


@pytest.mark.parametrize("missing", ["client_id", "redirect_uri"])
def test_missing_client_id_or_redirect_uri_is_the_error_page(browser, world, missing):
    params = world.authorize_params()
    del params[missing]
    query = _error_page(browser, world, browser.get("oauth2/authorize", **params))
    assert query["error"] == "Required parameters missing"


def test_a_client_of_another_pool_is_not_served_on_this_domain(cognito, browser, world, tls_endpoint):
    other = make_world(cognito, tls_endpoint, domain="other-hosted-ui")
    response = browser.get("oauth2/authorize", **other.authorize_params())
    assert _error_page(browser, world, response)["error"] == "redirect_mismatch"


def _redirect_error(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT + "?"), location
    return query_of(location)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"response_type": ""}, "invalid_request"),
        ({"response_type": "id_token"}, "invalid_request"),
        ({"code_challenge": "abc", "code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "invalid_request"),
        ({"code_challenge_method": "S256"}, "invalid_request"),
        ({"prompt": "bogus"}, "invalid_request"),
        ({"scope": "openid nosuch/scope"}, "invalid_scope"),
        ({"scope": 'bad"scope'}, "invalid_scope"),
        ({"scope": "phone"}, "invalid_scope"),
    ],
)
def test_bad_parameters_go_back_to_the_app_with_the_error_and_the_state(browser, world, change, error):
    params = world.authorize_params(**change)
    if change.get("response_type") == "":
        del params["response_type"]
    query = _redirect_error(browser.get("oauth2/authorize", **params))
    assert query == {"error": error, "state": "st-123"}


def test_a_flow_the_client_does_not_allow_is_unauthorized_client(cognito, browser, world, tls_endpoint):
    cognito.update_user_pool_client(
        UserPoolId=world.pool_id,
        ClientId=world.client_id,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email", "aws.cognito.signin.user.admin"],
        CallbackURLs=[REDIRECT],
        SupportedIdentityProviders=["COGNITO"],
    )
    query = _redirect_error(browser.get("oauth2/authorize", **world.authorize_params(response_type="token")))
    assert query == {"error": "unauthorized_client", "state": "st-123"}
    cognito.update_user_pool_client(
        UserPoolId=world.pool_id,
        ClientId=world.client_id,
        CallbackURLs=[REDIRECT],
        AllowedOAuthFlowsUserPoolClient=False,
    )
    query = _redirect_error(browser.get("oauth2/authorize", **world.authorize_params()))
    assert query["error"] == "unauthorized_client"


@pytest.mark.parametrize(
    "change",
    [{"identity_provider": "Google"}, {"identity_provider": "cognito"}, {"idp_identifier": "example.com"}],
)
def test_a_provider_the_pool_does_not_have_is_not_available(browser, world, change):
    response = browser.get("oauth2/authorize", **world.authorize_params(**change))
    assert response.status_code == 302
    assert urlsplit(response.headers["location"]).path == f"/{world.domain}/error"
    page = browser.follow(response)
    assert "Login option is not available. Please try another one" in page.text


def test_identity_provider_cognito_shows_the_login_page(browser, world):
    response = browser.get("oauth2/authorize", **world.authorize_params(identity_provider="COGNITO"))
    assert response.status_code == 302
    assert "/login?" in response.headers["location"]
    assert "identity_provider=COGNITO" in response.headers["location"]


def test_pkce_s256_is_carried_to_the_code(server, browser, world):
    verifier, challenge = pkce_pair()
    response = sign_in(
        browser, world, "alice", PASSWORD, code_challenge=challenge, code_challenge_method="S256"
    )
    code = query_of(response.headers["location"])["code"]
    from emulator.store.models import UserPoolClient
    from emulator.userpools.oauth import codes
    from emulator.userpools.oauth.errors import OAuthError

    def redeem(given: str | None):  # type: ignore[no-untyped-def]
        def run(ctx):  # type: ignore[no-untyped-def]
            client = ctx.db.get(UserPoolClient, world.client_id)
            return codes.redeem_code(
                ctx, client, code=code, redirect_uri=REDIRECT, code_verifier=given
            ).user.username

        return server.emulator.run(run, name="OAuth2Token")

    with pytest.raises(OAuthError):
        redeem("A" * 64)  # a wrong verifier is refused (and the code is not spent by the refusal)
    assert redeem(verifier) == "alice"


def test_the_implicit_flow_puts_the_tokens_in_the_fragment(browser, world):
    response = sign_in(browser, world, "alice", PASSWORD, response_type="token", nonce="nonce-7")
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT + "#")
    fields = fragment_of(location)
    assert set(fields) == {"id_token", "access_token", "token_type", "expires_in", "state"}
    assert fields["token_type"] == "Bearer" and fields["expires_in"] == "3600" and fields["state"] == "st-123"
    import jwt

    claims = jwt.decode(fields["id_token"], options={"verify_signature": False})
    assert claims["nonce"] == "nonce-7" and claims["cognito:username"] == "alice"
    access = jwt.decode(fields["access_token"], options={"verify_signature": False})
    assert access["scope"] == "openid email aws.cognito.signin.user.admin"
