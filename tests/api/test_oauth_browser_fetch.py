"""The token and userInfo endpoints as a page's ``fetch`` reaches them in a real headless Chromium: cross-origin
from an app's ``http://`` origin to the HTTPS listener (trusted by the certificate's SPKI hash), with the
``x-amz-user-agent`` header Amplify sends, so the browser makes its CORS preflight and reads the answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests import real_clients
from tests.api.oauth_world import APP, DOMAIN, World
from tests.console_browser import BROWSER_ARGS


@pytest.fixture
def world(oauth_world: World) -> World:
    return oauth_world


EXCHANGE = """async ([url, body]) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: {'Content-Type': 'application/x-www-form-urlencoded', 'x-amz-user-agent': 'aws-amplify/6.15.0'},
    body,
  });
  return {status: response.status, body: await response.json()};
}"""
USERINFO = """async ([url, token]) => {
  const response = await fetch(url, {headers: {Authorization: 'Bearer ' + token}});
  return {status: response.status, body: await response.json()};
}"""


@pytest.fixture(scope="module")
def app_page(tls_server) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    executable = real_clients.chromium()
    playwright_api = real_clients.playwright_sync_api()
    args = [*BROWSER_ARGS, f"--ignore-certificate-errors-spki-list={tls_server.spki_hash()}"]
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=args)
        page = browser.new_page()
        # The app's origin: the emulator's own plain listener (a loopback origin), not the HTTPS one.
        page.goto(tls_server.endpoint + "/")
        yield page
        browser.close()


def test_a_page_exchanges_a_code_and_reads_user_info_cross_origin(app_page, https, world: World, tls_server):
    code = world.code(scopes=["openid", "email"])
    base = f"{tls_server.tls_endpoint}/{DOMAIN}"
    body = f"grant_type=authorization_code&code={code}&client_id={world.public}&redirect_uri={APP}"
    answer = app_page.evaluate(EXCHANGE, [f"{base}/oauth2/token", body])
    assert answer["status"] == 200, answer
    assert {"id_token", "access_token", "refresh_token"} <= set(answer["body"])
    info = app_page.evaluate(USERINFO, [f"{base}/oauth2/userInfo", answer["body"]["access_token"]])
    assert info == {"status": 200, "body": {"sub": info["body"]["sub"], "email": "alice@example.com",
                                            "email_verified": "true", "username": "alice"}}  # fmt: skip
    # An error is readable by the page too (Access-Control-Allow-Origin on errors).
    replay = app_page.evaluate(EXCHANGE, [f"{base}/oauth2/token", body])
    assert replay == {"status": 400, "body": {"error": "invalid_grant"}}
