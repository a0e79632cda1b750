"""The hosted login page in a real headless Chromium (Debian's, through Playwright; one browser for the module)
over the emulator's HTTPS listener: a first sign-in sets TOTP MFA up from the page's QR secret, a second one
answers the TOTP code; each ends at the app's callback with a code that the OAuth rules redeem."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest

from emulator.http import clock_api
from tests import real_clients
from tests.api import hosted_ui_world
from tests.api.hosted_ui_world import make_world, redeem
from tests.helpers import PASSWORD, make_user

# This module's own server, with the HTTPS listener (hosted_ui_world.tls_server).
tls_server = hosted_ui_world.tls_server

BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def chromium(server) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    executable = real_clients.chromium()
    playwright_api = real_clients.playwright_sync_api()
    # Trust the emulator's certificate only (its SPKI), as `cognito-emulator ca` tells Chromium users to.
    spki = server.spki_hash()
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, args=[*BROWSER_ARGS, f"--ignore-certificate-errors-spki-list={spki}"]
        )
        yield launched
        launched.close()


class _App(BaseHTTPRequestHandler):
    """The app's callback page (Playwright's routes do not see the targets of redirects: a real server)."""

    def do_GET(self) -> None:  # noqa: N802
        body = b"<!doctype html><p id=app>signed in</p>"
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def app_callback() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _App)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{httpd.server_address[1]}/callback"
    httpd.shutdown()
    httpd.server_close()


def _now(server) -> datetime:  # type: ignore[no-untyped-def]
    with server.emulator.database.session(write=False) as session:
        return server.emulator.now(session)


def _open(chromium, url: str):  # type: ignore[no-untyped-def]
    """A fresh browser context (no cookies) at ``url``."""
    context = chromium.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    return context, page, errors


def _code(page, callback: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    page.wait_for_selector("#app")
    query = parse_qs(urlsplit(page.url).query)
    assert page.url.startswith(callback + "?"), page.url
    return {key: values[0] for key, values in query.items()}


def test_sign_in_with_totp_mfa_in_chromium(server, cognito, chromium, app_callback):
    world = make_world(cognito, server.tls_endpoint, domain="chromium-ui", CallbackURLs=[app_callback])
    cognito.set_user_pool_mfa_config(
        UserPoolId=world.pool_id, MfaConfiguration="ON", SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    make_user(cognito, world.pool_id, "carol")
    params = "&".join(
        f"{key}={value}"
        for key, value in world.authorize_params(state="chromium-state", redirect_uri=app_callback).items()
    )
    authorize = f"{world.base}/oauth2/authorize?{params}".replace(" ", "+")

    context, page, errors = _open(chromium, authorize)
    try:
        assert urlsplit(page.url).path == "/chromium-ui/login"
        page.fill("#signInFormUsername", "carol")
        page.fill("#signInFormPassword", PASSWORD)
        page.click("input[name=signInSubmitButton]")
        page.wait_for_selector("#totpQrCode svg")
        secret = page.inner_text("#totpSecret").strip()
        page.fill("#code", pyotp.TOTP(secret).at(_now(server)))
        page.click("input[name=totpSetupButton]")
        first = _code(page, app_callback)
        assert first["state"] == "chromium-state"
        assert redeem(server, world.client_id, first["code"], app_callback)["username"] == "carol"
        # The domain session cookie: HttpOnly, Secure, SameSite=Lax, for the domain's path.
        cookie = next(item for item in context.cookies() if item["name"] == "cognito")
        assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Lax"
        assert cookie["path"] == "/chromium-ui"
        assert errors == []
    finally:
        context.close()

    clock_api.advance(server.emulator, 60)  # the next TOTP code
    context, page, errors = _open(chromium, authorize)
    try:
        page.fill("#signInFormUsername", "carol")
        page.fill("#signInFormPassword", PASSWORD)
        page.click("input[name=signInSubmitButton]")
        page.wait_for_selector("#code")
        assert "authenticator app" in page.inner_text("body")
        page.fill("#code", "000000" if pyotp.TOTP(secret).at(_now(server)) != "000000" else "111111")
        page.click("input[name=mfaSubmitButton]")
        page.wait_for_selector("#loginErrorMessage")
        assert "Invalid code received for user" in page.inner_text("#loginErrorMessage")
        page.fill("#code", pyotp.TOTP(secret).at(_now(server)))
        page.click("input[name=mfaSubmitButton]")
        second = _code(page, app_callback)
        assert redeem(server, world.client_id, second["code"], app_callback)["username"] == "carol"
        # Signed in: the next authorize answers at once, with no page in between.
        again = context.new_page()
        again.goto(authorize)
        third = _code(again, app_callback)
        assert third["code"] not in (first["code"], second["code"])
        assert errors == []
    finally:
        context.close()


def test_an_apps_cross_site_navigation_reaches_the_login_page(server, cognito, chromium, app_callback):
    """What Amplify's signInWithRedirect does from an app on another origin (the default origin policy)."""
    world = make_world(cognito, server.tls_endpoint, domain="chromium-app", CallbackURLs=[app_callback])
    make_user(cognito, world.pool_id, "dave")
    params = "&".join(
        f"{key}={value}" for key, value in world.authorize_params(redirect_uri=app_callback).items()
    )
    authorize = f"{world.base}/oauth2/authorize?{params}".replace(" ", "+")
    app = app_callback.rsplit("/", 1)[0] + "/app"
    context, page, errors = _open(chromium, app)
    try:
        page.wait_for_selector("#app")
        with page.expect_navigation(url="**/login?**"):
            page.evaluate("(url) => { window.location.href = url; }", authorize)
        page.fill("#signInFormUsername", "dave")
        page.fill("#signInFormPassword", PASSWORD)
        page.click("input[name=signInSubmitButton]")
        back = _code(page, app_callback)
        assert redeem(server, world.client_id, back["code"], app_callback)["username"] == "dave"
        assert errors == []
    finally:
        context.close()


def test_logout_in_chromium_ends_the_session(server, cognito, chromium, app_callback):
    signed_out = app_callback.rsplit("/", 1)[0] + "/signed-out"
    world = make_world(
        cognito,
        server.tls_endpoint,
        domain="chromium-logout",
        CallbackURLs=[app_callback],
        LogoutURLs=[signed_out],
    )
    make_user(cognito, world.pool_id, "erin")
    params = "&".join(
        f"{key}={value}" for key, value in world.authorize_params(redirect_uri=app_callback).items()
    )
    authorize = f"{world.base}/oauth2/authorize?{params}".replace(" ", "+")
    context, page, errors = _open(chromium, authorize)
    try:
        page.fill("#signInFormUsername", "erin")
        page.fill("#signInFormPassword", PASSWORD)
        page.click("input[name=signInSubmitButton]")
        _code(page, app_callback)
        page.goto(authorize)
        _code(page, app_callback)  # signed in: straight back
        page.goto(f"{world.base}/logout?client_id={world.client_id}&logout_uri={signed_out}")
        page.wait_for_selector("#app")
        assert page.url == signed_out
        assert not [item for item in context.cookies() if item["name"] == "cognito"]
        page.goto(authorize)
        page.wait_for_selector("#signInFormUsername")
        assert urlsplit(page.url).path == "/chromium-logout/login"
        assert errors == []
    finally:
        context.close()
