"""Issue 18's proof in a real headless Chromium: an Amplify JS v6 web app on ``http://localhost:<port>`` calls
``signInWithRedirect()`` with ``oauth.domain: 'localhost:<https port>/<domain>'``; the browser goes to the
emulator's login page, the test types the username and password (and a TOTP code, computed with pyotp, for the
user with MFA), the browser comes back to the app, Amplify exchanges the code at /oauth2/token (a cross-origin
fetch with a CORS preflight), and ``getCurrentUser``, ``fetchUserAttributes`` and a forced token refresh work;
``signOut()`` goes through /logout back to the app, and the next ``signInWithRedirect`` shows the login page again.

Chromium trusts the emulator's HTTPS listener for real: it is launched with
``--ignore-certificate-errors-spki-list=<the server certificate's SPKI hash>`` (the flag ``cognito-emulator ca``
prints), not with Playwright's ``ignore_https_errors``; a browser without the flag refuses the page (tested).

Needs Debian's chromium, Playwright for Python (never ``playwright install``) and tests/amplify's node_modules
(esbuild bundles the app; the suite installs them itself): without them the tests are skipped, saying why, and
under CI they fail.
"""

from __future__ import annotations

import http.server
import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pyotp
import pytest

from emulator.config import Settings
from emulator.testing import ServerThread
from tests import oauth_world, real_clients
from tests.console_browser import BROWSER_ARGS

HERE = Path(__file__).resolve().parent
TIMEOUT_MS = 30_000


class _Pages(http.server.ThreadingHTTPServer):
    files: dict[str, tuple[str, bytes]]


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        found = self.server.files.get(self.path.split("?", 1)[0])  # type: ignore[attr-defined]
        if found is None:
            self.send_error(404)
            return
        kind, body = found
        self.send_response(200)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(body)))
        self.send_header("cache-control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def pages() -> Iterator[_Pages]:
    server = _Pages(("127.0.0.1", 0), _Handler)
    server.files = {}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    esbuild = real_clients.node_project(HERE, "aws-amplify") / "node_modules" / ".bin" / "esbuild"
    out = tmp_path_factory.mktemp("redirect-app") / "app.js"
    subprocess.run(
        [
            str(esbuild),
            "redirect-app.mjs",
            "--bundle",
            "--format=iife",
            "--log-level=warning",
            f"--outfile={out}",
        ],
        cwd=HERE,
        check=True,
        timeout=120,
    )
    return out.read_bytes()


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    folder = tmp_path_factory.mktemp("redirect-emulator")
    # The default origin policy (no --cors-origin): the app's origin is a loopback one, as in development.
    settings = Settings(port=0, database=f"sqlite:///{folder / 'emulator.db'}")
    with ServerThread(settings, tls=True) as server:
        yield server


@pytest.fixture(scope="module")
def world(emulator: ServerThread, pages: _Pages, bundle: bytes, tmp_path_factory) -> oauth_world.World:
    app_url = f"http://localhost:{pages.server_port}/"
    by_host_url = f"{app_url}by-host/"
    loaded = oauth_world.load(emulator.emulator, tmp_path_factory.mktemp("world"), app_url, by_host_url)
    https_host = emulator.tls_endpoint.removeprefix("https://")
    pages.files = {
        # oauth.domain by path: 'localhost:<port>/<domain>' (the README's form)
        "/": ("text/html", _app_page(loaded, emulator, f"{https_host}/{loaded.domain}", app_url)),
        # oauth.domain by host name: '<prefix>.auth.<region>.localhost:<port>' (Chromium resolves *.localhost)
        "/by-host/": (
            "text/html",
            _app_page(loaded, emulator, f"{loaded.domain}.auth.us-east-1.{https_host}", by_host_url),
        ),
        "/app.js": ("text/javascript", bundle),
    }
    return loaded


def _app_page(world: oauth_world.World, emulator: ServerThread, domain: str, redirect: str) -> bytes:
    config = {
        "userPoolId": world.pool_id,
        "userPoolClientId": world.client_id,
        "userPoolEndpoint": emulator.endpoint,
        "domain": domain,
        "scopes": oauth_world.SCOPES,
        "redirect": redirect,
    }
    return (
        "<!doctype html><title>Redirect app</title>"
        f"<script>window.REDIRECT_APP = {json.dumps(config)};</script>"
        '<script src="/app.js"></script><h1>The app</h1>'
    ).encode()


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    real_clients.chromium()
    with real_clients.playwright_sync_api().sync_playwright() as running:
        yield running


def launch(playwright: Any, *extra: str) -> Any:
    return playwright.chromium.launch(
        executable_path=real_clients.chromium(), args=[*BROWSER_ARGS, "--disable-quic", *extra]
    )


@pytest.fixture(scope="module")
def browser(playwright: Any, emulator: ServerThread) -> Iterator[Any]:
    launched = launch(playwright, f"--ignore-certificate-errors-spki-list={emulator.spki_hash()}")
    yield launched
    launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()  # no ignore_https_errors: the flag above is the only trust
    opened = context.new_page()
    opened.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def _events(page: Any) -> list[dict[str, Any]]:
    return page.evaluate("() => window.authEvents")


def _wait_for_event(page: Any, name: str) -> None:
    page.wait_for_function(
        "(name) => window.authEvents && window.authEvents.some((e) => e.event === name || e.error)", arg=name
    )
    events = _events(page)
    assert any(event["event"] == name for event in events), events


def _visible(page: Any, selector: str) -> Any:
    # The classic hosted UI may render its form twice (wide and narrow screens): use the one shown.
    return page.locator(f"{selector}:visible").first


def sign_in_on_the_login_page(page: Any, username: str, *, totp_secret: str | None = None) -> None:
    page.wait_for_url("**/login?**")
    _visible(page, "#signInFormUsername").fill(username)
    _visible(page, "#signInFormPassword").fill(oauth_world.PASSWORD)
    _visible(page, 'input[name="signInSubmitButton"]').click()
    if totp_secret is not None:
        code_field = _visible(page, 'input[autocomplete="one-time-code"]')
        code_field.wait_for()
        code_field.fill(pyotp.TOTP(totp_secret).now())
        _visible(page, 'input[type="submit"]').click()


def authorize_in_a_new_tab(page: Any, domain_url: str, world: oauth_world.World) -> str:
    """Where an authorize for the app's client ends in another tab of the same browser (same cookies)."""
    query = urlencode(
        {
            "client_id": world.client_id,
            "response_type": "code",
            "scope": "openid",
            "redirect_uri": world.app_url,
        }
    )
    tab = page.context.new_page()
    try:
        tab.goto(f"{domain_url}/oauth2/authorize?{query}")
        return tab.url
    finally:
        tab.close()


def test_sign_in_with_redirect_in_chromium(
    page: Any, emulator: ServerThread, world: oauth_world.World
) -> None:
    requested: list[str] = []
    page.on(
        "request",
        lambda request: requested.append(
            f"{request.method} {request.url} {request.headers.get('x-amz-target', '')}".strip()
        ),
    )
    domain_url = f"{emulator.tls_endpoint}/{world.domain}"
    page.goto(world.app_url)
    assert page.evaluate("() => window.app.signedIn()") is False
    page.evaluate("() => window.app.signIn()")  # navigates: location.href = https://.../oauth2/authorize?...
    sign_in_on_the_login_page(page, oauth_world.ALICE["username"])
    page.wait_for_url(f"{world.app_url}**")
    _wait_for_event(page, "signInWithRedirect")
    assert "signInWithRedirect_failure" not in [event["event"] for event in _events(page)]
    # Amplify replaced the URL with the redirect URI (no code left in the address bar).
    assert page.url == world.app_url
    # The code went to the domain's token endpoint, from the app's page: a cross-origin fetch.
    assert f"POST {domain_url}/oauth2/token" in requested, requested

    state = page.evaluate("() => window.app.state()")
    assert state["user"]["username"] == "alice"
    assert state["attributes"]["email"] == oauth_world.ALICE["email"]
    assert state["attributes"]["name"] == oauth_world.ALICE["name"]
    access, identity = state["tokens"]["access"], state["tokens"]["id"]
    assert state["user"]["userId"] == identity["sub"] == access["sub"]
    assert set(access["scope"].split()) == set(oauth_world.SCOPES)
    assert access["client_id"] == world.client_id and access["origin_jti"]
    assert identity["aud"] == world.client_id and identity["cognito:username"] == "alice"

    # A refresh goes to userPoolEndpoint (GetTokensFromRefreshToken) and keeps the grant's origin and scope.
    with_refresh = page.evaluate("() => window.app.refresh()")
    assert with_refresh["access"]["jti"] != access["jti"]
    assert with_refresh["access"]["origin_jti"] == access["origin_jti"]
    assert with_refresh["access"]["scope"] == access["scope"]
    assert with_refresh["id"]["sub"] == identity["sub"]
    assert (
        f"POST {emulator.endpoint}/ AWSCognitoIdentityProviderService.GetTokensFromRefreshToken" in requested
    )

    # The domain session (a cookie of the browser): an authorize for the client answers with a code at once.
    assert "code=" in authorize_in_a_new_tab(page, domain_url, world)

    # signOut: RevokeToken, then https://<domain>/logout?client_id=...&logout_uri=<the app> and back.
    with page.expect_navigation(url=f"{world.app_url}**"):
        page.evaluate("() => window.app.signOut()")
    page.wait_for_load_state()
    assert page.url.startswith(world.app_url)
    assert any(
        line.startswith(f"GET {domain_url}/logout?client_id={world.client_id}&logout_uri=")
        for line in requested
    )
    revoke = f"POST {emulator.endpoint}/ AWSCognitoIdentityProviderService.RevokeToken"
    assert revoke in requested, requested  # the refresh token revoked at userPoolEndpoint
    assert page.evaluate("() => window.app.signedIn()") is False

    # The domain session ended with /logout: a new signInWithRedirect shows the login page again.
    assert f"/{world.domain}/login?" in authorize_in_a_new_tab(page, domain_url, world)
    page.evaluate("() => window.app.signIn()")
    page.wait_for_url("**/login?**")
    assert _visible(page, "#signInFormUsername").is_visible()
    assert f"/{world.domain}/login?" in page.url


def test_sign_in_with_redirect_and_a_totp_code(page: Any, world: oauth_world.World) -> None:
    page.goto(world.app_url)
    page.evaluate("() => window.app.signIn()")
    sign_in_on_the_login_page(page, oauth_world.BOB["username"], totp_secret=oauth_world.TOTP_SECRET)
    page.wait_for_url(f"{world.app_url}**")
    _wait_for_event(page, "signInWithRedirect")
    state = page.evaluate("() => window.app.state()")
    assert state["user"]["username"] == "bob"
    assert state["attributes"]["email"] == oauth_world.BOB["email"]
    with page.expect_navigation(url=f"{world.app_url}**"):
        page.evaluate("() => window.app.signOut()")


def test_a_browser_that_does_not_trust_the_ca_refuses_the_login_page(
    playwright: Any, emulator: ServerThread, world: oauth_world.World
) -> None:
    """Without the SPKI flag the same Chromium refuses the HTTPS listener: the trust above is real."""
    untrusting = launch(playwright)
    try:
        opened = untrusting.new_page()
        with pytest.raises(real_clients.playwright_sync_api().Error, match="ERR_CERT_AUTHORITY_INVALID"):
            opened.goto(f"{emulator.tls_endpoint}/{world.domain}/login?client_id={world.client_id}")
    finally:
        untrusting.close()


def test_sign_in_with_redirect_by_the_domains_host_name(
    page: Any, emulator: ServerThread, world: oauth_world.World
) -> None:
    """oauth.domain as Cognito's own form, <prefix>.auth.<region> (here .localhost): the pages, the token
    endpoint and /logout answer at the domain's root."""
    app = f"{world.app_url}by-host/"
    host_url = f"https://{world.domain}.auth.us-east-1.{emulator.tls_endpoint.removeprefix('https://')}"
    page.goto(app)
    page.evaluate("() => window.app.signIn()")
    page.wait_for_url(f"{host_url}/login?**")
    sign_in_on_the_login_page(page, oauth_world.ALICE["username"])
    page.wait_for_url(f"{app}**")
    _wait_for_event(page, "signInWithRedirect")
    state = page.evaluate("() => window.app.state()")
    assert state["user"]["username"] == "alice"
    with page.expect_navigation(url=f"{app}**"):
        page.evaluate("() => window.app.signOut()")
    assert page.evaluate("() => window.app.signedIn()") is False
