"""Issue 16's proof in a real headless Chromium: a page from a foreign origin (``evil.test``, mapped to
127.0.0.1 with ``--host-resolver-rules``) tries a no-cors reset, reads the outbox, calls AdminCreateUser,
posts the console's reset form, and makes DNS-rebinding-style requests (a page the browser believes is
``evil.test:<emulator port>``); every one is refused and the world is unchanged. Meanwhile the Amplify JS web
app on ``http://localhost:<port>`` signs up, reads its code and signs in, and ``--cors-origin`` admits a
named origin (``app.test``).

Needs Debian's chromium and ``pip install playwright`` (never ``playwright install``), and for the Amplify
app ``npm ci`` in tests/amplify (esbuild bundles the app); without them the tests are skipped.
"""

from __future__ import annotations

import http.server
import logging
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from emulator.config import Settings
from emulator.testing import ServerThread
from tests import real_clients
from tests.conftest import make_boto_client
from tests.console_browser import BROWSER_ARGS

AMPLIFY = Path(__file__).resolve().parents[1] / "amplify"
ESBUILD = AMPLIFY / "node_modules" / ".bin" / "esbuild"
PASSWORD = "Passw0rd!-long"

ATTACK = """
async (emulator) => {
  const outcome = async (attempt) => {
    try {
      const response = await attempt();
      return response.type === 'opaque' ? 'opaque' : `read ${response.status}: ${await response.text()}`;
    } catch (error) {
      return 'refused';  // the browser's CORS check failed: nothing was readable
    }
  };
  const target = (operation) => ({
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': `AWSCognitoIdentityProviderService.${operation}`,
  });
  const createUser = JSON.stringify({ UserPoolId: emulator.poolId, Username: 'mallory' });
  return {
    noCorsReset: await outcome(() => fetch(`${emulator.url}/_emulator/reset`, {
      method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{}' })),
    noCorsClock: await outcome(() => fetch(`${emulator.url}/_emulator/clock`, {
      method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' },
      body: '{"advance_seconds": 86400}' })),
    readOutbox: await outcome(() => fetch(`${emulator.url}/_emulator/messages`)),
    readUsers: await outcome(() => fetch(`${emulator.url}/_emulator/users`)),
    adminCreateUser: await outcome(() => fetch(`${emulator.url}/`, {
      method: 'POST', headers: target('AdminCreateUser'), body: createUser })),
    noCorsAdminCreateUser: await outcome(() => fetch(`${emulator.url}/`, {
      method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: createUser })),
    listUserPools: await outcome(() => fetch(`${emulator.url}/`, {
      method: 'POST', headers: target('ListUserPools'), body: '{"MaxResults": 60}' })),
  };
}
"""

# From a page the browser takes for the emulator's own origin (DNS rebinding): same-origin requests, no CORS.
REBOUND = """
async () => {
  const status = async (path, init) => {
    try { return (await fetch(path, init)).status; } catch (error) { return 'failed'; }
  };
  return {
    reset: await status('/_emulator/reset', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
    outbox: await status('/_emulator/messages'),
    createUser: await status('/', {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1',
                 'x-amz-target': 'AWSCognitoIdentityProviderService.ListUserPools' },
      body: '{"MaxResults": 60}' }),
  };
}
"""


class _Pages(http.server.ThreadingHTTPServer):
    """A static web server for the pages of the test: the same files whatever host name reaches it."""

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
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Pages]:
    server = _Pages(("127.0.0.1", 0), _Handler)
    server.files = {
        "/evil.html": ("text/html", b"<!doctype html><title>Free prizes</title><h1>Free prizes</h1>"),
        "/app.html": ("text/html", b'<!doctype html><title>App</title><script src="/app.js"></script>'),
    }
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    # The system Chromium and Playwright, or a skip that says which is missing (a failure under CI).
    executable = real_clients.chromium()
    playwright_api = real_clients.playwright_sync_api()
    # evil.test and app.test are other sites on this machine, as a page on the internet is to the browser.
    rules = "--host-resolver-rules=MAP evil.test 127.0.0.1, MAP app.test 127.0.0.1"
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=[*BROWSER_ARGS, rules])
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def world(server) -> dict:
    """A pool with a user and a code in the outbox: what an attacker would like to read or destroy."""
    cognito = make_boto_client(server.endpoint)
    pool = cognito.create_user_pool(PoolName="precious", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="web",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    cognito.sign_up(
        ClientId=client,
        Username="alice",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}],
    )
    return {"pool": pool, "client": client, "cognito": cognito}


def snapshot(server: ServerThread, world: dict) -> dict:
    cognito = world["cognito"]
    with httpx.Client(base_url=server.endpoint) as http:
        return {
            "pools": [pool["Id"] for pool in cognito.list_user_pools(MaxResults=60)["UserPools"]],
            "users": sorted(
                user["Username"] for user in cognito.list_users(UserPoolId=world["pool"])["Users"]
            ),
            "messages": len(http.get("/_emulator/messages").json()["messages"]),
            "clock": http.get("/_emulator/clock").json()["offset_seconds"],
        }


def test_a_foreign_page_can_neither_change_nor_read_the_emulator(page, pages, server, world, caplog):
    before = snapshot(server, world)
    assert before["users"] == ["alice"] and before["messages"] == 1
    evil = f"http://evil.test:{pages.server_port}"
    page.goto(f"{evil}/evil.html")
    with caplog.at_level(logging.WARNING, logger="emulator.http.guard"):
        results = page.evaluate(ATTACK, {"url": server.endpoint, "poolId": world["pool"]})
        # An HTML form posting to the console's reset, as a page can without any script.
        page.set_content(
            f'<form method="post" action="{server.endpoint}/_emulator/console/reset">'
            '<input name="csrf_token" value="guessed"><button>Win</button></form>'
        )
        with page.expect_navigation():
            page.click("button")
        form_status = page.evaluate("() => document.body.innerText")
        # A link from the foreign page to the outbox: a top-level navigation, judged by its Referer.
        page.goto(f"{evil}/evil.html")
        page.set_content(f'<a href="{server.endpoint}/_emulator/messages">codes</a>')
        with page.expect_navigation() as navigation:
            page.click("a")
        link_status = navigation.value.status if navigation.value else None
        link_text = page.evaluate("() => document.body.innerText")
    assert results == {
        "noCorsReset": "opaque",  # sent, but refused by the server (the world below is unchanged)
        "noCorsClock": "opaque",
        "readOutbox": "refused",
        "readUsers": "refused",
        "adminCreateUser": "refused",
        "noCorsAdminCreateUser": "opaque",
        "listUserPools": "refused",
    }
    assert "are refused" in form_status  # the emulator's own 403 page, not the console
    assert link_status == 403 and "alice@example.com" not in link_text
    assert snapshot(server, world) == before
    assert f"origin {evil}" in caplog.text and "(CORS preflight)" in caplog.text


def test_a_rebound_host_name_is_refused(page, server, world, caplog):
    before = snapshot(server, world)
    rebound = f"http://evil.test:{server.settings.port}"
    with caplog.at_level(logging.WARNING, logger="emulator.http.guard"):
        response = page.goto(f"{rebound}/_emulator/messages")
        assert response is not None and response.status == 403
        assert "alice@example.com" not in page.content()
        assert page.evaluate(REBOUND) == {"reset": 403, "outbox": 403, "createUser": 403}
    assert snapshot(server, world) == before
    assert f"Host 'evil.test:{server.settings.port}'" in caplog.text


@pytest.fixture(scope="module")
def app_bundle(pages: _Pages, tmp_path_factory: pytest.TempPathFactory) -> None:
    if shutil.which("node") is None or not ESBUILD.exists():
        pytest.skip("the Amplify web app needs node and tests/amplify/node_modules (npm ci in tests/amplify)")
    out = tmp_path_factory.mktemp("app") / "app.js"
    subprocess.run(
        [
            str(ESBUILD),
            "browser-app.mjs",
            "--bundle",
            "--format=iife",
            "--log-level=warning",
            f"--outfile={out}",
        ],
        cwd=AMPLIFY,
        check=True,
        timeout=120,
    )
    pages.files["/app.js"] = ("text/javascript", out.read_bytes())


def run_amplify(page, url: str, endpoint: str, world: dict, username: str) -> dict:
    page.goto(url)
    return page.evaluate(
        "(settings) => window.runAmplify(settings)",
        {
            "endpoint": endpoint,
            "userPoolId": world["pool"],
            "userPoolClientId": world["client"],
            "username": username,
            "password": PASSWORD,
            "email": f"{username}@example.com",
        },
    )


def test_the_amplify_app_on_localhost_still_works(page, pages, app_bundle, server, world):
    result = run_amplify(
        page, f"http://localhost:{pages.server_port}/app.html", server.endpoint, world, "bob"
    )
    assert result == {"steps": ["CONFIRM_SIGN_UP", "DONE", "DONE"], "idTokenUser": "bob"}


def test_cors_origin_admits_a_named_origin(page, pages, app_bundle, tmp_path, server, world):
    app = f"http://app.test:{pages.server_port}"
    settings = Settings(port=0, database=f"sqlite:///{tmp_path / 'e.db'}", cors_origins=[app])
    with ServerThread(settings) as named:
        cognito = make_boto_client(named.endpoint)
        pool = cognito.create_user_pool(PoolName="named", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
        client = cognito.create_user_pool_client(UserPoolId=pool, ClientName="web")["UserPoolClient"][
            "ClientId"
        ]
        there = {"pool": pool, "client": client}
        result = run_amplify(page, f"{app}/app.html", named.endpoint, there, "carol")
        assert result["steps"][-1] == "DONE" and result["idTokenUser"] == "carol"
    # The same page is a foreign origin to an emulator that does not name it.
    page.goto(f"{app}/app.html")
    refused = page.evaluate(ATTACK, {"url": server.endpoint, "poolId": world["pool"]})
    assert refused["readOutbox"] == "refused" and refused["listUserPools"] == "refused"
