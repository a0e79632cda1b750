"""Remembered devices with Amplify JS v6 in a real headless Chromium (Debian's chromium through Playwright), on the
demo world's device-tracking pool (fixtures/signin-steps.yaml, ``us-east-1_DemoDevices``: user opt-in, MFA
skipped on a remembered device).

The web app (browser-devices.mjs, bundled with esbuild) runs from ``http://localhost:<port>``: Amplify has a
``navigator`` there, so it confirms the device by itself after signing in (ConfirmDevice with its own SRP
verifier), and keeps tokens and the device in localStorage. The test then has it ``rememberDevice()``, sign in
again through DEVICE_SRP_AUTH without the email code, ``fetchDevices()``, ``forgetDevice()``, and sign in once
more, asked for the code again; and it shows Amplify's retry when the device was forgotten behind its back
(ResourceNotFoundException "Device does not exist." at PASSWORD_VERIFIER, then the same answer without it).
"""

from __future__ import annotations

import http.server
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator.config import Settings
from emulator.testing import ServerThread
from tests import real_clients
from tests.conftest import make_boto_client
from tests.console_browser import BROWSER_ARGS

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
DEMO = ROOT / "fixtures" / "signin-steps.yaml"
POOL, CLIENT, USERNAME, PASSWORD = (
    "us-east-1_DemoDevices",
    "demodevicesclient000000001",
    "remember-device",
    "Passw0rd!",
)


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
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Pages]:
    """The bundled app, served from localhost."""
    real_clients.node_project(HERE, "aws-amplify")
    out = tmp_path_factory.mktemp("devices-app") / "app.js"
    subprocess.run(
        [
            str(HERE / "node_modules" / ".bin" / "esbuild"),
            "browser-devices.mjs",
            "--bundle",
            "--format=iife",
            "--log-level=warning",
            f"--outfile={out}",
        ],
        cwd=HERE,
        check=True,
        timeout=120,
    )
    server = _Pages(("127.0.0.1", 0), _Handler)
    server.files = {
        "/app.html": ("text/html", b'<!doctype html><title>Devices</title><script src="/app.js"></script>'),
        "/app.js": ("text/javascript", out.read_bytes()),
    }
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    database = tmp_path_factory.mktemp("devices-demo") / "emulator.db"
    with ServerThread(Settings(port=0, database=f"sqlite:///{database}", fixtures=[str(DEMO)])) as running:
        yield running


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


@pytest.fixture
def page(browser: Any, app: _Pages, demo: ServerThread) -> Iterator[Any]:
    demo.emulator.reset()  # the demo world as declared, no devices
    context = browser.new_context()
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.goto(f"http://localhost:{app.server_port}/app.html")
    settings = {"endpoint": demo.endpoint, "userPoolId": POOL, "userPoolClientId": CLIENT}
    assert opened.evaluate("(s) => window.setUp(s)", {**settings, "username": USERNAME, "password": PASSWORD})
    yield opened
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


def run(page: Any, name: str, argument: Any = None) -> Any:
    return page.evaluate(f"(argument) => window.{name}(argument)", argument)


def operations(trace: list[dict[str, Any]]) -> list[str]:
    return [f"{call['operation']}:{call['challenge'] or call['flow'] or ''}" for call in trace]


def test_amplify_remembers_a_device_and_skips_mfa_until_it_is_forgotten(
    page: Any, demo: ServerThread
) -> None:
    cognito = make_boto_client(demo.endpoint)
    first = run(page, "signInWithMfaIfAsked")
    assert first["steps"] == ["CONFIRM_SIGN_IN_WITH_EMAIL_CODE", "DONE"], first
    trace = run(page, "trace")
    # Amplify confirmed the key the tokens came with, with its own verifier and the browser as the name.
    confirm = [call for call in trace if call["operation"] == "ConfirmDevice"]
    assert len(confirm) == 1 and confirm[0]["status"] == 200, trace
    stored = run(page, "storedDevice")
    assert stored["deviceKey"] and stored["deviceGroupKey"] and stored["randomPasswordKey"], stored
    assert first["deviceKeyClaim"] == stored["deviceKey"]
    admin = cognito.admin_list_devices(UserPoolId=POOL, Username=USERNAME)["Devices"]
    assert [device["DeviceKey"] for device in admin] == [stored["deviceKey"]]
    names = {item["Name"]: item["Value"] for item in admin[0]["DeviceAttributes"]}
    assert names["dev:device_remembered_status"] == "not_remembered" and names["device_name"]
    assert run(page, "devices") == []  # opt-in: not the user's remembered device yet

    assert run(page, "remember") is True
    listed = run(page, "devices")
    assert [device["id"] for device in listed] == [stored["deviceKey"]] and listed[0]["name"] == names[
        "device_name"
    ]
    run(page, "signOutHere")
    run(page, "trace")

    second = run(page, "signInWithMfaIfAsked")
    assert second["steps"] == ["DONE"], second  # no email code
    trace = run(page, "trace")
    sign_in = [
        op for op in operations(trace) if op.split(":")[0] in ("InitiateAuth", "RespondToAuthChallenge")
    ]
    assert sign_in == [
        "InitiateAuth:USER_SRP_AUTH",
        "RespondToAuthChallenge:PASSWORD_VERIFIER",
        "RespondToAuthChallenge:DEVICE_SRP_AUTH",
        "RespondToAuthChallenge:DEVICE_PASSWORD_VERIFIER",
    ], trace
    assert all(call["status"] == 200 for call in trace), trace
    assert not any(call["operation"] == "ConfirmDevice" for call in trace), trace
    assert second["deviceKeyClaim"] == stored["deviceKey"]
    # Refreshing sends the device key along, and the new tokens keep it.
    assert run(page, "refresh") == {"deviceKeyClaim": stored["deviceKey"]}
    refreshes = [call for call in run(page, "trace") if call["operation"] == "GetTokensFromRefreshToken"]
    assert [(call["deviceKey"], call["status"]) for call in refreshes] == [(stored["deviceKey"], 200)]
    # USER_PASSWORD_AUTH: the key goes with InitiateAuth, and the device is proven the same way.
    run(page, "signOutHere")
    run(page, "trace")
    assert run(page, "signInWithMfaIfAsked", "USER_PASSWORD_AUTH")["steps"] == ["DONE"]
    sign_in = [
        call for call in run(page, "trace") if call["operation"] in ("InitiateAuth", "RespondToAuthChallenge")
    ]
    assert [(call["challenge"] or call["flow"], call["deviceKey"]) for call in sign_in] == [
        ("USER_PASSWORD_AUTH", stored["deviceKey"]),
        ("DEVICE_SRP_AUTH", stored["deviceKey"]),
        ("DEVICE_PASSWORD_VERIFIER", stored["deviceKey"]),
    ]

    assert run(page, "forget") is True
    assert cognito.admin_list_devices(UserPoolId=POOL, Username=USERNAME)["Devices"] == []
    assert run(page, "storedDevice")["deviceKey"] is None
    run(page, "signOutHere")
    run(page, "trace")
    third = run(page, "signInWithMfaIfAsked")
    assert third["steps"] == ["CONFIRM_SIGN_IN_WITH_EMAIL_CODE", "DONE"], third
    trace = run(page, "trace")
    assert not any(call["operation"].endswith("AuthChallenge") and call["deviceKey"] for call in trace), trace


def test_amplify_retries_when_its_device_was_forgotten_elsewhere(page: Any, demo: ServerThread) -> None:
    cognito = make_boto_client(demo.endpoint)
    assert run(page, "signInWithMfaIfAsked")["steps"][-1] == "DONE"
    assert run(page, "remember") is True
    key = run(page, "storedDevice")["deviceKey"]
    cognito.admin_forget_device(UserPoolId=POOL, Username=USERNAME, DeviceKey=key)
    run(page, "signOutHere")
    run(page, "trace")
    again = run(page, "signInWithMfaIfAsked")
    assert again["steps"] == ["CONFIRM_SIGN_IN_WITH_EMAIL_CODE", "DONE"], again
    trace = run(page, "trace")
    verifiers = [call for call in trace if call["challenge"] == "PASSWORD_VERIFIER"]
    assert [(call["deviceKey"], call["error"]) for call in verifiers] == [
        (key, "ResourceNotFoundException"),
        (None, None),
    ], trace
    # A new device was handed out and confirmed by Amplify.
    assert run(page, "storedDevice")["deviceKey"] not in (None, key)
