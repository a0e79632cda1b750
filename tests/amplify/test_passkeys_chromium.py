"""Passkeys end to end in a real headless Chromium: Amplify JS v6 (passkey-app.mjs, bundled with esbuild and
served from http://localhost:<port>) registers a passkey with ``associateWebAuthnCredential()``, signs in with
``preferredChallenge: 'WEB_AUTHN'`` and through first-factor selection, lists and deletes it, against Chrome's
virtual authenticator (DevTools ``WebAuthn.addVirtualAuthenticator`` through Playwright's CDP session).

With the authenticator's user verification switched off, a pool that requires it refuses the sign-in: the
browser itself refuses to answer a request that asks for verification, and an assertion without it (the
request options rewritten on the way, as a tampered client would) is refused by the emulator. And the README's
demo passkey (fixtures/demo-passkey.pem), loaded with ``WebAuthn.addCredential``, signs the demo user in.

Needs Debian's chromium, playwright for Python (never ``playwright install``) and tests/amplify's node_modules
(tests.real_clients installs them, or skips saying why, and fails instead under CI).
"""

from __future__ import annotations

import base64
import http.server
import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from emulator.config import Settings
from emulator.testing import ServerThread
from tests import real_clients
from tests.conftest import make_boto_client
from tests.console_browser import BROWSER_ARGS

HERE = Path(__file__).parent
PASSWORD = "Passw0rd!-long"


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
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Pages]:
    project = real_clients.node_project(HERE, "aws-amplify")
    bundle = tmp_path_factory.mktemp("passkey-app") / "app.js"
    subprocess.run(
        [
            str(project / "node_modules" / ".bin" / "esbuild"),
            "passkey-app.mjs",
            "--bundle",
            "--format=iife",
            "--log-level=warning",
            f"--outfile={bundle}",
        ],
        cwd=project,
        check=True,
        timeout=120,
    )
    server = _Pages(("127.0.0.1", 0), _Handler)
    server.files = {
        "/app.html": ("text/html", b'<!doctype html><title>Passkeys</title><script src="/app.js"></script>'),
        "/app.js": ("text/javascript", bundle.read_bytes()),
    }
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = real_clients.chromium()
    playwright_api = real_clients.playwright_sync_api()
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, args=[*BROWSER_ARGS, "--disable-quic"]
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    database = tmp_path_factory.mktemp("passkeys-db") / "emulator.db"
    with ServerThread(Settings(port=0, database=f"sqlite:///{database}")) as running:
        yield running


@pytest.fixture
def world(emulator: ServerThread) -> Iterator[dict[str, str]]:
    """A pool that requires user verification, with the relying party ``localhost``, and a user."""
    cognito = make_boto_client(emulator.endpoint)
    pool = cognito.create_user_pool(
        PoolName="passkeys", Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}}
    )["UserPool"]["Id"]
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool, WebAuthnConfiguration={"RelyingPartyId": "localhost", "UserVerification": "required"}
    )
    client = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="web",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    cognito.admin_create_user(UserPoolId=pool, Username="alice", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool, Username="alice", Password=PASSWORD, Permanent=True)
    yield {"pool": pool, "client": client, "endpoint": emulator.endpoint}
    emulator.emulator.reset()


class App:
    """The page and its virtual authenticator."""

    def __init__(self, page: Any, cdp: Any, authenticator: str) -> None:
        self.page, self.cdp, self.authenticator = page, cdp, authenticator

    def __call__(self, step: str, **arguments: Any) -> Any:
        return self.page.evaluate("([step, args]) => window.passkeyApp[step](args)", [step, arguments])

    def user_verified(self, verified: bool) -> None:
        self.cdp.send(
            "WebAuthn.setUserVerified", {"authenticatorId": self.authenticator, "isUserVerified": verified}
        )

    def stored(self) -> list[dict[str, Any]]:
        return self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.authenticator})[
            "credentials"
        ]


@pytest.fixture
def app(browser: Any, pages: _Pages, world: dict[str, str]) -> Iterator[App]:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"http://localhost:{pages.server_port}/app.html")
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )["authenticatorId"]
    driver = App(page, cdp, authenticator)
    assert driver(
        "configure", endpoint=world["endpoint"], userPoolId=world["pool"], userPoolClientId=world["client"]
    )
    yield driver
    context.close()


def test_amplify_registers_signs_in_with_lists_and_deletes_a_passkey(app: App, world: dict[str, str]) -> None:
    assert app("signInWithPassword", username="alice", password=PASSWORD) == {"step": "DONE", "user": "alice"}
    assert app("register") == {"registered": True}
    [stored] = app.stored()
    listed = app("list")
    assert listed["nextToken"] is None
    [credential] = listed["credentials"]
    # The browser's credential id (base64) is the one the emulator lists (base64url).
    assert credential["credentialId"] == stored["credentialId"].replace("+", "-").replace("/", "_").rstrip(
        "="
    )
    assert credential["relyingPartyId"] == "localhost"
    assert credential["authenticatorAttachment"] == "platform"
    assert credential["authenticatorTransports"] == ["internal"]
    assert app("signOut") == {"signedOut": True}

    assert app("signInWithPasskey", username="alice") == {"step": "DONE", "user": "alice"}
    assert app.stored()[0]["signCount"] >= 2  # the registration and the assertion
    assert app("signOut") == {"signedOut": True}

    selected = app("signInBySelection", username="alice")
    assert selected["firstStep"] == "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION"
    assert "WEB_AUTHN" in selected["offered"]
    assert selected["step"] == "DONE" and selected["user"] == "alice"

    assert app("remove", credentialId=credential["credentialId"]) == {"deleted": True}
    assert app("list") == {"credentials": [], "nextToken": None}
    assert app("signOut") == {"signedOut": True}
    # Without a passkey the user is not offered one.
    without = app("signInBySelection", username="alice")
    assert without == {
        "firstStep": "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION",
        "offered": ["PASSWORD", "PASSWORD_SRP"],
    }


def _rewrite_user_verification(route: Any) -> None:
    """A tampered client: the WEB_AUTHN challenge's request options say user verification is discouraged."""
    response = route.fetch()
    body = response.json()
    parameters = body.get("ChallengeParameters") or {}
    if "CREDENTIAL_REQUEST_OPTIONS" in parameters:
        options = json.loads(parameters["CREDENTIAL_REQUEST_OPTIONS"])
        options["userVerification"] = "discouraged"
        parameters["CREDENTIAL_REQUEST_OPTIONS"] = json.dumps(options)
    route.fulfill(response=response, body=json.dumps(body))


def test_without_user_verification_the_sign_in_fails(app: App, world: dict[str, str]) -> None:
    assert app("signInWithPassword", username="alice", password=PASSWORD)["step"] == "DONE"
    assert app("register") == {"registered": True}
    assert app("signOut") == {"signedOut": True}
    app.user_verified(False)
    # The browser does not answer a request that requires verification it cannot give.
    refused = app("signInWithPasskey", username="alice")
    assert "error" in refused and refused.get("step") is None
    # An assertion made without verification is refused by the emulator.
    app.page.route(f"{world['endpoint']}/", _rewrite_user_verification)
    refused = app("signInWithPasskey", username="alice")
    app.page.unroute(f"{world['endpoint']}/")
    assert refused["error"] == "NotAuthorizedException", refused
    # With verification back, the same passkey signs in.
    app.user_verified(True)
    assert app("signInWithPasskey", username="alice") == {"step": "DONE", "user": "alice"}


def test_the_demo_passkey_signs_in_from_chrome(browser: Any, pages: _Pages, tmp_path: Path) -> None:
    """The README's demo row: the demo key loaded into Chrome's virtual authenticator signs ``passkey`` in."""
    root = HERE.parents[1]
    key = serialization.load_pem_private_key((root / "fixtures" / "demo-passkey.pem").read_bytes(), None)
    pkcs8 = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    settings = Settings(
        port=0,
        database=f"sqlite:///{tmp_path / 'demo.db'}",
        fixtures=[str(root / "fixtures" / "signin-steps.yaml")],
    )
    with ServerThread(settings) as demo:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"http://localhost:{pages.server_port}/app.html")
        cdp = context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
        authenticator = cdp.send(
            "WebAuthn.addVirtualAuthenticator",
            {
                "options": {
                    "protocol": "ctap2",
                    "transport": "internal",
                    "hasResidentKey": True,
                    "hasUserVerification": True,
                    "isUserVerified": True,
                    "automaticPresenceSimulation": True,
                }
            },
        )["authenticatorId"]
        credential_id = "35uqe9E4ImeGkXqlL-mzgQ"
        cdp.send(
            "WebAuthn.addCredential",
            {
                "authenticatorId": authenticator,
                "credential": {
                    "credentialId": base64.b64encode(base64.urlsafe_b64decode(credential_id + "==")).decode(),
                    "isResidentCredential": True,
                    "rpId": "localhost",
                    "privateKey": base64.b64encode(pkcs8).decode(),
                    "userHandle": base64.b64encode(b"5e1f0c9a-7b3d-4c2e-9f8a-6d4b2a1c0e9f").decode(),
                    "signCount": 0,
                },
            },
        )
        app = App(page, cdp, authenticator)
        assert app(
            "configure",
            endpoint=demo.endpoint,
            userPoolId="us-east-1_Demo00001",
            userPoolClientId="demo00001client00000000001",
        )
        try:
            assert app("signInWithPasskey", username="passkey") == {"step": "DONE", "user": "passkey"}
        finally:
            context.close()
