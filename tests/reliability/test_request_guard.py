"""emulator.http.guard over HTTP: what a web page in the developer's browser can make it send is refused before it
does anything (a foreign Origin, a cross-site navigation or no-cors request, a foreign Host as DNS rebinding
gives, a simple POST to a state-changing /_emulator route), bodies over --max-body-size are refused while they
are read (the server's memory does not grow), and --cors-origin / --allowed-host admit what they name.

The same in a real browser: tests/reliability/test_browser_security.py.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.routing import Route

from emulator.config import Settings
from emulator.testing import ServerThread
from tests.conftest import call
from tests.reliability.load import EmulatorProcess

EVIL = "https://evil.example"


def assert_refused(response: httpx.Response, status: int = 403) -> str:
    assert response.status_code == status, response.text
    assert "access-control-allow-origin" not in response.headers
    body = response.json()
    return body["message"] if "__type" in body else body["error"]


def pools(http: httpx.Client) -> list:
    return call(http, "ListUserPools", {"MaxResults": 60}).json()["UserPools"]


# --- Host: DNS rebinding ----------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/_emulator/messages", "/_emulator/", "/_emulator/health"])
def test_a_foreign_host_is_refused_everywhere(http, server, path, caplog):
    port = server.settings.port
    with caplog.at_level(logging.WARNING, logger="emulator.http.guard"):
        if path == "/":
            response = call(http, "ListUserPools", {"MaxResults": 5}, host=f"evil.example:{port}")
        else:
            response = http.get(path, headers={"host": f"evil.example:{port}"})
    message = assert_refused(response)
    assert f"evil.example:{port}" in message and "--allowed-host evil.example" in message
    assert f"Host 'evil.example:{port}'" in caplog.text


def test_the_cognito_endpoint_refuses_in_aws_style(http, server):
    response = call(http, "ListUserPools", {"MaxResults": 5}, host="evil.example")
    assert response.headers["x-amzn-errortype"] == "AccessDeniedException"
    assert response.json()["__type"] == "AccessDeniedException"


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "app.localhost", "[::1]", "192.168.7.7"])
def test_loopback_names_and_ip_addresses_are_served(http, server, host):
    response = call(http, "ListUserPools", {"MaxResults": 5}, host=f"{host}:{server.settings.port}")
    assert response.status_code == 200


# --- Origin ---------------------------------------------------------------------------------------------
def test_a_foreign_origin_cannot_call_the_api(http, caplog):
    with caplog.at_level(logging.WARNING, logger="emulator.http.guard"):
        response = call(http, "CreateUserPool", {"PoolName": "evil"}, origin=EVIL)
    message = assert_refused(response)
    assert response.json()["__type"] == "AccessDeniedException"
    assert f"--cors-origin {EVIL}" in message
    assert f"origin {EVIL}" in caplog.text
    assert pools(http) == []


def test_a_foreign_origin_cannot_read_the_outbox_or_the_console(http):
    for path in ("/_emulator/messages", "/_emulator/users", "/_emulator/", "/_emulator/clock"):
        assert_refused(http.get(path, headers={"origin": EVIL}))


def test_a_refused_preflight_is_logged_with_its_origin(http, caplog):
    with caplog.at_level(logging.WARNING, logger="emulator.http.guard"):
        response = http.options(
            "/",
            headers={
                "origin": EVIL,
                "access-control-request-method": "POST",
                "access-control-request-headers": "content-type,x-amz-target",
            },
        )
    assert_refused(response)
    assert f"refused OPTIONS /: origin {EVIL} (CORS preflight)" in caplog.text


def test_a_loopback_origin_gets_its_own_origin_back_not_a_star(http):
    response = call(http, "ListUserPools", {"MaxResults": 5}, origin="http://localhost:5173")
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "Origin" in response.headers.get("vary", "")
    messages = http.get("/_emulator/messages", headers={"origin": "http://127.0.0.1:3000"})
    assert messages.status_code == 200
    assert messages.headers["access-control-allow-origin"] == "http://127.0.0.1:3000"


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_cross_site_requests_without_an_origin_are_judged_by_their_referer(http, site):
    # A link, an <img> or a no-cors GET from a foreign page: no Origin header, but Sec-Fetch-Site says so.
    headers = {"sec-fetch-site": site}
    assert_refused(http.get("/_emulator/messages", headers=headers))
    assert_refused(http.get("/_emulator/messages", headers={**headers, "referer": EVIL + "/page"}))
    allowed = http.get("/_emulator/messages", headers={**headers, "referer": "http://localhost:3000/app"})
    assert allowed.status_code == 200


@pytest.mark.parametrize("site", ["same-origin", "none"])
def test_the_consoles_own_requests_and_typed_urls_are_served(http, site):
    assert http.get("/_emulator/messages", headers={"sec-fetch-site": site}).status_code == 200


def test_the_consoles_own_origin_is_allowed_on_a_named_host(tmp_path):
    # Reached as http://cognito:PORT (a container's name): its console posts with Origin http://cognito:PORT.
    settings = Settings(port=0, database=f"sqlite:///{tmp_path / 'e.db'}", allowed_hosts=["cognito"])
    with ServerThread(settings) as running, httpx.Client(base_url=running.endpoint) as http:
        own = f"cognito:{settings.port}"
        headers = {"host": own, "origin": f"http://{own}"}
        assert http.post("/_emulator/reset", json={}, headers=headers).status_code == 200
        assert_refused(
            http.post("/_emulator/reset", json={}, headers={**headers, "origin": "http://other:1"})
        )


# --- state-changing /_emulator routes ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"content-type": "text/plain"},
        {"content-type": "application/x-www-form-urlencoded"},
        {"content-type": "multipart/form-data; boundary=x"},
    ],
)
def test_simple_posts_cannot_reset_or_move_the_clock(http, cognito, headers):
    pool = cognito.create_user_pool(PoolName="kept")["UserPool"]["Id"]
    for path, body in (("/_emulator/reset", "{}"), ("/_emulator/clock", '{"advance_seconds": 3600}')):
        message = assert_refused(http.post(path, content=body, headers=headers))
        assert "Content-Type: application/json" in message
    assert [item["Id"] for item in pools(http)] == [pool]
    assert http.get("/_emulator/clock").json()["offset_seconds"] == 0


def test_every_state_changing_emulator_route_refuses_a_simple_post(server, http):
    # Routes added later are covered too: the rule is the guard's, not each route's.
    starlette = server.server.config.app.app.app.app  # RequestGuard -> DomainSite -> CognitoASGI
    posts = [
        route.path
        for route in starlette.routes
        if isinstance(route, Route)
        and "POST" in (route.methods or ())
        and route.path.startswith("/_emulator")
    ]
    assert "/_emulator/reset" in posts and "/_emulator/console/reset" in posts
    for path in posts:
        concrete = path.replace("{pool_id}", "p").replace("{sub}", "s").replace("{action}", "delete")
        assert http.post(concrete, content="x", headers={"content-type": "text/plain"}).status_code == 403, (
            path
        )


def test_json_and_custom_headers_still_change_state(http, cognito):
    cognito.create_user_pool(PoolName="gone")
    assert http.post("/_emulator/reset", json={}).status_code == 200
    assert pools(http) == []
    assert http.post("/_emulator/reset", headers={"x-emulator-token": "anything"}).status_code == 200
    # DELETE always needs a preflight in a browser: no content type needed.
    assert http.delete("/_emulator/messages").status_code == 200


# --- body size -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small_limit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    database = f"sqlite:///{tmp_path_factory.mktemp('limit') / 'e.db'}"
    with ServerThread(Settings(port=0, database=database, max_body_size=2000)) as running:
        yield running


def test_a_declared_body_over_the_limit_is_refused_unread(small_limit):
    with httpx.Client(base_url=small_limit.endpoint) as http:
        response = call(http, "CreateUserPool", {"PoolName": "p" * 3000})
        assert response.status_code == 413
        assert response.headers["x-amzn-errortype"] == "RequestEntityTooLargeException"
        assert "at most 2000 bytes (--max-body-size" in response.json()["message"]
        assert call(http, "ListUserPools", {"MaxResults": 5}).json() == {"UserPools": []}
        clock = http.post("/_emulator/clock", json={"set": "2030-01-01T00:00:00Z", "pad": "x" * 3000})
        assert clock.status_code == 413 and "at most 2000 bytes" in clock.json()["error"]


def chunked(size: int, piece: int = 500) -> Iterator[bytes]:
    yield b'{"PoolName": "p", "Pad": "'
    for _ in range(size // piece):
        yield b"x" * piece
    yield b'"}'


def test_a_chunked_body_over_the_limit_is_refused_as_it_is_read(small_limit):
    with httpx.Client(base_url=small_limit.endpoint) as http:
        headers = {
            "content-type": "application/x-amz-json-1.1",
            "x-amz-target": "AWSCognitoIdentityProviderService.CreateUserPool",
        }
        response = http.post("/", content=chunked(5000), headers=headers)
        assert response.status_code == 413
        assert response.json()["__type"] == "RequestEntityTooLargeException"
        small = http.post("/", content=chunked(100), headers=headers)
        assert small.status_code == 200, small.text  # within the limit (an unknown member is ignored)
        # The same on a Starlette route, and on a console form (read by the guard for its CSRF token).
        clock = http.post(
            "/_emulator/clock", content=chunked(5000), headers={"content-type": "application/json"}
        )
        assert clock.status_code == 413 and "at most 2000 bytes" in clock.json()["error"]
        form = http.post(
            "/_emulator/console/reset",
            content=chunked(5000),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert form.status_code == 413


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _send_huge_body(port: int, *, declared: bool, total: int) -> bytes:
    """POST ``total`` bytes (declared with Content-Length, or chunked) until the server stops reading; the
    server's answer."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    head = (
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\n"
        "X-Amz-Target: AWSCognitoIdentityProviderService.CreateUserPool\r\n"
        + (f"Content-Length: {total}\r\n" if declared else "Transfer-Encoding: chunked\r\n")
        + "\r\n"
    )
    answer = bytearray()

    def read() -> None:
        try:
            while chunk := sock.recv(65536):
                answer.extend(chunk)
        except OSError:
            pass

    reader = threading.Thread(target=read)
    reader.start()
    piece = b"x" * 65536
    try:
        sock.sendall(head.encode())
        sent = 0
        while sent < total and reader.is_alive():
            sock.sendall(piece if declared else b"%x\r\n%s\r\n" % (len(piece), piece))
            sent += len(piece)
    except OSError:
        pass  # the server closed the connection: what it should do
    reader.join(timeout=20)
    sock.close()
    return bytes(answer)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the server's memory from /proc")
@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_huge_body_does_not_grow_the_servers_memory(tmp_path, declared):
    with EmulatorProcess(f"sqlite:///{tmp_path / 'e.db'}", tmp_path / "server.log", workers=1) as server:
        assert server.process is not None
        with httpx.Client(base_url=server.endpoint) as http:
            for _ in range(20):  # warm up: the first requests allocate what every request needs
                call(http, "ListUserPools", {"MaxResults": 5})
        before = _rss_kb(server.process.pid)
        answer = _send_huge_body(server.port, declared=declared, total=200 * 1024 * 1024)
        time.sleep(0.2)  # let the server finish with the connection before measuring (not an assertion)
        grown = _rss_kb(server.process.pid) - before
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert b"RequestEntityTooLargeException" in answer
        assert grown < 5 * 1024, f"the server grew by {grown} kB"
        with httpx.Client(base_url=server.endpoint) as http:  # and it serves on
            assert call(http, "ListUserPools", {"MaxResults": 5}).status_code == 200


# --- what the flags admit -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    settings = Settings(
        port=0,
        database=f"sqlite:///{tmp_path_factory.mktemp('open') / 'e.db'}",
        cors_origins=["https://app.example.com", "https://*.preview.example.com"],
        allowed_hosts=["cognito.test"],
    )
    with ServerThread(settings) as running:
        yield running


def test_cors_origin_admits_the_named_origins_and_no_other(opened):
    with httpx.Client(base_url=opened.endpoint) as http:
        for origin in (
            "https://app.example.com",
            "https://pr-7.preview.example.com",
            "http://localhost:3000",
        ):
            response = call(http, "ListUserPools", {"MaxResults": 5}, origin=origin)
            assert response.status_code == 200 and response.headers["access-control-allow-origin"] == origin
        assert_refused(call(http, "ListUserPools", {"MaxResults": 5}, origin=EVIL))


def test_allowed_host_admits_the_named_host_and_no_other(opened):
    with httpx.Client(base_url=opened.endpoint) as http:
        assert call(http, "ListUserPools", {"MaxResults": 5}, host="cognito.test:80").status_code == 200
        assert_refused(call(http, "ListUserPools", {"MaxResults": 5}, host="evil.example"))


def test_star_allows_every_origin_and_host(tmp_path):
    settings = Settings(
        port=0, database=f"sqlite:///{tmp_path / 'e.db'}", cors_origins=["*"], allowed_hosts=["*"]
    )
    with ServerThread(settings) as running, httpx.Client(base_url=running.endpoint) as http:
        response = call(http, "ListUserPools", {"MaxResults": 5}, origin=EVIL, host="evil.example")
        assert response.status_code == 200 and response.headers["access-control-allow-origin"] == "*"


NAVIGATION = {"sec-fetch-mode": "navigate", "sec-fetch-dest": "document", "sec-fetch-site": "cross-site"}


def test_a_top_level_navigation_from_any_site_reaches_the_pages_but_not_the_console(http):
    # An app that sends no Referer (Referrer-Policy: no-referrer) opening a pool domain's authorize endpoint, or
    # an app on a non-loopback origin: a navigation, whose answer the app never reads.
    for headers in (NAVIGATION, {**NAVIGATION, "referer": EVIL + "/app"}):
        assert http.get("/.well-known/jwks.json", headers=headers).status_code != 403
        assert http.get("/_emulator/idp/none/none/authorize", headers=headers).status_code != 403
        # The emulator's own pages keep the origin policy, and so does anything that is not a navigation.
        assert_refused(http.get("/_emulator/messages", headers=headers))
        assert_refused(http.get("/.well-known/jwks.json", headers={**headers, "sec-fetch-mode": "no-cors"}))
        assert_refused(http.get("/.well-known/jwks.json", headers={**headers, "sec-fetch-dest": "iframe"}))
        assert_refused(http.post("/", headers=headers, content=b"{}"))
